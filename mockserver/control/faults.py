"""Fault rules over HTTP: add, list, remove one, remove all."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..faults import FaultSpecError
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
        return control_json({"id": fault.id}, 201)
    if request.method == "DELETE":
        removed = len(book.faults)
        book.clear()
        return control_json({"removed": removed})
    return control_json({"faults": book.listing()})


@handler
async def fault(request: Request) -> Response:
    fault_id = request.path_params["fault_id"]
    if not request.app.state.emulator.faults.remove(fault_id):
        raise Refusal(404, "no such fault", fault_id)
    return control_json({"removed": 1})


routes = [
    Route("/_mock/faults", faults, methods=["GET", "POST", "DELETE"]),
    Route("/_mock/faults/{fault_id}", fault, methods=["DELETE"]),
]
