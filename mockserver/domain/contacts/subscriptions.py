"""Subscription categories, the categories each contact is in, and the unsubscribed emails.

Categories come from the scenario (``GET /v1/subscriptions`` lists them); a contact's set is
replaced by ``PUT /v1/contact/{id}/subscriptions`` and added to by ``contact/subscribe``. An
unsubscribed email is refused by every email send (its message is recorded with the
UNSUBSCRIBED status and never counted as delivered), as eSputnik does with its blacklist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import Conflict, InvalidInput, NotFound, required_array
from .book import normalize_email
from .updates import EMAIL_FORM

MAX_KEY = 255
MAX_EMAILS = 3000  # per add/delete request
MAX_UNSUBSCRIBED = 1_000_000


@dataclass(slots=True)
class Category:
    id: int
    key: str
    name: str
    group_id: int | None
    created_at: float
    updated_at: float


class Subscriptions:
    """Categories by key, and each contact's keys (in the order they were subscribed)."""

    def __init__(self, categories: Iterable[Category] = (), contacts: dict[int, list[str]] | None = None) -> None:
        self.categories: dict[str, Category] = {c.key: c for c in categories}
        self.by_contact: dict[int, list[str]] = {cid: list(keys) for cid, keys in (contacts or {}).items() if keys}

    def __iter__(self) -> Iterator[Category]:
        return iter(self.categories.values())

    def of(self, contact_id: int) -> list[Category]:
        return [self.categories[key] for key in self.by_contact.get(contact_id, ())]

    def count(self, key: str) -> int:
        return sum(1 for keys in self.by_contact.values() if key in keys)

    def check_keys(self, keys: object, where: str) -> list[str]:
        """A list of known category keys, each once; a key no category has is NotFound (it names no resource)."""
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise InvalidInput(f"{where} must be an array of subscription category keys (strings)")
        for index, key in enumerate(keys):
            if key not in self.categories:
                known = ", ".join(self.categories) or "none: the scenario declares no categories"
                raise NotFound(f"{where}[{index}]: unknown subscription category {key[:MAX_KEY]!r} (known: {known})")
        return list(dict.fromkeys(keys))

    def replace(self, contact_id: int, keys: list[str]) -> None:
        if keys:
            self.by_contact[contact_id] = list(keys)
        else:
            self.by_contact.pop(contact_id, None)

    def add(self, contact_id: int, keys: list[str]) -> None:
        self.replace(contact_id, list(dict.fromkeys([*self.by_contact.get(contact_id, ()), *keys])))

    def forget(self, contact_id: int) -> None:
        """An erased contact takes its subscriptions with it."""
        self.by_contact.pop(contact_id, None)


def parse_keys_body(body: object) -> object:
    """``{"subscriptions": [...]}`` of PUT /v1/contact/{id}/subscriptions (the keys are checked against the categories)."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object with a 'subscriptions' array")
    if body.get("subscriptions") is None:
        raise InvalidInput("Field 'subscriptions' is required (an empty array unsubscribes from every category)")
    return body["subscriptions"]


class Unsubscribed:
    """The account's unsubscribed emails, normalized, in the order they were added."""

    def __init__(self, emails: Iterable[str] = ()) -> None:
        self._emails: dict[str, None] = dict.fromkeys(normalize_email(e) for e in emails)

    def __iter__(self) -> Iterator[str]:
        return iter(self._emails)

    def __len__(self) -> int:
        return len(self._emails)

    def __contains__(self, email: object) -> bool:
        return isinstance(email, str) and normalize_email(email) in self._emails

    def add(self, emails: list[str]) -> int:
        new = [e for e in dict.fromkeys(map(normalize_email, emails)) if e not in self._emails]
        if len(self._emails) + len(new) > MAX_UNSUBSCRIBED:
            raise Conflict(f"The emulator holds at most {MAX_UNSUBSCRIBED} unsubscribed emails")
        self._emails.update(dict.fromkeys(new))
        return len(new)

    def remove(self, emails: list[str]) -> int:
        removed = 0
        for email in map(normalize_email, emails):
            if email in self._emails:
                del self._emails[email]
                removed += 1
        return removed


def parse_emails(body: object) -> list[str]:
    """``{"emails": [...]}``: 1 to MAX_EMAILS addresses, each a valid email."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object with an 'emails' array")
    emails = required_array(body, "emails", MAX_EMAILS)
    for index, email in enumerate(emails):
        if not isinstance(email, str):
            raise InvalidInput(f"emails[{index}] must be a string")
        if len(email) > MAX_KEY or not EMAIL_FORM.match(email):
            raise InvalidInput(f"emails[{index}] is not a valid email address: {email[:MAX_KEY]!r}")
    return list(emails)
