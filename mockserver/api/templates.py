"""Message templates of every channel: ``/api/v1/messages/{email|sms|viber|mobilepush|appinbox|telegram}``.

Every channel has the same six operations over the one template store; only the fields
differ (``domain.sending.messages.CHANNELS``), so the routes are made in a loop.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.errors import DomainError, InvalidInput
from ..domain.sending.messages import CHANNELS, SEARCH_MAX_ROWS
from ..domain.text import is_ascii_digits
from ..responses import api_json
from .common import empty_answer, refusal


def _store(request: Request):
    return request.app.state.emulator.world.messages


def message_id(request: Request) -> int:
    raw = request.path_params["id"]
    if not is_ascii_digits(raw) or len(raw) > 18:
        raise InvalidInput(f"Message id must be a positive integer, got {raw!r}")
    return int(raw)


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not is_ascii_digits(raw) or len(raw) > 12 or not low <= int(raw) <= high:
        raise InvalidInput(f"{name} must be an integer from {low} to {high}, got {raw!r}")
    return int(raw)


def collection(channel: str) -> Callable:
    async def handle(request: Request) -> Response:
        store = _store(request)
        try:
            if request.method == "POST":
                return api_json({"id": store.create(json_body(request), channel).id})
            start = int_param(request, "startindex", 1, 1, 10**9)
            rows = int_param(request, "maxrows", SEARCH_MAX_ROWS, 1, SEARCH_MAX_ROWS)
        except (BodyError, DomainError) as exc:
            return refusal(exc)
        found, total = store.search(request.query_params.get("search"), start, rows, channel)
        return api_json([m.as_dict() for m in found], headers={"TotalCount": str(total)})

    return handle


def one(channel: str) -> Callable:
    async def handle(request: Request) -> Response:
        store = _store(request)
        try:
            template_id = message_id(request)
            if request.method == "GET":
                return api_json(store.get(template_id, channel).as_dict())
            if request.method == "PUT":
                store.get(template_id, channel)  # an unknown id answers 404 before the body is looked at
                store.replace(template_id, json_body(request), channel)
            else:
                store.delete(template_id, channel)
        except (BodyError, DomainError) as exc:
            return refusal(exc)
        return empty_answer(request)

    return handle


def translation(channel: str) -> Callable:
    async def handle(request: Request) -> Response:
        store = _store(request)
        language = request.path_params["language"]
        try:
            template_id = message_id(request)
            if request.method == "PUT":
                store.get(template_id, channel)
                store.translate(template_id, language, json_body(request), channel)
            else:
                store.untranslate(template_id, language, channel)
        except (BodyError, DomainError) as exc:
            return refusal(exc)
        return empty_answer(request)

    return handle


async def email_view_link(request: Request) -> Response:
    """Where the email can be read in a browser: a page of this emulator's, named by the template."""
    try:
        template = _store(request).get(message_id(request), "email")
    except DomainError as exc:
        return refusal(exc)
    base = str(request.base_url).rstrip("/")
    return api_json({"link": f"{base}/_mock/templates/{template.id}/view"})


routes: list[Route] = [Route("/api/v1/messages/email/{id}/viewLink", email_view_link, methods=["GET"])]
for _channel in CHANNELS:
    _base = f"/api/v1/messages/{_channel}"
    routes += [
        Route(_base, collection(_channel), methods=["GET", "POST"]),
        Route(_base + "/{id}", one(_channel), methods=["GET", "PUT", "DELETE"]),
        Route(_base + "/{id}/{language}", translation(_channel), methods=["PUT", "DELETE"]),
    ]
