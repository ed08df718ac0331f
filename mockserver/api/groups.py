"""Groups: ``GET /v1/groups`` (search, paged), ``GET /v1/group/{id}/contacts`` (paged, ``TotalCount``),
``POST /v1/group/{id}/contacts/attach|detach`` (static groups only)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.contacts.groups import MAX_ROWS
from ..domain.errors import DomainError, InvalidInput
from ..domain.numbers import INT32_MAX
from ..domain.text import is_ascii_digits
from .common import empty_answer, note, refusal, with_total
from .contacts import render_contact
from .templates import int_param

FLAGS = {"true": True, "false": False}  # case-insensitive


def group_id(request: Request) -> int:
    raw = request.path_params["id"]
    if not is_ascii_digits(raw) or len(raw) > 10 or not 0 < int(raw) <= INT32_MAX:
        raise InvalidInput(f"Group id must be a positive int32 integer, got {raw!r}")
    return int(raw)


def flag(request: Request, name: str, default: bool) -> bool:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = FLAGS.get(raw.lower())
    if value is None:
        raise InvalidInput(f"Parameter {name} must be true or false, got {raw!r}")
    return value


def page(request: Request) -> tuple[int, int]:
    """(first index, rows): 1-based ``startindex`` and at most MAX_ROWS ``maxrows``, as contact search pages."""
    return int_param(request, "startindex", 1, 1, INT32_MAX), int_param(request, "maxrows", MAX_ROWS, 1, MAX_ROWS)


async def search(request: Request) -> Response:
    world = request.app.state.emulator.world
    try:
        start, rows = page(request)
        found = world.groups.search(request.query_params.get("name"))
    except DomainError as exc:
        return refusal(exc)
    return with_total([g.as_dict() for g in found[start - 1 : start - 1 + rows]], len(found))


async def contacts(request: Request) -> Response:
    world = request.app.state.emulator.world
    try:
        gid = group_id(request)
        start, rows = page(request)
        found = world.group_contacts(gid, by_stamp=flag(request, "orderByTs", False), ascending=flag(request, "asc", True))
    except DomainError as exc:
        return refusal(exc)
    return with_total([render_contact(c) for c in found[start - 1 : start - 1 + rows]], len(found))


def change(attach: bool):
    async def handle(request: Request) -> Response:
        world = request.app.state.emulator.world
        try:
            changed = world.change_group(group_id(request), json_body(request), attach=attach)
        except (BodyError, DomainError) as exc:
            return refusal(exc)
        note(request, "attached" if attach else "detached", changed)
        return empty_answer(request)

    return handle


routes = [
    Route("/api/v1/groups", search, methods=["GET"]),
    Route("/api/v1/group/{id}/contacts", contacts, methods=["GET"]),
    Route("/api/v1/group/{id}/contacts/attach", change(attach=True), methods=["POST"]),
    Route("/api/v1/group/{id}/contacts/detach", change(attach=False), methods=["POST"]),
]
