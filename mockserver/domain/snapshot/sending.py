"""Snapshot parts of sending: templates, deliveries and their retry queue, token removals, the webhook outbox.

Deliveries, token removals and the ``sending`` counters are loaded together (one
``load_deliveries``) because each refers to the others: a retry names a delivery,
a removal names a requestId, and the requestId stream must have issued every id.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

from ..errors import InvalidInput
from ..sending.delivery import (
    CLICKED,
    FAILED,
    PENDING,
    SENT,
    ClickPolicy,
    Deliveries,
    Delivery,
    RequestIds,
)
from ..sending.messages import CHANNELS, FIRST_ID, MessageStore, Template, check_language, parse_template
from .checks import (
    MAX_REPLAY,
    Apply,
    int_or_null,
    integer,
    is_int,
    list_of,
    listing,
    mapping,
    need,
    number,
    number_or_null,
    objects,
    one_of,
    present,
    text,
    text_or_null,
)

if TYPE_CHECKING:
    from ..world import World

STATUSES = (PENDING, SENT, FAILED, CLICKED)
NO_PART: Apply = lambda: None  # noqa: E731  (parts rebuilt by load_deliveries)


# -- messages (templates) -------------------------------------------------------------


def dump_messages(world: "World") -> dict:
    return {"next_id": world.messages.next_id, "templates": [{**m.as_dict(), "channel": m.channel} for m in world.messages]}


def load_message(item: object, where: str) -> Template:
    """A template as dumped: its channel (Telegram when absent, as older snapshots have it) and the
    same fields the API takes, checked by the API's own rules."""
    item = mapping(item, where)
    message_id = integer(item, "id", where, low=1)
    channel = item.get("channel", "telegram")
    need(isinstance(channel, str) and channel in CHANNELS, f"{where}.channel", f"must be one of {', '.join(CHANNELS)}")
    try:
        name, fields = parse_template(item, channel)
        template = Template(message_id, channel, name, fields)
        for index, version in enumerate(objects(item.get("translations", []), f"{where}.translations")):
            language = version.get("languageCode")
            need(isinstance(language, str), f"{where}.translations[{index}].languageCode", "must be a string")
            need(language not in template.translations, f"{where}.translations[{index}]", f"repeats language {language}")
            vname, vfields = parse_template(version, channel)
            vfields.pop("languageCode", None)
            template.translations[check_language(str(language))] = {"name": vname, **vfields}
    except InvalidInput as exc:
        if exc.message.startswith(where):
            raise
        raise InvalidInput(f"{where}.{exc.message}") from None
    return template


def load_messages(world: "World", data: object) -> Apply:
    data = mapping(data, "messages")
    store = MessageStore(integer(data, "next_id", "messages", low=1, default=FIRST_ID))
    for index, item in enumerate(listing(data.get("templates", []), "messages.templates")):
        message = load_message(item, f"messages.templates[{index}]")
        need(message.id not in {m.id for m in store}, f"messages.templates[{index}].id", f"duplicate template id {message.id}")
        need(message.id < store.next_id, f"messages.templates[{index}].id", "must be below messages.next_id")
        store.put(message)

    return lambda: world.adopt(messages=store)


# -- deliveries, token removals and the sending counters ------------------------------------


def dump_delivery(delivery: Delivery) -> dict:
    return {
        **delivery.as_dict(),
        "externalCustomerId": delivery.external_customer_id,
        "externalRequestId": delivery.external_request_id,
        "messageName": delivery.message_name,
        "messageTag": delivery.message_tag,
        "messageLanguageCode": delivery.message_language_code,
        "text": delivery.text,
        "buttons": [dict(b) for b in delivery.buttons],
        "imageSource": delivery.image_source,
        "links": dict(delivery.links),
        "created_at": delivery.created_at,
        "telegram_message_id": delivery.telegram_message_id,
    }


def dump_deliveries(world: "World") -> list[dict]:
    return [dump_delivery(d) for d in world.deliveries]


def dump_removals(world: "World") -> list[dict]:
    return [dict(r, contactIds=list(r["contactIds"])) for r in world.deliveries.token_removals]


def dump_counters(world: "World") -> dict:
    deliveries = world.deliveries
    return {
        "next_send_id": deliveries.next_send_id,
        "request_ids": {"seed": deliveries.request_ids.seed, "issued": deliveries.request_ids.issued},
        "click_draws": deliveries.clicks.draws,
        "retry_queue": deliveries.retry_queue(),
    }


def load_delivery(item: object, where: str) -> Delivery:
    item = mapping(item, where)
    status = one_of(item.get("status"), STATUSES, f"{where}.status")
    links = mapping(item.get("links", {}), f"{where}.links")
    need(all(isinstance(v, str) for v in links.values()), f"{where}.links", "must map link tokens to URLs")
    removed = item.get("token_removed_from", [])
    need(isinstance(removed, list) and all(is_int(c) for c in removed), f"{where}.token_removed_from", "must be a list of contact ids")
    need(number(item.get("created_at")), f"{where}.created_at", "must be a number")
    return Delivery(
        request_id=text(item, "requestId", where),
        send_id=integer(item, "sendId", where, low=1),
        message_id=integer(item, "messageId", where, low=1),
        app_uuid=text(item, "app_uuid", where),
        chat_id=text(item, "chat_id", where),
        contact_id=int_or_null(item, "contactId", where),
        external_customer_id=text_or_null(item, "externalCustomerId", where),
        text=text(item, "text", where),
        buttons=[dict(b) for b in objects(item.get("buttons", []), f"{where}.buttons")],
        image_source=text_or_null(item, "imageSource", where),
        links=dict(links),
        created_at=float(item["created_at"]),
        external_request_id=text_or_null(item, "externalRequestId", where),
        # Absent in snapshots taken before deliveries kept their template's name, tag and language.
        message_name=text_or_null(item, "messageName", where),
        message_tag=text_or_null(item, "messageTag", where),
        message_language_code=text_or_null(item, "messageLanguageCode", where),
        status=status,
        attempts=integer(item, "attempts", where),
        next_attempt_at=number_or_null(item, "next_attempt_at", where),
        error_code=int_or_null(item, "error_code", where),
        reason=text_or_null(item, "reason", where),
        token_removed_from=list(removed),
        telegram_message_id=int_or_null(item, "telegram_message_id", where),
        clicked_link=text_or_null(item, "clicked_link", where),
        history=[dict(h) for h in objects(item.get("history", []), f"{where}.history")],
    )


def load_removal(item: object, where: str, known: set[str]) -> dict:
    item = mapping(item, where)
    need(number(item.get("time")), f"{where}.time", "must be a number")
    for key in ("app_uuid", "token", "reason"):
        text(item, key, where)
    need(text(item, "requestId", where) in known, f"{where}.requestId", "names no delivery")
    ids = list_of(item.get("contactIds"), is_int, f"{where}.contactIds", "must be a list of contact ids")
    return dict(item, contactIds=list(ids))


def load_deliveries(world: "World", data: dict) -> Apply:
    """Deliveries, token_removals and sending, checked against each other and against telegram.clicks."""
    deliveries: list[Delivery] = []
    seen: set[str] = set()
    for index, item in enumerate(listing(data["deliveries"], "deliveries")):
        delivery = load_delivery(item, f"deliveries[{index}]")
        need(delivery.request_id not in seen, f"deliveries[{index}].requestId", f"duplicate requestId {delivery.request_id}")
        seen.add(delivery.request_id)
        deliveries.append(delivery)
    removals = [load_removal(r, f"token_removals[{i}]", seen) for i, r in enumerate(listing(data["token_removals"], "token_removals"))]
    counters = mapping(data["sending"], "sending")
    next_send_id = integer(counters, "next_send_id", "sending", low=1)
    need(all(d.send_id < next_send_id for d in deliveries), "sending.next_send_id", "must be above every delivery's sendId")
    ids = mapping(counters.get("request_ids"), "sending.request_ids")
    seed = integer(ids, "seed", "sending.request_ids", low=-(2**63), high=2**63 - 1)
    issued = integer(ids, "issued", "sending.request_ids", low=len(deliveries), high=MAX_REPLAY)
    draws = integer(counters, "click_draws", "sending", high=issued)
    queue = counters.get("retry_queue", [])
    need(isinstance(queue, list) and all(isinstance(r, str) for r in queue), "sending.retry_queue", "must be a list of requestIds")
    need(len(set(queue)) == len(queue), "sending.retry_queue", "must not repeat a requestId")
    by_id = {d.request_id: d for d in deliveries}
    for request_id in queue:
        delivery = present(by_id.get(request_id), "sending.retry_queue", f"{request_id} names no delivery")
        need(delivery.status == PENDING and delivery.next_attempt_at is not None, "sending.retry_queue", f"{request_id} is not a pending delivery with a next_attempt_at")
    waiting = [d.request_id for d in deliveries if d.status == PENDING and d.next_attempt_at is not None]
    need(set(waiting) == set(queue), "sending.retry_queue", "must list every pending delivery that has a next_attempt_at")
    clicks: dict[str, Any] = dict(data["telegram"].get("clicks") or {"mode": "never"})  # checked by the telegram part
    policy = ClickPolicy(**clicks, draws=draws)
    request_ids = RequestIds(seed, issued)
    new = Deliveries(world.contacts, world.apps, world.telegram, world.outbox, policy)  # connected by World.connect
    new.restore(deliveries, removals, next_send_id, request_ids, queue)

    return lambda: world.adopt(deliveries=new)


# -- the activity-webhook outbox ------------------------------------------------------------


def dump_outbox(world: "World") -> dict:
    outbox = world.outbox
    return {
        **outbox.describe(),  # url and pending_events are derived
        "batch": None if outbox.batch is None else [dict(e) for e in outbox.batch],
        "queue": [dict(e) for e in outbox.pending],
    }


def load_outbox(world: "World", data: object) -> Apply:
    data = mapping(data, "webhooks")
    text_or_null(data, "url", "webhooks")
    integer(data, "pending_events", "webhooks", default=0)
    batch = data.get("batch")
    need(batch is None or (isinstance(batch, list) and all(isinstance(e, dict) for e in batch)), "webhooks.batch", "must be a list of events or null")
    queue = objects(data.get("queue", []), "webhooks.queue")
    attempts = integer(data, "attempts", "webhooks", default=0)
    failures = integer(data, "failures_of_head_batch", "webhooks", default=0)
    delivered = integer(data, "delivered_events", "webhooks", default=0)
    next_at = number_or_null(data, "next_attempt_at", "webhooks")
    need(batch is not None or next_at is None, "webhooks.next_attempt_at", "must be null when no batch is being sent")

    def apply() -> None:
        outbox = world.outbox  # the target belongs to the settings part
        outbox.pending = deque(dict(e) for e in queue)
        outbox.batch = None if batch is None else [dict(e) for e in batch]
        outbox.failures = failures
        outbox.next_attempt_at = float(next_at) if next_at is not None else 0.0
        outbox.attempts = attempts
        outbox.delivered_events = delivered

    return apply


PARTS = [
    ("messages", dump_messages, load_messages),
    ("deliveries", dump_deliveries, lambda world, data: NO_PART),
    ("token_removals", dump_removals, lambda world, data: NO_PART),
    ("sending", dump_counters, lambda world, data: NO_PART),
    ("webhooks", dump_outbox, load_outbox),
]
