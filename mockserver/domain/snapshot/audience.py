"""Snapshot parts of who may be reached: groups, subscription categories and each contact's,
unsubscribed emails, and the tokens set inactive.

Registered in ``core.PARTS`` with one line. A contact's groups are on the contact (the
contacts part); the ``groups`` part is the registry their ids come from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..contacts.activation import Activation
from ..contacts.groups import MAX_GROUPS, TYPES, Group, Groups
from ..contacts.subscriptions import MAX_UNSUBSCRIBED, Category, Subscriptions, Unsubscribed
from ..numbers import INT32_MAX
from .checks import Apply, int_or_null, integer, listing, mapping, need, number, objects, text

if TYPE_CHECKING:
    from ..world import World


def dump_groups(world: "World") -> list[dict]:
    return [g.as_dict() for g in world.groups]


def load_groups(world: "World", data: object) -> Apply:
    items = objects(data, "groups")
    need(len(items) <= MAX_GROUPS, "groups", f"must hold at most {MAX_GROUPS} groups")
    registry = Groups()
    for index, item in enumerate(items):
        where = f"groups[{index}]"
        group = Group(integer(item, "id", where, low=1, high=INT32_MAX), text(item, "name", where), text(item, "type", where))
        need(group.type in TYPES, f"{where}.type", f"must be one of {', '.join(TYPES)}")
        need(registry.get(group.id) is None, f"{where}.id", f"duplicate group id {group.id}")
        need(registry.named(group.name) is None, f"{where}.name", f"duplicate group name {group.name!r}")
        registry.add(group)

    return lambda: world.adopt(groups=registry)


def dump_subscriptions(world: "World") -> dict:
    subscriptions = world.subscriptions
    return {
        "categories": [
            {"id": c.id, "key": c.key, "name": c.name, "groupId": c.group_id, "created_at": c.created_at, "updated_at": c.updated_at}
            for c in subscriptions
        ],
        "contacts": {str(cid): list(keys) for cid, keys in subscriptions.by_contact.items()},
        "unsubscribed_emails": list(world.unsubscribed),
    }


def load_subscriptions(world: "World", data: object) -> Apply:
    data = mapping(data, "subscriptions")
    categories: list[Category] = []
    for index, item in enumerate(objects(data.get("categories", []), "subscriptions.categories")):
        where = f"subscriptions.categories[{index}]"
        for key in ("created_at", "updated_at"):
            need(number(item.get(key)), f"{where}.{key}", "must be a number")
        category = Category(
            integer(item, "id", where, low=1, high=INT32_MAX), text(item, "key", where), text(item, "name", where),
            int_or_null(item, "groupId", where), float(item["created_at"]), float(item["updated_at"]),
        )
        need(bool(category.key) and category.key not in {c.key for c in categories}, f"{where}.key", "must be a non-empty key used once")
        need(category.id not in {c.id for c in categories}, f"{where}.id", f"duplicate category id {category.id}")
        categories.append(category)
    keys = {c.key for c in categories}
    by_contact: dict[int, list[str]] = {}
    for raw_id, held in mapping(data.get("contacts", {}), "subscriptions.contacts").items():
        where = f"subscriptions.contacts.{raw_id}"
        need(raw_id.isascii() and raw_id.isdigit(), where, "must be keyed by a contact id")
        need(isinstance(held, list) and all(isinstance(k, str) and k in keys for k in held), where, "must be a list of category keys")
        need(len(set(held)) == len(held), where, "must not name a category twice")
        by_contact[int(raw_id)] = list(held)
    emails = listing(data.get("unsubscribed_emails", []), "subscriptions.unsubscribed_emails")
    need(all(isinstance(e, str) for e in emails), "subscriptions.unsubscribed_emails", "must be a list of strings")
    need(len(emails) <= MAX_UNSUBSCRIBED, "subscriptions.unsubscribed_emails", f"must hold at most {MAX_UNSUBSCRIBED} emails")
    subscriptions, unsubscribed = Subscriptions(categories, by_contact), Unsubscribed(emails)

    return lambda: world.adopt(subscriptions=subscriptions, unsubscribed=unsubscribed)


def dump_activation(world: "World") -> dict:
    return {"inactive": world.activation.held(world.contacts)}


def load_activation(world: "World", data: object) -> Apply:
    data = mapping(data, "token_activation")
    inactive = mapping(data.get("inactive", {}), "token_activation.inactive")
    for app_uuid, tokens in inactive.items():
        need(isinstance(tokens, list) and all(isinstance(t, str) for t in tokens), f"token_activation.inactive.{app_uuid}", "must be a list of tokens")
    activation = Activation(inactive)

    return lambda: world.adopt(activation=activation)


PARTS = [
    ("groups", dump_groups, load_groups),
    ("subscriptions", dump_subscriptions, load_subscriptions),
    ("token_activation", dump_activation, load_activation),
]
