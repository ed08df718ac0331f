"""Token look-ups: the contact behind an app's token, and whether the token is active.

A token is found while a live contact holds it (the tokens rules of ``tokens.py``: added by the
tokens API, gone with a soft-deleted card or a blocked chat's removal), so a removed token
answers 404 like one never registered. Every held token is active until ``PUT
.../activated`` says otherwise; the world keeps only the tokens set inactive, and forgets the
setting once no contact holds the token any more (registering it again starts it active).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import InvalidInput, NotFound
from .book import Contact, ContactBook


def holder(book: ContactBook, app_uuid: str, token: str) -> Contact:
    """The live contact holding a token (the most recently updated one when several do), or NotFound.

    The book counts a token's holders but does not index them, so this scans, stopping once it has
    seen them all (about half the book for a token held once); an unheld token answers at once.
    """
    wanted = book.token_holder_count(app_uuid, token)
    if not wanted:
        raise NotFound(f"Token '{token}' is not registered for application {app_uuid}")
    found: list[Contact] = []
    for contact in book:
        held = contact.tokens.get(app_uuid)
        if held and token in held and not contact.deleted:
            found.append(contact)
            if len(found) == wanted:
                break
    return max(found, key=lambda c: (c.stamp, c.id))


class Activation:
    """app_uuid -> the tokens set inactive."""

    def __init__(self, inactive: dict[str, Iterable[str]] | None = None) -> None:
        self.inactive: dict[str, set[str]] = {app: set(tokens) for app, tokens in (inactive or {}).items() if tokens}

    def is_active(self, book: ContactBook, app_uuid: str, token: str) -> bool:
        self._found(book, app_uuid, token)
        return token not in self.inactive.get(app_uuid, ())

    def set(self, book: ContactBook, app_uuid: str, token: str, active: bool) -> bool:
        self._found(book, app_uuid, token)
        if active:
            tokens = self.inactive.get(app_uuid)
            if tokens is not None:
                tokens.discard(token)
                if not tokens:
                    del self.inactive[app_uuid]
        else:
            self.inactive.setdefault(app_uuid, set()).add(token)
        return active

    def held(self, book: ContactBook) -> dict[str, list[str]]:
        """The inactive tokens still held by a live contact, sorted (what a snapshot keeps)."""
        return {
            app: sorted(t for t in tokens if book.holds_token(app, t))
            for app, tokens in sorted(self.inactive.items())
            if any(book.holds_token(app, t) for t in tokens)
        }

    def _found(self, book: ContactBook, app_uuid: str, token: str) -> None:
        if not book.holds_token(app_uuid, token):
            tokens = self.inactive.get(app_uuid)
            if tokens is not None and token in tokens:  # removed since: the setting goes with it
                tokens.discard(token)
                if not tokens:
                    del self.inactive[app_uuid]
            raise NotFound(f"Token '{token}' is not registered for application {app_uuid}")


def parse_active(body: object) -> bool:
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object with 'active' (true or false)")
    active = body.get("active")
    if not isinstance(active, bool):
        raise InvalidInput("Field 'active' is required and must be true or false")
    return active
