"""Simulated Telegram users (``/_mock/telegram/users``): create them and make them act on a bot.

Each action answers with the user and the updates it queued for the bot (none when the
bot does not take that update type, or when nothing changed, e.g. blocking twice).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import json_body, raw_body
from ..domain.telegram.bots import parse_user_id
from ..domain.telegram.chats import Chat
from ..domain.telegram.user_replies import press_key, say, share_contact
from ..responses import control_json
from .common import Refusal, handler
from .telegram_chats import chat_view, keyboards_view
from .telegram_files import user_sends_file


def body_object(request: Request, *, optional: bool = False) -> dict:
    """The request's JSON object; an action that needs no fields may send no body at all."""
    if optional and not raw_body(request).strip():
        return {}
    data = json_body(request)
    if not isinstance(data, dict):
        raise Refusal(400, "Request body must be a JSON object")
    return data


def render_user(chat: Chat, *, now: float | None = None) -> dict:
    """The user's profile and state; with ``now``, also their chat as they see it then."""
    data = {**chat.profile(), "state": chat.state}
    data.pop("is_bot")
    if chat.phone_number is not None:
        data["phone_number"] = chat.phone_number
    if now is not None:
        data.update(chat_view(chat, now))
    return data


@handler
async def create_user(request: Request) -> Response:
    world = request.app.state.emulator.world
    body = body_object(request)
    if "id" not in body:
        raise Refusal(400, "'id' (the user's id, which is also their chat id) is required")
    chat, created = world.bots.create_user(parse_user_id(body["id"]), body)
    # 200 either way (an upsert); "created" says which, so a reset between calls is no surprise to clients.
    return control_json({"user": render_user(chat), "created": created})


@handler
async def show_user(request: Request) -> Response:
    world = request.app.state.emulator.world
    chat = world.bots.user(parse_user_id(request.path_params["chat_id"]))
    return control_json({"user": {**render_user(chat, now=world.clock.now()), "keyboards": keyboards_view(world, chat.id)}})


def action(name: str, needs_body: bool):
    """A handler for ``POST /_mock/telegram/users/{chat_id}/{name}``."""

    async def handle(request: Request) -> Response:
        world = request.app.state.emulator.world
        bots = world.bots
        body = body_object(request, optional=not needs_body)
        chat = bots.user(parse_user_id(request.path_params["chat_id"]))
        app = bots.pick_bot(body.get("bot"))
        if name == "start":
            updates = bots.start(app, chat, body.get("payload"))
        elif name == "send" and ("photo" in body or "document" in body):
            updates = user_sends_file(world, app, chat, body)
        elif name == "send":
            updates = say(bots, world.bot_settings.keyboards, app, chat, body.get("text"))
        elif name == "press":
            updates = bots.press(app, chat, body.get("message_id"), body.get("callback_data"), body.get("text"))
        elif name == "press_key":
            updates = press_key(bots, world.bot_settings.keyboards, app, chat, body.get("text"))
        elif name == "share_contact":
            updates = share_contact(bots, world.bot_settings.keyboards, app, chat, body.get("phone_number"))
        elif name == "block":
            updates = bots.block(app, chat)
        else:
            updates = bots.unblock(app, chat)
        user = render_user(chat)
        if name in ("press_key", "share_contact"):
            user["keyboards"] = keyboards_view(world, chat.id)
        return control_json({"user": user, "bot": app.username, "updates": updates})

    handle.__name__ = f"user_{name}"
    return handler(handle)


routes = [
    Route("/_mock/telegram/users", create_user, methods=["POST"]),
    Route("/_mock/telegram/users/{chat_id}", show_user, methods=["GET"]),
    *(
        Route(f"/_mock/telegram/users/{{chat_id}}/{name}", action(name, needs_body), methods=["POST"])
        for name, needs_body in (
            ("start", False), ("send", True), ("press", True), ("press_key", True), ("share_contact", False),
            ("block", False), ("unblock", False),
        )
    ),
]
