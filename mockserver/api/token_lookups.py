"""Token look-ups: ``GET /v1/contact/token/{app_uuid}/{token_id}/contactId`` and
``GET|PUT /v1/contact/token/activated/{app_uuid}/{token_id}``. A bad or unknown app answers as the
tokens API does (400 ``Wrong app uuid``, 404 ``Not registered application``); a token no live
contact holds is a 404."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.errors import DomainError
from ..responses import api_json
from .common import note, refusal


async def contact_id(request: Request) -> Response:
    world = request.app.state.emulator.world
    try:
        contact = world.token_contact(request.path_params["app_uuid"], request.path_params["token_id"])
    except DomainError as exc:
        return refusal(exc)
    return api_json({"id": contact.id})


async def activated(request: Request) -> Response:
    world = request.app.state.emulator.world
    app_uuid, token = request.path_params["app_uuid"], request.path_params["token_id"]
    try:
        if request.method == "GET":
            active = world.token_active(app_uuid, token)
        else:
            world.app(app_uuid)  # a bad or unknown app answers before the body is looked at
            active = world.set_token_active(app_uuid, token, json_body(request))
            note(request, "active", active)
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    return api_json({"active": active})


routes = [
    Route("/api/v1/contact/token/{app_uuid}/{token_id}/contactId", contact_id, methods=["GET"]),
    Route("/api/v1/contact/token/activated/{app_uuid}/{token_id}", activated, methods=["GET", "PUT"]),
]
