"""The world: one aggregate of account, apps, contacts, Telegram chats and the clock.

The doors talk to the world only through its methods, and the world is rebuilt
from its scenario on reset, so every test can start from the same known state.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable

from .snapshot import core as snapshots
from .contacts import updates as contact_updates
from .contacts import mutes
from .sending.activity import Outbox, WebhookTarget
from .contacts.apps import App, Apps, parse_path_uuid
from .telegram.bots import BotSide
from .contacts.bulk import Failure, ImportSession, ImportSessions, Segments, parse_bulk, run_bulk
from .clock import Clock
from .contacts.search import Criteria, search
from .contacts.book import Contact, ContactBook
from .sending.delivery import ClickPolicy, Deliveries
from .errors import InvalidInput, NotFound
from .contacts.generate import collector_paused, generate_contacts
from .sending.messages import MessageStore
from .telegram.chats import Chat, TelegramWorld
from .telegram.files import DEFAULT_STORE_BYTES, FileStore
from .contacts.tokens import Outcome, register_tokens, validate_batch

DEFAULT_ASSUMPTIONS = {
    # What a tokens item whose contactId matches no contact does: create a contact, or refuse the batch.
    "unknown_contact_id": "create",
    # How a wrapper list with one element is rendered: a bare object (as esputnik.com does) or an array.
    "single_item_lists": "object",
}
ASSUMPTION_CHOICES = {
    "unknown_contact_id": ("create", "reject"),
    "single_item_lists": ("object", "array"),
}


@dataclass
class Account:
    api_keys: list[str] = field(default_factory=list)
    organisation_name: str = "Mock Organisation"
    user_email: str = "owner@example.com"
    org_id: int = 1


@dataclass
class Limits:
    token_batch: int = 3000
    contact_batch: int = 3000
    # How many times a delivery is handed to Telegram before a 429 makes it FAILED.
    send_attempts: int = 5
    # Bytes the files bots send may hold in all (in memory); a send beyond it is refused with 413.
    file_store_bytes: int = DEFAULT_STORE_BYTES


class World:
    """Everything the emulator knows, built from a normalized scenario (see ``mockserver.scenario``)."""

    def __init__(self, scenario: dict, clock: Clock | None = None, limit_overrides: dict | None = None) -> None:
        self.scenario = scenario
        self.clock = clock or Clock()
        # Limits set on the command line: they win over every scenario's, across resets and loads.
        self.limit_overrides = dict(limit_overrides or {})
        # Called with an app_uuid whenever that bot's updates change (long polls and webhooks wait on it);
        # kept across resets because the listeners belong to the running server, not to the scenario.
        self.update_listeners: list[Callable[[str], None]] = []
        self.reset()

    def reset(self) -> None:
        """Back to the scenario's initial state (the clock is left alone)."""
        spec = copy.deepcopy(self.scenario)
        self.name = spec.get("name", "")
        account = spec.get("account", {})
        self.account = Account(
            api_keys=list(account.get("api_keys", [])),
            organisation_name=account.get("organisation_name", Account.organisation_name),
            user_email=account.get("user_email", Account.user_email),
            org_id=account.get("org_id", Account.org_id),
        )
        self.assumptions = {**DEFAULT_ASSUMPTIONS, **spec.get("assumptions", {})}
        self.limits = Limits(**{**spec.get("limits", {}), **self.limit_overrides})
        self.apps = Apps([App(**bot) for bot in spec.get("bots", [])])
        self.contacts = ContactBook(id_base=spec.get("contact_id_base", 1))
        for seed in spec.get("contacts", []):
            tokens = seed.pop("tokens", {})
            contact = self.contacts.add(Contact(**seed))
            if contact.deleted:
                continue  # a deleted card holds no tokens
            for app_uuid, chat_ids in tokens.items():
                for chat_id in chat_ids:
                    self.contacts.add_token(contact, app_uuid, chat_id)
        with collector_paused():
            for block in spec.get("generate", []):
                first_id = block.get("id_base", self.contacts.next_id)
                for contact in generate_contacts(block, first_id):
                    self.contacts.add(contact)
        self.segments = Segments()
        self.imports = ImportSessions()
        telegram = spec.get("telegram", {})
        self.telegram = TelegramWorld(
            default_state=telegram.get("default_chat_state", "active"), clicks=telegram.get("clicks")
        )
        for chat_id, chat in telegram.get("chats", {}).items():
            self.telegram.chats[chat_id] = chat_from_spec(chat_id, chat)
        self.messages = MessageStore()
        webhooks = spec.get("webhooks")
        self.outbox = Outbox(WebhookTarget(**webhooks) if webhooks else None)
        self.deliveries = Deliveries(
            self.contacts,
            self.apps,
            self.telegram,
            self.outbox,
            ClickPolicy(**telegram.get("clicks", {})),
            max_attempts=self.limits.send_attempts,
        )
        self.bots = BotSide(self.apps, self.telegram, self.clock, self.updates_changed)
        self.files = FileStore(self.limits.file_store_bytes)
        for app in self.apps:
            self.updates_changed(app.app_uuid)

    def updates_changed(self, app_uuid: str) -> None:
        for listener in self.update_listeners:
            listener(app_uuid)

    def connect(self) -> None:
        """Point the parts that act on others (deliveries, the bots' side) at the current ones.

        A restore replaces parts one by one; this ties them together again and wakes whoever
        waits for updates, since the queues may hold new ones.
        """
        deliveries = self.deliveries
        deliveries.contacts, deliveries.apps, deliveries.telegram = self.contacts, self.apps, self.telegram
        deliveries.outbox, deliveries.max_attempts = self.outbox, self.limits.send_attempts
        self.bots.apps, self.bots.telegram, self.bots.clock = self.apps, self.telegram, self.clock
        self.files.capacity = self.limits.file_store_bytes
        for app in self.apps:
            self.updates_changed(app.app_uuid)

    # -- snapshots -------------------------------------------------------------

    def snapshot(self) -> dict:
        """Everything, as JSON-ready data that ``restore`` puts back exactly (see ``domain.snapshot``)."""
        return snapshots.snapshot(self)

    def restore(self, data: object) -> None:
        """Become the world a snapshot describes; a bad snapshot raises InvalidInput and changes nothing."""
        snapshots.restore(self, data)

    # -- the account ---------------------------------------------------------

    def accepts_key(self, key: str) -> bool:
        return key in self.account.api_keys

    # -- apps and tokens -------------------------------------------------------

    def app(self, app_uuid: str) -> App:
        """The app behind a path's app_uuid: 400 ``Wrong app uuid`` / 404 ``Not registered application``."""
        app = self.apps.get(app_uuid)
        if app is not None:  # already canonical, as clients nearly always send it: no UUID parsing
            return app
        canonical = parse_path_uuid(app_uuid)
        if canonical is None:
            raise InvalidInput("Wrong app uuid")
        app = self.apps.get(canonical)
        if app is None:
            raise NotFound("Not registered application")
        return app

    def register_tokens(self, app_uuid: str, body: object) -> list[Outcome]:
        app = self.app(app_uuid)
        items = validate_batch(body, limit=self.limits.token_batch)
        return register_tokens(
            self.contacts, app.app_uuid, items, unknown_contact_id=self.assumptions["unknown_contact_id"]
        )

    def mute(self, app_uuid: str, body: object) -> float:
        return mutes.mute(self.app(app_uuid), body, self.clock.now())

    def unmute(self, app_uuid: str, body: object) -> bool:
        return mutes.unmute(self.app(app_uuid), body)

    # -- the contacts API --------------------------------------------------------

    def contact(self, contact_id: int, *, include_deleted: bool = False) -> Contact:
        """A contact by id; soft-deleted ones count as missing unless asked for."""
        contact = self.contacts.get(contact_id, include_deleted=include_deleted)
        if contact is None:
            raise NotFound(f"Contact with id='{contact_id}' not found")
        return contact

    def add_contact(self, body: object) -> tuple[Contact, bool]:
        data = contact_updates.parse_contact(body, require_channels=True)
        return contact_updates.add_or_update(self.contacts, data)

    def update_contact(self, contact_id: int, body: object) -> Contact:
        contact = self.contact(contact_id, include_deleted=True)
        data = contact_updates.parse_contact(body)
        contact_updates.update(self.contacts, contact, data)
        return contact

    def delete_contact(self, contact: Contact, *, erase: bool) -> None:
        if erase:
            self.contacts.erase(contact)
        else:
            self.contacts.soft_delete(contact)

    def contacts_by_external_id(self, external_id: str, *, include_deleted: bool) -> list[Contact]:
        found = self.contacts.find_all("externalCustomerId", external_id)
        if include_deleted:
            found += [c for c in self.contacts if c.deleted and c.external_customer_id == external_id]
        if not found:
            raise NotFound(f"Contact with externalCustomerId='{external_id}' not found")
        return found

    def search_contacts(self, criteria: Criteria) -> list[Contact]:
        return search(self.contacts, criteria)

    def bulk_update(self, body: object) -> tuple[ImportSession, list[Failure]]:
        request = parse_bulk(body, limit=self.limits.contact_batch)
        mapping, failures = run_bulk(self.contacts, self.segments, request)
        description = f"{len(failures)} of {len(request.contacts)} contacts failed" if failures else None
        return self.imports.open(self.clock.now(), mapping, description), failures


def chat_from_spec(chat_id: str, spec: str | dict) -> Chat:
    """A chat from the scenario's short form (``"111": blocked``) or long form (a mapping)."""
    if isinstance(spec, str):
        return Chat(id=chat_id, state=spec)
    return Chat(id=chat_id, **spec)
