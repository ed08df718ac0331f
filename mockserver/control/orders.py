"""``/_mock/orders``: the orders the API kept (as last sent), oldest first, filtered; and clearing them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.commerce.orders import STATUSES, Order
from ..domain.numbers import INT64_MAX
from ..domain.sending.broadcasts import date_time
from ..responses import control_json
from .common import Refusal, handler, number
from .events import limit


def view(order: Order) -> dict:
    return {**order.as_dict(), "received": date_time(order.received_at), "updated": date_time(order.updated_at)}


@handler
async def listing(request: Request) -> Response:
    """``count`` is every match; ``orders`` the first ``limit`` of them (page on with ``since``)."""
    orders = request.app.state.emulator.world.orders
    if request.method == "DELETE":
        return control_json({"removed": orders.clear()})
    query = request.query_params
    status = query.get("status")
    if status is not None and status not in STATUSES:
        raise Refusal(400, f"query parameter status must be one of {', '.join(STATUSES)}", status)
    found = orders.search(
        status=status,
        external_order_id=query.get("externalOrderId"),
        external_customer_id=query.get("externalCustomerId"),
        contact_id=number(request, "contactId", low=-INT64_MAX - 1, high=INT64_MAX),
        since=number(request, "since", low=0, high=INT64_MAX),
    )
    return control_json({"count": len(found), "orders": [view(o) for o in found[: limit(request)]]})


routes = [Route("/_mock/orders", listing, methods=["GET", "DELETE"])]
