"""The bots' side of the Telegram world: simulated users act, bots answer, updates queue up.

A user's action (Start, a text, a button press, a block) changes their chat and
queues the update Telegram would send each bot; a bot's ``sendMessage`` lands in
the same chat history that eSputnik deliveries use and obeys the same chat state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from ..clock import Clock
from ..contacts.apps import App, Apps
from ..errors import Conflict, InvalidInput, NotFound
from ..text import is_ascii_digits, is_blank
from .chats import (
    ACTIVE,
    BLOCKED,
    CHAT_STATES,
    DEACTIVATED,
    MAX_CHATS,
    MAX_TEXT,
    RATE_LIMITED,
    UNKNOWN,
    Chat,
    TelegramError,
    TelegramWorld,
)
from .history import find, for_bot
from .markup import command_entities
from .updates import MAX_PENDING_UPDATES, Inbox

DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_USER_ID = 2**52
MAX_NAME = 64
# A bot's membership in a private chat in each state; a deactivated account tells bots nothing.
MEMBERSHIP = {ACTIVE: "member", RATE_LIMITED: "member", UNKNOWN: "member", BLOCKED: "kicked"}
# Telegram keeps phone numbers as digits (at most 15, E.164), shared with or without a leading "+".
PHONE = re.compile(r"^\+?[0-9]{5,15}$")
STALE_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass
class CallbackQuery:
    id: str
    app_uuid: str
    chat_id: str
    data: str
    answer: dict | None = None


def bot_user(app: App) -> dict:
    return {"id": app.bot_id, "is_bot": True, "first_name": app.first_name or app.username, "username": app.username}


def private_chat(chat: Chat) -> dict:
    """The Chat object of a private chat (the user's profile without user-only fields)."""
    profile = chat.profile()
    data = {"id": profile["id"], "type": "private", "first_name": profile["first_name"]}
    for name in ("last_name", "username"):
        if name in profile:
            data[name] = profile[name]
    return data


def check_phone(value: object) -> str:
    if not isinstance(value, str) or not PHONE.match(value):
        raise InvalidInput("'phone_number' must be a phone number: an optional + and 5 to 15 digits")
    return value


def parse_user_id(value: object) -> str:
    """A private chat id (= the user's id) as the world keys it."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInput("the user id must be a positive integer")
    text = str(value).strip()
    if not is_user_id(text):
        raise InvalidInput(f"the user id must be a positive integer below 2^52, not {text!r}")
    return str(int(text))


def is_user_id(chat_id: str) -> bool:
    """Whether a chat id can be a private chat's, that is a user's id (what my_chat_member needs)."""
    return is_ascii_digits(chat_id) and 0 < int(chat_id) < MAX_USER_ID


class BotSide:
    """Update queues of every bot, the users who talk to them, and what bots send back."""

    def __init__(self, apps: Apps, telegram: TelegramWorld, clock: Clock, notify: Callable[[str], None]) -> None:
        self.apps = apps
        self.telegram = telegram
        self.clock = clock
        self.inboxes = {app.app_uuid: Inbox(partial(notify, app.app_uuid)) for app in apps}
        self.queries: dict[str, CallbackQuery] = {}
        self._next_query = 1

    @property
    def next_query(self) -> int:
        return self._next_query

    def restore(self, inboxes: dict[str, Inbox], queries: list[CallbackQuery], next_query: int) -> None:
        """Take over a checked snapshot's queues and callback queries (see ``domain.snapshot_bots``)."""
        self.inboxes = inboxes
        self.queries = {q.id: q for q in queries}
        self._next_query = next_query

    def inbox(self, app: App) -> Inbox:
        return self.inboxes[app.app_uuid]

    def now(self) -> int:
        return int(self.clock.now())

    def pick_bot(self, ref: object) -> App:
        """The bot a control-plane action names (username or app_uuid), or the only one."""
        if ref is None:
            if len(self.apps) == 1:
                return next(iter(self.apps))
            if not self.apps:
                raise Conflict("the scenario has no bots")
            names = ", ".join(app.username for app in self.apps)
            raise InvalidInput(f"there are several bots ({names}): name one in 'bot'")
        if not isinstance(ref, str) or not ref:
            raise InvalidInput("'bot' must be a bot username or app_uuid")
        app = self.apps.resolve(ref)
        if app is None:
            names = ", ".join(a.username for a in self.apps) or "none"
            raise Conflict(f"no bot {ref!r} in the scenario (its bots: {names})")
        return app

    # -- users ----------------------------------------------------------------

    def create_user(self, chat_id: str, profile: dict) -> tuple[Chat, bool]:
        """Add or update a user; a new one is unknown to every bot until they press Start."""
        fields: dict[str, str | None] = {}
        first = profile.get("first_name")
        if not isinstance(first, str) or is_blank(first) or len(first) > MAX_NAME:
            raise InvalidInput(f"'first_name' must be a non-empty string of at most {MAX_NAME} characters")
        fields["first_name"] = first
        for name in ("last_name", "username", "language_code"):
            value = profile.get(name)
            if value is not None and (not isinstance(value, str) or not value or len(value) > MAX_NAME):
                raise InvalidInput(f"'{name}' must be a non-empty string of at most {MAX_NAME} characters")
            fields[name] = value
        if profile.get("phone_number") is not None:
            fields["phone_number"] = check_phone(profile["phone_number"])
        created = chat_id not in self.telegram.chats
        self.telegram.make_room([chat_id], doing=f"creating user {chat_id}")
        chat = self.telegram.chats.get(chat_id) or Chat(id=chat_id, state=UNKNOWN)
        for name, value in fields.items():
            setattr(chat, name, value)
        self.telegram.chats[chat_id] = chat
        return chat, created

    def user(self, chat_id: str) -> Chat:
        chat = self.telegram.chats.get(chat_id)
        if chat is None:
            raise NotFound(f"no Telegram user {chat_id}; create one with POST /_mock/telegram/users")
        return chat

    def _acting(self, chat: Chat, doing: str, apps: Iterable[App] = (), updates: int = 1) -> None:
        """Refuse before anything changes: a deactivated user, or a bot whose queue is full."""
        if chat.state == DEACTIVATED:
            raise Conflict(f"user {chat.id} is deactivated and cannot {doing}")
        self._room(apps, updates)

    def _room(self, apps: Iterable[App], updates: int) -> None:
        for app in apps:
            if self.inbox(app).room() < updates:
                raise Conflict(
                    f"bot @{app.username} already holds {MAX_PENDING_UPDATES} pending updates, the most the "
                    "emulator keeps: its bridge must confirm them (getUpdates with a higher offset) or take "
                    "them through its webhook"
                )

    def start(self, app: App, chat: Chat, payload: str | None) -> list[dict]:
        """The user presses Start (from a deep link with ``payload``); it also lifts a block."""
        if payload is not None and (not isinstance(payload, str) or not DEEP_LINK_PAYLOAD.match(payload)):
            raise InvalidInput("'payload' must be 1-64 characters of A-Z, a-z, 0-9, _ and -")
        self._acting(chat, "press Start", [app], 2)
        updates = self.set_state(chat.id, ACTIVE, [app]) if chat.state in (BLOCKED, UNKNOWN) else []
        text = "/start" if payload is None else f"/start {payload}"
        message = self._user_message(app, chat, text)
        return updates + ([message] if message else [])

    def say(self, app: App, chat: Chat, text: object) -> list[dict]:
        if not isinstance(text, str) or is_blank(text) or len(text) > MAX_TEXT:
            raise InvalidInput(f"'text' must be a non-blank string of at most {MAX_TEXT} characters")
        self.can_write(app, chat, "write")
        update = self._user_message(app, chat, text)
        return [update] if update else []

    def can_write(self, app: App, chat: Chat, doing: str) -> None:
        """Refuse a message of the user's that the bot could not get (deactivated, blocked, a full
        queue); a chat nobody described becomes active, as a user who writes has opened it."""
        self._acting(chat, doing, [app])
        if chat.state == BLOCKED:
            raise Conflict(f"user {chat.id} has blocked the bot; unblock it or press Start first")
        if chat.state == UNKNOWN:
            chat.state = ACTIVE

    def press(self, app: App, chat: Chat, message_id: object, data: object, button_text: object) -> list[dict]:
        """The user presses a callback button of a message the bot sent."""
        if isinstance(message_id, bool) or not isinstance(message_id, int):
            raise InvalidInput("'message_id' must be an integer")
        if data is None and button_text is None:
            raise InvalidInput("name the button by 'callback_data' or by its 'text'")
        message = find(chat, message_id)  # a deleted message has no buttons left to press
        if message is None:
            raise NotFound(f"chat {chat.id} has no message {message_id}")
        buttons = [b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
        button = next(
            (b for b in buttons if (data is None or b.get("callback_data") == data)
             and (button_text is None or b.get("text") == button_text)),
            None,
        )
        if button is None:
            raise NotFound(f"message {message_id} has no such button")
        if "callback_data" not in button:
            raise InvalidInput(f"button {button['text']!r} opens {button.get('url')} and sends the bot nothing")
        self._acting(chat, "press buttons", [app])
        if chat.state == BLOCKED:
            raise Conflict(f"user {chat.id} has blocked the bot; unblock it first")
        query = CallbackQuery(f"{app.bot_id}{self._next_query:010d}", app.app_uuid, chat.id, button["callback_data"])
        self._next_query += 1
        self.queries[query.id] = query
        update = self.inbox(app).push(
            "callback_query",
            {"id": query.id, "from": chat.profile(), "message": for_bot(message),
             "chat_instance": f"{app.bot_id}{chat.id}", "data": query.data},
        )
        return [update] if update else []

    def block(self, app: App, chat: Chat) -> list[dict]:
        self._acting(chat, "block the bot", [app])
        return self.set_state(chat.id, BLOCKED, [app])

    def unblock(self, app: App, chat: Chat) -> list[dict]:
        self._acting(chat, "unblock the bot", [app])
        return self.set_state(chat.id, ACTIVE, [app]) if chat.state == BLOCKED else []

    def set_state(self, chat_id: str, state: str, apps: Iterable[App] | None = None) -> list[dict]:
        """The one way a chat's state changes at run time, whoever asks (a user, the control plane, a test).

        Entering or leaving ``blocked`` tells each of ``apps`` (default: every bot) with a
        ``my_chat_member`` update (kicked / member), so the chat state that delivery and
        sendMessage obey and the updates bots see never disagree. Returns the updates queued.
        """
        if state not in CHAT_STATES:
            raise InvalidInput(f"unknown chat state {state!r}; expected one of {', '.join(CHAT_STATES)}")
        self._room(self.apps if apps is None else apps, 1)
        self.telegram.make_room([chat_id], doing=f"changing chat {chat_id}")
        chat = self.telegram.chat(chat_id)
        old = MEMBERSHIP.get(chat.state)
        chat.state = state
        new = MEMBERSHIP.get(state)
        if old is None or new is None or old == new or not is_user_id(chat.id):
            return []  # a chat id that names no Telegram user (e.g. "0.1.0") has nobody to tell bots
        told = self.apps if apps is None else apps
        return [update for app in told if (update := self._membership(app, chat, old, new)) is not None]

    def _user_message(self, app: App, chat: Chat, text: str) -> dict | None:
        content: dict = {"text": text}
        entities = command_entities(text)
        if entities:
            content["entities"] = entities
        return self.user_message(app, chat, content)

    def user_message(self, app: App, chat: Chat, content: dict) -> dict | None:
        """A message of the user's with ``content`` (text, contact ...): in the chat, and the bot's update."""
        message = {"message_id": 0, "from": chat.profile(), "chat": private_chat(chat), "date": self.now(), **content}
        self.telegram.deliver(chat, message)
        return self.inbox(app).push("message", message)

    def _membership(self, app: App, chat: Chat, old: str, new: str) -> dict | None:
        def member(status: str) -> dict:
            data: dict[str, object] = {"user": bot_user(app), "status": status}
            if status == "kicked":
                data["until_date"] = 0
            return data

        return self.inbox(app).push(
            "my_chat_member",
            {"chat": private_chat(chat), "from": chat.profile(), "date": self.now(),
             "old_chat_member": member(old), "new_chat_member": member(new)},
        )

    # -- what bots do ----------------------------------------------------------

    def send_message(self, app: App, chat_id: str, text: str, entities: list[dict], markup: dict | None) -> dict:
        """Deliver a checked text to a chat the bot may write to, or raise Telegram's refusal."""
        content: dict = {"text": text}
        if entities:
            content["entities"] = entities
        return self.post(app, self.reachable(chat_id), content, markup)

    def reachable(self, chat_id: str) -> Chat:
        """The chat a bot's send may go to now, or Telegram's refusal (which every sending method shares)."""
        known = chat_id in self.telegram.chats
        if not known and len(self.telegram.chats) >= MAX_CHATS:
            # A bot writing to ever new ids must not grow the world past its bound; Telegram
            # answers an id it does not know so.
            raise TelegramError(400, "Bad Request: chat not found")
        try:
            return self.telegram.check_reachable(chat_id)
        except TelegramError:
            if not known:
                self.telegram.chats.pop(chat_id, None)
            raise

    def post(self, app: App, chat: Chat, content: dict, markup: dict | None = None) -> dict:
        """Append a bot's message with ``content`` (text, photo, document ...) to a reachable chat."""
        message = {"message_id": 0, "from": bot_user(app), "chat": private_chat(chat), "date": self.now(), **content}
        if markup is not None:
            message["reply_markup"] = markup
        return self.telegram.deliver(chat, message)

    def answer_callback(self, app: App, query_id: str, answer: dict) -> None:
        query = self.queries.get(query_id)
        if query is None or query.app_uuid != app.app_uuid or query.answer is not None:
            raise TelegramError(400, STALE_QUERY)
        query.answer = answer
