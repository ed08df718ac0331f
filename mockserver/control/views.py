"""Read-only views of the world a page at a time, for the dashboard (``/_mock/ui``) and scripts.

``GET /_mock/state`` is the whole world (tens of MB at 100,000 contacts); these answer what one
screen shows: the overview's counts, a page of contacts or chats (with a search), one contact's
card, the deliveries grouped by campaign, and the shipped scenarios. Each costs at most one pass
over the part it lists, and a page never holds more than ``MAX_LIMIT`` rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import islice

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.contacts.book import Contact
from ..domain.numbers import INT64_MAX
from ..domain.sending.broadcasts import date_time
from ..domain.telegram.chats import Chat
from ..responses import control_json
from ..scenario import find_scenario, shipped_names
from .clock import render as render_clock
from .common import Refusal, handler, number

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_QUERY = 256
PREVIEW = 120  # characters of a chat's last message in the chat list


def page(request: Request) -> tuple[int, int]:
    offset = number(request, "offset", default=0, low=0, high=INT64_MAX)
    limit = number(request, "limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
    return offset, limit


def query_text(request: Request) -> str:
    raw = request.query_params.get("query", "")
    if len(raw) > MAX_QUERY:
        raise Refusal(400, f"query parameter query must be at most {MAX_QUERY} characters", len(raw))
    return raw.strip()


# islice takes indexes up to sys.maxsize; no part of the world comes near either bound.
LAST_INDEX = 2**62


def paged(items: Iterable, offset: int, limit: int) -> list:
    return list(islice(items, min(offset, LAST_INDEX), min(offset + limit, LAST_INDEX)))


# -- the overview ----------------------------------------------------------------------------


@handler
async def overview(request: Request) -> Response:
    emulator = request.app.state.emulator
    emulator.run_due_retries()
    world = emulator.world
    deleted = sum(1 for contact in world.contacts if contact.deleted)
    statuses = Counter(delivery.status for delivery in world.deliveries)
    chats = world.telegram.chats
    return control_json(
        {
            "scenario": world.name,
            "bots": [
                {"app_uuid": app.app_uuid, "username": app.username, "first_name": app.first_name,
                 "subscribers": world.contacts.subscribers(app.app_uuid), "muted_tokens": len(app.mutes)}
                for app in world.apps
            ],
            "contacts": {"total": len(world.contacts), "live": len(world.contacts) - deleted, "deleted": deleted},
            "deliveries": {"total": len(world.deliveries), "by_status": dict(sorted(statuses.items()))},
            "telegram": {"chats": len(chats), "default_chat_state": world.telegram.default_state},
            "clock": render_clock(world.clock),
            "faults": emulator.faults.listing(),
            "journal": {"entries": len(emulator.journal.entries), "dropped": emulator.journal.dropped},
            "outbox": len(world.sent.visible()),
        }
    )


# -- contacts ----------------------------------------------------------------------------------


def contact_row(contact: Contact) -> dict:
    return {
        "id": contact.id,
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "email": next(iter(contact.emails), None),
        "phone": next(iter(contact.phones), None),
        "externalCustomerId": contact.external_customer_id,
        "tokens": sum(len(tokens) for tokens in contact.tokens.values()),
        "deleted": contact.deleted,
    }


def holds(contact: Contact, wanted: str) -> bool:
    """Whether ``wanted`` (lower case) is in the contact's id, names, channels, externalCustomerId or tokens."""
    for value in (contact.external_customer_id, contact.first_name, contact.last_name):
        if value and wanted in value.lower():
            return True
    if wanted in str(contact.id):
        return True
    for channel in contact.channels:
        if wanted in str(channel.get("value", "")).lower():
            return True
    return any(wanted in token for tokens in contact.tokens.values() for token in tokens)


def exact_matches(world, text: str) -> list[Contact]:
    """Contacts whose id, externalCustomerId, email or phone is ``text`` (the book's own indexes)."""
    found: dict[int, Contact] = {}
    if text.isascii() and text.isdigit() and len(text) <= 18:
        contact = world.contacts.get(int(text), include_deleted=True)
        if contact is not None:
            found[contact.id] = contact
    for index in ("externalCustomerId", "email", "phone"):
        for contact in world.contacts.find_all(index, text):
            found.setdefault(contact.id, contact)
    return list(found.values())


def contact_matches(world, text: str) -> list[Contact]:
    """The contacts an identifier names exactly (the book's indexes: no scan); when none does, every
    contact holding ``text`` anywhere (a scan: a token, a part of a name or an address)."""
    exact = exact_matches(world, text)
    if exact:
        return exact
    wanted = text.lower()
    return [contact for contact in world.contacts if holds(contact, wanted)]


@handler
async def contacts(request: Request) -> Response:
    world = request.app.state.emulator.world
    offset, limit = page(request)
    text = query_text(request)
    if not text:
        total, items = len(world.contacts), paged(iter(world.contacts), offset, limit)
    else:
        matches = contact_matches(world, text)
        total, items = len(matches), matches[offset:offset + limit]
    return control_json(
        {"query": text, "offset": offset, "limit": limit, "total": total, "items": [contact_row(c) for c in items]}
    )


def contact_history(emulator, contact: Contact) -> list[dict]:
    """What the journal and the deliveries say happened to a contact, oldest first: token items
    resolved to it, its creation, updates and deletes through the contacts API, its deliveries and
    the tokens they removed. What the journal has dropped (its bound) is not told."""
    history: list[dict] = []
    own_paths = {f"/api/v1/contact/{contact.id}"}
    for entry in emulator.journal.entries:
        request = {"request": entry.id, "time": entry.time, "method": entry.method, "path": entry.path}
        for outcome in entry.notes.get("outcomes", ()):
            if outcome.get("contactId") == contact.id:
                history.append({**request, "what": f"token {outcome['outcome']}", "token": outcome["token"]})
        notes = entry.notes
        if entry.path in own_paths and entry.method != "GET" and 200 <= entry.status < 300:
            history.append({**request, "what": "deleted" if entry.method == "DELETE" else "updated"})
        elif notes.get("contactId") == contact.id:  # POST /api/v1/contact
            history.append({**request, "what": "created" if notes.get("created") else "updated"})
        elif contact.id in notes.get("contactIds", ()):  # DELETE /api/v1/contact?externalCustomerId=
            history.append({**request, "what": "deleted"})
    for delivery in emulator.world.deliveries:
        if delivery.contact_id == contact.id:
            history.append(
                {"time": delivery.created_at, "what": f"delivery {delivery.status.lower()}", "requestId": delivery.request_id,
                 "reason": delivery.reason}
            )
    for removal in emulator.world.deliveries.token_removals:
        if contact.id in removal["contactIds"]:
            history.append(
                {"time": removal["time"], "what": "token removed", "token": removal["token"],
                 "app_uuid": removal["app_uuid"], "reason": removal["reason"], "requestId": removal["requestId"]}
            )
    history.sort(key=lambda item: item["time"])
    for item in history:
        item["at"] = date_time(item["time"])
    return history


@handler
async def contact_card(request: Request) -> Response:
    emulator = request.app.state.emulator
    world = emulator.world
    raw = request.path_params["contact_id"]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise Refusal(400, "contact id must be a positive integer", raw)
    contact = world.contacts.get(int(raw), include_deleted=True)
    if contact is None:
        raise Refusal(404, "no_such_contact", f"no contact has the id {raw}")
    now = world.clock.now()
    tokens = []
    for app_uuid, held in contact.tokens.items():
        app = world.apps.get(app_uuid)
        for token in held:
            until = app.mutes.get(token) if app is not None else None
            tokens.append(
                {"app_uuid": app_uuid, "bot": app.username if app else None, "token": token,
                 "muted_until": date_time(until) if until is not None and until > now else None}
            )
    card = {
        "id": contact.id,
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "externalCustomerId": contact.external_customer_id,
        "contactKey": contact.contact_key,
        "languageCode": contact.language_code,
        "timeZone": contact.time_zone,
        "deleted": contact.deleted,
        "channels": [{"type": c["type"], "value": c["value"]} for c in contact.channels],
        "fields": list(contact.fields),
        "groups": list(contact.groups),
        "tokens": tokens,
        "history": contact_history(emulator, contact),
    }
    return control_json(card)


# -- Telegram chats ------------------------------------------------------------------------------


def chat_row(chat: Chat) -> dict:
    last = chat.messages[-1] if chat.messages else None
    preview = None
    if last is not None:
        text = last.get("text") or last.get("caption") or next((k for k in ("photo", "document", "contact") if k in last), "")
        preview = {"date": last.get("date"), "from_bot": bool((last.get("from") or {}).get("is_bot")), "text": str(text)[:PREVIEW]}
    name = " ".join(part for part in (chat.first_name, chat.last_name) if part) or None
    return {"chat_id": chat.id, "name": name, "username": chat.username, "state": chat.state,
            "messages": len(chat.messages), "last": preview}


@handler
async def chats(request: Request) -> Response:
    emulator = request.app.state.emulator
    emulator.run_due_retries()
    telegram = emulator.world.telegram
    offset, limit = page(request)
    text = query_text(request).lower()
    found: Iterable[Chat] = telegram.chats.values()
    if text:
        found = [c for c in found if text in "\n".join((c.id, c.first_name or "", c.last_name or "", c.username or "")).lower()]
        total = len(found)
    else:
        total = len(telegram.chats)
    return control_json(
        {"query": text, "offset": offset, "limit": limit, "total": total, "items": [chat_row(c) for c in paged(found, offset, limit)]}
    )


# -- deliveries ------------------------------------------------------------------------------------


def delivery_row(delivery, apps) -> dict:
    app = apps.get(delivery.app_uuid)
    return {**delivery.as_dict(), "bot": app.username if app else None, "created": date_time(delivery.created_at)}


@handler
async def deliveries(request: Request) -> Response:
    emulator = request.app.state.emulator
    emulator.run_due_retries()
    world = emulator.world
    send_id = number(request, "send_id", low=1, high=INT64_MAX)
    status = request.query_params.get("status") or None
    offset, limit = page(request)
    campaigns: dict[int, dict] = {}
    chosen = []
    for delivery in world.deliveries:
        campaign = campaigns.get(delivery.send_id)
        if campaign is None:
            campaign = campaigns[delivery.send_id] = {
                "send_id": delivery.send_id, "message_id": delivery.message_id, "message_name": delivery.message_name,
                "created": date_time(delivery.created_at), "total": 0, "by_status": Counter(), "tokens_removed": 0,
            }
        campaign["total"] += 1
        campaign["by_status"][delivery.status] += 1
        campaign["tokens_removed"] += len(delivery.token_removed_from)
        if (send_id is None or delivery.send_id == send_id) and (status is None or delivery.status == status):
            chosen.append(delivery)
    broadcast_ids = {broadcast.id for broadcast in world.broadcasts}
    for campaign in campaigns.values():
        campaign["by_status"] = dict(sorted(campaign["by_status"].items()))
        campaign["broadcast"] = campaign["send_id"] in broadcast_ids
    chosen.reverse()  # newest first
    return control_json(
        {
            "campaigns": sorted(campaigns.values(), key=lambda c: -c["send_id"]),
            "send_id": send_id, "status": status, "offset": offset, "limit": limit, "total": len(chosen),
            "items": [delivery_row(d, world.apps) for d in chosen[offset:offset + limit]],
        }
    )


# -- shipped scenarios -------------------------------------------------------------------------------


@handler
async def scenarios(request: Request) -> Response:
    return control_json({"scenarios": shipped_names()})


@handler
async def shipped_scenario(request: Request) -> Response:
    """A shipped scenario's YAML, which ``POST /_mock/scenario`` takes as it is."""
    name = request.path_params["name"]
    if name not in shipped_names():
        raise Refusal(404, "no_such_scenario", f"no shipped scenario is named {name!r}; shipped: {', '.join(shipped_names())}")
    return Response(find_scenario(name).read_bytes(), 200, media_type="application/yaml")


routes = [
    Route("/_mock/overview", overview, methods=["GET"]),
    Route("/_mock/contacts", contacts, methods=["GET"]),
    Route("/_mock/contacts/{contact_id}", contact_card, methods=["GET"]),
    Route("/_mock/telegram/chats", chats, methods=["GET"]),
    Route("/_mock/deliveries", deliveries, methods=["GET"]),
    Route("/_mock/scenarios", scenarios, methods=["GET"]),
    Route("/_mock/scenarios/{name}", shipped_scenario, methods=["GET"]),
]
