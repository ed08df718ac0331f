"""Snapshot parts of the events and the orders the API kept (``domain.commerce``).

Registered in ``core.PARTS`` with one line. Each is ``{"next_id", "items"}``; an item is what
``as_dict`` writes, and the bounds (``limits.events``, ``limits.orders``) are the settings'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..commerce.events import Event, EventLog
from ..commerce.orders import Order, OrderBook, parse_order
from .checks import Apply, int_or_null, integer, listing, mapping, need, number, objects, text_or_null

if TYPE_CHECKING:
    from ..world import World


def dump_events(world: "World") -> dict:
    return {"next_id": world.events.next_id, "items": [e.as_dict() for e in world.events]}


def _params(item: dict, where: str, version: int) -> list[dict]:
    params = objects(item.get("params", []), f"{where}.params")
    kinds = (str,) if version == 1 else (str, dict)
    for index, param in enumerate(params):
        need(isinstance(param.get("name"), str), f"{where}.params[{index}].name", "must be a string")
        need(isinstance(param.get("value"), kinds), f"{where}.params[{index}].value", "must be a string" + (" or an object" if version == 2 else ""))
    return [{"name": p["name"], "value": p["value"]} for p in params]


def load_events(world: "World", data: object) -> Apply:
    data = mapping(data, "events")
    log = EventLog(world.limits.events)
    last = 0
    for index, item in enumerate(listing(data.get("items", []), "events.items")):
        where = f"events.items[{index}]"
        item = mapping(item, where)
        version = item.get("version")
        need(version in (1, 2) and not isinstance(version, bool), f"{where}.version", "must be 1 or 2")
        type_key = item.get("eventTypeKey")
        need(isinstance(type_key, str) and type_key != "", f"{where}.eventTypeKey", "must be a non-empty string")
        assert isinstance(type_key, str) and isinstance(version, int)  # narrowed by the two checks above
        for key in ("occurred_at", "received_at"):
            need(number(item.get(key)), f"{where}.{key}", "must be a number")
        need(isinstance(item.get("past", False), bool), f"{where}.past", "must be true or false")
        event = Event(
            id=integer(item, "id", where, low=1), version=version, event_type_key=type_key,
            key_value=text_or_null(item, "keyValue", where), params=_params(item, where, version),
            occurred=float(item["occurred_at"]), received_at=float(item["received_at"]),
            past=item.get("past", False), contact_id=int_or_null(item, "contactId", where),
        )
        need(event.id > last, f"{where}.id", f"ids must rise: {event.id} is not above {last}")
        last = event.id
        log.put(event)
    next_id = integer(data, "next_id", "events", low=1, default=log.next_id)
    need(next_id >= log.next_id, "events.next_id", "must be above every event id")
    log.next_id = next_id
    return lambda: world.adopt(events=log)


def dump_orders(world: "World") -> dict:
    return {"next_id": world.orders.next_id, "items": [o.as_dict() for o in world.orders]}


def load_orders(world: "World", data: object) -> Apply:
    data = mapping(data, "orders")
    book = OrderBook(world.limits.orders)
    last = 0
    for index, item in enumerate(listing(data.get("items", []), "orders.items")):
        where = f"orders.items[{index}]"
        item = mapping(item, where)
        fields = parse_order(item.get("order"), f"{where}.order")
        need(fields == item["order"], f"{where}.order", "holds keys or nulls the API never keeps")
        for key in ("received_at", "updated_at"):
            need(number(item.get(key)), f"{where}.{key}", "must be a number")
        order = Order(
            id=integer(item, "id", where, low=1), fields=fields, contact_id=int_or_null(item, "contactId", where),
            received_at=float(item["received_at"]), updated_at=float(item["updated_at"]),
            updates=integer(item, "updates", where, default=0),
        )
        need(order.id > last, f"{where}.id", f"ids must rise: {order.id} is not above {last}")
        last, held = order.id, len(book)
        book.put(order)
        need(len(book) > held, f"{where}.order.externalOrderId", f"duplicate externalOrderId {order.external_order_id!r}")
    next_id = integer(data, "next_id", "orders", low=1, default=book.next_id)
    need(next_id >= book.next_id, "orders.next_id", "must be above every order id")
    book.next_id = next_id
    return lambda: world.adopt(orders=book)


PARTS = [
    ("events", dump_events, load_events),
    ("orders", dump_orders, load_orders),
]
