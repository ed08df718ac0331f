"""Events (``POST /v1/event``, ``/v2/event``) and past events (``/v1|v2/past_events``), kept in one log.

The two versions differ in their parameters: v1 values are strings, v2 values a string or an
object (nested JSON sent as is). A live event names its contact by ``keyValue`` (v1) or by a
contact identifier among its ``params``; a past event always has a ``keyValue`` and may say when
it ``occurred``. Each event is resolved to the live contact it names, when one does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..contacts.book import ContactBook
from ..errors import Conflict, InvalidInput
from .checks import key_text, moment

MAX_TYPE_KEY = 100
MAX_KEY_VALUE = 300
MAX_PAST_EVENTS = 500
# The param names that identify a contact (v1 without keyValue, and every v2 event, need one).
IDENTIFIERS = ("contactId", "externalCustomerId", "email", "phone", "pushToken")


@dataclass
class Event:
    """One event as the API received it."""

    id: int
    version: int  # 1 or 2: the shape it came in
    event_type_key: str
    key_value: str | None
    params: list[dict]
    occurred: float  # epoch seconds, UTC: when it happened (a live event: when it arrived)
    received_at: float
    past: bool = False  # sent through past_events (no workflow would start for it)
    contact_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "version": self.version,
            "past": self.past,
            "eventTypeKey": self.event_type_key,
            "keyValue": self.key_value,
            "params": [dict(p) for p in self.params],
            "contactId": self.contact_id,
            "occurred_at": self.occurred,
            "received_at": self.received_at,
        }


@dataclass
class EventDraft:
    """A checked event before it is numbered and resolved."""

    version: int
    event_type_key: str
    key_value: str | None
    params: list[dict] = field(default_factory=list)
    occurred: float | None = None


def _params(value: object, version: int, where: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{where} must be an array of {{name, value}} objects")
    params = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{at} must be an object with name and value")
        name, data = item.get("name"), item.get("value")
        if not isinstance(name, str):
            raise InvalidInput(f"{at}.name is required: a string")
        if version == 1 and not isinstance(data, str):
            raise InvalidInput(f"{at}.value is required: a string (v1 values are strings)")
        if version == 2 and not isinstance(data, (str, dict)):
            raise InvalidInput(f"{at}.value is required: a string or an object")
        params.append({"name": name, "value": data})
    return params


def _has_identifier(params: list[dict]) -> bool:
    return any(p["name"] in IDENTIFIERS for p in params)


def parse_event(body: object, version: int) -> EventDraft:
    """``POST /v1/event`` (``version=1``) or ``/v2/event``: one event, checked whole."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object: an event")
    if body.get("eventTypeKey") is None:
        raise InvalidInput("eventTypeKey is required")
    type_key = key_text(body["eventTypeKey"], "eventTypeKey", MAX_TYPE_KEY)
    params = _params(body.get("params"), version, "params")
    key_value = None
    if version == 1 and body.get("keyValue") is not None:
        key_value = key_text(body["keyValue"], "keyValue", MAX_KEY_VALUE)
    if key_value is None and not _has_identifier(params):
        which = "keyValue is required, or params must name the contact" if version == 1 else "params must name the contact"
        raise InvalidInput(f"{which}: a param named one of {', '.join(IDENTIFIERS)}")
    return EventDraft(version, type_key, key_value, params)


def parse_past_events(body: object, version: int) -> list[EventDraft]:
    """``POST /v1|v2/past_events``: ``{"events": [...]}``, every one checked before any is kept."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object: {\"events\": [...]}")
    items = body.get("events")
    if items is None:
        raise InvalidInput("events is required: an array of past events")
    if not isinstance(items, list):
        raise InvalidInput("events must be an array of past events")
    if len(items) > MAX_PAST_EVENTS:
        raise InvalidInput(f"Too many events: {len(items)} (at most {MAX_PAST_EVENTS} per request)")
    drafts = []
    for index, item in enumerate(items):
        where = f"events[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where} must be an object")
        if item.get("eventTypeKey") is None:
            raise InvalidInput(f"{where}.eventTypeKey is required")
        if item.get("keyValue") is None:
            raise InvalidInput(f"{where}.keyValue is required")
        type_key = key_text(item["eventTypeKey"], f"{where}.eventTypeKey", MAX_TYPE_KEY)
        key_value = key_text(item["keyValue"], f"{where}.keyValue", MAX_KEY_VALUE)
        params = _params(item.get("params"), version, f"{where}.params")
        occurred = moment(item["occurred"], f"{where}.occurred") if item.get("occurred") is not None else None
        drafts.append(EventDraft(version, type_key, key_value, params, occurred))
    return drafts


def parse_period(body: object) -> tuple[float, float]:
    """``DELETE /v1/past_events``: ``{"from", "to"}``, both included (from after to removes nothing)."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object: {\"from\", \"to\"}")
    for key in ("from", "to"):
        if body.get(key) is None:
            raise InvalidInput(f"{key} is required: a date-time")
    return moment(body["from"], "from"), moment(body["to"], "to")  # from after to: an empty period


def event_contact(book: ContactBook, draft: EventDraft) -> int | None:
    """The live contact an event names: an identifier param first, then its keyValue as an
    externalCustomerId, an email or a phone number."""
    for param in draft.params:
        name, value = param["name"], param["value"]
        if not isinstance(value, str) or name not in IDENTIFIERS or name == "pushToken":
            continue
        if name == "contactId":
            found = book.get(int(value)) if value.isascii() and value.isdigit() and len(value) <= 18 else None
        else:
            found = book.find(name, value)
        if found is not None:
            return found.id
    if draft.key_value is not None:
        for index in ("externalCustomerId", "email", "phone"):
            if index != "email" or "@" in draft.key_value:
                found = book.find(index, draft.key_value)
                if found is not None:
                    return found.id
    return None


class EventLog:
    """Every event kept, oldest first, by id; at most ``capacity`` (``limits.events``)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._by_id: dict[int, Event] = {}
        self.next_id = 1

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def put(self, event: Event) -> None:
        self._by_id[event.id] = event
        self.next_id = max(self.next_id, event.id + 1)

    def record(self, book: ContactBook, drafts: list[EventDraft], now: float, *, past: bool) -> list[Event]:
        """Keep every draft, or none when they would pass the bound."""
        if len(self._by_id) + len(drafts) > self.capacity:
            raise Conflict(
                f"The emulator keeps at most {self.capacity} events (limits.events) and holds {len(self._by_id)}: "
                "clear them with DELETE /_mock/events"
            )
        kept = []
        for draft in drafts:
            event = Event(
                id=self.next_id, version=draft.version, event_type_key=draft.event_type_key,
                key_value=draft.key_value, params=draft.params,
                occurred=draft.occurred if draft.occurred is not None else now, received_at=now,
                past=past, contact_id=event_contact(book, draft),
            )
            self.put(event)
            kept.append(event)
        return kept

    def remove_period(self, start: float, end: float) -> int:
        """Drop the events that occurred from ``start`` to ``end`` (both included)."""
        doomed = [i for i, e in self._by_id.items() if start <= e.occurred <= end]
        for event_id in doomed:
            del self._by_id[event_id]
        return len(doomed)

    def clear(self) -> int:
        removed = len(self._by_id)
        self._by_id.clear()
        return removed

    def search(
        self,
        event_type_key: str | None = None,
        key_value: str | None = None,
        contact_id: int | None = None,
        past: bool | None = None,
        since: int | None = None,
    ) -> list[Event]:
        """The events that match every filter given, oldest first (``since``: ids above it)."""
        return [
            e for e in self._by_id.values()
            if (event_type_key is None or e.event_type_key == event_type_key)
            and (key_value is None or e.key_value == key_value)
            and (contact_id is None or e.contact_id == contact_id)
            and (past is None or e.past == past)
            and (since is None or e.id > since)
        ]
