"""The world: one aggregate of account, apps, contacts, Telegram chats and the clock.

The doors talk to the world only through its methods, and the world is rebuilt
from its scenario on reset, so every test can start from the same known state.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from .clock import Clock
from .commerce.events import Event, EventDraft, EventLog, parse_event, parse_past_events, parse_period
from .commerce.orders import Order, OrderBook, parse_order, parse_orders
from .contacts import groups as group_rules
from .contacts import mutes
from .contacts import updates as contact_updates
from .contacts.activation import Activation, holder, parse_active
from .contacts.apps import App, Apps, parse_path_uuid
from .contacts.book import Contact, ContactBook
from .contacts.bulk import BulkRequest, Failure, ImportSession, ImportSessions, parse_bulk, run_bulk
from .contacts.catalogs import address_books
from .contacts.generate import collector_paused, generate_contacts
from .contacts.groups import Group, Groups
from .contacts.search import Criteria, search
from .contacts.subscribe import SubscribeResult, parse_subscribe, subscribe
from .contacts.subscriptions import Category, Subscriptions, Unsubscribed, parse_emails, parse_keys_body
from .contacts.tokens import Outcome, register_tokens, validate_batch
from .contacts.upload import FileCheck, parse_upload, read_file
from .errors import InvalidInput, NotFound
from .sending.activity import Outbox, WebhookTarget, activity_time
from .sending.broadcasts import Broadcast, Broadcasts
from .sending.delivery import BroadcastRun, ClickPolicy, Deliveries, Delivery
from .sending.instant import DELIVERED, UNSUBSCRIBED, Sent, SentMessages, contact_for, group_members, parse_send
from .sending.messages import MessageStore
from .sending.parsing import parse_broadcast
from .sending.rendering import render_text
from .sending.statuses import API_STATUS, CLICKED, FAILED, SENT
from .settings import ASSUMPTION_CHOICES, DEFAULT_ASSUMPTIONS, Account, Limits, balance
from .snapshot import core as snapshots
from .telegram.bot_settings import BotSettings
from .telegram.bots import BotSide
from .telegram.chats import Chat, TelegramWorld
from .telegram.files import FileStore

__all__ = ["World", "Account", "Limits", "ASSUMPTION_CHOICES", "DEFAULT_ASSUMPTIONS", "chat_from_spec"]


class World:
    """Everything the emulator knows, built from a normalized scenario (see ``mockserver.scenario``)."""

    # Set by reset (and replaced by a restore); declared here so that modules the world imports can read its type.
    contacts: ContactBook

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
            balance=balance(spec),
            address_books=address_books(spec),
        )
        self.assumptions = {**DEFAULT_ASSUMPTIONS, **spec.get("assumptions", {})}
        self.limits = Limits(**{**spec.get("limits", {}), **self.limit_overrides})
        self.apps = Apps([App(**bot) for bot in spec.get("bots", [])])
        self.contacts = ContactBook(id_base=spec.get("contact_id_base", 1))
        # Groups before contacts: a seed's groups are resolved through the registry.
        self.groups = Groups()
        for group in spec.get("groups", []):
            group_rules.register(self.groups, group)
        now = self.clock.now()
        self.subscriptions = Subscriptions(
            Category(c.get("id", i), c["key"], c.get("name", c["key"]), c.get("groupId"), now, now)
            for i, c in enumerate(spec.get("subscriptions", []), start=1)
        )
        self.unsubscribed = Unsubscribed(spec.get("unsubscribed", []))
        self.activation = Activation(spec.get("inactive_tokens", {}))
        for seed in spec.get("contacts", []):
            tokens = seed.pop("tokens", {})
            keys = seed.pop("subscriptions", [])
            if seed.get("groups"):
                seed["groups"] = [group_rules.register(self.groups, g).as_dict() for g in seed["groups"]]
            contact = self.contacts.add(Contact(**seed))
            self.subscriptions.add(contact.id, keys)
            if contact.deleted:
                continue  # a deleted card holds no tokens
            for app_uuid, chat_ids in tokens.items():
                for chat_id in chat_ids:
                    self.contacts.add_token(contact, app_uuid, chat_id)
        with collector_paused():
            for block in spec.get("generate", []):
                first_id = block.get("id_base", self.contacts.next_id)
                self.contacts.add_all(generate_contacts(block, first_id))
        self.imports = ImportSessions()
        telegram = spec.get("telegram", {})
        self.telegram = TelegramWorld(
            default_state=telegram.get("default_chat_state", "active"), clicks=telegram.get("clicks")
        )
        for chat_id, chat in telegram.get("chats", {}).items():
            self.telegram.chats[chat_id] = chat_from_spec(chat_id, chat)
        self.messages = MessageStore()
        self.sent = SentMessages()
        self.broadcasts = Broadcasts()
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
        self.events = EventLog(self.limits.events)
        self.orders = OrderBook(self.limits.orders)
        self._seed_commerce(spec)
        self.bot_settings = BotSettings()
        for app in self.apps:
            self.updates_changed(app.app_uuid)

    def _seed_commerce(self, spec: dict) -> None:
        """A scenario's events (as past events, occurring at reset unless they say when) and orders;
        the loader has checked them with the same parsers."""
        events = spec.get("events", [])
        if events:
            self.events.record(self.contacts, parse_past_events({"events": events}, 2), self.clock.now(), past=True)
        orders = spec.get("orders", [])
        if orders:
            self.orders.record(self.contacts, [parse_order(o, f"orders[{i}]") for i, o in enumerate(orders)], self.clock.now())

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
        self.events.capacity, self.orders.capacity = self.limits.events, self.limits.orders
        for app in self.apps:
            self.updates_changed(app.app_uuid)

    # -- snapshots -------------------------------------------------------------

    def snapshot(self) -> dict:
        """Everything, as JSON-ready data that ``restore`` puts back exactly (see ``domain.snapshot``)."""
        return snapshots.snapshot(self)

    def restore(self, data: object, written: bool = False) -> bool:
        """Become the world a snapshot describes; a bad snapshot raises InvalidInput and changes nothing.

        ``written``: the document is one this emulator wrote, parsed for this restore alone; True
        when it was taken as written (``domain.snapshot.core.restore``).
        """
        return snapshots.restore(self, data, written)

    def adopt(self, **parts: object) -> None:
        """Take parts a restore rebuilt (``contacts=book``, ...) in place of the current ones.

        Only parts the world already has can be replaced, so a misspelt name is a bug caught
        at once; ``connect`` ties the new parts together once the whole restore is applied.
        """
        for name, part in parts.items():
            if name.startswith("_") or not hasattr(self, name) or callable(getattr(self, name)):
                raise AttributeError(f"the world has no part named {name!r}")
            setattr(self, name, part)

    def configure(
        self, *, name: str, account: Account, limits: Limits, assumptions: dict, webhook_target: WebhookTarget | None
    ) -> None:
        """Take the settings a restore checked: name, account, limits, assumptions and the webhook target."""
        self.name = name
        self.account = account
        self.limits = limits
        self.assumptions = {**DEFAULT_ASSUMPTIONS, **assumptions}
        self.outbox.target = webhook_target

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
            self.subscriptions.forget(contact.id)
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
        return self._import(parse_bulk(body, limit=self.limits.contact_batch))

    def _import(self, request: BulkRequest) -> tuple[ImportSession, list[Failure]]:
        """A bulk update run in order, and its import session (with how many contacts failed)."""
        self.groups.room_for(request.group_names)
        mapping, failures = run_bulk(self.contacts, self.groups, request)
        description = f"{len(failures)} of {len(request.contacts)} contacts failed" if failures else None
        return self.imports.open(self.clock.now(), mapping, description), failures

    def upload_contacts(self, body: object) -> tuple[FileCheck, ImportSession | None, list[Failure]]:
        """``POST /v1/contacts/upload``: the file's contacts applied as a bulk update, when the file is readable."""
        request = parse_upload(body, limit=self.limits.contact_batch)
        check = read_file(request.link, limit=self.limits.contact_batch)
        if check.contacts is None:
            return check, None, []
        request.bulk.contacts = list(check.contacts)
        session, failures = self._import(request.bulk)
        return check, session, failures

    def contact_emails(self, ids: list[int]) -> list[tuple[int, str]]:
        """(contact id, email) for every email of the live contacts named, in the order named."""
        found: list[tuple[int, str]] = []
        for contact_id in dict.fromkeys(ids):
            contact = self.contacts.get(contact_id)
            if contact is not None:
                found.extend((contact.id, email) for email in contact.emails)
        return found

    # -- subscriptions and unsubscribed emails ------------------------------------------

    def subscribe(self, body: object) -> SubscribeResult:
        return subscribe(self.contacts, self.groups, self.subscriptions, self.unsubscribed, parse_subscribe(body, self.subscriptions))

    def contact_subscriptions(self, contact_id: int) -> list[Category]:
        return self.subscriptions.of(self.contact(contact_id).id)

    def set_contact_subscriptions(self, contact_id: int, body: object) -> list[str]:
        contact = self.contact(contact_id)
        keys = self.subscriptions.check_keys(parse_keys_body(body), "subscriptions")
        self.subscriptions.replace(contact.id, keys)
        return keys

    def unsubscribe_emails(self, body: object) -> int:
        return self.unsubscribed.add(parse_emails(body))

    def resubscribe_emails(self, body: object) -> int:
        return self.unsubscribed.remove(parse_emails(body))

    # -- groups -----------------------------------------------------------------------

    def group(self, group_id: int) -> Group:
        return self.groups.known(group_id)

    def group_contacts(self, group_id: int, *, by_stamp: bool, ascending: bool) -> list[Contact]:
        return group_rules.members(self.contacts, self.group(group_id).id, by_stamp=by_stamp, ascending=ascending)

    def change_group(self, group_id: int, body: object, *, attach: bool) -> int:
        """Attach or detach the contacts a body names; any unknown one refuses the whole request."""
        group = self.group(group_id)
        ids, externals = group_rules.parse_modify(body)
        found = group_rules.resolve_members(self.contacts, ids, externals)
        change = group_rules.attach if attach else group_rules.detach
        return change(self.contacts, group, found)

    # -- token look-ups -----------------------------------------------------------------

    def token_contact(self, app_uuid: str, token: str) -> Contact:
        return holder(self.contacts, self.app(app_uuid).app_uuid, token)

    def token_active(self, app_uuid: str, token: str) -> bool:
        return self.activation.is_active(self.contacts, self.app(app_uuid).app_uuid, token)

    def set_token_active(self, app_uuid: str, token: str, body: object) -> bool:
        app = self.app(app_uuid)
        return self.activation.set(self.contacts, app.app_uuid, token, parse_active(body))

    # -- events and orders ---------------------------------------------------------------

    def register_event(self, version: int, body: object) -> Event:
        """``POST /v1/event`` or ``/v2/event``: one event, kept."""
        draft = parse_event(body, version)
        return self.events.record(self.contacts, [draft], self.clock.now(), past=False)[0]

    def past_events(self, version: int, body: object) -> list[Event]:
        """``POST /v1|v2/past_events``: every event kept, or none."""
        drafts: list[EventDraft] = parse_past_events(body, version)
        return self.events.record(self.contacts, drafts, self.clock.now(), past=True)

    def remove_past_events(self, body: object) -> int:
        """``DELETE /v1/past_events``: the events that occurred in the period are dropped."""
        return self.events.remove_period(*parse_period(body))

    def add_orders(self, body: object) -> tuple[list[Order], list[dict]]:
        """``POST /v1/orders``: the orders kept (added or updated) and the failed ones."""
        kept, failed = parse_orders(body)
        return self.orders.record(self.contacts, kept, self.clock.now()), failed

    # -- email, SMS and Viber sends, broadcasts, statuses -----------------------------------

    def send_message(self, channel: str, body: object) -> list[Sent]:
        """``POST /v1/message/{channel}``: one captured message per address (and group member)."""
        request = parse_send(channel, body)
        if request.group_id is not None:
            self.group(request.group_id)  # an unknown group is a 404, not an empty audience
        targets = [(address, *contact_for(self.contacts, channel, address)) for address in request.addresses]
        if request.group_id is not None:
            targets += [(address, contact, False) for address, contact in group_members(self.contacts, request.group_id, channel)]
        return [
            self._capture(channel, address, contact, request.content, tags=request.tags, created=created)
            for address, contact, created in targets
        ]

    def _capture(self, channel: str, address: str, contact, content: dict, **extra) -> Sent:
        now = self.clock.now()
        sent = self.sent.record(channel, address, contact, content, self.deliveries.request_ids.next(), now, **extra)
        if channel == "email" and address in self.unsubscribed:
            sent.status = UNSUBSCRIBED  # never delivered: no activity event either
            return sent
        event: dict = {
            "activityDateTime": activity_time(now),
            "activityStatus": "DELIVERED",
            "messageId": sent.message_id,
            "broadcastId": sent.broadcast_id,
            "requestId": sent.request_id,
            "contactId": sent.contact_id,
            "externalCustomerId": contact.external_customer_id if contact else None,
            "mediaType": channel,
            channel: address,
            "statusData": {},
        }
        if content.get("externalRequestId") is not None:
            event["externalRequestId"] = content["externalRequestId"]
        self.outbox.add(event)
        return sent

    def smartsend_captured(self, template, recipients: list) -> list[tuple[str, Sent | None, str | None]]:
        """Smartsend of an email, SMS or Viber template: each recipient's address gets one captured
        message, with its jsonParam values filled in; (locator, sent, None) or (label, None, why not)."""
        channel = template.channel
        kind = "email" if channel == "email" else channel
        results: list[tuple[str, Sent | None, str | None]] = []
        for recipient in recipients:
            if recipient.kind == "locator":
                address = str(recipient.value)
                contact = self.contacts.find("email" if channel == "email" else "phone", address)
                if contact is None and channel == "viber":
                    contact = next((c for c in self.contacts.live() if address in c.channel_values("viber")), None)
                if contact is None:
                    results.append((address, None, f"No contact holds {address}"))
                    continue
            else:
                contact = (
                    self.contacts.get(int(recipient.value)) if recipient.kind == "contactId"
                    else self.contacts.find("externalCustomerId", str(recipient.value))
                )
                if contact is None:
                    results.append((recipient.label, None, f"Contact {recipient.value} not found"))
                    continue
                values = contact.channel_values(kind) or (contact.phones if channel == "viber" else [])
                if not values:
                    results.append((recipient.label, None, f"Contact {contact.id} has no {kind} channel"))
                    continue
                address = values[0]
            version = template.version(recipient.language)
            content = {k: render_text(v, recipient.params) if isinstance(v, str) else v
                       for k, v in version.fields.items() if k in ("from", "subject", "htmlText", "text", "img", "caption", "action")}
            if recipient.external_request_id is not None:
                content["externalRequestId"] = recipient.external_request_id
            sent = self._capture(channel, address, contact, content, tags=template.tags, message_id=template.id)
            results.append((address, sent, None))
        return results

    def broadcast(self, body: object, base_url: str) -> tuple[Broadcast, BroadcastRun | None, list[Sent]]:
        """``POST /v1/broadcast``: a template to an audience; Telegram ones through a bot, as a run the
        caller steps through (``BroadcastRun.step``), adding each slice's requestIds to the broadcast."""
        spec = parse_broadcast(body)
        app_uuid = self.app(spec.app_uuid).app_uuid if spec.app_uuid is not None else None
        digits = spec.message_id.isascii() and spec.message_id.isdigit() and len(spec.message_id) <= 18
        template = self.messages.find(int(spec.message_id)) if digits else None
        if template is None:
            raise NotFound(f"Message {spec.message_id} not found")
        for group_id in [*spec.groups, *spec.excluded]:
            self.group(group_id)  # an unknown group is a 404, not an empty audience
        if template.channel != "telegram":
            app_uuid = None  # appId only picks the bot of a Telegram broadcast
        elif app_uuid is None:
            bots = list(self.apps)
            if len(bots) != 1:
                raise InvalidInput("appId is required for Telegram when the account has several bots: the app_uuid of the bot to send through")
            app_uuid = bots[0].app_uuid  # the vendor makes appId optional; with one bot there is no doubt
        now = self.clock.now()
        send_id = self.deliveries.new_send_id()
        run: BroadcastRun | None = None
        captured: list[Sent] = []
        if app_uuid is not None:
            run = self.deliveries.start_broadcast(
                template, app_uuid, now, base_url, spec.groups, spec.excluded, spec.start_at, send_id=send_id
            )
        elif template.channel in ("email", "sms", "viber"):
            content = {k: v for k, v in template.fields.items() if k in ("from", "subject", "htmlText", "text", "img", "caption", "action")}
            for address, contact in self._audience(template.channel, spec.groups, spec.excluded):
                captured.append(
                    self._capture(template.channel, address, contact, content, tags=template.tags, message_id=template.id, broadcast_id=send_id)
                )
        broadcast = Broadcast(
            id=send_id, message_id=template.id, channel=template.channel, created_at=now, title=spec.title,
            groups=spec.groups, excluded=spec.excluded, start_at=spec.start_at, batch_size=spec.batch_size,
            batch_interval_unit=spec.batch_interval_unit, app_uuid=app_uuid,
            request_ids=[s.request_id for s in captured],
        )
        self.broadcasts.add(broadcast)
        return broadcast, run, captured

    def _audience(self, channel: str, groups: list[int], excluded: list[int]) -> list[tuple[str, Contact]]:
        kind = "email" if channel == "email" else channel
        wanted, unwanted = set(groups), set(excluded)
        found = []
        for contact in self.contacts.live():
            ids = {g.get("id") for g in contact.groups if isinstance(g, dict)}
            if (wanted and not ids & wanted) or ids & unwanted:
                continue
            values = contact.channel_values(kind) or (contact.phones if channel == "viber" else [])
            if values:
                found.append((values[0], contact))
        return found

    def cancel_broadcast(self, broadcast_id: int) -> tuple[Broadcast, list[Delivery]]:
        broadcast = self.broadcasts.remove(broadcast_id)
        return broadcast, self.deliveries.cancel(broadcast.request_ids, self.clock.now())

    def message_status(self, request_id: str) -> dict | None:
        """A send's status in the API's words, whichever channel it went through; None when unknown."""
        delivery = self.deliveries.get(request_id)
        if delivery is not None:
            return {
                "requestId": delivery.request_id,
                "status": API_STATUS[delivery.status],
                "delivered": delivery.status in (SENT, CLICKED),
                "failed": delivery.status == FAILED,
            }
        sent = self.sent.by_request(request_id)
        if sent is None:
            return None
        delivered = sent.status == DELIVERED
        return {"requestId": sent.request_id, "status": sent.status, "delivered": delivered, "failed": not delivered}


def chat_from_spec(chat_id: str, spec: str | dict) -> Chat:
    """A chat from the scenario's short form (``"111": blocked``) or long form (a mapping)."""
    if isinstance(spec, str):
        return Chat(id=chat_id, state=spec)
    return Chat(id=chat_id, **spec)
