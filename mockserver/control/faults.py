"""Fault rules over HTTP: add, list, remove one, remove all."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..faults import FaultSpecError, TooManyFaults
from ..responses import control_json
from .common import Refusal, body, handler


@handler
async def faults(request: Request) -> Response:
    book = request.app.state.emulator.faults
    if request.method == "POST":
        try:
            fault = book.add(body(request))
        except FaultSpecError as exc:
            raise Refusal(400, "invalid fault", str(exc)) from None
        except TooManyFaults as exc:
            raise Refusal(409, "too many fault rules", str(exc)) from None
        return control_json({"id": fault.id}, 201)
    if request.method == "DELETE":
        removed = len(book.faults)
        book.clear()
        return control_json({"removed": removed})
    return control_json({"faults": book.listing()})


@handler
async def fault(request: Request) -> Response:
    """Remove one rule. Idempotent, like S3's DELETE: a rule already gone (removed, or cleared by a
    reset or a scenario load) answers ``{"removed": 0}``, so cleanup code never has to care."""
    removed = request.app.state.emulator.faults.remove(request.path_params["fault_id"])
    return control_json({"removed": int(removed)})


routes = [
    Route("/_mock/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/_mock/faults/{fault_id}", fault, methods=["DELETE"]),
]
