"""Health, reset, the whole state (read and restore) and the state file."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import memory
from ..bodies import raw_body
from ..responses import control_json
from .common import Refusal, body, handler
from .state import restored_response, state_response


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
    emulator = request.app.state.emulator
    if request.method == "GET":
        emulator.run_due_retries()  # retries that fell due while the clock moved
        return state_response(emulator.world, emulator.note_written)
    document = raw_body(request)
    # A whole world of new objects: the collector waits until it is built (see mockserver.memory).
    with memory.rebuilding(lambda: len(emulator.world.contacts)):
        data = body(request)
        # InvalidInput (400) leaves the world as it was.
        as_written = emulator.restore(data, written=emulator.wrote(document))
    retried = emulator.run_due_retries()
    if as_written and not retried:
        assert isinstance(data, dict)
        return restored_response(emulator.world, emulator.note_written, document, data)
    return state_response(emulator.world, emulator.note_written)


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
