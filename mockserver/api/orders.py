"""Orders (``POST /api/v1/orders``): kept by externalOrderId, listed on ``/_mock/orders``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.errors import DomainError
from ..responses import api_json
from .common import note, refusal


async def add_orders(request: Request) -> Response:
    """The answer lists only the orders that failed (no contact named); an empty list when none did."""
    world = request.app.state.emulator.world
    try:
        kept, failed = world.add_orders(json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "orders", [o.as_dict() for o in kept])
    return api_json({"failedOrders": failed})


routes = [Route("/api/v1/orders", add_orders, methods=["POST"])]
