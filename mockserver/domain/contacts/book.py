"""Contacts and the contact book: identifiers, normalization and O(1) indexes.

The book is the one store that the tokens API, the contacts API and delivery
share. Its indexes hold live contacts only, so a soft-deleted contact is
invisible to resolution and searches until it is restored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..text import SPACE

EMAIL = "email"
SMS = "sms"

# Whitespace as JSON Schema's (ECMAScript's) ``\s`` defines it, so that "blank" means the same
# here as in openapi.yaml's ``pattern: '\S'``. Python's own notion differs (it counts
# U+001C..U+001F and U+0085, and not U+FEFF); contract fuzzing caught the gap.
def normalize_email(value: str) -> str:
    normal = value.strip(SPACE).lower()
    # An address already in normal form is kept as the same object: at a million contacts
    # the index would otherwise hold a second copy of every address.
    return value if normal == value else normal


_NOT_DIGITS = re.compile(r"[^0-9]+")


def normalize_phone(value: str) -> str:
    """Phones match on their digits alone: ``+38 (050) 123-45-67`` = ``380501234567``."""
    if value.isascii():  # the usual shapes, digits or "+" and digits, without the regex
        if value.isdigit():
            return value
        if value[:1] == "+" and value[1:].isdigit():
            return value[1:]
    return _NOT_DIGITS.sub("", value)


# The contact's plain text fields: the API's (and scenario's) name → the attribute.
TEXT_FIELDS = {
    "firstName": "first_name",
    "lastName": "last_name",
    "externalCustomerId": "external_customer_id",
    "contactKey": "contact_key",
    "languageCode": "language_code",
    "timeZone": "time_zone",
}


@dataclass(slots=True, eq=False)
class Channel(Mapping):
    """A channel other than Telegram, ``{"type": ..., "value": ...}``, in a quarter of a dict's memory.

    It reads as the dict it stands for (``c["type"]``, ``c.get("value")``, ``dict(c)``), equals
    that dict, and orjson writes it as that object. Generated and restored contacts get these
    (a million contacts with an email each are a design point); a contact's channels may mix
    them with plain dicts, as the API builds those.
    """

    type: str
    value: str

    def __getitem__(self, key: str) -> str:
        if key == "type":
            return self.type
        if key == "value":
            return self.value
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        if key == "type":
            return self.type
        if key == "value":
            return self.value
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(("type", "value"))

    def __len__(self) -> int:
        return 2


def compact(channel: Mapping[str, Any]) -> Mapping[str, Any]:
    """A copy of a channel: a ``Channel`` for ``{"type", "value"}`` strings in that key order
    (so that it is written back the same), a dict for any other."""
    if len(channel) == 2 and next(iter(channel)) == "type":
        kind, value = channel.get("type"), channel.get("value")
        if type(kind) is str and type(value) is str:
            return Channel(kind, value)
    return dict(channel)


# Slots: a million contacts is a design point (bench/scale.py), and an instance dict costs
# about 200 bytes more per contact than the slots do.
@dataclass(slots=True)
class Contact:
    id: int
    first_name: str | None = None
    last_name: str | None = None
    # Channels other than Telegram, in the API's own shape: {"type": ..., "value": ...}.
    channels: list[Mapping[str, Any]] = field(default_factory=list)
    external_customer_id: str | None = None
    contact_key: str | None = None
    address: dict | None = None
    # Most contacts have neither: one shared empty tuple instead of two empty lists each
    # (the book replaces these whole, never appends to them).
    fields: Sequence[dict] = ()
    groups: Sequence[dict] = ()
    language_code: str | None = None
    time_zone: str | None = None
    # Telegram tokens (chat ids) per app_uuid, insertion-ordered, without duplicates.
    tokens: dict[str, list[str]] = field(default_factory=dict)
    deleted: bool = False
    # Order of the last update; "the most recently updated contact wins".
    stamp: int = 0

    def channel_values(self, kind: str) -> list[str]:
        return [c["value"] for c in self.channels if c.get("type") == kind]

    @property
    def emails(self) -> list[str]:
        return self.channel_values(EMAIL)

    @property
    def phones(self) -> list[str]:
        return self.channel_values(SMS)

    def index_keys(self) -> list[tuple[str, str]]:
        """The (index, normalized value) pairs under which this contact is found."""
        keys = []
        if self.external_customer_id is not None:
            keys.append(("externalCustomerId", self.external_customer_id))
        emails = []
        for channel in self.channels:
            kind = channel.get("type")
            if kind == SMS:
                digits = normalize_phone(channel["value"])
                if digits:
                    keys.append(("phone", digits))
            elif kind == EMAIL:
                email = normalize_email(channel["value"])
                if email:
                    emails.append(("email", email))
        return keys + emails if emails else keys


@dataclass
class Savepoint:
    """What a batch did so far, so that a refused batch can be undone exactly."""

    next_id: int
    stamp: int
    created: list[Contact] = field(default_factory=list)
    added: list[tuple[Contact, str, str, int]] = field(default_factory=list)


class ContactBook:
    """All contacts, live and soft-deleted, with indexes over the live ones."""

    def __init__(self, id_base: int = 1) -> None:
        self._by_id: dict[int, Contact] = {}
        # index -> normalized value -> the id of the one live contact holding it, or a set of
        # ids when several do (rare): a set per value would cost 216 bytes per identifier.
        self._index: dict[str, dict[str, int | set[int]]] = {
            "externalCustomerId": {},
            "phone": {},
            "email": {},
        }
        # app_uuid -> token -> number of live contacts holding it.
        self._holders: dict[str, dict[str, int]] = {}
        self._next_id = id_base
        self._stamp = 0

    # -- reading -----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Contact]:
        return iter(self._by_id.values())

    def live(self) -> Iterator[Contact]:
        return (c for c in self._by_id.values() if not c.deleted)

    def get(self, contact_id: int, *, include_deleted: bool = False) -> Contact | None:
        contact = self._by_id.get(contact_id)
        if contact is None or (contact.deleted and not include_deleted):
            return None
        return contact

    def find(self, index: str, value: str) -> Contact | None:
        """The live contact holding an identifier; on duplicates the most recently updated, then highest id."""
        if index == "phone":
            value = normalize_phone(value)
        elif index == "email":
            value = normalize_email(value)
        ids = self._index[index].get(value)
        if ids is None:
            return None
        if isinstance(ids, int):
            return self._by_id[ids]
        return max((self._by_id[i] for i in ids), key=lambda c: (c.stamp, c.id))

    def find_all(self, index: str, value: str) -> list[Contact]:
        if index == "phone":
            value = normalize_phone(value)
        elif index == "email":
            value = normalize_email(value)
        return [self._by_id[i] for i in sorted(_ids(self._index[index].get(value)))]

    def holds(self, index: str, value: str) -> bool:
        return self.find(index, value) is not None

    def index_snapshot(self) -> dict[str, dict[str, set[int]]]:
        """A copy of the indexes, for invariant checks against a full scan."""
        return {name: {k: _ids(v) for k, v in idx.items()} for name, idx in self._index.items()}

    def subscribers(self, app_uuid: str) -> int:
        return len(self._holders.get(app_uuid, ()))

    def holds_token(self, app_uuid: str, token: str) -> bool:
        """Whether a live contact holds a token of an app (O(1), from the holder counts)."""
        return token in self._holders.get(app_uuid, ())

    def token_holder_count(self, app_uuid: str, token: str) -> int:
        return self._holders.get(app_uuid, {}).get(token, 0)

    def token_holders(self, app_uuid: str, token: str) -> list[Contact]:
        """Live contacts holding a token of an app (a full scan; not on a hot path)."""
        return [c for c in self.live() if token in c.tokens.get(app_uuid, ())]

    @property
    def next_id(self) -> int:
        return self._next_id

    @property
    def stamp(self) -> int:
        """The last update stamp handed out (snapshots keep it so that order survives a restore)."""
        return self._stamp

    def set_counters(self, next_id: int, stamp: int) -> None:
        """Put back the id and stamp counters of a snapshot (never below what the contacts use)."""
        self._next_id = max(next_id, self._next_id)
        self._stamp = max(stamp, self._stamp)

    # -- writing -----------------------------------------------------------

    def touch(self, contact: Contact) -> None:
        self._stamp += 1
        contact.stamp = self._stamp

    def add(self, contact: Contact) -> Contact:
        """Store a contact built elsewhere (seeded, created or restored from a snapshot)."""
        if contact.id in self._by_id:
            raise ValueError(f"contact id {contact.id} is already taken")
        self._by_id[contact.id] = contact
        self._next_id = max(self._next_id, contact.id + 1)
        if contact.stamp > self._stamp:
            self._stamp = contact.stamp
        elif contact.stamp == 0:
            self.touch(contact)
        if not contact.deleted:
            self._link(contact)
        return contact

    def add_all(self, contacts: Iterable[Contact]) -> None:
        """``add`` for many contacts at once (a restore, a generated audience): the same result,
        with the index upkeep written out in one loop, as it is most of a large restore's time
        (hence the counters in locals, and the last app's token counts kept at hand).
        A taken id raises ValueError; the contacts before it are in the book by then."""
        by_id, holders = self._by_id, self._holders
        external_index, phone_index, email_index = (self._index[name] for name in ("externalCustomerId", "phone", "email"))
        next_id, stamp = self._next_id, self._stamp
        last_app: str | None = None
        last_held: dict[str, int] = {}
        try:
            for contact in contacts:
                contact_id = contact.id
                if contact_id in by_id:
                    raise ValueError(f"contact id {contact_id} is already taken")
                by_id[contact_id] = contact
                if contact_id >= next_id:
                    next_id = contact_id + 1
                if contact.stamp > stamp:
                    stamp = contact.stamp
                elif contact.stamp == 0:
                    stamp += 1
                    contact.stamp = stamp
                if contact.deleted:
                    continue
                external = contact.external_customer_id
                if external is not None and external_index.setdefault(external, contact_id) != contact_id:
                    _share(external_index, external, contact_id)
                for channel in contact.channels:
                    kind = channel.get("type")
                    if kind == EMAIL:
                        key, entries = normalize_email(channel["value"]), email_index
                    elif kind == SMS:
                        key, entries = normalize_phone(channel["value"]), phone_index
                    else:
                        continue
                    if key and entries.setdefault(key, contact_id) != contact_id:
                        _share(entries, key, contact_id)
                for app_uuid, tokens in contact.tokens.items():
                    if app_uuid != last_app:
                        last_app, last_held = app_uuid, holders.setdefault(app_uuid, {})
                    for token in tokens:
                        last_held[token] = last_held.get(token, 0) + 1
        finally:
            self._next_id, self._stamp = next_id, stamp

    def create(self, **attributes) -> Contact:
        contact = Contact(id=self._next_id, **attributes)
        return self.add(contact)

    def add_token(self, contact: Contact, app_uuid: str, token: str) -> bool:
        """Add a token; tokens are only ever added, and a duplicate changes nothing."""
        tokens = contact.tokens.setdefault(app_uuid, [])
        if token in tokens:
            return False
        tokens.append(token)
        if not contact.deleted:
            holders = self._holders.setdefault(app_uuid, {})
            holders[token] = holders.get(token, 0) + 1
        self.touch(contact)
        return True

    def remove_token(self, contact: Contact, app_uuid: str, token: str) -> bool:
        tokens = contact.tokens.get(app_uuid)
        if not tokens or token not in tokens:
            return False
        tokens.remove(token)
        if not tokens:
            del contact.tokens[app_uuid]
        if not contact.deleted:
            self._release(app_uuid, token)
        self.touch(contact)
        return True

    def update(self, contact: Contact, **changes) -> None:
        """Change attributes of a contact, keeping the indexes true."""
        live = not contact.deleted
        if live:
            self._unlink(contact)
        for name, value in changes.items():
            setattr(contact, name, value)
        if live:
            self._link(contact)
        self.touch(contact)

    def soft_delete(self, contact: Contact) -> None:
        """Hide a contact from reads and resolution; its tokens go, so no token sits on a deleted card."""
        if contact.deleted:
            return
        self._unlink(contact)
        contact.tokens = {}
        contact.deleted = True
        self.touch(contact)

    def restore(self, contact: Contact) -> None:
        if not contact.deleted:
            return
        contact.deleted = False
        self._link(contact)
        self.touch(contact)

    def erase(self, contact: Contact) -> None:
        if not contact.deleted:
            self._unlink(contact)
        del self._by_id[contact.id]

    def savepoint(self) -> Savepoint:
        return Savepoint(self._next_id, self._stamp)

    def rollback(self, mark: Savepoint) -> None:
        """Undo the contacts created and tokens added since ``mark``, stamps included."""
        for contact, app_uuid, token, stamp in reversed(mark.added):
            self.remove_token(contact, app_uuid, token)
            contact.stamp = stamp
        for contact in reversed(mark.created):
            self.erase(contact)
        self._next_id, self._stamp = mark.next_id, mark.stamp

    # -- index upkeep --------------------------------------------------------

    def _link(self, contact: Contact) -> None:
        contact_id = contact.id
        indexes = self._index
        for index, key in contact.index_keys():
            entries = indexes[index]
            if entries.setdefault(key, contact_id) != contact_id:
                _share(entries, key, contact_id)
        for app_uuid, tokens in contact.tokens.items():
            holders = self._holders.get(app_uuid)
            if holders is None:
                holders = self._holders[app_uuid] = {}
            for token in tokens:
                holders[token] = holders.get(token, 0) + 1

    def _unlink(self, contact: Contact) -> None:
        contact_id = contact.id
        for index, key in contact.index_keys():
            entries = self._index[index]
            held = entries.get(key)
            if held is None:
                continue
            if isinstance(held, int):
                if held == contact_id:
                    del entries[key]
                continue
            held.discard(contact_id)
            if len(held) == 1:
                entries[key] = next(iter(held))
        for app_uuid, tokens in contact.tokens.items():
            for token in tokens:
                self._release(app_uuid, token)

    def _release(self, app_uuid: str, token: str) -> None:
        holders = self._holders[app_uuid]
        if holders[token] == 1:
            del holders[token]
        else:
            holders[token] -= 1


def _share(entries: dict[str, int | set[int]], key: str, contact_id: int) -> None:
    """Record a second (third, ...) live contact holding an index value."""
    held = entries[key]
    if isinstance(held, int):
        if held != contact_id:
            entries[key] = {held, contact_id}
    else:
        held.add(contact_id)


def _ids(held: int | set[int] | None) -> set[int]:
    """The ids an index entry holds, whichever form it takes."""
    if held is None:
        return set()
    return {held} if isinstance(held, int) else set(held)


def scan_index(contacts: Iterable[Contact]) -> dict[str, dict[str, set[int]]]:
    """The indexes rebuilt by a full scan of live contacts (what the book must agree with)."""
    result: dict[str, dict[str, set[int]]] = {"externalCustomerId": {}, "phone": {}, "email": {}}
    for contact in contacts:
        if contact.deleted:
            continue
        for index, key in contact.index_keys():
            result[index].setdefault(key, set()).add(contact.id)
    return result
