"""Telegram message templates (``/v1/messages/telegram``): what a send renders from.

A template is checked whole before it is stored, so a refused body changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InvalidInput, NotFound
from ..telegram.chats import MAX_TEXT
from ..text import is_blank

MAX_NAME = 255
SEARCH_MAX_ROWS = 500
# Template ids look like esputnik.com's (seven digits), which also keeps them apart from contact ids.
FIRST_ID = 1_000_001


@dataclass
class Button:
    text: str
    link: str

    def as_dict(self) -> dict:
        return {"text": self.text, "link": self.link}


@dataclass
class TelegramMessage:
    id: int
    name: str
    text: str = ""
    buttons: list[Button] = field(default_factory=list)
    image_source: str | None = None
    language_code: str | None = None
    tags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """The vendor's BaseTelegramBotMessage shape; absent optional fields are left out."""
        data: dict = {"id": self.id, "name": self.name, "text": self.text, "tags": list(self.tags)}
        if self.language_code is not None:
            data["languageCode"] = self.language_code
        if self.image_source is not None:
            data["imageSource"] = self.image_source
        data["buttons"] = [b.as_dict() for b in self.buttons]
        return data

    @property
    def tag_text(self) -> str | None:
        """The tags as an activity's ``messageTag``: the vendor types it one string, so they are
        comma-joined; None when untagged."""
        return ",".join(self.tags) or None

    def matches(self, needle: str) -> bool:
        """Search by a part of the name or a tag, case-insensitively (as the vendor describes)."""
        needle = needle.lower()
        return needle in self.name.lower() or any(needle == t.lower() for t in self.tags)


def _optional_text(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be a string")
    return value


def parse_template(body: object) -> dict:
    """The fields of a template from a request body, or InvalidInput naming the problem."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    name = body.get("name")
    if name is None:
        raise InvalidInput("name is required")
    if not isinstance(name, str) or is_blank(name):
        raise InvalidInput("name must be a non-empty string")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is longer than {MAX_NAME} characters")
    text = _optional_text(body, "text") or ""
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"text is longer than {MAX_TEXT} characters ({len(text)})")
    buttons_in = body.get("buttons")
    if buttons_in is None:
        buttons_in = []
    if not isinstance(buttons_in, list):
        raise InvalidInput("buttons must be an array of {text, link}")
    buttons = []
    for index, item in enumerate(buttons_in):
        if not isinstance(item, dict):
            raise InvalidInput(f"buttons[{index}] must be an object with text and link")
        for key in ("text", "link"):
            value = item.get(key)
            if value is None:
                raise InvalidInput(f"buttons[{index}].{key} is required")
            if not isinstance(value, str) or is_blank(value):
                raise InvalidInput(f"buttons[{index}].{key} must be a non-empty string")
        buttons.append(Button(item["text"], item["link"]))
    tags = body.get("tags")
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput("tags must be an array of strings")
    return {
        "name": name,
        "text": text,
        "buttons": buttons,
        "image_source": _optional_text(body, "imageSource"),
        "language_code": _optional_text(body, "languageCode"),
        "tags": list(tags),
    }


class MessageStore:
    """The account's Telegram templates by id; ids are sequential and never reused."""

    def __init__(self, id_base: int = FIRST_ID) -> None:
        self._by_id: dict[int, TelegramMessage] = {}
        self._next_id = id_base

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def next_id(self) -> int:
        return self._next_id

    def put(self, message: TelegramMessage) -> None:
        """Store a template as it was (restoring a snapshot); ids are not renumbered."""
        self._by_id[message.id] = message
        self._next_id = max(self._next_id, message.id + 1)

    def create(self, body: object) -> TelegramMessage:
        message = TelegramMessage(id=self._next_id, **parse_template(body))
        self._next_id += 1
        self._by_id[message.id] = message
        return message

    def get(self, message_id: int) -> TelegramMessage:
        message = self._by_id.get(message_id)
        if message is None:
            raise NotFound(f"Telegram message {message_id} not found")
        return message

    def replace(self, message_id: int, body: object) -> TelegramMessage:
        message = self.get(message_id)
        for name, value in parse_template(body).items():
            setattr(message, name, value)
        return message

    def delete(self, message_id: int) -> None:
        self.get(message_id)
        del self._by_id[message_id]

    def search(self, needle: str | None, start_index: int, max_rows: int) -> tuple[list[TelegramMessage], int]:
        """One page of the matches (start_index counts from 1) and how many matched in all."""
        found = [m for m in self._by_id.values() if not needle or m.matches(needle)]
        return found[start_index - 1 : start_index - 1 + max_rows], len(found)
