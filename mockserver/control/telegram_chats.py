"""Simulated Telegram chats at run time: what a chat received, block/unblock/deactivate, clicks."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, parse_json, raw_body
from ..domain.errors import NotFound
from ..domain.telegram.chats import ACTIVE, BLOCKED, DEACTIVATED, Chat
from ..domain.telegram.history import fresh_actions, shown
from ..responses import control_json
from .common import Refusal, handler


def _world(request: Request):
    """The world, with the retries that fell due while the clock moved run first."""
    request.app.state.emulator.run_due_retries()
    return request.app.state.emulator.world


def keyboards_view(world, chat_id: str) -> dict:
    """By bot username: the reply keyboard (and any pending force reply) each bot left in the chat."""
    views = world.bot_settings.keyboards.views(chat_id)
    return {app.username: views[app.app_uuid] for app in world.apps if app.app_uuid in views}


def chat_view(chat: Chat | None, now: float, *, deleted: bool = False) -> dict:
    """What the user sees in a chat: its messages as edits left them (deletions gone unless asked
    for) and the bots' chat actions still showing by the world clock."""
    if chat is None:
        return {"messages": [], "chat_actions": []}
    return {"messages": shown(chat, deleted=deleted), "chat_actions": fresh_actions(chat, now)}


@handler
async def messages(request: Request) -> Response:
    world = _world(request)
    chat_id = request.path_params["chat_id"]
    raw = request.query_params.get("deleted", "false")
    if raw not in ("true", "false"):
        raise Refusal(400, "query parameter deleted must be true or false", raw)
    chat = world.telegram.chats.get(chat_id)
    state = chat.state if chat else world.telegram.default_state
    view = chat_view(chat, world.clock.now(), deleted=raw == "true")
    return control_json({"chat_id": chat_id, "state": state, **view, "keyboards": keyboards_view(world, chat_id)})


def _state_change(state: str):
    """The control plane's side of a chat change; it goes through the same domain operation as a
    simulated user's block, so every bot hears it (``my_chat_member``) and the answer lists those updates."""

    @handler
    async def change(request: Request) -> Response:
        world = _world(request)
        chat_id = request.path_params["chat_id"]
        updates = world.bots.set_state(chat_id, state)
        return control_json({"chat_id": chat_id, "state": world.telegram.chats[chat_id].state, "updates": updates})

    change.__name__ = f"set_{state}"
    return change


@handler
async def click(request: Request) -> Response:
    """Refusals here name a code (``bad_body``, ``nothing_to_click``) as the error and the sentence as its detail."""
    world = _world(request)
    request_id = None
    body = raw_body(request)
    if body.strip():
        try:
            data = parse_json(body)
        except BodyError as exc:
            raise Refusal(exc.status, "bad_body", exc.message) from None
        if not isinstance(data, dict):
            raise Refusal(400, "bad_body", "the body must be a JSON object like {\"requestId\": \"...\"}")
        request_id = data.get("requestId")
        if "requestId" in data and not isinstance(request_id, str):
            raise Refusal(400, "bad_body", "requestId must be a string")
    try:
        delivery, url = world.deliveries.click_in_chat(request.path_params["chat_id"], world.clock.now(), request_id)
    except NotFound as exc:
        raise Refusal(404, "nothing_to_click", exc.message) from None
    return control_json({"requestId": delivery.request_id, "status": delivery.status, "link": url})


PREFIX = "/_mock/telegram/chats/{chat_id}"
routes = [
    Route(f"{PREFIX}/messages", messages, methods=["GET"]),
    Route(f"{PREFIX}/block", _state_change(BLOCKED), methods=["POST"]),
    Route(f"{PREFIX}/unblock", _state_change(ACTIVE), methods=["POST"]),
    Route(f"{PREFIX}/deactivate", _state_change(DEACTIVATED), methods=["POST"]),
    Route(f"{PREFIX}/click", click, methods=["POST"]),
]
