"""The Bot API methods we serve: each takes the bot and its arguments and returns ``result``.

A method raises ``TelegramError`` for any refusal; the door renders it in Telegram's envelope.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..domain.contacts.apps import App
from ..domain.telegram.bots import bot_user
from ..domain.telegram.chats import TelegramError
from ..domain.telegram.markup import parse_text
from ..domain.telegram.updates import Webhook
from ..domain.text import is_ascii_digits
from ..waiting import RoomFull
from .keyboards import reply_markup, shown
from .params import INT32_MAX, INT32_MIN, Args, bad_request
from .signals import UpdateSignals

if TYPE_CHECKING:
    from ..domain.world import World

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
MAX_POLL_TIMEOUT = 50
SECRET_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@dataclass
class Call:
    """One Bot API call: the world it acts on, the bot, its arguments and the wake-ups."""

    world: World
    app: App
    args: Args
    signals: UpdateSignals

    @property
    def inbox(self):
        return self.world.bots.inbox(self.app)


@dataclass
class Answer:
    result: object
    description: str | None = None


Method = Callable[[Call], Awaitable[Answer]]


async def get_me(call: Call) -> Answer:
    user = bot_user(call.app)
    user.update(
        can_join_groups=True,
        can_read_all_group_messages=False,
        supports_inline_queries=False,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return Answer(user)


def chat_id_of(call: Call) -> str:
    return parse_chat_id(call.args.text("chat_id", numbers=True) or "")


def parse_chat_id(raw: str) -> str:
    """A private chat's id as the emulator spells it; Telegram's texts for an empty or impossible one."""
    raw = raw.strip()
    if not raw:
        raise bad_request("chat_id is empty")
    if is_ascii_digits(raw.removeprefix("-")) and abs(int(raw)) < 2**53:  # chat ids have at most 52 significant bits
        return str(int(raw))
    raise bad_request("chat not found")


async def send_message(call: Call) -> Answer:
    chat_id = chat_id_of(call)
    text, entities = parse_text(call.args.text("text"), call.args.text("parse_mode"))
    markup = reply_markup(call)
    message = call.world.bots.send_message(call.app, chat_id, text, entities, markup.inline if markup else None)
    shown(call, chat_id, markup)
    return Answer(message)


async def get_updates(call: Call) -> Answer:
    args = call.args
    offset = args.integer("offset", 0, INT32_MIN, INT32_MAX)
    limit = args.integer("limit", 100, 1, 100)
    timeout = args.integer("timeout", 0, 0, MAX_POLL_TIMEOUT)
    allowed = args.string_list("allowed_updates")
    if call.inbox.webhook is not None:
        raise TelegramError(409, WEBHOOK_CONFLICT)
    app_uuid = call.app.app_uuid
    ticket = call.signals.take_ticket(app_uuid)
    call.inbox.confirm(offset)
    if allowed is not None:
        call.inbox.allowed_updates = allowed or None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        inbox = call.inbox  # a reset replaces the inbox while we wait
        if inbox.webhook is not None:
            raise TelegramError(409, WEBHOOK_CONFLICT)
        updates = inbox.peek(limit)
        remaining = deadline - loop.time()
        if updates or remaining <= 0 or call.signals.closed:
            return Answer(updates)
        try:
            with call.signals.room.seat():
                await asyncio.wait_for(call.signals.event(app_uuid).wait(), remaining)
        except TimeoutError:
            pass
        except RoomFull:
            raise TelegramError.too_many_requests(1) from None
        if not call.signals.current(app_uuid, ticket):
            raise TelegramError(409, POLL_CONFLICT)


def webhook_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: an http or https URL with a host must be provided for webhook")
    try:
        parts.port  # noqa: B018 (reading it is the check: a bad port raises ValueError)
    except ValueError:
        raise bad_request("bad webhook: invalid port in the webhook URL") from None
    return raw


async def set_webhook(call: Call) -> Answer:
    args = call.args
    url = (args.text("url") or "").strip()
    secret = args.text("secret_token")
    max_connections = args.integer("max_connections", 40, 1, 100)
    allowed = args.string_list("allowed_updates")
    drop = args.boolean("drop_pending_updates")
    if secret is not None and secret != "":
        if len(secret) > 256:
            raise bad_request("secret token is too long")
        if not set(secret) <= SECRET_ALPHABET:
            raise bad_request("secret token contains unallowed characters")
    if not url:
        had = call.inbox.delete_webhook(drop)
        return Answer(True, "Webhook was deleted" if had else "Webhook is already deleted")
    webhook = Webhook(webhook_url(url), secret or None, max_connections, args.text("ip_address") or None)
    call.inbox.set_webhook(webhook, allowed, drop)
    return Answer(True, "Webhook was set")


async def delete_webhook(call: Call) -> Answer:
    had = call.inbox.delete_webhook(call.args.boolean("drop_pending_updates"))
    return Answer(True, "Webhook was deleted" if had else "Webhook is already deleted")


async def get_webhook_info(call: Call) -> Answer:
    return Answer(call.inbox.webhook_info())


async def answer_callback_query(call: Call) -> Answer:
    args = call.args
    query_id = args.text("callback_query_id")
    if not query_id:
        raise bad_request("parameter \"callback_query_id\" is required")
    text = args.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    answer = {
        "text": text,
        "show_alert": args.boolean("show_alert"),
        "url": args.text("url"),
        "cache_time": args.integer("cache_time", 0, 0, INT32_MAX),
    }
    call.world.bots.answer_callback(call.app, query_id, answer)
    return Answer(True)


# Lower-cased method name -> handler (Telegram's method names are case-insensitive).
METHODS: dict[str, Method] = {
    "getme": get_me,
    "sendmessage": send_message,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "answercallbackquery": answer_callback_query,
}
