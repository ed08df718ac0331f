"""Snapshot parts of the email / SMS / Viber outbox and of the broadcasts that were sent.

Registered in ``core.PARTS`` with one line; templates of every channel are the ``messages``
part (``snapshot.sending``). RequestIds of captured sends come from the one requestId stream,
whose counter the ``sending`` part keeps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..sending.broadcasts import Broadcast, Broadcasts
from ..sending.instant import CHANNELS, Sent, SentMessages
from ..sending.messages import CHANNELS as TEMPLATE_CHANNELS
from ..sending.parsing import BATCH_UNITS
from .checks import (
    Apply,
    int_or_null,
    integer,
    is_int,
    listing,
    mapping,
    need,
    number,
    number_or_null,
    objects,
    text,
    text_or_null,
)

if TYPE_CHECKING:
    from ..world import World


def dump_sent(world: "World") -> dict:
    sent = world.sent
    return {"next_id": sent.next_id, "cleared_through": sent.cleared_through, "messages": [s.as_dict() for s in sent]}


def _strings(item: dict, key: str, where: str) -> list[str]:
    value = item.get(key, [])
    need(isinstance(value, list) and all(isinstance(v, str) for v in value), f"{where}.{key}", "must be a list of strings")
    return list(value)


def load_sent(world: "World", data: object) -> Apply:
    data = mapping(data, "sent")
    store = SentMessages()
    seen: set[str] = set()
    for index, item in enumerate(listing(data.get("messages", []), "sent.messages")):
        where = f"sent.messages[{index}]"
        item = mapping(item, where)
        channel = item.get("channel")
        need(isinstance(channel, str) and channel in CHANNELS, f"{where}.channel", f"must be one of {', '.join(CHANNELS)}")
        need(number(item.get("created_at")), f"{where}.created_at", "must be a number")
        need(isinstance(item.get("contactCreated", False), bool), f"{where}.contactCreated", "must be true or false")
        sent = Sent(
            id=integer(item, "id", where, low=1),
            request_id=text(item, "requestId", where),
            channel=str(channel),
            to=text(item, "to", where),
            contact_id=int_or_null(item, "contactId", where),
            content=dict(mapping(item.get("content", {}), f"{where}.content")),
            created_at=float(item["created_at"]),
            status=text(item, "status", where),
            message_id=int_or_null(item, "messageId", where),
            broadcast_id=int_or_null(item, "broadcastId", where),
            contact_created=item.get("contactCreated", False),
            tags=_strings(item, "tags", where),
        )
        need(sent.id not in {s.id for s in store}, f"{where}.id", f"duplicate outbox id {sent.id}")
        need(sent.request_id not in seen, f"{where}.requestId", f"duplicate requestId {sent.request_id}")
        seen.add(sent.request_id)
        store.put(sent)
    next_id = integer(data, "next_id", "sent", low=1, default=store.next_id)
    need(next_id >= store.next_id, "sent.next_id", "must be above every outbox id")
    store.next_id = next_id
    store.cleared_through = integer(data, "cleared_through", "sent", default=0, high=next_id - 1)

    def apply() -> None:
        world.adopt(sent=store)

    return apply


def dump_broadcasts(world: "World") -> list[dict]:
    return [b.as_dict() for b in world.broadcasts]


def _ids(item: dict, key: str, where: str) -> list[int]:
    value = item.get(key, [])
    need(isinstance(value, list) and all(is_int(v) for v in value), f"{where}.{key}", "must be a list of integers")
    return list(value)


def load_broadcasts(world: "World", data: object) -> Apply:
    store = Broadcasts()
    for index, item in enumerate(objects(data, "broadcasts")):
        where = f"broadcasts[{index}]"
        channel = item.get("channel")
        need(isinstance(channel, str) and channel in TEMPLATE_CHANNELS, f"{where}.channel", f"must be one of {', '.join(TEMPLATE_CHANNELS)}")
        need(number(item.get("created_at")), f"{where}.created_at", "must be a number")
        unit = item.get("batchIntervalUnit")
        need(unit is None or (isinstance(unit, str) and unit in BATCH_UNITS), f"{where}.batchIntervalUnit", f"must be null or one of {', '.join(BATCH_UNITS)}")
        broadcast = Broadcast(
            id=integer(item, "id", where, low=1),
            message_id=integer(item, "messageId", where, low=1),
            channel=str(channel),
            created_at=float(item["created_at"]),
            title=text_or_null(item, "title", where),
            groups=_ids(item, "groups", where),
            excluded=_ids(item, "excludedGroups", where),
            start_at=number_or_null(item, "start_at", where),
            batch_size=int_or_null(item, "batchSize", where),
            batch_interval_unit=unit,
            app_uuid=text_or_null(item, "appId", where),
            request_ids=_strings(item, "requestIds", where),
        )
        need(broadcast.id not in {b.id for b in store}, f"{where}.id", f"duplicate broadcast id {broadcast.id}")
        store.add(broadcast)

    def apply() -> None:
        world.adopt(broadcasts=store)

    return apply


PARTS = [
    ("sent", dump_sent, load_sent),
    ("broadcasts", dump_broadcasts, load_broadcasts),
]
