"""Contact data as the contacts API sends it: validation, then updates of the book.

The doors hand raw JSON in; this module says what is wrong with it (InvalidInput
naming the field) or turns it into a ``ContactData`` that the update functions
apply to the one ContactBook that the tokens API uses too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InvalidInput
from ..numbers import INT32_MAX, INT64_MAX, INT64_MIN, is_int
from .book import EMAIL, SMS, TEXT_FIELDS, Contact, ContactBook

TELEGRAM = "telegrambot"
CHANNEL_TYPES = ("email", "sms", "viber", "mobilepush", "webpush", "appinbox", "widget", "inapp")
MAX_NAME = 40
MAX_TEXT = 255
MAX_SAME_TYPE = 2
ADDRESS_PARTS = ("region", "town", "address", "postcode")
# The same patterns are in openapi.yaml, so that the contract says exactly what is accepted.
# Whitespace is spelled out: ``\s`` means different things in Python and in JSON Schema (ECMA).
EMAIL_FORM = re.compile(r"^[^@ \t\n\r\f\v]+@[^@ \t\n\r\f\v]+\.[^@ \t\n\r\f\v.]+$")
PHONE_FORM = re.compile(r"^\+?[ ()\-.]*([0-9][ ()\-.]*){7,15}$")
NOT_BLANK = re.compile(r"[^ \t\n\r\f\v]")


def is_blank(value: str) -> bool:
    """Blank as the contacts API's patterns in openapi.yaml say: ASCII whitespace only
    (``domain.text.is_blank``, for the tokens and Telegram texts, also counts Unicode spaces)."""
    return NOT_BLANK.search(value) is None


# API name -> Contact attribute: the names (at most MAX_NAME characters) and the other texts.
NAME_ATTRIBUTES = {name: TEXT_FIELDS[name] for name in ("firstName", "lastName")}
TEXT_ATTRIBUTES = {name: attr for name, attr in TEXT_FIELDS.items() if name not in NAME_ATTRIBUTES}


@dataclass
class ContactData:
    """What a request says about one contact; only the keys it sent are in ``attributes``."""

    attributes: dict[str, object] = field(default_factory=dict)
    # Channel type -> values, for the types the request sent (Telegram excluded: tokens are
    # managed by the tokens API and delivery only).
    channels: dict[str, list[str]] | None = None
    address: dict[str, str] | None = None
    address_sent: bool = False
    # Custom field id -> value (None removes the value).
    fields: dict[int, str | None] | None = None
    id: int | None = None

    def values(self, kind: str) -> list[str]:
        return list((self.channels or {}).get(kind, ()))


def _text(raw: dict, name: str, where: str, limit: int = MAX_TEXT) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{where}{name} must be a string")
    if len(value) > limit:
        raise InvalidInput(f"{where}{name} is longer than {limit} characters")
    return value


def _channel(raw: object, where: str) -> tuple[str, str]:
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where} must be an object with type and value")
    kind = raw.get("type")
    if not isinstance(kind, str) or (kind not in CHANNEL_TYPES and kind != TELEGRAM):
        raise InvalidInput(f"{where}.type must be one of {', '.join(CHANNEL_TYPES + (TELEGRAM,))}")
    value = raw.get("value")
    if not isinstance(value, str) or not NOT_BLANK.search(value):
        raise InvalidInput(f"{where}.value must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{where}.value is longer than {MAX_TEXT} characters")
    if kind == EMAIL and not EMAIL_FORM.match(value):
        raise InvalidInput(f"{where}.value {value!r} is not a valid email address")
    if kind in (SMS, "viber") and not PHONE_FORM.match(value):
        raise InvalidInput(f"{where}.value {value!r} is not a valid phone number (7 to 15 digits)")
    return kind, value


def _channels(raw: object, where: str) -> dict[str, list[str]]:
    if not isinstance(raw, list):
        raise InvalidInput(f"{where}channels must be an array")
    result: dict[str, list[str]] = {}
    for index, item in enumerate(raw):
        kind, value = _channel(item, f"{where}channels[{index}]")
        if kind == TELEGRAM:
            continue
        values = result.setdefault(kind, [])
        if value not in values:
            values.append(value)
        if len(values) > MAX_SAME_TYPE:
            raise InvalidInput(f"{where}channels: at most {MAX_SAME_TYPE} channels of type {kind} are allowed")
    return result


def _address(raw: object, where: str) -> dict[str, str] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where}address must be an object")
    result = {}
    for part in ADDRESS_PARTS:
        value = _text(raw, part, f"{where}address.")
        if value is not None:
            result[part] = value
    return result or None


def _fields(raw: object, where: str) -> dict[int, str | None]:
    if not isinstance(raw, list):
        raise InvalidInput(f"{where}fields must be an array")
    result: dict[int, str | None] = {}
    for index, item in enumerate(raw):
        place = f"{where}fields[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{place} must be an object with id and value")
        field_id = item.get("id")
        if not is_int(field_id) or not 0 < field_id <= INT32_MAX:
            raise InvalidInput(f"{place}.id must be a positive integer")
        value = item.get("value")
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{place}.value must be a string")
        if value is not None and len(value) > MAX_TEXT:
            raise InvalidInput(f"{place}.value is longer than {MAX_TEXT} characters")
        result[field_id] = value
    return result


def parse_contact(
    raw: object, *, where: str = "", require_channels: bool = False, with_id: bool = False
) -> ContactData:
    """Validate one contact object; unknown keys are ignored, as esputnik.com does.

    ``id`` is read only when asked for (bulk dedupe on id); elsewhere ids are system-assigned
    and an ``id`` in the body is ignored like any unknown key.
    """
    if not isinstance(raw, dict):
        raise InvalidInput(f"{where or 'Request body'} must be a JSON object (a contact)".strip())
    prefix = f"{where}." if where else ""
    data = ContactData(attributes=_attributes(raw, prefix))
    if raw.get("channels") is not None or require_channels:
        data.channels = _sent_channels(raw.get("channels"), prefix, require_channels)
    if "address" in raw:
        data.address_sent = True
        data.address = _address(raw["address"], prefix)
    if raw.get("fields") is not None:
        data.fields = _fields(raw["fields"], prefix)
    if with_id and raw.get("id") is not None:
        data.id = _contact_id(raw["id"], prefix)
    _check_address_book(raw.get("addressBookId"), prefix)
    return data


def _attributes(raw: dict, prefix: str) -> dict[str, object]:
    """The names and other texts the contact sent, by Contact attribute."""
    attributes: dict[str, object] = {}
    for name, attr in NAME_ATTRIBUTES.items():
        if name in raw:
            attributes[attr] = _text(raw, name, prefix, limit=MAX_NAME)
    for name, attr in TEXT_ATTRIBUTES.items():
        if name in raw:
            value = _text(raw, name, prefix)
            if name == "externalCustomerId" and value is not None and not NOT_BLANK.search(value):
                raise InvalidInput(f"{prefix}externalCustomerId must not be empty")
            attributes[attr] = value
    return attributes


def _sent_channels(raw: object, prefix: str, required: bool) -> dict[str, list[str]]:
    if raw is None:
        raise InvalidInput(f"{prefix}channels is required: give at least one channel")
    channels = _channels(raw, prefix)
    if required and not raw:
        raise InvalidInput(f"{prefix}channels must hold at least one channel")
    return channels


def _contact_id(raw: object, prefix: str) -> int:
    if not is_int(raw) or not INT64_MIN <= raw <= INT64_MAX:
        raise InvalidInput(f"{prefix}id must be an int64 integer")
    return raw


def _check_address_book(raw: object, prefix: str) -> None:
    """addressBookId is accepted and ignored, but only as an int32."""
    if raw is not None and (not is_int(raw) or not -INT32_MAX - 1 <= raw <= INT32_MAX):
        raise InvalidInput(f"{prefix}addressBookId must be an int32 integer")


# -- applying --------------------------------------------------------------------


def _channel_list(contact: Contact, replace: dict[str, list[str]]) -> list[Mapping[str, Any]]:
    """The contact's channels with the types in ``replace`` swapped for the given values."""
    kept = [c for c in contact.channels if c.get("type") not in replace]
    added = [{"type": kind, "value": value} for kind, values in replace.items() for value in values]
    return kept + added


def _field_list(current: Sequence[dict], changes: dict[int, str | None]) -> list[dict]:
    values = {f["id"]: f["value"] for f in current}
    for field_id, value in changes.items():
        if value is None:
            values.pop(field_id, None)
        else:
            values[field_id] = value
    return [{"id": k, "value": v} for k, v in values.items()]


def merge_changes(contact: Contact, data: ContactData) -> dict:
    """Attribute changes for POST/PUT: what the request sent replaces, what it left out stays."""
    changes = dict(data.attributes)
    if data.channels is not None:
        changes["channels"] = _channel_list(contact, data.channels)
    if data.address_sent:
        changes["address"] = data.address
    if data.fields is not None:
        changes["fields"] = _field_list(contact.fields, data.fields)
    return changes


def new_contact_attributes(data: ContactData) -> dict:
    blank = Contact(id=0)
    return merge_changes(blank, data)


def find_existing(book: ContactBook, data: ContactData) -> Contact | None:
    """The live contact POST /v1/contact updates: the holder of one of the emails, else of the phones."""
    for kind, index in ((EMAIL, "email"), (SMS, "phone")):
        for value in data.values(kind):
            contact = book.find(index, value)
            if contact is not None:
                return contact
    return None


def add_or_update(book: ContactBook, data: ContactData) -> tuple[Contact, bool]:
    """POST /v1/contact: a live contact holding one of the emails, else phones, is updated; else created."""
    contact = find_existing(book, data)
    if contact is not None:
        book.update(contact, **merge_changes(contact, data))
        return contact, False
    return book.create(**new_contact_attributes(data)), True


def update(book: ContactBook, contact: Contact, data: ContactData) -> None:
    """PUT /v1/contact/{id}: merge the data in; a soft-deleted contact is restored first."""
    book.restore(contact)
    book.update(contact, **merge_changes(contact, data))
