"""Checking a scenario's ``expect`` against the world and the journal: a list of failures, each explained."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .domain.contacts.book import Contact
from .domain.world import World
from .journal import Journal, RequestFilter
from .scenario.schema import EXPECT_SUBJECTS


def verify(world: World, journal: Journal, items: list[dict]) -> dict:
    failures = []
    for index, item in enumerate(items):
        reasons = list(_check(world, journal, item))
        if reasons:
            failures.append({"index": index, "expect": item, "reasons": reasons})
    return {"passed": not failures, "checked": len(items), "failures": failures}


def _check(world: World, journal: Journal, item: dict) -> Iterator[str]:
    """The item names one subject (the loader made sure); its checker says what does not hold."""
    subject = next(name for name in EXPECT_SUBJECTS if name in item)
    yield from CHECKS[subject](world, journal, item)


def _check_app(world: World, journal: Journal, item: dict) -> Iterator[str]:
    app = world.apps.resolve(item["app"])
    if app is None:
        yield f"no bot {item['app']!r}"
        return
    if "subscribers" in item:
        actual = world.contacts.subscribers(app.app_uuid)
        if actual != item["subscribers"]:
            yield f"bot @{app.username} has {actual} subscribers, expected {item['subscribers']}"


def _count_problem(found: int, wanted: int | dict, what: str) -> Iterator[str]:
    """``count`` is a number or ``{min, max}``: say so when ``found`` is outside it."""
    low, high = (wanted, wanted) if isinstance(wanted, int) else (wanted.get("min", 0), wanted.get("max"))
    if found < low or (high is not None and found > high):
        want = str(low) if low == high else f"between {low} and {high if high is not None else 'any number'}"
        yield f"{found} {what}, expected {want}"


def _check_requests(world: World, journal: Journal, item: dict) -> Iterator[str]:
    query = item["requests"]
    method = query.get("method")
    found = RequestFilter(method.upper() if method else None, query.get("path"), query.get("status")).count(journal)
    yield from _count_problem(found, item["count"], f"journaled requests match {query}")


def _check_events(world: World, journal: Journal, item: dict) -> Iterator[str]:
    query = item["events"]
    found = world.events.search(
        event_type_key=query.get("eventTypeKey"), key_value=query.get("keyValue"),
        contact_id=query.get("contactId"), past=query.get("past"),
    )
    yield from _count_problem(len(found), item["count"], f"kept events match {query}")


def _check_orders(world: World, journal: Journal, item: dict) -> Iterator[str]:
    query = item["orders"]
    found = world.orders.search(
        status=query.get("status"), external_order_id=query.get("externalOrderId"),
        external_customer_id=query.get("externalCustomerId"), contact_id=query.get("contactId"),
    )
    yield from _count_problem(len(found), item["count"], f"kept orders match {query}")


def _check_chat(world: World, journal: Journal, item: dict) -> Iterator[str]:
    chat = world.telegram.chats.get(str(item["chat"]))
    state = chat.state if chat else world.telegram.default_state
    if "state" in item and state != item["state"]:
        yield f"chat {item['chat']} is {state}, expected {item['state']}"
    received = len(chat.messages) if chat else 0
    if "messages" in item and received != item["messages"]:
        yield f"chat {item['chat']} received {received} messages, expected {item['messages']}"


def _check_contact_count(world: World, journal: Journal, item: dict) -> Iterator[str]:
    live = sum(1 for _ in world.contacts.live())
    if live != item["contact_count"]:
        yield f"{live} live contacts, expected {item['contact_count']}"


def _find(world: World, selector: dict) -> Contact | None:
    (key, value), = selector.items()
    if key == "id":
        return world.contacts.get(value, include_deleted=True)
    return world.contacts.find(key, value)


def _check_contact(world: World, journal: Journal, item: dict) -> Iterator[str]:
    selector = item["contact"]
    contact = _find(world, selector)
    exists = item.get("exists", True)
    if contact is None:
        if exists:
            yield f"no live contact with {selector}"
        return
    if not exists and not contact.deleted:
        yield f"contact {contact.id} exists, expected none"
    if "deleted" in item and contact.deleted != item["deleted"]:
        yield f"contact {contact.id} is {'deleted' if contact.deleted else 'live'}, expected {'deleted' if item['deleted'] else 'live'}"
    for key, attr in (("firstName", "first_name"), ("lastName", "last_name")):
        if key in item and getattr(contact, attr) != item[key]:
            yield f"contact {contact.id} has {key} {getattr(contact, attr)!r}, expected {item[key]!r}"
    for ref, wanted in item.get("tokens", {}).items():
        app = world.apps.resolve(ref)
        if app is None:
            yield f"no bot {ref!r}"
            continue
        actual = contact.tokens.get(app.app_uuid, [])
        wanted = [str(t) for t in wanted]
        if actual != wanted:
            yield f"contact {contact.id} has tokens {actual} for @{app.username}, expected {wanted}"


# One checker per subject of scenario.schema.EXPECT_SUBJECTS (tests/scenario check that none is missing).
CHECKS: dict[str, Callable[[World, Journal, dict], Iterator[str]]] = {
    "contact": _check_contact,
    "app": _check_app,
    "requests": _check_requests,
    "chat": _check_chat,
    "contact_count": _check_contact_count,
    "events": _check_events,
    "orders": _check_orders,
}
