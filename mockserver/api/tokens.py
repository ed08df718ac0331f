"""``POST /api/v1/apps/{app_uuid}/tokens``: parse, let the world resolve, answer 200 with nothing."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.errors import DomainError
from .common import refusal


async def add_tokens(request: Request) -> Response:
    world = request.app.state.emulator.world
    app_uuid = request.path_params["app_uuid"]
    try:
        app = world.app(app_uuid)  # a bad or unknown app answers before the body is looked at
        outcomes = world.register_tokens(app.app_uuid, json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    entry = request.scope.get("mockserver.entry")
    if entry is not None:
        entry.notes["outcomes"] = [o.as_dict() for o in outcomes]
    return Response(status_code=200)


routes = [Route("/api/v1/apps/{app_uuid}/tokens", add_tokens, methods=["POST"])]
