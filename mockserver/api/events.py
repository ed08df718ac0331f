"""Events (``/api/v1/event``, ``/api/v2/event``) and past events (``/api/v1|v2/past_events``).

Kept in the world's event log, listed on ``/_mock/events`` and journaled with the events they kept.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body, raw_body
from ..domain.errors import DomainError
from ..responses import api_json
from .common import empty_answer, note, refusal, wrapper_list

# The vendor's bound on one event's content.
MAX_EVENT_BYTES = 20 * 1024


def _version(request: Request) -> int:
    return 2 if request.url.path.startswith("/api/v2/") else 1


async def register_event(request: Request) -> Response:
    """One event: answered 200 with no content, as esputnik.com does (``empty_answer``)."""
    world = request.app.state.emulator.world
    try:
        if len(raw_body(request)) > MAX_EVENT_BYTES:
            raise BodyError(413, f"An event may hold at most 20 KB ({MAX_EVENT_BYTES} bytes); this one has {len(raw_body(request))}")
        event = world.register_event(_version(request), json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "events", [event.as_dict()])
    return empty_answer(request)


async def past_events(request: Request) -> Response:
    world = request.app.state.emulator.world
    if request.method == "DELETE":
        try:
            removed = world.remove_past_events(json_body(request))
        except (BodyError, DomainError) as exc:
            return refusal(exc)
        note(request, "events_removed", removed)
        return empty_answer(request)
    try:
        kept = world.past_events(_version(request), json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "events", [e.as_dict() for e in kept])
    results = [{"status": "OK"} for _ in kept]
    return api_json({"results": wrapper_list(results, world), "successCount": len(kept), "errorCount": 0})


routes = [
    Route("/api/v1/event", register_event, methods=["POST"]),
    Route("/api/v2/event", register_event, methods=["POST"]),
    Route("/api/v1/past_events", past_events, methods=["POST", "DELETE"]),
    Route("/api/v2/past_events", past_events, methods=["POST"]),
]
