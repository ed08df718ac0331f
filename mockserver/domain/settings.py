"""The world's settings: account, assumptions and limits.

A leaf module (it imports nothing of the domain) so that the world and the snapshot
parts can both read these without importing each other.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .telegram.files import DEFAULT_STORE_BYTES

DEFAULT_ASSUMPTIONS = {
    # What a tokens item whose contactId matches no contact does: create a contact, or refuse the batch.
    "unknown_contact_id": "create",
    # How a wrapper list with one element is rendered: a bare object (as esputnik.com does) or an array.
    "single_item_lists": "object",
    # What a bodyless 200 (tokens, mute, unmute, template updates) carries: the JSON string ""
    # the vendor document types them as, or nothing at all (no body, no Content-Type).
    "empty_answers": "json",
    # GET /v1/message/status: one {"results": ...} object, as clients read it, or the vendor
    # document's array of such objects.
    "message_status": "object",
}
ASSUMPTION_CHOICES = {
    "unknown_contact_id": ("create", "reject"),
    "single_item_lists": ("object", "array"),
    "empty_answers": ("json", "empty"),
    "message_status": ("object", "array"),
}


# GET /v1/balance when the scenario sets no ``balance`` (or only some of its keys).
DEFAULT_BALANCE = {
    "currentBalance": 0.0,
    "creditLimit": 0.0,
    "currency": "USD",
    "bonusEmails": 0,
    "bonusSmses": 0,
    "sendersReservedBalances": {},
}
# The balance's bounds, in a scenario and in a PUT /_mock/state alike: the bonus counts, and the
# senders of sendersReservedBalances and the reserved balances listed for each.
MAX_BONUS = 2**31 - 1
MAX_SENDERS = 1000


@dataclass
class Account:
    api_keys: list[str] = field(default_factory=list)
    organisation_name: str = "Mock Organisation"
    user_email: str = "owner@example.com"
    org_id: int = 1
    # What GET /v1/balance and GET /v1/addressbooks answer. The world's reset fills them from the
    # scenario (the default catalog lists the contacts' field ids, which this module cannot see).
    balance: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_BALANCE))
    address_books: list[dict] = field(default_factory=list)


@dataclass
class Limits:
    token_batch: int = 3000
    contact_batch: int = 3000
    # How many times a delivery is handed to Telegram before a 429 makes it FAILED.
    send_attempts: int = 5
    # Bytes the files bots send may hold in all (in memory); a send beyond it is refused with 413.
    file_store_bytes: int = DEFAULT_STORE_BYTES
    # Events (live and past) and orders the world keeps; a request that would pass one is 409.
    events: int = 100_000
    orders: int = 100_000


def balance(spec: dict) -> dict:
    """The account's balance: the scenario's keys over the defaults."""
    return copy.deepcopy({**DEFAULT_BALANCE, **spec.get("balance", {})})
