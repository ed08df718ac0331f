"""What a file message says besides its file: the caption with its entities, and sendMediaGroup's
list of InputMedia, checked in the official server's order and words (tdlib/telegram-bot-api
``Client.cpp``: ``get_formatted_text``, ``get_text_entity``, ``get_input_media``; tdlib
``MessageContent.cpp``: ``check_message_group_message_contents``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..text import is_blank
from .chats import TelegramError, bad_request
from .files import DOCUMENT, PHOTO
from .markup import parse_text, utf16_len

MAX_CAPTION = 1024
MAX_ALBUM = 10
ATTACH = "attach://"
# Entity types a bot may set, with the field each needs besides offset and length.
ENTITY_FIELDS: dict[str, str | None] = {
    "bold": None, "italic": None, "underline": None, "strikethrough": None, "spoiler": None, "code": None,
    "pre": None, "text_link": "url", "text_mention": "user", "custom_emoji": "custom_emoji_id",
    "blockquote": None, "expandable_blockquote": None, "date_time": "unix_time",
}
# Types Telegram finds in the text by itself: a bot's copy of them is dropped without complaint.
DETECTED_TYPES = frozenset({"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bank_card_number"})
SERVED_MEDIA = (PHOTO, DOCUMENT)
KNOWN_MEDIA = ("photo", "video", "animation", "audio", "document", "live_photo")


class FieldError(Exception):
    """A problem inside a JSON object, worded as tdlib words it; the caller adds the prefix."""


# -- captions ----------------------------------------------------------------------------------


def parse_caption(caption: object, parse_mode: object, entities: object) -> tuple[str, list[dict]]:
    """A caption's text and entities: ``parse_mode`` wins over ``entities`` (a decoded JSON value)."""
    if caption is None or caption == "":
        return "", []
    mode = parse_mode if isinstance(parse_mode, str) else ""
    if mode and mode.lower() != "none":
        try:
            text, found = parse_text(str(caption), mode)
        except TelegramError as exc:
            if exc.description == "Bad Request: message text is empty":
                return "", []
            if exc.description == "Bad Request: message is too long":
                raise bad_request("message caption is too long") from None
            raise
    else:
        text = str(caption)
        try:
            found = parse_entities(entities, text)
        except FieldError as exc:
            raise bad_request(f"can't parse MessageEntity: {exc}") from None
    if is_blank(text):
        return "", []
    if len(text) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return text, found


def _integer(item: dict, name: str) -> int:
    if name not in item:
        raise FieldError(f'Can\'t find field "{name}"')
    value = item[name]
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            raise FieldError(f'Field "{name}" must be a valid Number') from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(f'Field "{name}" must be a Number')
    return value


def _string(item: dict, name: str, *, required: bool) -> str | None:
    if name not in item:
        if required:
            raise FieldError(f'Can\'t find field "{name}"')
        return None
    value = item[name]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise FieldError(f'Field "{name}" must be of type String')
    return value


def parse_entities(value: object, text: str) -> list[dict]:
    """MessageEntity objects a bot set by hand; anything but an array is ignored, as Telegram does."""
    if not isinstance(value, list):
        return []
    entities = []
    end = utf16_len(text)
    for item in value:
        if not isinstance(item, dict):
            raise FieldError("expected an Object")
        offset, length = _integer(item, "offset"), _integer(item, "length")
        kind = _string(item, "type", required=True)
        if not kind:
            raise FieldError("Type is not specified")
        if kind in DETECTED_TYPES:
            continue
        if kind not in ENTITY_FIELDS:
            raise FieldError("Unsupported type specified")
        entity: dict = {"offset": offset, "length": length, "type": kind}
        extra = ENTITY_FIELDS[kind]
        if kind == "pre":
            language = _string(item, "language", required=False)
            if language:
                entity["language"] = language
        elif kind == "text_mention":
            user = item.get("user")
            if not isinstance(user, dict):
                raise FieldError('Field "user" must be of type Object' if "user" in item else 'Can\'t find field "user"')
            entity["user"] = {"id": _integer(user, "id"), "is_bot": False, "first_name": str(user.get("first_name") or "")}
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = str(_integer(item, "custom_emoji_id"))
        elif kind == "date_time":
            entity["unix_time"] = _integer(item, "unix_time")
        elif extra is not None:
            entity[extra] = _string(item, extra, required=True)
        # Telegram keeps only what lies inside the text, cutting an entity at the text's end.
        if offset < 0 or length <= 0 or offset >= end:
            continue
        entity["length"] = min(length, end - offset)
        entities.append(entity)
    return sorted(entities, key=lambda e: e["offset"])


# -- sendMediaGroup's media ------------------------------------------------------------------------


@dataclass
class InputMedia:
    """One checked item of a media group; ``media`` is a file id, a URL, or the name of an uploaded part."""

    kind: str
    media: str
    attached: bool
    caption: str = ""
    entities: list[dict] = field(default_factory=list)
    show_caption_above_media: bool = False
    has_spoiler: bool = False


def _boolean(item: dict, name: str) -> bool:
    value = item.get(name, False)
    if not isinstance(value, bool):
        raise FieldError(f'Field "{name}" must be of type Boolean')
    return value


def parse_input_media(value: object, parts: set[str]) -> list[InputMedia]:
    """The media array of sendMediaGroup; ``parts`` names the uploaded files ``attach://`` may point at."""
    if not isinstance(value, list):
        raise bad_request("expected an Array of InputMedia")
    items = []
    for item in value:
        try:
            items.append(_input_media(item, parts))
        except FieldError as exc:  # a caption's own refusal (too long, bad HTML) comes as it is
            raise bad_request(f"can't parse InputMedia: {exc}") from None
    return items


def _input_media(item: object, parts: set[str]) -> InputMedia:
    if not isinstance(item, dict):
        raise FieldError("expected an Object")
    caption = _string(item, "caption", required=False)
    parse_mode = _string(item, "parse_mode", required=False)
    entities = item.get("caption_entities")
    try:
        text, found = parse_caption(caption, parse_mode, entities)
    except TelegramError as exc:
        prefix = "Bad Request: can't parse MessageEntity: "
        if exc.description.startswith(prefix):
            raise FieldError(f"Can't parse MessageEntity: {exc.description[len(prefix):]}") from None
        raise
    above = _boolean(item, "show_caption_above_media")
    spoiler = _boolean(item, "has_spoiler")
    kind = _string(item, "type", required=True) or ""
    media = _string(item, "media", required=False) or ""
    attached = media.startswith(ATTACH)
    if not media or (attached and media[len(ATTACH):] not in parts):
        raise FieldError("media not found")
    if kind == "animation":
        raise FieldError(f'type "{kind}" can\'t be used in sendMediaGroup')
    if kind not in KNOWN_MEDIA:
        raise FieldError(f'type "{kind}" is unsupported')
    if kind not in SERVED_MEDIA:
        raise FieldError(f'type "{kind}" is not served by this emulator (photo and document are)')
    name = media[len(ATTACH):] if attached else media
    return InputMedia(kind, name, attached, text, found, above, spoiler)


def check_album(items: list[InputMedia]) -> None:
    """What Telegram checks of the group as a whole, once every item's file is known."""
    if len(items) > MAX_ALBUM:
        raise bad_request("too many messages to send as an album")
    if any(item.show_caption_above_media != items[0].show_caption_above_media for item in items):
        raise bad_request("parameter show_caption_above_media must be the same for all messages")
    kinds = {item.kind for item in items}
    if len(kinds) > 1 and DOCUMENT in kinds:
        raise bad_request("document can't be mixed with other media types")


def caption_fields(text: str, entities: list[dict], above: bool = False, spoiler: bool = False) -> dict:
    """The Message keys a caption and the photo flags add (absent when empty or false, as Telegram writes them)."""
    data: dict = {}
    if text:
        data["caption"] = text
        if entities:
            data["caption_entities"] = entities
    if above:
        data["show_caption_above_media"] = True
    if spoiler:
        data["has_media_spoiler"] = True
    return data
