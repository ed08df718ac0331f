"""Telegram messages: templates, smartsend, broadcast and statuses (``/api/v1/message…``)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import memory
from ..bodies import BodyError, json_body
from ..domain.errors import DomainError, InvalidInput
from ..domain.sending.messages import SEARCH_MAX_ROWS
from ..domain.sending.parsing import parse_broadcast, parse_recipients
from ..domain.sending.statuses import API_STATUS, CLICKED, FAILED, SENT
from ..domain.text import is_ascii_digits
from ..responses import api_json, api_text
from .common import note, refusal, wrapper_list

MAX_STATUS_IDS = 1000


def _world(request: Request):
    return request.app.state.emulator.world


def _catch_up(request: Request) -> None:
    """Run the retries that fell due while the clock moved (the background tick may not have yet)."""
    request.app.state.emulator.run_due_retries()


def _message_id(request: Request) -> int:
    raw = request.path_params["id"]
    if not is_ascii_digits(raw) or len(raw) > 18:
        raise InvalidInput(f"Message id must be a positive integer, got {raw!r}")
    return int(raw)


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not is_ascii_digits(raw) or len(raw) > 12 or not low <= int(raw) <= high:
        raise InvalidInput(f"{name} must be an integer from {low} to {high}, got {raw!r}")
    return int(raw)


async def create_message(request: Request) -> Response:
    try:
        message = _world(request).messages.create(json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    return api_json({"id": message.id})


async def search_messages(request: Request) -> Response:
    try:
        start = _int_param(request, "startindex", 1, 1, 10**9)
        rows = _int_param(request, "maxrows", SEARCH_MAX_ROWS, 1, SEARCH_MAX_ROWS)
    except DomainError as exc:
        return refusal(exc)
    found, total = _world(request).messages.search(request.query_params.get("search"), start, rows)
    return api_json([m.as_dict() for m in found], headers={"TotalCount": str(total)})


async def messages(request: Request) -> Response:
    if request.method == "POST":
        return await create_message(request)
    return await search_messages(request)


async def one_message(request: Request) -> Response:
    store = _world(request).messages
    try:
        message_id = _message_id(request)
        if request.method == "GET":
            return api_json(store.get(message_id).as_dict())
        if request.method == "PUT":
            store.get(message_id)  # an unknown id answers 404 before the body is looked at
            store.replace(message_id, json_body(request))
        else:
            store.delete(message_id)
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    return api_text("")


async def smartsend(request: Request) -> Response:
    world = _world(request)
    _catch_up(request)
    try:
        message = world.messages.get(_message_id(request))
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


async def broadcast(request: Request) -> Response:
    world = _world(request)
    _catch_up(request)
    try:
        spec = parse_broadcast(json_body(request))
        app = world.app(spec.app_uuid)
        message = world.messages.get(spec.message_id)
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    now = world.clock.now()
    try:
        run = world.deliveries.start_broadcast(
            message, app.app_uuid, now, _base_url(request), spec.groups, spec.excluded, spec.start_at
        )
    except DomainError as exc:
        return refusal(exc)
    noted: list[dict] = []
    note(request, "deliveries", noted)
    with memory.quiet(len(world.contacts)):  # no collector walks over the deliveries as they are made (see mockserver.memory)
        while True:
            noted.extend(d.as_dict() for d in run.step())
            if run.done:
                break
            await asyncio.sleep(0)  # a large audience: other requests get their turn between slices
    view = {"broadcastId": str(run.send_id), "messageId": str(message.id), "appId": app.app_uuid}
    if spec.title is not None:
        view["title"] = spec.title
    if spec.start_text is not None:
        view["startDate"] = spec.start_text
    return api_json(view)


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
    results = []
    for request_id in dict.fromkeys(ids):
        delivery = world.deliveries.get(request_id)
        if delivery is None:
            continue
        results.append(
            {
                "requestId": delivery.request_id,
                "status": API_STATUS[delivery.status],
                "delivered": delivery.status in (SENT, CLICKED),
                "failed": delivery.status == FAILED,
            }
        )
    return api_json({"results": wrapper_list(results, world)})


routes = [
    Route("/api/v1/messages/telegram", messages, methods=["GET", "POST"]),
    Route("/api/v1/messages/telegram/{id}", one_message, methods=["GET", "PUT", "DELETE"]),
    Route("/api/v1/message/{id}/smartsend", smartsend, methods=["POST"]),
    Route("/api/v1/message/status", statuses, methods=["GET"]),
    Route("/api/v1/broadcast", broadcast, methods=["POST"]),
]
