"""The simulated Telegram side: users' private chats, their state, and what they received.

A private chat's id equals its user's id. Its state decides how Telegram answers a
bot that writes to it, with Telegram's exact texts kept in one table here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import Conflict
from ..text import is_ascii_digits

ACTIVE = "active"
BLOCKED = "blocked"
DEACTIVATED = "deactivated"
UNKNOWN = "unknown"
RATE_LIMITED = "rate_limited"
CHAT_STATES = (ACTIVE, BLOCKED, DEACTIVATED, UNKNOWN, RATE_LIMITED)

# Telegram's answers to a bot writing to a chat in each dead state (error_code, description).
DEAD_CHAT_ERRORS = {
    BLOCKED: (403, "Forbidden: bot was blocked by the user"),
    DEACTIVATED: (403, "Forbidden: user is deactivated"),
    UNKNOWN: (400, "Bad Request: chat not found"),
}
MAX_TEXT = 4096


class TelegramError(Exception):
    """An error answer of the Bot API: its HTTP status equals ``error_code``."""

    def __init__(self, error_code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after

    @classmethod
    def too_many_requests(cls, retry_after: int) -> "TelegramError":
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def bad_request(reason: str) -> TelegramError:
    """Telegram's 400, its reason after "Bad Request: "."""
    return TelegramError(400, f"Bad Request: {reason}")


def chat_number(chat_id: str) -> int | str:
    """A chat id as Telegram's JSON writes it: a number when it is one (chats are keyed by text here)."""
    return int(chat_id) if is_ascii_digits(chat_id.removeprefix("-")) else chat_id


@dataclass
class Chat:
    id: str
    state: str = ACTIVE
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    # The user's own phone (never in a User object): what sharing their contact sends a bot.
    phone_number: str | None = None
    # For rate_limited chats: each refused send says retry after this many seconds,
    # and after ``limited_sends`` refusals (None: forever) the chat answers again.
    retry_after: int = 1
    limited_sends: int | None = None
    messages: list[dict] = field(default_factory=list)
    # The bots' chat actions (sendChatAction) in this chat, one per bot (see ``history``).
    actions: list[dict] = field(default_factory=list)

    def profile(self) -> dict:
        user = {"id": chat_number(self.id), "is_bot": False}
        user["first_name"] = self.first_name or f"User {self.id}"
        for name in ("last_name", "username", "language_code"):
            value = getattr(self, name)
            if value is not None:
                user[name] = value
        return user


# Chats (simulated users among them) the world holds: each costs a few hundred bytes plus what it
# received, and sends to ever new chat ids or a loop creating users would otherwise grow it without end.
MAX_CHATS = 2_000_000


class TelegramWorld:
    """All simulated chats; a chat nobody described answers as ``default_state`` says."""

    def __init__(self, default_state: str = ACTIVE, clicks: dict | None = None) -> None:
        self.default_state = default_state
        self.chats: dict[str, Chat] = {}
        # How simulated users treat tracked links: {"mode": "always" | "never"} or
        # {"mode": "probability", "probability": p, "seed": s}.
        self.clicks: dict = dict(clicks) if clicks else {"mode": "never"}

    def chat(self, chat_id: str) -> Chat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = self.chats[chat_id] = Chat(id=chat_id, state=self.default_state)
        return chat

    def make_room(self, chat_ids: Iterable[str], *, doing: str = "this send") -> None:
        """Refuse (changing nothing) what would take the world past ``MAX_CHATS`` chats."""
        new = {chat_id for chat_id in chat_ids if chat_id not in self.chats}
        if len(self.chats) + len(new) > MAX_CHATS:
            raise Conflict(
                f"{doing} would make {len(self.chats) + len(new)} Telegram chats; the emulator holds at most "
                f"{MAX_CHATS} (reset, or load a smaller scenario)"
            )

    def check_reachable(self, chat_id: str) -> Chat:
        """The chat a bot may write to now, or the TelegramError that Telegram would answer."""
        chat = self.chat(chat_id)
        if chat.state == ACTIVE:
            return chat
        if chat.state == RATE_LIMITED:
            if chat.limited_sends is not None:
                if chat.limited_sends <= 0:
                    return chat
                chat.limited_sends -= 1
            raise TelegramError.too_many_requests(chat.retry_after)
        code, description = DEAD_CHAT_ERRORS[chat.state]
        raise TelegramError(code, description)

    def deliver(self, chat: Chat, message: dict) -> dict:
        """Append a message to a chat's history; message ids count per chat from 1."""
        message["message_id"] = len(chat.messages) + 1
        chat.messages.append(message)
        return message
