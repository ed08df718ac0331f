"""``POST /api/v1/apps/{app_uuid}/token/mute`` and ``.../token/unmute``: 200 with an empty answer (see ``common.empty_answer``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.contacts.mutes import TOKEN_REQUIRED
from ..domain.errors import DomainError
from .common import empty_answer, note, refusal


async def _body(request: Request) -> object:
    """The JSON body; a missing one means a missing token, as the documented text says."""
    try:
        return json_body(request)
    except BodyError as exc:
        if exc.status == 400 and "empty" in exc.message:
            raise BodyError(400, TOKEN_REQUIRED) from None
        raise


async def mute(request: Request) -> Response:
    world = request.app.state.emulator.world
    try:
        world.app(request.path_params["app_uuid"])  # a bad or unknown app answers before the body
        until = world.mute(request.path_params["app_uuid"], await _body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "muted_until", until)
    return empty_answer(request)


async def unmute(request: Request) -> Response:
    world = request.app.state.emulator.world
    try:
        world.app(request.path_params["app_uuid"])
        was_muted = world.unmute(request.path_params["app_uuid"], await _body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "was_muted", was_muted)
    return empty_answer(request)


routes = [
    Route("/api/v1/apps/{app_uuid}/token/mute", mute, methods=["POST"]),
    Route("/api/v1/apps/{app_uuid}/token/unmute", unmute, methods=["POST"]),
]
