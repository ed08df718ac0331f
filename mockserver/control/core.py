"""Health, reset, state and the request journal."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..responses import control_json
from .state import render_state


async def health(request: Request) -> Response:
    return control_json({"status": "ok"})


async def reset(request: Request) -> Response:
    request.app.state.emulator.reset()
    return control_json({"status": "reset"})


async def state(request: Request) -> Response:
    world = request.app.state.emulator.world
    world.deliveries.run_due(world.clock.now())  # retries that fell due while the clock moved
    return control_json(render_state(world))


async def requests(request: Request) -> Response:
    journal = request.app.state.emulator.journal
    return control_json(
        {
            "size": journal.size,
            "dropped": journal.dropped,
            "requests": [entry.as_dict() for entry in journal.entries],
        }
    )


routes = [
    Route("/_mock/health", health, methods=["GET"]),
    Route("/_mock/reset", reset, methods=["POST"]),
    Route("/_mock/state", state, methods=["GET"]),
    Route("/_mock/requests", requests, methods=["GET"]),
]
