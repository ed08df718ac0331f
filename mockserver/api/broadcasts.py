"""Broadcasts: ``POST /api/v1/broadcast``, ``GET /api/v1/broadcasts``, ``GET|DELETE /api/v1/broadcast/{id}``."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import memory
from ..bodies import BodyError, json_body
from ..domain.errors import DomainError
from ..domain.sending.broadcasts import MAX_ROWS, parse_broadcast_id
from ..responses import api_json
from .common import empty_answer, note, refusal
from .templates import int_param


def _world(request: Request):
    return request.app.state.emulator.world


async def create(request: Request) -> Response:
    world = _world(request)
    request.app.state.emulator.run_due_retries()
    try:
        broadcast, run, captured = world.broadcast(json_body(request), str(request.base_url).rstrip("/"))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    noted: list[dict] = []
    note(request, "deliveries", noted)
    if run is not None:
        with memory.quiet(len(world.contacts)):  # no collector walks over the deliveries as they are made (see mockserver.memory)
            while True:
                made = run.step()
                broadcast.request_ids.extend(d.request_id for d in made)
                noted.extend(d.as_dict() for d in made)
                if run.done:
                    break
                await asyncio.sleep(0)  # a large audience: other requests get their turn between slices
    if captured:
        note(request, "sent", [s.as_dict() for s in captured])
    return api_json(broadcast.view())


async def listing(request: Request) -> Response:
    try:
        start = int_param(request, "startindex", 1, 1, 10**9)
        rows = int_param(request, "maxrows", 10, 1, MAX_ROWS)
    except DomainError as exc:
        return refusal(exc)
    return api_json([b.view() for b in _world(request).broadcasts.page(start, rows)])


async def one(request: Request) -> Response:
    world = _world(request)
    try:
        broadcast_id = parse_broadcast_id(request.path_params["broadcast_id"])
        if request.method == "GET":
            return api_json(world.broadcasts.get(broadcast_id).view())
        _, stopped = world.cancel_broadcast(broadcast_id)
    except DomainError as exc:
        return refusal(exc)
    note(request, "cancelled", [d.request_id for d in stopped])
    return empty_answer(request)


routes = [
    Route("/api/v1/broadcast", create, methods=["POST"]),
    Route("/api/v1/broadcasts", listing, methods=["GET"]),
    Route("/api/v1/broadcast/{broadcast_id}", one, methods=["GET", "DELETE"]),
]
