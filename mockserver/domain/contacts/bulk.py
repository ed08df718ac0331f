"""Add/update contacts in bulk (POST /v1/contacts) and the import sessions it leaves behind.

esputnik.com processes a bulk request asynchronously; the emulator processes it at once,
so its import session is FINISHED by the time the answer is sent. A request that is wrong
as a whole changes nothing; a contact that is wrong on its own lands in ``failed`` with
the reason and the others are still processed, as the real ``failedContacts`` suggests.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import InvalidInput, required_array
from ..numbers import INT32_MAX, INT64_MAX, is_int
from .book import EMAIL, SMS, Contact, ContactBook, normalize_email, normalize_phone
from .groups import Groups
from .updates import (
    NAME_ATTRIBUTES,
    TEXT_ATTRIBUTES,
    ContactData,
    _channel_list,
    _field_list,
    is_blank,
    new_contact_attributes,
    parse_contact,
)

DEDUPE_ON = ("email", "sms", "push", "webpush", "email_or_sms", "id", "externalCustomerId", "fieldId")
CONTACT_FIELDS = (
    "firstName", "lastName", "contactKey", "languageCode", "timeZone", "email", "sms",
    "mobilepush", "webpush", "address", "town", "region", "postcode", "externalCustomerId",
    # Deprecated in the vendor document and not kept by the emulator: accepted, and changes nothing.
    "ordersInfo",
)
PUSH_CHANNEL = {"push": "mobilepush", "webpush": "webpush"}
INDEX_OF = {"externalCustomerId": "externalCustomerId", EMAIL: "email", SMS: "phone"}
MAX_EVENT_KEY = 100
MAX_GROUP_NAME = 255


@dataclass
class BulkRequest:
    contacts: list[object]
    dedupe_on: str
    field_id: int | None = None
    contact_fields: set[str] | None = None
    custom_field_ids: set[int] = field(default_factory=set)
    group_names: list[str] = field(default_factory=list)
    group_names_exclude: list[str] = field(default_factory=list)
    restore_deleted: bool = False


@dataclass
class Failure:
    index: int
    contact: object
    error: str


@dataclass
class ImportSession:
    id: str
    status: str
    timestamp: float
    mapping: list[tuple[str, int]]
    description: str | None = None


class ImportSessions:
    """Sessions by id, numbered deterministically so that runs can be compared."""

    def __init__(self, sessions: list[ImportSession] | None = None) -> None:
        self._by_id: dict[str, ImportSession] = {s.id: s for s in sessions or ()}

    def __iter__(self):
        return iter(self._by_id.values())

    @staticmethod
    def id_for(number: int) -> str:
        """The id of the ``number``-th session (from 1)."""
        return str(uuid.UUID(int=number))

    def open(self, now: float, mapping: list[tuple[str, int]], description: str | None) -> ImportSession:
        session_id = self.id_for(len(self._by_id) + 1)
        session = ImportSession(session_id, "FINISHED", now, mapping, description)
        self._by_id[session_id] = session
        return session

    def get(self, session_id: str) -> ImportSession | None:
        return self._by_id.get(session_id)


def _string_list(body: dict, name: str, limit: int) -> list[str]:
    raw = body.get(name)
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, str) and not is_blank(v) for v in raw):
        raise InvalidInput(f"{name} must be an array of non-empty strings")
    for value in raw:
        if len(value) > limit:
            raise InvalidInput(f"{name}: {value[:20]!r}... is longer than {limit} characters")
    return list(raw)


def parse_bulk(body: object, *, limit: int) -> BulkRequest:
    """Check the request as a whole; contacts themselves are checked one by one later."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object with 'contacts' and 'dedupeOn'")
    contacts = required_array(body, "contacts", limit)
    dedupe_on = _dedupe_on(body.get("dedupeOn"))
    request = BulkRequest(contacts, dedupe_on, field_id=_field_id(body.get("fieldId"), dedupe_on))
    request.contact_fields = _contact_fields(body.get("contactFields"))
    request.custom_field_ids = _custom_field_ids(body.get("customFieldsIDs"))
    request.group_names = _string_list(body, "groupNames", MAX_GROUP_NAME)
    request.group_names_exclude = _string_list(body, "groupNamesExclude", MAX_GROUP_NAME)
    restore = body.get("restoreDeleted")
    if restore is not None and not isinstance(restore, bool):
        raise InvalidInput("Field 'restoreDeleted' must be a boolean")
    request.restore_deleted = bool(restore)
    event_key = body.get("eventKeyForNewContacts")
    if event_key is not None and (not isinstance(event_key, str) or len(event_key) > MAX_EVENT_KEY):
        raise InvalidInput(f"Field 'eventKeyForNewContacts' must be a string of at most {MAX_EVENT_KEY} characters")
    return request


def _dedupe_on(raw: object) -> str:
    if raw is None:
        raise InvalidInput("Field 'dedupeOn' is required")
    if raw not in DEDUPE_ON:
        raise InvalidInput(f"Field 'dedupeOn' must be one of {', '.join(DEDUPE_ON)}")
    return str(raw)


def _field_id(raw: object, dedupe_on: str) -> int | None:
    if raw is not None and (not is_int(raw) or not 0 < raw <= INT64_MAX):
        raise InvalidInput("Field 'fieldId' must be a positive int64 integer")
    if dedupe_on == "fieldId" and raw is None:
        raise InvalidInput("Field 'fieldId' is required when dedupeOn is fieldId")
    return raw


def _contact_fields(raw: object) -> set[str] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise InvalidInput("Field 'contactFields' must be an array of strings")
    unknown = [f for f in raw if f not in CONTACT_FIELDS]
    if unknown:
        raise InvalidInput(f"Field 'contactFields': unknown field {unknown[0]!r}; known: {', '.join(CONTACT_FIELDS)}")
    return set(raw)


def _custom_field_ids(raw: object) -> set[int]:
    if raw is None:
        return set()
    if not isinstance(raw, list) or not all(is_int(i) and 0 < i <= INT32_MAX for i in raw):
        raise InvalidInput("Field 'customFieldsIDs' must be an array of positive int32 integers")
    return set(raw)


# -- matching --------------------------------------------------------------------


@dataclass
class Key:
    """What one contact of the batch is deduplicated on: the field, its value, how to look it up."""

    name: str
    value: str | int
    dedupe_value: str


def _key(request: BulkRequest, data: ContactData, index: int) -> Key:
    external_id = data.attributes.get("external_customer_id")
    if isinstance(external_id, str):  # parse_contact let only a string through
        return Key("externalCustomerId", external_id, external_id)
    kind = request.dedupe_on
    if kind in (EMAIL, SMS):
        values = data.values(kind)
        if values:
            return Key(kind, values[0], values[0])
    elif kind == "email_or_sms":
        for channel in (EMAIL, SMS):
            values = data.values(channel)
            if values:
                return Key(channel, values[0], values[0])
    elif kind in PUSH_CHANNEL:
        values = data.values(PUSH_CHANNEL[kind])
        if values:
            return Key(PUSH_CHANNEL[kind], values[0], values[0])
    elif kind == "id":
        if data.id is not None:
            return Key("id", data.id, str(data.id))
    elif kind == "fieldId" and request.field_id is not None and data.fields:
        value = data.fields.get(request.field_id)
        if value is not None:
            return Key("fieldId", value, value)
    wanted = {"fieldId": f"value for field {request.field_id}", "id": "id"}.get(kind, f"{kind} value")
    raise InvalidInput(f"contacts[{index}] has no externalCustomerId and no {wanted} to dedupe on")


def _comparable(name: str, value: str | int) -> str | int:
    if name == EMAIL:
        return normalize_email(str(value))
    if name == SMS:
        return normalize_phone(str(value))
    return value


def _key_of(contact: Contact, name: str, field_id: int | None) -> list[str | int]:
    """Every value a stored contact could be matched on by ``name``."""
    if name == "id":
        return [contact.id]
    if name == "externalCustomerId":
        return [contact.external_customer_id] if contact.external_customer_id is not None else []
    if name == "fieldId":
        return [f["value"] for f in contact.fields if f["id"] == field_id]
    return [_comparable(name, v) for v in contact.channel_values(name)]


class Matcher:
    """Finds the contact a batch item dedupes to.

    Email, phone, externalCustomerId and id use the book's O(1) indexes. Push tokens, custom
    fields and soft-deleted contacts have no index, so each is scanned once per batch and the
    scan is kept true by ``note`` as the batch changes contacts.
    """

    def __init__(self, book: ContactBook, field_id: int | None) -> None:
        self.book = book
        self.field_id = field_id
        self._scans: dict[tuple[str, bool], dict[str | int, list[Contact]]] = {}

    def _scan(self, name: str, deleted: bool) -> dict[str | int, list[Contact]]:
        index = self._scans.get((name, deleted))
        if index is None:
            index = {}
            for contact in self.book:
                if contact.deleted == deleted:
                    for value in _key_of(contact, name, self.field_id):
                        index.setdefault(value, []).append(contact)
            self._scans[(name, deleted)] = index
        return index

    def note(self, contact: Contact) -> None:
        """Record a contact the batch created or changed in the live scans built so far."""
        for (name, deleted), index in self._scans.items():
            if not deleted:
                for value in _key_of(contact, name, self.field_id):
                    holders = index.setdefault(value, [])
                    if contact not in holders:
                        holders.append(contact)

    def live(self, key: Key) -> list[Contact]:
        if key.name == "id":
            contact = self.book.get(int(key.value))
            return [contact] if contact is not None else []
        if key.name in INDEX_OF:
            return self.book.find_all(INDEX_OF[key.name], str(key.value))
        value = _comparable(key.name, key.value)
        return [
            c
            for c in self._scan(key.name, False).get(value, [])
            if not c.deleted and value in _key_of(c, key.name, self.field_id)
        ]

    def deleted(self, key: Key) -> Contact | None:
        if key.name == "id":
            contact = self.book.get(int(key.value), include_deleted=True)
            return contact if contact is not None and contact.deleted else None
        holders = self._scan(key.name, True).get(_comparable(key.name, key.value), [])
        found = [c for c in holders if c.deleted]
        return _newest(found) if found else None


def _newest(contacts: list[Contact]) -> Contact:
    return max(contacts, key=lambda c: (c.stamp, c.id))


def find_target(matcher: Matcher, key: Key, data: ContactData) -> tuple[Contact | None, str]:
    """The live contact an item updates and the field it was found by (ADD-DOC's matching rules).

    An unknown externalCustomerId falls back on the item's email: a single holder is updated;
    of several holders the most recently updated one without an externalCustomerId wins; when
    every holder has another externalCustomerId, a new contact is made.
    """
    found = matcher.live(key)
    if found:
        return _newest(found), key.name
    if key.name != "externalCustomerId":
        return None, key.name
    for email in data.values(EMAIL):
        holders = matcher.book.find_all("email", email)
        if len(holders) == 1:
            return holders[0], EMAIL
        without_id = [c for c in holders if c.external_customer_id is None]
        if without_id:
            return _newest(without_id), EMAIL
        if holders:
            break
    return None, key.name


# -- applying --------------------------------------------------------------------

UPDATABLE_CHANNELS = (EMAIL, SMS, "mobilepush", "webpush")
ADDRESS_FIELDS = {"address": "address", "town": "town", "region": "region", "postcode": "postcode"}


def bulk_changes(contact: Contact, data: ContactData, request: BulkRequest, matched_on: str) -> dict:
    """What a bulk item changes on a matched contact: the listed fields (all when none are
    listed), absent data clearing them; never the field it was matched on."""
    allowed = set(CONTACT_FIELDS) if request.contact_fields is None else set(request.contact_fields)
    allowed.discard(matched_on)
    changes: dict = {}
    for name, attr in {**NAME_ATTRIBUTES, **TEXT_ATTRIBUTES}.items():
        if name in allowed:
            changes[attr] = data.attributes.get(attr)
    replace = _channel_replacements(data, allowed)
    if replace:
        changes["channels"] = _channel_list(contact, replace)
    parts = [part for name, part in ADDRESS_FIELDS.items() if name in allowed]
    if parts:
        changes["address"] = _address_with(contact.address, data.address, parts)
    listed = _listed_fields(data, request, matched_on)
    if listed:
        changes["fields"] = _field_list(contact.fields, listed)
    return changes


def _channel_replacements(data: ContactData, allowed: set[str]) -> dict[str, list[str]]:
    """Channel type -> its new values: the allowed updatable types (absent ones emptied) and
    every other type the item sent."""
    replace = {kind: data.values(kind) for kind in UPDATABLE_CHANNELS if kind in allowed}
    for kind, values in (data.channels or {}).items():
        if kind not in UPDATABLE_CHANNELS:
            replace[kind] = values
    return replace


def _address_with(current: dict | None, sent: dict[str, str] | None, parts: list[str]) -> dict | None:
    """The address with ``parts`` taken from ``sent``, a part it lacks removed."""
    address = dict(current or {})
    for part in parts:
        value = (sent or {}).get(part)
        if value is None:
            address.pop(part, None)
        else:
            address[part] = value
    return address or None


def _listed_fields(data: ContactData, request: BulkRequest, matched_on: str) -> dict[int, str | None]:
    """The custom fields the item sent that the request lists, less the one it was matched on."""
    if not data.fields:
        return {}
    listed = {k: v for k, v in data.fields.items() if k in request.custom_field_ids}
    if matched_on == "fieldId" and request.field_id is not None:
        listed.pop(request.field_id, None)
    return listed


def _groups(current: Sequence[dict], request: BulkRequest, groups_known: Groups) -> list[dict] | None:
    if not request.group_names and not request.group_names_exclude:
        return None
    groups = [g for g in current if g["name"] not in request.group_names_exclude]
    names = {g["name"] for g in groups}
    for name in request.group_names:
        if name not in names and name not in request.group_names_exclude:
            groups.append(groups_known.static(name).as_dict())
            names.add(name)
    return groups


def run_bulk(
    book: ContactBook, groups_known: Groups, request: BulkRequest
) -> tuple[list[tuple[str, int]], list[Failure]]:
    """Process the batch in order; each item sees what earlier items did. Returns the mapping
    (dedupe value -> contact id) and the items that could not be processed."""
    matcher = Matcher(book, request.field_id)
    mapping: list[tuple[str, int]] = []
    failures: list[Failure] = []
    for index, raw in enumerate(request.contacts):
        try:
            data = parse_contact(raw, where=f"contacts[{index}]", with_id=True)
            key = _key(request, data, index)
        except InvalidInput as exc:
            failures.append(Failure(index, raw, exc.message))
            continue
        contact, matched_on = find_target(matcher, key, data)
        if contact is None:
            gone = matcher.deleted(key)
            if gone is not None:
                if not request.restore_deleted:
                    message = f"contacts[{index}]: contact {gone.id} is deleted; send restoreDeleted=true to restore it"
                    failures.append(Failure(index, raw, message))
                    continue
                book.restore(gone)
                contact = gone
        if contact is None and key.name == "id":
            failures.append(Failure(index, raw, f"contacts[{index}]: no contact with id {key.value}"))
            continue
        if contact is None:
            contact = book.create(**new_contact_attributes(data))
            changes: dict = {}
        else:
            changes = bulk_changes(contact, data, request, matched_on)
        groups = _groups(contact.groups, request, groups_known)
        if groups is not None:
            changes["groups"] = groups
        if changes:
            book.update(contact, **changes)
        matcher.note(contact)
        mapping.append((key.dedupe_value, contact.id))
    return mapping, failures
