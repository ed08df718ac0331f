"""Health, reset, the whole state (read and restore) and the state file."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.contacts.generate import collector_paused
from ..responses import control_json
from .common import Refusal, body, handler
from .state import state_response


@handler
async def health(request: Request) -> Response:
    return control_json({"status": "ok"})


@handler
async def reset(request: Request) -> Response:
    emulator = request.app.state.emulator
    only = request.query_params.get("only")
    if only is None:
        emulator.reset()
        return control_json({"status": "reset"})
    if only == "journal":
        emulator.journal.clear()
        return control_json({"status": "reset", "only": "journal"})
    raise Refusal(400, "query parameter only must be journal", only)


@handler
async def state(request: Request) -> Response:
    world = request.app.state.emulator.world
    if request.method == "PUT":
        with collector_paused():  # a whole world of new objects: no cycles to look for while parsing
            data = body(request)
        request.app.state.emulator.restore(data)  # InvalidInput (400) leaves the world as it was
    request.app.state.emulator.run_due_retries()  # retries that fell due while the clock moved
    return state_response(world)


@handler
async def snapshot(request: Request) -> Response:
    emulator = request.app.state.emulator
    if emulator.state_file is None:
        raise Refusal(409, "no state file", "start the emulator with --state-file PATH to save snapshots")
    try:
        path = emulator.save_state()
    except OSError as exc:
        raise Refusal(507, "state file not saved", str(exc)) from None
    return control_json({"status": "saved", "path": str(path)})


routes = [
    Route("/_mock/health", health, methods=["GET"]),
    Route("/_mock/reset", reset, methods=["POST"]),
    Route("/_mock/state", state, methods=["GET", "PUT"]),
    Route("/_mock/snapshot", snapshot, methods=["POST"]),
]
