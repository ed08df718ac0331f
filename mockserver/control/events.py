"""``/_mock/events``: the events and past events the API kept, oldest first, filtered; and clearing them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.commerce.events import Event
from ..domain.numbers import INT64_MAX
from ..domain.sending.broadcasts import date_time
from ..responses import control_json
from .common import Refusal, handler, number

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


def moment(seconds: float) -> str | None:
    """A date-time in UTC; None for a moment outside years 1 to 9999 (an offset can push one there)."""
    try:
        return date_time(seconds)
    except (OverflowError, ValueError, OSError):
        return None


def view(event: Event) -> dict:
    return {**event.as_dict(), "occurred": moment(event.occurred), "received": moment(event.received_at)}


def flag(request: Request, name: str) -> bool | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise Refusal(400, f"query parameter {name} must be true or false", raw)
    return raw == "true"


def limit(request: Request) -> int:
    return number(request, "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT)


@handler
async def listing(request: Request) -> Response:
    """``count`` is every match; ``events`` the first ``limit`` of them (page on with ``since``)."""
    events = request.app.state.emulator.world.events
    if request.method == "DELETE":
        return control_json({"removed": events.clear()})
    query = request.query_params
    found = events.search(
        event_type_key=query.get("eventTypeKey"),
        key_value=query.get("keyValue"),
        contact_id=number(request, "contactId", low=-INT64_MAX - 1, high=INT64_MAX),
        past=flag(request, "past"),
        since=number(request, "since", low=0, high=INT64_MAX),
    )
    return control_json({"count": len(found), "events": [view(e) for e in found[: limit(request)]]})


routes = [Route("/_mock/events", listing, methods=["GET", "DELETE"])]
