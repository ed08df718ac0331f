"""``POST /api/v1/apps/{app_uuid}/tokens``: parse, let the world resolve, answer 200 with an empty answer
(the JSON string ``""``, or nothing at all under ``assumptions.empty_answers: empty``).

It is the call integrators make most (once per user who presses Start), so ``TokensFastPath``
sends it straight to ``register`` without the door's router; everything else about the path
(405 for other methods) stays with the door.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..bodies import BodyError, json_body
from ..domain.errors import DomainError
from .common import EMPTY, EMPTY_JSON, refusal

PATH = "/api/v1/apps/{app_uuid}/tokens"
PATH_PATTERN = re.compile(r"/api/v1/apps/([^/]+)/tokens")  # what Starlette makes of PATH


def register(world, request: Request, app_uuid: str) -> Response:
    try:
        app = world.app(app_uuid)  # a bad or unknown app answers before the body is looked at
        outcomes = world.register_tokens(app.app_uuid, json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    entry = request.scope.get("mockserver.entry")
    if entry is not None:
        entry.notes["outcomes"] = [o.as_dict() for o in outcomes]
    return EMPTY if world.assumptions.get("empty_answers") == "empty" else EMPTY_JSON


async def add_tokens(request: Request) -> Response:
    return register(request.app.state.emulator.world, request, request.path_params["app_uuid"])


class TokensFastPath:
    def __init__(self, door: ASGIApp, emulator) -> None:
        self.door = door
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "POST":
            match = PATH_PATTERN.fullmatch(scope["path"])
            if match is not None:
                await register(self.emulator.world, Request(scope), match.group(1))(scope, receive, send)
                return
        await self.door(scope, receive, send)


routes = [Route(PATH, add_tokens, methods=["POST"])]
