"""The one clock, seen and steered: freeze, unfreeze, advance, reset."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.clock import Clock
from ..responses import control_json
from .common import Refusal, body, handler

COMMANDS = ("freeze", "advance", "reset")


def render(clock: Clock) -> dict:
    return {"now": clock.now(), "frozen": clock.frozen, **clock.snapshot()}


@handler
async def clock(request: Request) -> Response:
    world_clock = request.app.state.emulator.world.clock
    if request.method == "POST":
        command = body(request)
        if not isinstance(command, dict) or len(command) != 1 or next(iter(command)) not in COMMANDS:
            raise Refusal(400, "send exactly one of {freeze: bool}, {advance: seconds}, {reset: true}", command)
        (name, value), = command.items()
        if name == "freeze":
            if not isinstance(value, bool):
                raise Refusal(400, "freeze must be true or false", value)
            world_clock.freeze() if value else world_clock.unfreeze()
        elif name == "advance":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1e10:
                raise Refusal(400, "advance must be a number of seconds between 0 and 1e10", value)
            world_clock.advance(value)
        else:
            if value is not True:
                raise Refusal(400, "reset must be true", value)
            world_clock.reset()
    return control_json(render(world_clock))


routes = [Route("/_mock/clock", clock, methods=["GET", "POST"])]
