"""Snapshot parts of the bots' side and of bulk imports: update queues, webhooks, callback queries
and import sessions. Simulated users are chats, kept by the telegram part."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..contacts.apps import parse_app_uuid
from ..contacts.bulk import ImportSession, ImportSessions
from ..telegram.bots import BotSide, CallbackQuery
from ..telegram.updates import DEFAULT_MAX_CONNECTIONS, Inbox, Webhook
from .checks import (
    Apply,
    int_or_null,
    integer,
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

NO_PART: Apply = lambda: None  # noqa: E731  (rebuilt by load_bots)


# -- bots: update queues, webhooks, callback queries ------------------------------------------


def dump_inbox(inbox: Inbox) -> dict:
    hook = inbox.webhook
    return {
        "next_update_id": inbox.next_update_id,
        "updates": [dict(u) for u in inbox.updates],
        "allowed_updates": None if inbox.allowed_updates is None else list(inbox.allowed_updates),
        "webhook": None if hook is None else {
            "url": hook.url, "secret_token": hook.secret_token,
            "max_connections": hook.max_connections, "ip_address": hook.ip_address,
        },
        "last_error_date": inbox.last_error_date,
        "last_error_message": inbox.last_error_message,
        "failures": inbox.failures,
        "retry_at": inbox.retry_at,
    }


def dump_bots(world: "World") -> dict:
    bots = world.bots
    return {
        "inboxes": {app_uuid: dump_inbox(inbox) for app_uuid, inbox in bots.inboxes.items()},
        "callback_queries": [
            {"id": q.id, "app_uuid": q.app_uuid, "chat_id": q.chat_id, "data": q.data, "answer": q.answer}
            for q in bots.queries.values()
        ],
        "next_callback_query": bots.next_query,
    }


def _notifier(world: "World", app_uuid: str) -> Callable[[], None]:
    """What a restored inbox calls when its updates change: the world's signal for that bot."""
    return lambda: world.updates_changed(app_uuid)


def load_inbox(world: "World", app_uuid: str, data: object, where: str) -> Inbox:
    data = mapping(data, where)
    inbox = Inbox(_notifier(world, app_uuid))
    inbox.next_update_id = integer(data, "next_update_id", where, low=1)
    previous = 0
    for index, update in enumerate(objects(data.get("updates", []), f"{where}.updates")):
        update_id = integer(update, "update_id", f"{where}.updates[{index}]", low=previous + 1, high=inbox.next_update_id - 1)
        need(len(update) == 2, f"{where}.updates[{index}]", "must hold update_id and one update")
        previous = update_id
        inbox.updates.append(dict(update))
    allowed = data.get("allowed_updates")
    need(allowed is None or (isinstance(allowed, list) and all(isinstance(a, str) for a in allowed)), f"{where}.allowed_updates", "must be a list of strings or null")
    inbox.allowed_updates = None if allowed is None else list(allowed)
    hook = data.get("webhook")
    if hook is not None:
        hook = mapping(hook, f"{where}.webhook")
        inbox.webhook = Webhook(
            url=text(hook, "url", f"{where}.webhook"),
            secret_token=text_or_null(hook, "secret_token", f"{where}.webhook"),
            max_connections=integer(hook, "max_connections", f"{where}.webhook", low=1, high=100, default=DEFAULT_MAX_CONNECTIONS),
            ip_address=text_or_null(hook, "ip_address", f"{where}.webhook"),
        )
    inbox.last_error_date = int_or_null(data, "last_error_date", where)
    inbox.last_error_message = text_or_null(data, "last_error_message", where)
    inbox.failures = integer(data, "failures", where, default=0)
    retry_at = number_or_null(data, "retry_at", where)
    inbox.retry_at = None if retry_at is None else float(retry_at)
    return inbox


def load_bots(world: "World", data: dict) -> Apply:
    """Queues are checked against the snapshot's apps: every bot has one, and only bots have one."""
    bots = mapping(data["bots"], "bots")
    # The apps part has refused any app_uuid that is not a UUID by now.
    uuids = [u for u in (parse_app_uuid(str(a.get("app_uuid", ""))) for a in data["apps"]) if u is not None]
    given = mapping(bots.get("inboxes", {}), "bots.inboxes")
    strangers = sorted(set(given) - set(uuids))
    need(not strangers, "bots.inboxes", f"no app has the app_uuid {', '.join(strangers)}")
    inboxes: dict[str, Inbox] = {}
    for app_uuid in uuids:
        where = f"bots.inboxes.{app_uuid}"
        inboxes[app_uuid] = load_inbox(world, app_uuid, given[app_uuid], where) if app_uuid in given else Inbox(_notifier(world, app_uuid))
    queries = []
    for index, item in enumerate(objects(bots.get("callback_queries", []), "bots.callback_queries")):
        where = f"bots.callback_queries[{index}]"
        answer = item.get("answer")
        need(answer is None or isinstance(answer, dict), f"{where}.answer", "must be an object or null")
        query = CallbackQuery(text(item, "id", where), text(item, "app_uuid", where), text(item, "chat_id", where), text(item, "data", where), answer)
        need(query.app_uuid in inboxes, f"{where}.app_uuid", "names no app")
        queries.append(query)
    need(len({q.id for q in queries}) == len(queries), "bots.callback_queries", "ids must be unique")
    next_query = integer(bots, "next_callback_query", "bots", low=1)
    side = BotSide(world.apps, world.telegram, world.clock, world.updates_changed)  # connected by World.connect
    side.restore(inboxes, queries, next_query)

    return lambda: world.adopt(bots=side)


# -- import sessions (their groups are the audience part) ------------------------------------------------------


def dump_imports(world: "World") -> list[dict]:
    return [
        {"id": s.id, "status": s.status, "timestamp": s.timestamp, "mapping": [[v, c] for v, c in s.mapping], "description": s.description}
        for s in world.imports
    ]


def load_imports(world: "World", data: object) -> Apply:
    sessions = []
    for index, item in enumerate(listing(data, "imports")):
        where = f"imports[{index}]"
        item = mapping(item, where)
        need(item.get("id") == ImportSessions.id_for(index + 1), f"{where}.id", f"must be {ImportSessions.id_for(index + 1)}")
        need(number(item.get("timestamp")), f"{where}.timestamp", "must be a number")
        pairs = item.get("mapping", [])
        need(
            isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], int) and not isinstance(p[1], bool) for p in pairs),
            f"{where}.mapping",
            "must be a list of [dedupeValue, contactId] pairs",
        )
        sessions.append(ImportSession(item["id"], text(item, "status", where), float(item["timestamp"]), [(v, c) for v, c in pairs], text_or_null(item, "description", where)))
    imports = ImportSessions(sessions)

    return lambda: world.adopt(imports=imports)


PARTS = [
    ("bots", dump_bots, lambda world, data: NO_PART),
    ("imports", dump_imports, load_imports),
]
