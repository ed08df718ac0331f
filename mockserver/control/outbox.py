"""The outbox (``/_mock/outbox``): email, SMS and Viber messages the API captured instead of sending,
listed the way Mailpit lists captured mail, and the browser view of an email template."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..domain.sending.broadcasts import date_time
from ..domain.sending.instant import CHANNELS, Sent
from ..responses import control_json
from .common import Refusal, handler, number


def view(sent: Sent) -> dict:
    return {**sent.as_dict(), "created": date_time(sent.created_at)}


@handler
async def listing(request: Request) -> Response:
    sent = request.app.state.emulator.world.sent
    if request.method == "DELETE":
        return control_json({"removed": sent.clear()})
    channel = request.query_params.get("channel")
    if channel is not None and channel not in CHANNELS:
        raise Refusal(400, f"query parameter channel must be one of {', '.join(CHANNELS)}", channel)
    to = request.query_params.get("to")
    since = number(request, "since", low=0, high=2**63 - 1)
    found = sent.search(channel, to or None, since)
    return control_json({"count": len(found), "messages": [view(s) for s in found]})


@handler
async def one(request: Request) -> Response:
    raw = request.path_params["sent_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise Refusal(400, "outbox id must be a positive integer", raw)
    return control_json(view(request.app.state.emulator.world.sent.get(int(raw))))


@handler
async def template_view(request: Request) -> Response:
    """What ``GET /api/v1/messages/email/{id}/viewLink`` points at: the email template's HTML."""
    raw = request.path_params["id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise Refusal(400, "template id must be a positive integer", raw)
    template = request.app.state.emulator.world.messages.get(int(raw), "email")
    return HTMLResponse(template.fields.get("htmlText", ""))


routes = [
    Route("/_mock/outbox", listing, methods=["GET", "DELETE"]),
    Route("/_mock/outbox/{sent_id}", one, methods=["GET"]),
    Route("/_mock/templates/{id}/view", template_view, methods=["GET"]),
]
