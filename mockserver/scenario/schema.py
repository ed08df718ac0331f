"""The JSON Schema of scenario files, built here and printed by ``mockserver schema``.

``x-message`` on a subschema replaces jsonschema's generic wording when that
subschema is violated, so that a refused file says what a person would say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..domain.commerce.orders import STATUSES as ORDER_STATUSES
from ..domain.contacts.book import TEXT_FIELDS
from ..domain.contacts.catalogs import FIELD_TYPES, MAX_BOOKS, MAX_FIELDS, MAX_GROUPS, MAX_VALUES
from ..domain.contacts.groups import TYPES as GROUP_TYPES
from ..domain.contacts.updates import CHANNEL_TYPES
from ..domain.settings import MAX_BONUS, MAX_SENDERS
from ..domain.telegram.chats import CHAT_STATES
from ..domain.text import VISIBLE
from .bounds import MAX_FAULTS, MAX_GENERATED

SCHEMA_ID = "https://github.com/esputnik-mockserver/mockserver/scenario.schema.json"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
BOT_TOKEN_PATTERN = r"^[0-9]+:[A-Za-z0-9_-]{35}$"
CHAT_ID_PATTERN = r"^-?[0-9]{1,20}$"

TEXT = {"type": "string"}
NON_EMPTY = {"type": "string", "minLength": 1}
COUNT = {"type": "integer", "minimum": 0}
GLOB = {"type": "string", "minLength": 1, "description": "A glob over the path: * matches anything, ? one character."}


def _object(properties: dict, required: list[str] | None = None, /, **extra: Any) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    schema.update(extra)
    return schema


CHAT_ID = {
    "type": ["string", "integer"],
    "pattern": CHAT_ID_PATTERN,
    "x-message": "a Telegram chat id is an integer (digits, optionally negative)",
}
# A token is whatever the tokens API accepts: usually a chat id, but any non-blank text of at
# most 255 characters (a blank one would seed a contact the API could never have made).
TOKEN = {
    "type": ["string", "integer"],
    "minLength": 1,
    "maxLength": 255,
    "pattern": VISIBLE,
    "x-message": "a token is a non-blank string of at most 255 characters, or an integer",
}
APP_UUID = {"type": "string", "pattern": UUID_PATTERN, "x-message": "malformed UUID"}
BOT_REF = {"type": "string", "minLength": 1, "description": "A bot's username (with or without @) or its app_uuid."}

BOT = _object(
    {
        "app_uuid": APP_UUID,
        "token": {
            "type": "string",
            "pattern": BOT_TOKEN_PATTERN,
            "x-message": "malformed bot token: expected <digits>:<35 characters of A-Za-z0-9_->",
        },
        "username": {"type": "string", "pattern": r"^@?[A-Za-z0-9_]{1,64}$", "x-message": "a bot username is letters, digits and _"},
        "first_name": TEXT,
    },
    ["app_uuid", "token", "username"],
)

GROUP_ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
GROUP = _object({"id": GROUP_ID, "name": NON_EMPTY, "type": {"enum": list(GROUP_TYPES)}}, ["name"])
CATEGORY = _object(
    {"key": NON_EMPTY, "name": NON_EMPTY, "id": GROUP_ID, "groupId": GROUP_ID},
    ["key"],
    description="A subscription category; groupId names a declared group.",
)

CONTACT = _object(
    {
        "id": {"type": "integer", "minimum": 1},
        "firstName": TEXT,
        "lastName": TEXT,
        "email": TEXT,
        "phone": TEXT,
        "channels": {
            "type": "array",
            "description": "More channels in the API's shape, after email and phone; Telegram tokens go in tokens.",
            "items": _object(
                {
                    "type": {"enum": list(CHANNEL_TYPES), "x-message": f"a channel type is one of {', '.join(CHANNEL_TYPES)}"},
                    "value": NON_EMPTY,
                },
                ["type", "value"],
            ),
        },
        "externalCustomerId": NON_EMPTY,
        "contactKey": TEXT,
        "languageCode": TEXT,
        "timeZone": TEXT,
        "address": _object({"region": TEXT, "town": TEXT, "address": TEXT, "postcode": TEXT}),
        "fields": {
            "type": "array",
            "items": _object({"id": {"type": "integer"}, "value": TEXT}, ["id", "value"]),
        },
        "groups": {
            "type": "array",
            "description": "Group names (or {id, name, type}); a name the top-level groups do not declare becomes a static group.",
            "items": {"oneOf": [NON_EMPTY, GROUP]},
        },
        "subscriptions": {"type": "array", "items": NON_EMPTY, "description": "Keys of the subscription categories the contact is in."},
        "deleted": {"type": "boolean"},
        "tokens": {
            "type": "object",
            "description": "Tokens (chat ids) per bot, keyed by bot username or app_uuid.",
            "additionalProperties": {"type": "array", "items": TOKEN},
        },
    }
)

PATTERN = {"type": "string", "description": "A str.format pattern over {n}, {first_name}, {last_name}, e.g. user{n}@example.com."}
GENERATE_BLOCK = _object(
    {
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_GENERATED},
        "seed": {"type": "integer"},
        "id_base": {"type": "integer", "minimum": 1},
        "email": PATTERN,
        "phone": PATTERN,
        **{key: PATTERN for key in TEXT_FIELDS},
        "tokens": {
            "type": "object",
            "additionalProperties": {"oneOf": [PATTERN, {"type": "array", "items": PATTERN, "minItems": 1}]},
        },
        "deleted_every": {"type": "integer", "minimum": 0, "description": "Every k-th generated contact is soft-deleted."},
    },
    ["count"],
)

CHAT = {
    "oneOf": [
        {"enum": list(CHAT_STATES)},
        _object(
            {
                "state": {"enum": list(CHAT_STATES)},
                "retry_after": {"type": "integer", "minimum": 0},
                "limited_sends": {"type": "integer", "minimum": 0},
                "first_name": TEXT,
                "last_name": TEXT,
                "username": TEXT,
                "language_code": TEXT,
                "phone_number": {"type": "string", "pattern": r"^\+?[0-9]{5,15}$"},
            }
        ),
    ],
    "x-message": f"a chat is a state ({', '.join(CHAT_STATES)}) or a mapping of state, retry_after, limited_sends, first_name, last_name, username, language_code, phone_number",
}

TELEGRAM = _object(
    {
        "default_chat_state": {"enum": list(CHAT_STATES)},
        "chats": {
            "type": "object",
            "propertyNames": {"pattern": CHAT_ID_PATTERN},
            "additionalProperties": CHAT,
        },
        "clicks": {
            "oneOf": [
                {"enum": ["always", "never"]},
                _object(
                    {"probability": {"type": "number", "minimum": 0, "maximum": 1}, "seed": {"type": "integer"}},
                    ["probability"],
                ),
            ],
            "x-message": "clicks is always, never or {probability: 0..1, seed: N}",
        },
    }
)

INT32 = {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
INT64 = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}
NUMBER = {"type": "number"}
BONUS = {"type": "integer", "minimum": 0, "maximum": MAX_BONUS}
BALANCE = _object(
    {
        "currentBalance": NUMBER,
        "creditLimit": NUMBER,
        "currency": TEXT,
        "bonusEmails": BONUS,
        "bonusSmses": BONUS,
        "sendersReservedBalances": {
            "type": "object",
            "maxProperties": MAX_SENDERS,
            "additionalProperties": {
                "type": "array",
                "maxItems": MAX_SENDERS,
                "items": _object({"senderId": INT32, "balance": NUMBER, "senderName": TEXT}),
            },
        },
    },
    description="What GET /api/v1/balance answers; keys left out keep their defaults.",
)
FIELD_DESCRIPTION = _object(
    {
        "type": {"enum": list(FIELD_TYPES)},
        "allowedValues": _object(
            {"possibleValues": {"type": "array", "items": TEXT, "maxItems": MAX_VALUES}, "minValue": INT32, "maxValue": INT32}
        ),
        "required": {"type": "boolean"},
        "readonly": {"type": "boolean"},
    }
)
ADDRESS_BOOK = _object(
    {
        "addressBookId": INT32,
        "name": TEXT,
        "fieldGroups": {
            "type": "array",
            "maxItems": MAX_GROUPS,
            "items": _object(
                {
                    "name": TEXT,
                    "profileKey": TEXT,
                    "fields": {
                        "type": "array",
                        "maxItems": MAX_FIELDS,
                        "items": _object({"id": INT64, "name": TEXT, "fieldKey": TEXT, "description": FIELD_DESCRIPTION}),
                    },
                }
            ),
        },
    }
)

FAULT = _object(
    {
        "match": _object(
            {
                "method": {"type": "string", "pattern": "^[A-Za-z]+$"},
                "path": GLOB,
                "body_contains": NON_EMPTY,
            }
        ),
        "action": _object(
            {
                "status": {"type": "integer", "minimum": 100, "maximum": 599},
                "body": {"description": "A string is sent as is; anything else as JSON."},
                "headers": {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
                "delay_ms": {"type": "integer", "minimum": 0, "maximum": 600_000},
                "drop_connection": {"type": "boolean"},
            },
            anyOf=[{"required": ["status"]}, {"required": ["delay_ms"]}, {"required": ["drop_connection"]}],
            **{"x-message": "an action needs status, delay_ms or drop_connection"},
        ),
        "times": {"type": "integer", "minimum": 1, "description": "How many requests it applies to; absent: forever."},
        "probability": {"type": "number", "minimum": 0, "maximum": 1},
        "seed": {"type": "integer"},
    },
    ["action"],
)

REQUEST_FILTER = _object(
    # status 0: requests never answered (a dropped connection), as the journal filter takes it
    {"method": {"type": "string"}, "path": GLOB, "status": {"anyOf": [{"const": 0}, {"type": "integer", "minimum": 100, "maximum": 599}]}}
)
COUNT_CHECK = {
    "oneOf": [COUNT, _object({"min": COUNT, "max": COUNT})],
    "x-message": "count is a number or {min, max}",
}
CONTACT_SELECTOR = _object(
    {"id": {"type": "integer"}, "email": NON_EMPTY, "phone": NON_EMPTY, "externalCustomerId": NON_EMPTY},
    minProperties=1,
    maxProperties=1,
    **{"x-message": "select a contact by exactly one of id, email, phone, externalCustomerId"},
)


EVENT_QUERY = _object(
    {"eventTypeKey": NON_EMPTY, "keyValue": NON_EMPTY, "contactId": {"type": "integer"}, "past": {"type": "boolean"}},
    description="Which kept events to count (every one given must match); {} counts them all.",
)
ORDER_QUERY = _object(
    {
        "status": {"enum": list(ORDER_STATUSES)},
        "externalOrderId": NON_EMPTY,
        "externalCustomerId": NON_EMPTY,
        "contactId": {"type": "integer"},
    },
    description="Which kept orders to count (every one given must match); {} counts them all.",
)


@dataclass(frozen=True)
class Subject:
    """What an ``expect`` item is about: the schema of its value, and the keys that may go with it."""

    schema: dict
    details: dict[str, dict] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    def shape(self, name: str) -> str:
        keys = [name, *(key if key in self.required else f"{key}?" for key in self.details)]
        return "{" + ", ".join(keys) + "}"


# The one declaration of the expect subjects: this schema, the loader's checks (scenario/loader.py)
# and the checker (mockserver/expect.py, one function per subject) all read it.
EXPECT_SUBJECTS: dict[str, Subject] = {
    "contact": Subject(
        CONTACT_SELECTOR,
        {
            "exists": {"type": "boolean"},
            "deleted": {"type": "boolean"},
            "tokens": {"type": "object", "additionalProperties": {"type": "array", "items": TOKEN}},
            "firstName": TEXT,
            "lastName": TEXT,
        },
    ),
    "app": Subject(BOT_REF, {"subscribers": COUNT}),
    "requests": Subject(REQUEST_FILTER, {"count": COUNT_CHECK}, required=("count",)),
    "chat": Subject(CHAT_ID, {"state": {"enum": list(CHAT_STATES)}, "messages": COUNT}),
    "contact_count": Subject(COUNT),
    "events": Subject(EVENT_QUERY, {"count": COUNT_CHECK}, required=("count",)),
    "orders": Subject(ORDER_QUERY, {"count": COUNT_CHECK}, required=("count",)),
}


def _expect_item() -> dict:
    """Every subject and every detail as one object's properties; the loader says which go together."""
    properties = {name: subject.schema for name, subject in EXPECT_SUBJECTS.items()}
    for subject in EXPECT_SUBJECTS.values():
        for key, schema in subject.details.items():
            assert properties.setdefault(key, schema) is schema, f"expect key {key} has two schemas"
    shapes = [subject.shape(name) for name, subject in EXPECT_SUBJECTS.items()]
    return _object(
        properties, description=f"One assertion about the final state: {', '.join(shapes[:-1])} or {shapes[-1]}."
    )


EXPECT_ITEM = _expect_item()

SCENARIO_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "mockserver scenario",
    **_object(
        {
            "name": TEXT,
            "description": TEXT,
            "contact_id_base": {"type": "integer", "minimum": 1, "x-message": "must be a positive integer"},
            "account": _object(
                {
                    "api_keys": {"type": "array", "items": NON_EMPTY},
                    "organisation_name": TEXT,
                    "user_email": TEXT,
                    "org_id": {"type": "integer"},
                }
            ),
            "assumptions": _object(
                {
                    "unknown_contact_id": {"enum": ["create", "reject"]},
                    "single_item_lists": {"enum": ["object", "array"]},
                    "empty_answers": {"enum": ["json", "empty"]},
                    "message_status": {"enum": ["object", "array"]},
                }
            ),
            "limits": _object(
                {
                    "token_batch": {"type": "integer", "minimum": 1},
                    "contact_batch": {"type": "integer", "minimum": 1},
                    "send_attempts": {"type": "integer", "minimum": 1, "description": "Sends before a 429 makes a delivery FAILED."},
                    "file_store_bytes": {"type": "integer", "minimum": 1, "description": "Bytes the files bots send may hold in all (in memory)."},
                    "events": {"type": "integer", "minimum": 1, "description": "Events (live and past) the world keeps."},
                    "orders": {"type": "integer", "minimum": 1, "description": "Orders the world keeps."},
                },
                **{"x-unknown": "unknown limit"},
            ),
            "bots": {"type": "array", "items": BOT},
            "contacts": {"type": "array", "items": CONTACT},
            "groups": {"type": "array", "items": GROUP, "description": "Groups with their ids and types; ids not given count on from the highest."},
            "subscriptions": {"type": "array", "items": CATEGORY, "description": "The subscription categories GET /api/v1/subscriptions lists."},
            "unsubscribed": {"type": "array", "items": NON_EMPTY, "description": "Emails that unsubscribed: email sends to them are not delivered."},
            "inactive_tokens": {
                "type": "object",
                "description": "Tokens set inactive (GET .../contact/token/activated answers false), per bot username or app_uuid.",
                "additionalProperties": {"type": "array", "items": TOKEN},
            },
            "generate": {"oneOf": [GENERATE_BLOCK, {"type": "array", "items": GENERATE_BLOCK}]},
            "telegram": TELEGRAM,
            "faults": {"type": "array", "items": FAULT, "maxItems": MAX_FAULTS},
            "webhooks": _object(
                {"url": {"type": "string", "pattern": "^https?://", "x-message": "an http:// or https:// URL"}, "username": TEXT, "password": TEXT},
                ["url"],
                description="Where activity events (delivery statuses) are POSTed, with optional Basic auth.",
            ),
            "events": {
                "type": "array",
                "items": {"type": "object"},
                "description": "Events kept from the start, in the v2 past-event shape (eventTypeKey, keyValue, params, occurred).",
            },
            "orders": {"type": "array", "items": {"type": "object"}, "description": "Orders kept from the start, in the API's Order shape."},
            "balance": BALANCE,
            "address_books": {
                "type": "array",
                "items": ADDRESS_BOOK,
                "maxItems": MAX_BOOKS,
                "x-message": f"a list of at most {MAX_BOOKS} address books",
                "description": "What GET /api/v1/addressbooks answers.",
            },
            "expect": {"type": "array", "items": EXPECT_ITEM},
            "vendor_data": {
                "type": "object",
                "description": "Answers of the generic eSputnik operations, by operationId (see README): each checked against that answer's schema.",
                "additionalProperties": True,
            },
        }
    ),
}

__all__ = ["SCENARIO_SCHEMA", "FAULT", "EXPECT_ITEM"]
