"""Message templates of every channel (``/v1/messages/{channel}``): one store, one id sequence.

The channels differ only in which fields a template has, so each is a row of ``CHANNELS``
(field name -> kind, and which are required) rather than a class of its own. A template is
checked whole before it is stored, so a refused body changes nothing; its translations
(``/{language}``) have the same shape as the template itself.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from ..errors import InvalidInput, NotFound
from ..telegram.chats import MAX_TEXT
from ..text import is_blank

MAX_NAME = 255
MAX_FIELD = 1_000_000  # one template's text or HTML; the body limit usually says no first
SEARCH_MAX_ROWS = 500
# Template ids look like esputnik.com's (seven digits), which also keeps them apart from contact ids.
FIRST_ID = 1_000_001
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
LANGUAGE = re.compile(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*")

# Field kinds: text, bool, int32, int64, texts (a list of strings), buttons (Telegram's
# {text, link}) and push_buttons (mobile push's {actionId, label, ...}).
COMMON = {"languageCode": "text", "tags": "texts", "subscriptionsKeys": "texts"}
CHANNELS: dict[str, dict] = {
    "email": {
        "title": "Email",
        "required": ("from", "subject", "htmlText"),
        "fields": {"from": "text", "subject": "text", "htmlText": "text", "rawHtml": "text", "ampHtml": "text", "css": "text"},
    },
    "sms": {
        "title": "SMS",
        "required": ("from", "text"),
        "fields": {"from": "text", "text": "text", "trackUrls": "bool"},
    },
    "viber": {
        "title": "Viber",
        "required": ("from", "text"),
        "fields": {
            "from": "text", "transactional": "bool", "text": "text", "img": "text", "caption": "text",
            "action": "text", "ttlSec": "int32", "smsFallback": "bool", "smsSender": "text", "smsContent": "text",
        },
    },
    "mobilepush": {
        "title": "Mobile push",
        "required": ("title", "text"),
        "fields": {
            "title": "text", "subtitle": "text", "text": "text", "link": "text", "imageSource": "text",
            "customData": "text", "ttlSec": "int32", "buttons": "push_buttons", "soundEnabled": "bool",
            "badgeCount": "int64", "images": "texts",
        },
    },
    "appinbox": {
        "title": "App Inbox",
        "required": ("title", "text"),
        "fields": {
            "title": "text", "text": "text", "link": "text", "imageSource": "text", "customData": "text", "ttlSec": "int32",
        },
    },
    "telegram": {
        "title": "Telegram",
        "required": (),
        "fields": {"text": "text", "imageSource": "text", "buttons": "buttons"},
    },
}


@dataclass
class Button:
    text: str
    link: str

    def as_dict(self) -> dict:
        return {"text": self.text, "link": self.link}


@dataclass
class Template:
    """One template: the fields its channel defines (as the API names them) and its translations."""

    id: int
    channel: str
    name: str
    fields: dict = field(default_factory=dict)
    # language -> {"name": ..., **fields}: a language version of the same template.
    translations: dict[str, dict] = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The vendor's Base<Channel>Message shape; absent optional fields are left out."""
        data: dict = {"id": self.id, "name": self.name, **self._view(self.fields)}
        if self.translations:
            data["languages"] = list(self.translations)
            data["translations"] = [
                {"id": self.id, **self._view(version), "languageCode": language}
                for language, version in self.translations.items()
            ]
        return data

    def _view(self, fields: dict) -> dict:
        data = copy.deepcopy(fields)
        data.setdefault("tags", [])
        if self.channel == "telegram":  # what Telegram templates always showed
            data.setdefault("text", "")
            data.setdefault("buttons", [])
        return data

    def version(self, language: str | None) -> "Template":
        """The template in a language it was translated to, else itself."""
        version = self.translations.get(language) if language else None
        if version is None:
            return self
        fields = {k: v for k, v in version.items() if k != "name"}
        return Template(self.id, self.channel, version["name"], {**fields, "languageCode": language})

    # -- what a Telegram send reads ----------------------------------------------

    @property
    def text(self) -> str:
        return self.fields.get("text") or ""

    @property
    def buttons(self) -> list[Button]:
        return [Button(b["text"], b["link"]) for b in self.fields.get("buttons", [])]

    @property
    def image_source(self) -> str | None:
        return self.fields.get("imageSource")

    @property
    def language_code(self) -> str | None:
        return self.fields.get("languageCode")

    @property
    def tags(self) -> list[str]:
        return list(self.fields.get("tags", []))

    @property
    def tag_text(self) -> str | None:
        """The tags as an activity's ``messageTag``: the vendor types it one string, so they are
        comma-joined; None when untagged."""
        return ",".join(self.tags) or None

    def matches(self, needle: str) -> bool:
        """Search by a part of the name or a tag, case-insensitively (as the vendor describes)."""
        needle = needle.lower()
        return needle in self.name.lower() or any(needle == t.lower() for t in self.tags)


# Kept for readers of the Telegram send path: a Telegram template is a Template.
TelegramMessage = Template


def _check(kind: str, key: str, value: object) -> object:
    """One field's value by its kind, or InvalidInput naming the field."""
    if kind == "text":
        if not isinstance(value, str):
            raise InvalidInput(f"{key} must be a string")
        if len(value) > MAX_FIELD:
            raise InvalidInput(f"{key} is longer than {MAX_FIELD} characters")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidInput(f"{key} must be true or false")
        return value
    if kind in ("int32", "int64"):
        low, high = INT32 if kind == "int32" else INT64
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidInput(f"{key} must be an integer from {low} to {high}")
        return value
    if kind == "texts":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise InvalidInput(f"{key} must be an array of strings")
        return list(value)
    if kind == "buttons":
        return _buttons(key, value, ("text", "link"), ())
    return _buttons(key, value, ("actionId", "label"), ("iosIconPath", "link", "customData"))


def _buttons(key: str, value: object, required: tuple, optional: tuple) -> list[dict]:
    shape = ", ".join(required)
    if not isinstance(value, list):
        raise InvalidInput(f"{key} must be an array of {{{shape}}}")
    result = []
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise InvalidInput(f"{key}[{index}] must be an object with {shape}")
        button = {}
        for name in required:
            text = item.get(name)
            if text is None:
                raise InvalidInput(f"{key}[{index}].{name} is required")
            if not isinstance(text, str) or is_blank(text):
                raise InvalidInput(f"{key}[{index}].{name} must be a non-empty string")
            button[name] = text
        for name in optional:
            if item.get(name) is not None:
                if not isinstance(item[name], str):
                    raise InvalidInput(f"{key}[{index}].{name} must be a string")
                button[name] = item[name]
        result.append(button)
    return result


def parse_template(body: object, channel: str = "telegram") -> tuple[str, dict]:
    """A template's name and fields from a request body, or InvalidInput naming the problem.

    ``null`` counts as absent; keys a channel does not define (``id``, ``languages``,
    ``translations``: what GET shows) are ignored, so a read template can be sent back.
    """
    spec = CHANNELS[channel]
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    name = body.get("name")
    if name is None:
        raise InvalidInput("name is required")
    if not isinstance(name, str) or is_blank(name):
        raise InvalidInput("name must be a non-empty string")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"name is longer than {MAX_NAME} characters")
    kinds = {**spec["fields"], **COMMON}
    for key in spec["required"]:
        if body.get(key) is None:
            raise InvalidInput(f"{key} is required for a {spec['title']} message")
    fields = {key: _check(kind, key, body[key]) for key, kind in kinds.items() if body.get(key) is not None}
    text = fields.get("text", "")
    if channel == "telegram" and isinstance(text, str) and len(text) > MAX_TEXT:
        raise InvalidInput(f"text is longer than {MAX_TEXT} characters ({len(text)})")
    return name, fields


def check_language(language: str) -> str:
    """A translation's language from the path: a language code such as ``en`` or ``pt-BR``."""
    if len(language) > 35 or not LANGUAGE.fullmatch(language):
        raise InvalidInput(f"language must be a language code such as en or pt-BR, got {language!r}")
    return language


class MessageStore:
    """The account's templates of every channel by id; ids are sequential, shared and never reused."""

    def __init__(self, id_base: int = FIRST_ID) -> None:
        self._by_id: dict[int, Template] = {}
        self._next_id = id_base

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def next_id(self) -> int:
        return self._next_id

    def put(self, template: Template) -> None:
        """Store a template as it was (restoring a snapshot); ids are not renumbered."""
        self._by_id[template.id] = template
        self._next_id = max(self._next_id, template.id + 1)

    def create(self, body: object, channel: str = "telegram") -> Template:
        name, fields = parse_template(body, channel)
        template = Template(id=self._next_id, channel=channel, name=name, fields=fields)
        self._next_id += 1
        self._by_id[template.id] = template
        return template

    def find(self, message_id: int) -> Template | None:
        """A template of any channel (a send or broadcast names it by id alone)."""
        return self._by_id.get(message_id)

    def get(self, message_id: int, channel: str = "telegram") -> Template:
        template = self._by_id.get(message_id)
        if template is None or template.channel != channel:
            raise NotFound(f"{CHANNELS[channel]['title']} message {message_id} not found")
        return template

    def replace(self, message_id: int, body: object, channel: str = "telegram") -> Template:
        template = self.get(message_id, channel)
        template.name, template.fields = parse_template(body, channel)
        return template

    def delete(self, message_id: int, channel: str = "telegram") -> None:
        self.get(message_id, channel)
        del self._by_id[message_id]

    def translate(self, message_id: int, language: str, body: object, channel: str) -> Template:
        """Add or replace the template's version in ``language``."""
        template = self.get(message_id, channel)
        name, fields = parse_template(body, channel)
        fields.pop("languageCode", None)  # the path names the language
        template.translations[check_language(language)] = {"name": name, **fields}
        return template

    def untranslate(self, message_id: int, language: str, channel: str) -> None:
        template = self.get(message_id, channel)
        if template.translations.pop(check_language(language), None) is None:
            raise NotFound(f"{CHANNELS[channel]['title']} message {message_id} has no {language} version")

    def search(
        self, needle: str | None, start_index: int, max_rows: int, channel: str = "telegram"
    ) -> tuple[list[Template], int]:
        """One page of the channel's matches (start_index counts from 1) and how many matched in all."""
        found = [m for m in self._by_id.values() if m.channel == channel and (not needle or m.matches(needle))]
        return found[start_index - 1 : start_index - 1 + max_rows], len(found)
