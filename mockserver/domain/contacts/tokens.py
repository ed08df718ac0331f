"""Add application tokens: validate a whole batch, then resolve it item by item.

These are eSputnik's rules as SPEC §4 states them, and they live here alone:

1. The key is the first identifier present: contactId, externalCustomerId, phone, email.
2. A key that matches a contact gets the token added; the item's other identifiers are ignored.
3. A key that matches nothing creates a contact with the token and every identifier of the
   item that no contact holds yet (contactId is never copied: ids are system-assigned).
4. Tokens are only added, never replaced, never duplicated per contact and app.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidInput, required_array
from ..text import SPACE, is_blank
from .book import EMAIL, SMS, Contact, ContactBook, normalize_email, normalize_phone

IDENTIFIERS = ("contactId", "externalCustomerId", "phone", "email")
INDEX_OF = {"externalCustomerId": "externalCustomerId", "phone": "phone", "email": "email"}
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_TEXT = 255


# Not frozen: a frozen dataclass costs three to four times as much to build, once per item on
# the hot path; nothing mutates these after validation.
@dataclass(slots=True)
class TokenItem:
    token: str
    contactId: int | None = None
    externalCustomerId: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def key(self) -> tuple[str, int | str]:
        for name in IDENTIFIERS:
            value = getattr(self, name)
            if value is not None:
                return name, value
        raise AssertionError("validated items always carry an identifier")


@dataclass(slots=True)
class Outcome:
    index: int
    token: str
    outcome: str  # "created" | "added" | "present"
    contact_id: int

    def as_dict(self) -> dict:
        return {"index": self.index, "token": self.token, "outcome": self.outcome, "contactId": self.contact_id}


def _text(item: dict, index: int, name: str) -> str | None:
    value = item.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"tokens[{index}].{name} must be a string")
    if is_blank(value):
        raise InvalidInput(f"tokens[{index}].{name} must not be empty")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"tokens[{index}].{name} is longer than {MAX_TEXT} characters")
    return value


def validate_batch(body: object, *, limit: int) -> list[TokenItem]:
    """Check the whole request body before anything changes; raise InvalidInput naming the problem."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object with a 'tokens' array")
    raw = required_array(body, "tokens", limit)
    items = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidInput(f"tokens[{index}] must be an object")
        token = item.get("token")
        if token is None:
            raise InvalidInput(f"tokens[{index}].token is required")
        if not isinstance(token, str) or is_blank(token):
            raise InvalidInput(f"tokens[{index}].token must be a non-empty string")
        if len(token) > MAX_TEXT:
            raise InvalidInput(f"tokens[{index}].token is longer than {MAX_TEXT} characters")
        contact_id = item.get("contactId")
        if contact_id is not None:
            if not isinstance(contact_id, int) or isinstance(contact_id, bool):
                raise InvalidInput(f"tokens[{index}].contactId must be an integer in the int64 range")
            if not INT64_MIN <= contact_id <= INT64_MAX:
                raise InvalidInput(f"tokens[{index}].contactId is out of the int64 range")
        external_id = _text(item, index, "externalCustomerId")
        phone = _text(item, index, "phone")
        if phone is not None and not normalize_phone(phone):
            raise InvalidInput(f"tokens[{index}].phone must contain digits")
        email = _text(item, index, "email")
        if contact_id is None and external_id is None and phone is None and email is None:
            raise InvalidInput(
                f"tokens[{index}] has no identifier: give contactId, externalCustomerId, phone or email"
            )
        items.append(TokenItem(token, contact_id, external_id, phone, email))
    return items


def _match(book: ContactBook, name: str, value: int | str) -> Contact | None:
    if name == "contactId":
        return book.get(value)  # type: ignore[arg-type]
    return book.find(INDEX_OF[name], value)  # type: ignore[arg-type]


def _new_contact(book: ContactBook, item: TokenItem) -> Contact:
    """A contact for an unmatched key, with the identifiers that no live contact holds yet."""
    channels = []
    external_id = None
    if item.externalCustomerId is not None and not book.holds("externalCustomerId", item.externalCustomerId):
        external_id = item.externalCustomerId
    if item.phone is not None and not book.holds("phone", item.phone):
        channels.append({"type": SMS, "value": item.phone.strip(SPACE)})
    if item.email is not None and not book.holds("email", item.email):
        channels.append({"type": EMAIL, "value": item.email.strip(SPACE)})
    return book.create(channels=channels, external_customer_id=external_id)


def register_tokens(
    book: ContactBook,
    app_uuid: str,
    items: list[TokenItem],
    *,
    unknown_contact_id: str = "create",
) -> list[Outcome]:
    """Resolve validated items in order; each item sees the contacts earlier items made.

    With ``unknown_contact_id="reject"`` a contactId that matches no contact refuses the
    whole batch, and everything the earlier items did is rolled back.
    """
    mark = book.savepoint()
    outcomes = []
    for index, item in enumerate(items):
        name, value = item.key
        contact = _match(book, name, value)
        if contact is None:
            if name == "contactId" and unknown_contact_id == "reject":
                book.rollback(mark)
                raise InvalidInput(f"tokens[{index}].contactId: contact {value} not found")
            contact = _new_contact(book, item)
            mark.created.append(contact)
            book.add_token(contact, app_uuid, item.token)
            outcomes.append(Outcome(index, item.token, "created", contact.id))
        else:
            stamp = contact.stamp
            if book.add_token(contact, app_uuid, item.token):
                mark.added.append((contact, app_uuid, item.token, stamp))
                outcomes.append(Outcome(index, item.token, "added", contact.id))
            else:
                outcomes.append(Outcome(index, item.token, "present", contact.id))
    return outcomes


__all__ = ["TokenItem", "Outcome", "validate_batch", "register_tokens", "normalize_email"]
