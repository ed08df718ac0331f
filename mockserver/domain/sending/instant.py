"""Email, SMS and Viber sends (``/v1/message/email|sms|viber``): captured, never sent.

There is no simulated mail or SMS network, so a send is recorded in the outbox (what the
control plane shows, the way Mailpit shows captured mail) and is DELIVERED at once. Each
address is resolved to a contact, and one is created when none holds it, as the vendor
document says of these calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..contacts.book import Contact, ContactBook, normalize_email, normalize_phone
from ..errors import InvalidInput, NotFound
from ..text import is_blank

CHANNELS = ("email", "sms", "viber")
DELIVERED = "DELIVERED"
UNSUBSCRIBED = "UNSUBSCRIBED"  # an email send to an unsubscribed address: recorded, never delivered
MAX_ADDRESSES = 1000
MAX_TEXT = 1_000_000
# The same patterns as openapi.yaml's, with whitespace spelled out (Python's ``\s`` is wider than JSON Schema's).
EMAIL = re.compile(r"[^@ \t\n\r\f\v]+@[^@ \t\n\r\f\v]+\.[^@ \t\n\r\f\v]+")
PHONE = re.compile(r"\+?[ ()\-.]*([0-9][ ()\-.]*){7,15}")
INT32 = (-(2**31), 2**31 - 1)

# Per channel: the list of addresses, the required texts, the optional texts, the flags and integers.
SHAPES: dict[str, dict] = {
    "email": {
        "addresses": "emails",
        "required": ("from", "subject", "htmlText"),
        "texts": ("plainText", "ampHtmlText", "externalRequestId"),
        "flags": ("skipPersonalisation", "trackUrls"),
        "ints": (),
    },
    "sms": {
        "addresses": "phoneNumbers",
        "required": ("from", "text"),
        "texts": ("externalRequestId",),
        "flags": ("trackUrls",),
        "ints": ("groupId",),
    },
    "viber": {
        "addresses": "phoneNumbers",
        "required": ("text", "iosExpirityText"),
        "texts": ("from", "img", "caption", "action", "externalRequestId"),
        "flags": ("trackUrls",),
        "ints": ("groupId", "ttlSeconds"),
    },
}


@dataclass
class Sent:
    """One captured message to one address."""

    id: int
    request_id: str
    channel: str
    to: str
    contact_id: int | None
    content: dict  # the send's fields as the API names them (from, subject, htmlText, text ...)
    created_at: float
    status: str = DELIVERED
    message_id: int | None = None
    broadcast_id: int | None = None
    contact_created: bool = False
    tags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "requestId": self.request_id,
            "channel": self.channel,
            "to": self.to,
            "contactId": self.contact_id,
            "contactCreated": self.contact_created,
            "status": self.status,
            "messageId": self.message_id,
            "broadcastId": self.broadcast_id,
            "tags": list(self.tags),
            "content": dict(self.content),
            "created_at": self.created_at,
        }


@dataclass
class SendRequest:
    channel: str
    addresses: list[str]
    group_id: int | None
    content: dict
    tags: list[str]


def _texts(body: dict, key: str) -> list[str]:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{key} must be an array of strings")
    return list(value)


def check_address(channel: str, value: str, where: str) -> str:
    if channel == "email":
        if not EMAIL.fullmatch(value):
            raise InvalidInput(f"{where} is not an email address: {value!r}")
        return value
    if not PHONE.fullmatch(value):
        raise InvalidInput(f"{where} is not a phone number (7 to 15 digits): {value!r}")
    return value


def _is_int32(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and INT32[0] <= value <= INT32[1]


# The optional keys of a send by kind (as SHAPES lists them): the test a value passes, and the refusal.
OPTIONAL: tuple[tuple[str, Callable[[object], bool], str], ...] = (
    ("texts", lambda value: isinstance(value, str), "must be a string"),
    ("flags", lambda value: isinstance(value, bool), "must be true or false"),
    ("ints", _is_int32, f"must be an integer from {INT32[0]} to {INT32[1]}"),
)


def parse_send(channel: str, body: object) -> SendRequest:
    """A send's body, checked whole before anything is recorded."""
    shape = SHAPES[channel]
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    content = _content(shape, body)
    content["subscriptionsKeys"] = _texts(body, "subscriptionsKeys")
    group_id = content.pop("groupId", None)
    addresses = _addresses(channel, body, group_id)
    return SendRequest(channel, addresses, group_id, content, _texts(body, "tags"))


def _content(shape: dict, body: dict) -> dict:
    """The required texts and whichever optional keys were sent, each of its kind."""
    content: dict = {}
    for key in shape["required"]:
        value = body.get(key)
        if value is None:
            raise InvalidInput(f"{key} is required")
        if not isinstance(value, str):
            raise InvalidInput(f"{key} must be a string")
        content[key] = value
    for kind, fits, refusal in OPTIONAL:
        for key in shape[kind]:
            value = body.get(key)
            if value is not None:
                if not fits(value):
                    raise InvalidInput(f"{key} {refusal}")
                content[key] = value
    for key, value in content.items():
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise InvalidInput(f"{key} is longer than {MAX_TEXT} characters")
    return content


def _addresses(channel: str, body: dict, group_id: int | None) -> list[str]:
    """The channel's addresses, each checked; none is fine when a groupId says whom to send to."""
    shape = SHAPES[channel]
    name = shape["addresses"]
    raw = _texts(body, name)
    if not raw and group_id is None:
        which = f"{name} or groupId" if "groupId" in shape["ints"] else name
        raise InvalidInput(f"{which} is required: whom to send to")
    if len(raw) > MAX_ADDRESSES:
        raise InvalidInput(f"Too many {name}: {len(raw)} (at most {MAX_ADDRESSES} per request)")
    addresses = []
    for index, value in enumerate(raw):
        if is_blank(value):
            raise InvalidInput(f"{name}[{index}] must not be blank")
        addresses.append(check_address(channel, value, f"{name}[{index}]"))
    return addresses


class SentMessages:
    """Every captured send by id, and by requestId for statuses.

    Clearing the outbox (``DELETE /_mock/outbox``) hides what was captured so far from the
    control plane, as emptying a Mailpit inbox does; the API still knows their statuses.
    """

    def __init__(self) -> None:
        self._by_id: dict[int, Sent] = {}
        self._by_request: dict[str, Sent] = {}
        self.next_id = 1
        self.cleared_through = 0  # ids up to this one were cleared from view

    def __iter__(self):
        return iter(self._by_id.values())

    def put(self, sent: Sent) -> None:
        self._by_id[sent.id] = sent
        self._by_request[sent.request_id] = sent
        self.next_id = max(self.next_id, sent.id + 1)

    def by_request(self, request_id: str) -> Sent | None:
        return self._by_request.get(request_id)

    def visible(self) -> list[Sent]:
        return [s for s in self._by_id.values() if s.id > self.cleared_through]

    def get(self, sent_id: int) -> Sent:
        sent = self._by_id.get(sent_id)
        if sent is None or sent.id <= self.cleared_through:
            raise NotFound(f"No outbox message {sent_id}")
        return sent

    def clear(self) -> int:
        removed = len(self.visible())
        self.cleared_through = self.next_id - 1
        return removed

    def search(self, channel: str | None, to: str | None, since: int | None) -> list[Sent]:
        """The visible messages, oldest first, narrowed by channel, address (normalized) and a later-than id."""
        found = self.visible()
        if channel is not None:
            found = [s for s in found if s.channel == channel]
        if to is not None:
            key = _address_key(to)
            found = [s for s in found if _address_key(s.to) == key]
        if since is not None:
            found = [s for s in found if s.id > since]
        return found

    def record(
        self,
        channel: str,
        to: str,
        contact: Contact | None,
        content: dict,
        request_id: str,
        now: float,
        *,
        tags: list[str] | None = None,
        created: bool = False,
        message_id: int | None = None,
        broadcast_id: int | None = None,
    ) -> Sent:
        sent = Sent(
            id=self.next_id,
            request_id=request_id,
            channel=channel,
            to=to,
            contact_id=contact.id if contact else None,
            content=dict(content),
            created_at=now,
            message_id=message_id,
            broadcast_id=broadcast_id,
            contact_created=created,
            tags=list(tags or []),
        )
        self.put(sent)
        return sent


def _address_key(value: str) -> str:
    return normalize_email(value) if "@" in value else normalize_phone(value)


def contact_for(book: ContactBook, channel: str, address: str) -> tuple[Contact, bool]:
    """The live contact holding an address, else a new one holding it (and whether it was made)."""
    if channel == "email":
        found = book.find("email", address)
    else:
        found = book.find("phone", address) or _by_viber(book, address)
    if found is not None:
        return found, False
    kind = "email" if channel == "email" else channel
    return book.create(channels=[{"type": kind, "value": address}]), True


def _by_viber(book: ContactBook, address: str) -> Contact | None:
    digits = normalize_phone(address)
    best = None
    for contact in book.live():
        if any(normalize_phone(v) == digits for v in contact.channel_values("viber")):
            if best is None or (contact.stamp, contact.id) > (best.stamp, best.id):
                best = contact
    return best


def group_members(book: ContactBook, group_id: int, channel: str) -> list[tuple[str, Contact]]:
    """(address, contact) for each live member of a group that has the channel (its first value)."""
    kind = "email" if channel == "email" else channel
    result = []
    for contact in book.live():
        if any(isinstance(g, dict) and g.get("id") == group_id for g in contact.groups):
            values = contact.channel_values(kind) or (contact.phones if channel == "viber" else [])
            if values:
                result.append((values[0], contact))
    return result
