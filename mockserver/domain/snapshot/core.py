"""The world as plain JSON data, and back: ``World.snapshot()`` / ``World.restore()``.

The snapshot is made of *parts*, one top-level key each. A part has a ``dump`` that
reads the world and a ``load`` that checks its data and builds new objects, returning
an ``apply`` step that cannot fail. Restore runs every load first and every apply
afterwards, so a bad snapshot changes nothing. To put a new piece of the world into
the snapshot, write its two functions and add a ``Part`` to ``PARTS``.
Sending (``snapshot_sending``) and the bots' side with bulk imports (``snapshot_bots``)
live in their own modules; ``World.connect()`` ties the restored parts together.

Keys marked *derived* in a dump (e.g. a contact's ``email``, an app's
``subscribers``) are there for readers and are recomputed, not read, on restore.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..contacts.apps import App, Apps, parse_app_uuid
from ..contacts.book import EMAIL, SMS, TEXT_FIELDS, Contact, ContactBook, compact
from ..contacts.generate import collector_paused
from ..errors import InvalidInput
from ..sending.activity import WebhookTarget
from ..settings import ASSUMPTION_CHOICES, Account, Limits
from ..telegram.chats import CHAT_STATES, Chat, TelegramWorld
from ..telegram.history import check_history
from . import account as kept_account
from . import audience, bot_settings, bots, commerce, files, sending, sends
from .checks import Apply, is_int, listing, mapping, need, number, objects, present, text_or_null

if TYPE_CHECKING:
    from ..world import World

FORMAT_VERSION = 2


@dataclass(frozen=True)
class Part:
    """One top-level key of the snapshot.

    ``rows``, for the parts that grow with the world (contacts, deliveries), gives the list's
    elements one at a time and without copying what they share with the world, so that a
    door can write a large document in pieces (``stream``); ``dump`` is the detached whole.
    """

    key: str
    dump: Callable[["World"], Any]
    load: Callable[["World", Any], Apply]
    rows: Callable[["World"], Iterable[Any]] | None = None


# -- clock ---------------------------------------------------------------------------


def dump_clock(world: "World") -> dict:
    return world.clock.snapshot()


def load_clock(world: "World", data: object) -> Apply:
    data = mapping(data, "clock")
    frozen_at, offset = data.get("frozen_at"), data.get("offset", 0.0)
    need(frozen_at is None or number(frozen_at), "clock.frozen_at", "must be a number or null")
    need(number(offset), "clock.offset", "must be a number")
    return lambda: world.clock.restore({"frozen_at": frozen_at, "offset": offset})


# -- settings: account (its balance and address books in account.py), assumptions, limits, webhooks --


def dump_settings(world: "World") -> dict:
    account = world.account
    return {
        "name": world.name,
        "account": {
            "api_keys": list(account.api_keys),
            "organisation_name": account.organisation_name,
            "user_email": account.user_email,
            "org_id": account.org_id,
            "balance": kept_account.dump_balance(account),
            "address_books": kept_account.dump_address_books(account),
        },
        "assumptions": dict(world.assumptions),
        "limits": dict(vars(world.limits)),
        "webhooks": _webhook_target(world),
    }


def load_settings(world: "World", data: object) -> Apply:
    data = mapping(data, "settings")
    account = mapping(data.get("account", {}), "settings.account")
    keys = account.get("api_keys", [])
    need(isinstance(keys, list) and all(isinstance(k, str) for k in keys), "settings.account.api_keys", "must be a list of strings")
    name = data.get("name", "")
    need(isinstance(name, str), "settings.name", "must be a string")
    try:
        new_account = Account(
            api_keys=list(keys),
            organisation_name=str(account.get("organisation_name", Account.organisation_name)),
            user_email=str(account.get("user_email", Account.user_email)),
            org_id=account.get("org_id", Account.org_id),
            balance=kept_account.load_balance(account),
            address_books=kept_account.load_address_books(account),
        )
        limits = Limits(**mapping(data.get("limits", {}), "settings.limits"))
    except TypeError as exc:
        raise InvalidInput(f"settings: {exc}") from None
    need(is_int(new_account.org_id), "settings.account.org_id", "must be an integer")
    for key, value in vars(limits).items():
        need(is_int(value) and value > 0, f"settings.limits.{key}", "must be a positive integer")
    for key in ("organisation_name", "user_email"):
        need(isinstance(account.get(key, ""), str), f"settings.account.{key}", "must be a string")
    assumptions = mapping(data.get("assumptions", {}), "settings.assumptions")
    for key, value in assumptions.items():
        need(key in ASSUMPTION_CHOICES, f"settings.assumptions.{key}", "unknown assumption")
        choices = ASSUMPTION_CHOICES[key]
        need(value in choices, f"settings.assumptions.{key}", f"must be one of {', '.join(choices)}")
    webhooks = data.get("webhooks")
    need(webhooks is None or isinstance(webhooks, dict), "settings.webhooks", "must be an object or null")
    if webhooks:
        need(isinstance(webhooks.get("url"), str), "settings.webhooks.url", "must be a string")
        for key in ("username", "password"):
            text_or_null(webhooks, key, "settings.webhooks")
    try:
        target = WebhookTarget(**webhooks) if webhooks else None
    except TypeError as exc:
        raise InvalidInput(f"settings.webhooks: {exc}") from None

    return lambda: world.configure(
        name=name, account=new_account, limits=limits, assumptions=assumptions, webhook_target=target
    )


def _webhook_target(world: "World") -> dict | None:
    target = world.outbox.target
    return None if target is None else {"url": target.url, "username": target.username, "password": target.password}


# -- apps ------------------------------------------------------------------------------


def dump_apps(world: "World") -> list[dict]:
    return [
        {
            "app_uuid": app.app_uuid,
            "token": app.token,
            "username": app.username,
            "first_name": app.first_name,
            # Expired mutes change nothing, so only live ones are shown (and restored).
            "mutes": {token: until for token, until in app.mutes.items() if until > world.clock.now()},
            "subscribers": world.contacts.subscribers(app.app_uuid),  # derived
        }
        for app in world.apps
    ]


def load_apps(world: "World", data: object) -> Apply:
    apps = []
    for index, entry in enumerate(listing(data, "apps")):
        where = f"apps[{index}]"
        item = mapping(entry, where)
        app_uuid = present(parse_app_uuid(str(item.get("app_uuid", ""))), f"{where}.app_uuid", "must be a UUID")
        for key in ("token", "username"):
            need(isinstance(item.get(key), str) and item[key], f"{where}.{key}", "must be a non-empty string")
        subscribers = item.get("subscribers", 0)  # derived: recounted, only its type is checked
        need(is_int(subscribers) and subscribers >= 0, f"{where}.subscribers", "must be a non-negative integer")
        mutes = mapping(item.get("mutes", {}), f"{where}.mutes")
        need(all(number(v) for v in mutes.values()), f"{where}.mutes", "must map tokens to epoch seconds")
        apps.append(
            App(app_uuid, item["token"], item["username"], text_or_null(item, "first_name", where), {str(k): float(v) for k, v in mutes.items()})
        )
    new = Apps(apps)
    need(len(new) == len(apps), "apps", "app_uuid values must be unique")

    return lambda: world.adopt(apps=new)


# -- contacts --------------------------------------------------------------------------


def contact_row(contact: Contact) -> dict:
    """A contact as the snapshot shows it, sharing its lists and objects with the contact
    (to be written out at once; ``dump_contact`` is the detached copy)."""
    email = phone = None
    for channel in contact.channels:
        kind = channel.get("type")
        if kind == EMAIL:
            if email is None:
                email = channel["value"]
        elif kind == SMS and phone is None:
            phone = channel["value"]
    return {
        "id": contact.id,
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "externalCustomerId": contact.external_customer_id,
        "contactKey": contact.contact_key,
        "languageCode": contact.language_code,
        "timeZone": contact.time_zone,
        "email": email,  # derived
        "phone": phone,  # derived
        "channels": contact.channels,
        "address": contact.address,
        "fields": contact.fields,
        "groups": contact.groups,
        "tokens": contact.tokens,
        "deleted": contact.deleted,
        "stamp": contact.stamp,
    }


assert list(contact_row(Contact(id=0)))[1:7] == list(TEXT_FIELDS), "contact_row must follow TEXT_FIELDS"


def dump_contact(contact: Contact) -> dict:
    data = contact_row(contact)
    data["channels"] = [dict(c) for c in contact.channels]
    data["address"] = dict(contact.address) if contact.address is not None else None
    data["fields"] = [dict(f) for f in contact.fields]
    data["groups"] = [dict(g) for g in contact.groups]
    data["tokens"] = {app: list(tokens) for app, tokens in contact.tokens.items()}
    return data


def load_contact(item: object, where: str) -> Contact:
    """The full check: every key by name, each refusal naming its place."""
    item = mapping(item, where)
    need(is_int(item.get("id")), f"{where}.id", "must be an integer")
    contact = Contact(id=item["id"])
    for key, attr in TEXT_FIELDS.items():
        setattr(contact, attr, text_or_null(item, key, where))
    for derived in ("email", "phone"):  # read from channels; only their type is checked
        text_or_null(item, derived, where)
    contact.channels = _load_channels(item.get("channels", []), f"{where}.channels")
    address = item.get("address")
    need(address is None or isinstance(address, dict), f"{where}.address", "must be an object or null")
    contact.address = dict(address) if address is not None else None
    contact.fields = _load_objects(item.get("fields", []), f"{where}.fields")
    contact.groups = _load_objects(item.get("groups", []), f"{where}.groups")
    contact.tokens = _load_tokens(item.get("tokens", {}), f"{where}.tokens")
    deleted = item.get("deleted", False)
    need(isinstance(deleted, bool), f"{where}.deleted", "must be a boolean")
    contact.deleted = deleted
    need(not (contact.deleted and contact.tokens), f"{where}.tokens", "a deleted contact holds no tokens")
    stamp = item.get("stamp", 0)
    need(is_int(stamp) and stamp >= 0, f"{where}.stamp", "must be a non-negative integer")
    contact.stamp = stamp
    return contact


def _load_channels(channels: object, where: str) -> list[Mapping[str, Any]]:
    need(
        isinstance(channels, list)
        and all(isinstance(c, dict) and isinstance(c.get("type"), str) and isinstance(c.get("value"), str) for c in channels),
        where,
        "must be a list of {type, value} objects",
    )
    assert isinstance(channels, list)
    return [compact(c) for c in channels]


def _load_objects(value: object, where: str) -> Sequence[dict]:
    """A contact's fields or groups: copies, or the shared empty tuple for none."""
    checked = objects(value, where)
    return [dict(v) for v in checked] if checked else ()


def _load_tokens(data: object, where: str) -> dict[str, list[str]]:
    tokens = mapping(data, where)
    for app_uuid, chat_ids in tokens.items():
        need(
            isinstance(chat_ids, list) and all(isinstance(c, str) for c in chat_ids) and len(set(chat_ids)) == len(chat_ids),
            f"{where}.{app_uuid}",
            "must be a list of distinct strings",
        )
    return {app: list(ids) for app, ids in tokens.items() if ids}


_TEXT = frozenset((str, type(None)))
# The keys of a contact in the order ``contact_row`` writes them.
CONTACT_KEYS = tuple(contact_row(Contact(id=0)))


def quick_contact(item: object) -> Contact | None:
    """The contact a snapshot item written by GET describes, or None to let ``load_contact`` decide.

    It takes only items with exactly the keys GET writes, in its order, and accepts only what
    ``load_contact`` accepts, building the same contact (a test holds both to that); its checks
    are exact type tests on the values in place of one named check per key.
    """
    if type(item) is not dict or tuple(item) != CONTACT_KEYS:
        return None
    (contact_id, first, last, external, key, language, zone, email, phone,
     channels, address, fields, groups, tokens, deleted, stamp) = item.values()
    if not _quick_scalars(contact_id, deleted, stamp, (first, last, external, key, language, zone, email, phone, address)):
        return None
    copied = _quick_channels(channels)
    held = _quick_tokens(tokens)
    if copied is None or held is None or not (_quick_objects(fields) and _quick_objects(groups)) or (deleted and held):
        return None
    return Contact(
        contact_id, first, last, copied, external, key, dict(address) if address is not None else None,
        [dict(v) for v in fields] if fields else (), [dict(v) for v in groups] if groups else (),
        language, zone, held, deleted, stamp,
    )


def _quick_scalars(contact_id: object, deleted: object, stamp: object, texts: tuple[object, ...]) -> bool:
    """The id, flags and counters, then the text fields (the address last: an object or null)."""
    if type(contact_id) is not int or type(deleted) is not bool or type(stamp) is not int or stamp < 0:
        return False
    *strings, address = texts
    return _TEXT.issuperset(map(type, strings)) and (address is None or type(address) is dict)


def _quick_channels(channels: object) -> list[Mapping[str, Any]] | None:
    if type(channels) is not list:
        return None
    copied: list[Mapping[str, Any]] = []
    for channel in channels:
        if type(channel) is not dict or type(channel.get("type")) is not str or type(channel.get("value")) is not str:
            return None
        copied.append(compact(channel))
    return copied


def _quick_objects(values: object) -> bool:
    return type(values) is list and all(type(v) is dict for v in values)


def _quick_tokens(tokens: object) -> dict[str, list[str]] | None:
    if type(tokens) is not dict:
        return None
    held = {}
    for app_uuid, chat_ids in tokens.items():
        if type(chat_ids) is not list or not _TEXT.issuperset(map(type, chat_ids)) or None in chat_ids:
            return None
        if len(chat_ids) > 1 and len(set(chat_ids)) != len(chat_ids):
            return None
        if chat_ids:
            held[app_uuid] = chat_ids.copy()
    return held


def written_contact(item: dict) -> Contact:
    """The contact of an item in a document this emulator wrote itself (see ``restore``).

    Such an item is ``contact_row`` of a contact that was whole, so nothing in it is checked
    again, and the document was parsed for this restore alone, so its lists and dicts become
    the contact's own instead of being copied. Restoring 100,000 contacts spends most of its
    time on this and the book's indexes.
    """
    (contact_id, first, last, external, key, language, zone, _email, _phone,
     channels, address, fields, groups, tokens, deleted, stamp) = item.values()
    return Contact(
        contact_id, first, last, [compact(c) for c in channels], external, key, address,
        fields or (), groups or (), language, zone, tokens, deleted, stamp,
    )


def comes_back_as_written(items: list[dict]) -> bool:
    """Whether contacts written as ``items`` are restored unchanged, so that they write the same items again.

    A contact of a whole world always is; only a stamp of 0 (the book stamps it anew) or an empty
    token list (dropped) would change, and the answer to a written document with either is written
    afresh.
    """
    return all(item["stamp"] and all(item["tokens"].values()) for item in items)


def dump_contacts(world: "World") -> list[dict]:
    return [dump_contact(c) for c in world.contacts]


def dump_book(world: "World") -> dict:
    return {"next_id": world.contacts.next_id, "stamp": world.contacts.stamp}


def load_contacts(world: "World", data: dict, written: bool = False) -> Apply:
    """Contacts and their book's counters come in two keys but are rebuilt together.

    ``written``: the document is one this emulator wrote, parsed for this restore alone.
    """
    items = listing(data.get("contacts", []), "contacts")
    counters = mapping(data.get("contact_book", {}), "contact_book")
    next_id, stamp = counters.get("next_id", 1), counters.get("stamp", 0)
    need(is_int(next_id), "contact_book.next_id", "must be an integer")
    need(is_int(stamp) and stamp >= 0, "contact_book.stamp", "must be a non-negative integer")
    if written:
        contacts = [written_contact(item) for item in items]
    else:
        # The quick check takes the snapshots GET writes; anything it is unsure of goes to
        # the full check, which refuses it with a message naming the place, or takes it.
        contacts = [quick_contact(item) or load_contact(item, f"contacts[{index}]") for index, item in enumerate(items)]
    book = ContactBook(id_base=next_id)
    try:
        book.add_all(contacts)
    except ValueError:  # the book refuses a second contact with an id: say which
        seen: set[int] = set()
        for index, contact in enumerate(contacts):
            need(contact.id not in seen, f"contacts[{index}].id", f"duplicate contact id {contact.id}")
            seen.add(contact.id)
        raise
    book.set_counters(max(next_id, book.next_id), max(stamp, book.stamp))

    return lambda: world.adopt(contacts=book)


# -- telegram --------------------------------------------------------------------------

CHAT_KEYS = ("first_name", "last_name", "username", "language_code", "phone_number")


def dump_telegram(world: "World") -> dict:
    telegram = world.telegram
    return {
        "default_chat_state": telegram.default_state,
        "clicks": dict(telegram.clicks),
        "chats": {
            chat.id: {
                "state": chat.state,
                **{key: getattr(chat, key) for key in CHAT_KEYS},
                "retry_after": chat.retry_after,
                "limited_sends": chat.limited_sends,
                "messages": [dict(m) for m in chat.messages],
                **({"actions": [dict(a) for a in chat.actions]} if chat.actions else {}),
            }
            for chat in telegram.chats.values()
        },
    }


CLICK_MODES = ("always", "never", "probability")


def load_clicks(data: object) -> dict:
    """How simulated users click: the deliveries part rebuilds its click policy from this."""
    clicks = mapping(data, "telegram.clicks")
    unknown = sorted(set(clicks) - {"mode", "probability", "seed"})
    need(not unknown, "telegram.clicks", f"unknown keys: {', '.join(unknown)}")
    need(clicks.get("mode") in CLICK_MODES, "telegram.clicks.mode", f"must be one of {', '.join(CLICK_MODES)}")
    probability = clicks.get("probability", 0.0)
    need(number(probability) and 0 <= probability <= 1, "telegram.clicks.probability", "must be a number from 0 to 1")
    need(is_int(clicks.get("seed", 0)), "telegram.clicks.seed", "must be an integer")
    return dict(clicks)


def load_telegram(world: "World", data: object) -> Apply:
    data = mapping(data, "telegram")
    default = data.get("default_chat_state", "active")
    need(default in CHAT_STATES, "telegram.default_chat_state", f"must be one of {', '.join(CHAT_STATES)}")
    clicks = load_clicks(data.get("clicks", {"mode": "never"}))
    telegram = TelegramWorld(default_state=default, clicks=clicks)
    for chat_id, spec in mapping(data.get("chats", {}), "telegram.chats").items():
        where = f"telegram.chats.{chat_id}"
        spec = mapping(spec, where)
        need(spec.get("state", "active") in CHAT_STATES, f"{where}.state", f"must be one of {', '.join(CHAT_STATES)}")
        retry_after, limited = spec.get("retry_after", 1), spec.get("limited_sends")
        need(is_int(retry_after) and retry_after >= 0, f"{where}.retry_after", "must be a non-negative integer")
        need(limited is None or (is_int(limited) and limited >= 0), f"{where}.limited_sends", "must be a non-negative integer or null")
        messages = spec.get("messages", [])
        need(isinstance(messages, list) and all(isinstance(m, dict) for m in messages), f"{where}.messages", "must be a list of objects")
        chat = Chat(id=str(chat_id), state=spec.get("state", "active"), retry_after=retry_after, limited_sends=limited)
        for key in CHAT_KEYS:
            setattr(chat, key, text_or_null(spec, key, where))
        chat.messages = [dict(m) for m in messages]
        actions = spec.get("actions", [])
        problem = check_history(messages, actions, where)  # edits, deletions and chat actions (sendChatAction)
        if problem is not None:
            raise InvalidInput(problem)
        chat.actions = [dict(a) for a in actions]
        telegram.chats[chat.id] = chat

    return lambda: world.adopt(telegram=telegram)


# -- the parts list ------------------------------------------------------------------------

PARTS: list[Part] = [
    Part("clock", dump_clock, load_clock),
    Part("settings", dump_settings, load_settings),
    Part("apps", dump_apps, load_apps),
    Part("contact_book", dump_book, lambda world, data: (lambda: None)),
    Part("contacts", dump_contacts, lambda world, data: (lambda: None), rows=lambda world: map(contact_row, world.contacts)),
    Part("telegram", dump_telegram, load_telegram),
    *(Part(*part) for part in sending.PARTS),
    *(Part(*part) for part in bots.PARTS),
    *(Part(*part) for part in sends.PARTS),
    *(Part(*part) for part in files.PARTS),
    *(Part(*part) for part in commerce.PARTS),
    *(Part(*part) for part in audience.PARTS),
    *(Part(*part) for part in bot_settings.PARTS),
]
# Loads that need the whole snapshot (several keys rebuilt as one, or checked against each other).
# The contacts come first, and are loaded by ``restore`` itself, which knows whether they are as written.
WHOLE_LOADS: list[Callable[["World", dict], Apply]] = [
    sending.load_deliveries, bots.load_bots, files.load_files, bot_settings.load_bot_settings,
]


class Rows:
    """The elements of one list part, to be written one by one (see ``stream``)."""

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


def stream(world: "World") -> Iterator[tuple[str, Any]]:
    """The snapshot as (key, value) pairs in document order; a value is ``Rows`` where the part
    has rows. Written out without a pause between pairs, it is the same document as ``snapshot``."""
    yield "version", FORMAT_VERSION
    for part in PARTS:
        yield part.key, Rows(part.rows(world)) if part.rows is not None else part.dump(world)


def snapshot(world: "World") -> dict:
    data: dict[str, Any] = {"version": FORMAT_VERSION}
    for part in PARTS:
        data[part.key] = part.dump(world)
    return data


def restore(world: "World", data: object, written: bool = False) -> bool:
    """Replace the world's state with a snapshot; on any problem raise InvalidInput and change nothing.

    ``written`` says the document is byte for byte one this emulator wrote (the door knows it by
    its digest) and was parsed for this restore alone: its contacts, the bulk of it, are then
    taken without their checks (``written_contact``). A document changed in any way is not
    written, so it is checked in full and refused when damaged.

    True when a written document was taken as written: the world then writes its contacts back
    exactly as they are in it (the door compares the other parts, which may depend on the time).
    """
    need(isinstance(data, dict), "state", "must be an object")
    assert isinstance(data, dict)
    need(data.get("version") == FORMAT_VERSION, "version", f"must be {FORMAT_VERSION}")
    known = {"version", *(part.key for part in PARTS)}
    unknown = sorted(set(data) - known)
    need(not unknown, "state", f"unknown keys: {', '.join(unknown)}")
    missing = [part.key for part in PARTS if part.key not in data]
    need(not missing, "state", f"missing keys: {', '.join(missing)}")
    with collector_paused():
        steps = [part.load(world, data[part.key]) for part in PARTS]
        written = written and isinstance(data["contacts"], list) and comes_back_as_written(data["contacts"])
        steps += [load_contacts(world, data, written), *(load(world, data) for load in WHOLE_LOADS)]
    for step in steps:
        step()
    world.connect()
    return written
