"""Sends and their statuses (``/api/v1/message…``): smartsend, email / SMS / Viber sends, statuses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.errors import DomainError, InvalidInput
from ..domain.sending.parsing import parse_recipients
from ..responses import api_json
from .common import note, refusal, wrapper_list
from .templates import message_id

MAX_STATUS_IDS = 1000


def _world(request: Request):
    return request.app.state.emulator.world


def _catch_up(request: Request) -> None:
    """Run the retries that fell due while the clock moved (the background tick may not have yet)."""
    request.app.state.emulator.run_due_retries()


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def smartsend(request: Request) -> Response:
    world = _world(request)
    _catch_up(request)
    try:
        template_id = message_id(request)
        template = world.messages.find(template_id)
        if template is not None and template.channel in ("email", "sms", "viber"):
            return _smartsend_captured(request, template, parse_recipients(json_body(request)))
        message = world.messages.get(template_id)
        recipients = parse_recipients(json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    try:
        outcomes = world.deliveries.smartsend(message, recipients, world.clock.now(), _base_url(request))
    except DomainError as exc:  # a bound the send would pass (the chats the world holds)
        return refusal(exc)
    results = []
    for locator, delivery, problem in outcomes:
        if delivery is None:
            results.append({"id": 0, "locator": locator, "status": "ERROR", "message": problem})
        else:
            results.append({"id": 0, "locator": locator, "status": "OK", "requestId": delivery.request_id})
    note(request, "deliveries", [d.as_dict() for _, d, _ in outcomes if d is not None])
    return api_json({"id": 0, "results": wrapper_list(results, world)})


def _smartsend_captured(request: Request, template, recipients) -> Response:
    """Smartsend of an email, SMS or Viber template: captured in the outbox like the direct sends."""
    world = _world(request)
    results, captured = [], []
    for locator, sent, problem in world.smartsend_captured(template, recipients):
        if sent is None:
            results.append({"id": 0, "locator": locator, "status": "ERROR", "message": problem})
        else:
            captured.append(sent.as_dict())
            results.append({"id": 0, "locator": locator, "status": "OK", "requestId": sent.request_id})
    note(request, "sent", captured)
    return api_json({"id": 0, "results": wrapper_list(results, world)})


async def statuses(request: Request) -> Response:
    world = _world(request)
    _catch_up(request)
    values = request.query_params.getlist("ids")
    if not values:
        return refusal(InvalidInput("ids is required: the requestId values of sent messages, comma-separated"))
    ids = [part.strip(" ") for raw in values for part in raw.split(",")]
    if not all(ids):
        return refusal(InvalidInput("ids has a blank value: send requestIds joined by single commas"))
    if len(ids) > MAX_STATUS_IDS:
        return refusal(InvalidInput(f"ids has {len(ids)} values; at most {MAX_STATUS_IDS} are allowed"))
    results = [status for status in map(world.message_status, dict.fromkeys(ids)) if status is not None]
    body = {"results": wrapper_list(results, world)}
    return api_json([body] if world.assumptions.get("message_status") == "array" else body)


async def send_message(request: Request) -> Response:
    """``POST /api/v1/message/email|sms|viber``: one result (and requestId) per address."""
    world = _world(request)
    channel = request.url.path.rstrip("/").rsplit("/", 1)[1]
    try:
        captured = world.send_message(channel, json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "sent", [s.as_dict() for s in captured])
    results = [{"locator": s.to, "status": "OK", "requestId": s.request_id} for s in captured]
    return api_json({"results": wrapper_list(results, world)})


routes = [
    Route("/api/v1/message/{id}/smartsend", smartsend, methods=["POST"]),
    Route("/api/v1/message/status", statuses, methods=["GET"]),
    Route("/api/v1/message/email", send_message, methods=["POST"]),
    Route("/api/v1/message/sms", send_message, methods=["POST"]),
    Route("/api/v1/message/viber", send_message, methods=["POST"]),
]
