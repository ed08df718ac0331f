"""Search contacts (GET /v1/contacts): identifier conditions use the book's indexes, names scan."""

from __future__ import annotations

from dataclasses import dataclass

from .book import Contact, ContactBook

MAX_ROWS = 500


@dataclass(frozen=True)
class Criteria:
    email: str | None = None
    sms: str | None = None
    external_customer_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    sort_by_id: bool = False


def _name_matches(value: str | None, wanted: str | None) -> bool:
    return wanted is None or (value is not None and value.casefold() == wanted.casefold())


def search(book: ContactBook, criteria: Criteria) -> list[Contact]:
    """Live contacts meeting every condition; by last update (oldest first) or by id.

    Names match whole and case-insensitively. With an identifier condition only its index
    entry is looked at; with names alone every live contact is scanned.
    """
    candidates: list[Contact] | None = None
    for index, value in (
        ("email", criteria.email),
        ("phone", criteria.sms),
        ("externalCustomerId", criteria.external_customer_id),
    ):
        if value is None:
            continue
        found = book.find_all(index, value)
        if candidates is None:
            candidates = found
        else:
            ids = {c.id for c in found}
            candidates = [c for c in candidates if c.id in ids]
    pool = list(book.live()) if candidates is None else candidates
    result = [
        c
        for c in pool
        if _name_matches(c.first_name, criteria.first_name) and _name_matches(c.last_name, criteria.last_name)
    ]
    result.sort(key=(lambda c: c.id) if criteria.sort_by_id else (lambda c: (c.stamp, c.id)))
    return result
