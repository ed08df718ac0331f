"""Who receives a send: the tokens a smartsend recipient resolves to, and a broadcast's subscribers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..contacts.apps import Apps
from ..contacts.book import Contact, ContactBook
from ..errors import NotFound
from .parsing import Recipient


@dataclass
class Target:
    app_uuid: str
    chat_id: str
    contact: Contact | None


def holders_by_chat(contacts: ContactBook) -> dict[str, list[tuple[str, Contact]]]:
    """chat id -> (app_uuid, live contact) pairs, from one scan of the book."""
    index: dict[str, list[tuple[str, Contact]]] = {}
    for contact in contacts.live():
        for app_uuid, tokens in contact.tokens.items():
            for token in tokens:
                index.setdefault(token, []).append((app_uuid, contact))
    return index


def targets(contacts: ContactBook, recipient: Recipient, holders: dict | None) -> list[Target]:
    """The tokens a recipient resolves to; NotFound explains why there are none.

    A locator reaches the chat once per bot, through the contact that last changed among its holders.
    """
    if recipient.kind == "locator":
        chat_id = str(recipient.value)
        pairs = (holders or {}).get(chat_id, [])
        apps_seen: dict[str, Contact] = {}
        for app_uuid, contact in pairs:
            best = apps_seen.get(app_uuid)
            if best is None or (contact.stamp, contact.id) > (best.stamp, best.id):
                apps_seen[app_uuid] = contact
        if not apps_seen:
            raise NotFound(f"No contact holds the Telegram token {chat_id}")
        return [Target(app, chat_id, contact) for app, contact in apps_seen.items()]
    if recipient.kind == "contactId":
        found_contact = contacts.get(int(recipient.value))
        if found_contact is None:
            raise NotFound(f"Contact {recipient.value} not found")
    else:
        found_contact = contacts.find("externalCustomerId", str(recipient.value))
        if found_contact is None:
            raise NotFound(f"Contact with externalCustomerId {recipient.value} not found")
    found = [Target(app, token, found_contact) for app, tokens in found_contact.tokens.items() for token in tokens]
    if not found:
        raise NotFound(f"Contact {found_contact.id} has no Telegram token")
    return found


def subscribers(
    contacts: ContactBook, apps: Apps, app_uuid: str, now: float, wanted: Iterable[int], unwanted: Iterable[int]
) -> list[Target]:
    """Every distinct unmuted token of an app on live contacts in the wanted groups and none of the unwanted
    (a broadcast's audience)."""
    app = apps.get(app_uuid)
    groups, excluded = set(wanted), set(unwanted)
    seen: set[str] = set()
    result = []
    for contact in contacts:
        tokens = contact.tokens.get(app_uuid)
        if not tokens or contact.deleted:
            continue
        if groups or excluded:
            ids = {g.get("id") for g in contact.groups if isinstance(g, dict)}
            if groups and not ids & groups:
                continue
            if ids & excluded:
                continue
        for token in tokens:
            if token in seen or (app is not None and app.is_muted(token, now)):
                continue
            seen.add(token)
            result.append(Target(app_uuid, token, contact))
    return result
