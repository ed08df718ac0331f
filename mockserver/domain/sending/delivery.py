"""Deliveries: one per target token, through the simulated Telegram world.

A delivery is SENT when the chat accepts it, FAILED with Telegram's own answer when
it does not, CLICKED when a tracked link is opened. Blocked and deactivated chats lose
their token on every contact card; 429 answers are retried on the world's clock.
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import random
import re
import uuid
from dataclasses import dataclass, field

from .activity import Outbox, activity_time
from ..contacts.apps import Apps
from ..contacts.book import Contact, ContactBook
from ..errors import InvalidInput, NotFound, required_array
from ..telegram.markup import parse_text
from .messages import TelegramMessage
from ..telegram.chats import BLOCKED, DEACTIVATED, DEAD_CHAT_ERRORS, TelegramError, TelegramWorld, chat_number
from ..text import is_blank

PENDING = "PENDING"
SENT = "SENT"
FAILED = "FAILED"
CLICKED = "CLICKED"

# How GET /v1/message/status names each state (PENDING is our assumption: eSputnik's IN_QUEUE).
API_STATUS = {PENDING: "IN_QUEUE", SENT: "DELIVERED", FAILED: "BOT_SEND_ERROR", CLICKED: "CLICKED"}
# How activity webhooks name each change.
ACTIVITY_STATUS = {SENT: "DELIVERED", FAILED: "UNDELIVERED", CLICKED: "CLICKED"}
# Telegram answers after which eSputnik drops the token from the contact card.
TOKEN_REMOVING = {DEAD_CHAT_ERRORS[BLOCKED][1], DEAD_CHAT_ERRORS[DEACTIVATED][1]}

MAX_RECIPIENTS = 1000
INT64_MAX = 2**63 - 1
URL = re.compile(r"https?://[^\s<>\"')\]]+")
# Velocity forms eSputnik templates use for jsonParam values: $!data.get('x'), $data.x, ${data.x}, $!{data.x}.
PLACEHOLDER = re.compile(r"\$(!?)(?:\{data\.(\w+)\}|data\.get\('(\w+)'\)|data\.(\w+))")


def render_text(text: str, params: dict) -> str:
    """Substitute jsonParam values; a missing value renders empty after ``$!`` and stays literal after ``$``."""

    def value(match: re.Match) -> str:
        quiet, *names = match.groups()
        name = next(n for n in names if n)
        if name in params and params[name] is not None:
            found = params[name]
            return found if isinstance(found, str) else json.dumps(found, ensure_ascii=False)
        return "" if quiet else match.group(0)

    return PLACEHOLDER.sub(value, text)


@dataclass
class ClickPolicy:
    """Whether a simulated user opens a delivered message's first link: always, never, or by a seeded chance."""

    mode: str = "never"
    probability: float = 0.0
    seed: int = 0
    # How many chances were drawn so far: a restored policy replays them to continue the same sequence.
    draws: int = 0
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        drawn, self.draws = self.draws, 0
        for _ in range(drawn):
            self._draw()

    def _draw(self) -> float:
        self.draws += 1
        return self.rng.random()

    def decide(self) -> bool:
        if self.mode == "always":
            return True
        if self.mode == "never":
            return False
        return self._draw() < self.probability


class RequestIds:
    """The seeded stream of requestIds (UUIDv4-shaped); ``issued`` ids are replayed on restore."""

    def __init__(self, seed: int = 0, issued: int = 0) -> None:
        self.seed = seed
        self.issued = 0
        self._rng = random.Random(seed)
        for _ in range(issued):
            self.next()

    def next(self) -> str:
        self.issued += 1
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


@dataclass
class Recipient:
    """One smartsend recipient; ``kind`` is which identifier names it (locator wins, then contactId)."""

    kind: str
    value: str | int
    params: dict
    external_request_id: str | None = None
    language: str | None = None  # picks the template's translation, when it has one

    @property
    def label(self) -> str:
        return str(self.value)


@dataclass
class Target:
    app_uuid: str
    chat_id: str
    contact: Contact | None


@dataclass
class Delivery:
    request_id: str
    send_id: int
    message_id: int
    app_uuid: str
    chat_id: str
    contact_id: int | None
    external_customer_id: str | None
    text: str
    buttons: list[dict]
    image_source: str | None
    links: dict[str, str]
    created_at: float
    external_request_id: str | None = None
    # The template as it was at send time, so editing or deleting it later leaves past events alone.
    # None on a delivery restored from a snapshot older than these fields.
    message_name: str | None = None
    message_tag: str | None = None
    message_language_code: str | None = None
    status: str = PENDING
    attempts: int = 0
    next_attempt_at: float | None = None
    error_code: int | None = None
    reason: str | None = None
    token_removed_from: list[int] = field(default_factory=list)
    telegram_message_id: int | None = None
    clicked_link: str | None = None
    history: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "requestId": self.request_id,
            "sendId": self.send_id,
            "messageId": self.message_id,
            "app_uuid": self.app_uuid,
            "chat_id": self.chat_id,
            "contactId": self.contact_id,
            "status": self.status,
            "attempts": self.attempts,
            "next_attempt_at": self.next_attempt_at,
            "error_code": self.error_code,
            "reason": self.reason,
            "token_removed_from": list(self.token_removed_from),
            "clicked_link": self.clicked_link,
            "history": list(self.history),
        }


def parse_recipients(body: object, limit: int = MAX_RECIPIENTS) -> list[Recipient]:
    """The recipients of a smartsend body, all checked before anything is sent."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    items = required_array(body, "recipients", limit)
    seen: dict[str, int] = {}
    result = []
    for index, item in enumerate(items):
        where = f"recipients[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where} must be an object")
        key = json.dumps(item, sort_keys=True)
        if key in seen:
            raise InvalidInput(f"{where} repeats recipients[{seen[key]}]; recipients must be unique")
        seen[key] = index
        result.append(_recipient(where, item))
    return result


def _recipient(where: str, item: dict) -> Recipient:
    for name in ("locator", "externalCustomerId", "externalRequestId", "languageCode", "jsonParam"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{where}.{name} must be a string")
    for name in ("locator", "externalCustomerId"):
        value = item.get(name)
        if value is not None and is_blank(value):
            raise InvalidInput(f"{where}.{name} must be a non-empty string")
    contact_id = item.get("contactId")
    if contact_id is not None:
        if not isinstance(contact_id, int) or isinstance(contact_id, bool):
            raise InvalidInput(f"{where}.contactId must be an integer")
        if not -INT64_MAX - 1 <= contact_id <= INT64_MAX:
            raise InvalidInput(f"{where}.contactId is out of the int64 range")
    params: dict = {}
    raw = item.get("jsonParam")
    if raw:
        try:
            params = json.loads(raw)
        except ValueError:
            raise InvalidInput(f"{where}.jsonParam is not valid JSON") from None
        if not isinstance(params, dict):
            raise InvalidInput(f"{where}.jsonParam must hold a JSON object")
    external, language = item.get("externalRequestId"), item.get("languageCode")
    if item.get("locator") is not None:
        return Recipient("locator", item["locator"], params, external, language)
    if contact_id is not None:
        return Recipient("contactId", contact_id, params, external, language)
    if item.get("externalCustomerId") is not None:
        return Recipient("externalCustomerId", item["externalCustomerId"], params, external, language)
    raise InvalidInput(f"{where} has no locator, contactId or externalCustomerId")


@dataclass
class BroadcastRequest:
    message_id: str
    app_uuid: str | None
    title: str | None
    groups: list[int]
    excluded: list[int]
    start_at: float | None
    start_text: str | None
    batch_size: int | None = None
    batch_interval_unit: str | None = None


BATCH_UNITS = ("MINUTE", "HOUR", "DAY", "MONTH")


def _group_ids(body: dict, name: str) -> list[int]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(_is_whole(g) for g in value):
        raise InvalidInput(f"{name} must be an array of group ids (integers)")
    return list(dict.fromkeys(int(g) for g in value))


def _is_whole(value: object) -> bool:
    """An integer, or a JSON number written with a zero fraction (``3.0``), as JSON Schema counts them."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def parse_broadcast(body: object) -> BroadcastRequest:
    """A broadcast: ``messageId`` names a template (the vendor types it a string: any text is taken,
    and one that names no template is a 404 later); groups narrow the audience; ``appId`` picks the bot."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    raw_id = body.get("messageId")
    if raw_id is None:
        raise InvalidInput("messageId is required")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (int, str)) or (isinstance(raw_id, str) and is_blank(raw_id)):
        raise InvalidInput("messageId must be the id of a message (a string or an integer)")
    app_uuid = body.get("appId")
    if app_uuid is not None and not isinstance(app_uuid, str):
        raise InvalidInput("appId must be a string")
    for key in ("title", "domain"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise InvalidInput(f"{key} must be a string")
    start_text = body.get("startDate")
    start_at = None
    if start_text is not None:
        if not isinstance(start_text, str):
            raise InvalidInput("startDate must be a string like 2023-10-28T14:00")
        try:
            moment = dt.datetime.strptime(start_text, "%Y-%m-%dT%H:%M")
        except ValueError:
            raise InvalidInput(f"startDate {start_text!r} is not in the form YYYY-MM-DDTHH:mm") from None
        start_at = moment.replace(tzinfo=dt.timezone.utc).timestamp()
    size = body.get("batchSize")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 2**31 - 1):
        raise InvalidInput("batchSize must be a positive integer (int32)")
    unit = body.get("batchIntervalUnit")
    if unit is not None and unit not in BATCH_UNITS:
        raise InvalidInput(f"batchIntervalUnit must be one of {', '.join(BATCH_UNITS)}")
    return BroadcastRequest(
        str(raw_id).strip(), app_uuid, body.get("title"), _group_ids(body, "groups"),
        _group_ids(body, "excludedGroups"), start_at, start_text, size, unit,
    )


class Deliveries:
    """Every delivery of the world, its retry queue, and the side effects of each outcome."""

    def __init__(
        self,
        contacts: ContactBook,
        apps: Apps,
        telegram: TelegramWorld,
        outbox: Outbox,
        clicks: ClickPolicy,
        max_attempts: int = 5,
        seed: int = 0,
    ) -> None:
        self.contacts = contacts
        self.apps = apps
        self.telegram = telegram
        self.outbox = outbox
        self.clicks = clicks
        self.max_attempts = max_attempts
        self.request_ids = RequestIds(seed)
        self._by_id: dict[str, Delivery] = {}
        self._by_link: dict[str, tuple[str, str]] = {}
        self._due: list[tuple[float, int, str]] = []
        self._due_seq = 0
        self._next_send_id = 1
        self.token_removals: list[dict] = []

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, request_id: str) -> Delivery | None:
        return self._by_id.get(request_id)

    @property
    def next_send_id(self) -> int:
        return self._next_send_id

    def retry_queue(self) -> list[str]:
        """The requestIds waiting for a retry (or a scheduled start), in the order they will be attempted."""
        return [request_id for _, _, request_id in sorted(self._due)]

    def restore(
        self, deliveries: list[Delivery], removals: list[dict], next_send_id: int, request_ids: RequestIds, retry_queue: list[str]
    ) -> None:
        """Take over a checked snapshot's deliveries, counters and retry order (see ``domain.snapshot_sending``)."""
        self._by_id = {d.request_id: d for d in deliveries}
        self._by_link = {token: (d.request_id, url) for d in deliveries for token, url in d.links.items()}
        self._due = []
        self._due_seq = 0
        for request_id in retry_queue:
            delivery = self._by_id[request_id]
            self._due_seq += 1
            self._due.append((delivery.next_attempt_at, self._due_seq, request_id))
        heapq.heapify(self._due)
        self._next_send_id = next_send_id
        self.request_ids = request_ids
        self.token_removals = list(removals)

    def new_send_id(self) -> int:
        send_id = self._next_send_id
        self._next_send_id += 1
        return send_id

    # -- who receives a send --------------------------------------------------

    def holders_by_chat(self) -> dict[str, list[tuple[str, Contact]]]:
        """chat id -> (app_uuid, live contact) pairs, from one scan of the book."""
        index: dict[str, list[tuple[str, Contact]]] = {}
        for contact in self.contacts.live():
            for app_uuid, tokens in contact.tokens.items():
                for token in tokens:
                    index.setdefault(token, []).append((app_uuid, contact))
        return index

    def targets(self, recipient: Recipient, holders: dict | None) -> list[Target]:
        """The tokens a recipient resolves to; NotFound explains why there are none."""
        if recipient.kind == "locator":
            chat_id = str(recipient.value)
            pairs = (holders or {}).get(chat_id, [])
            apps_seen: dict[str, Contact] = {}
            for app_uuid, contact in pairs:
                best = apps_seen.get(app_uuid)
                if best is None or (contact.stamp, contact.id) > (best.stamp, best.id):
                    apps_seen[app_uuid] = contact
            if not apps_seen:
                raise NotFound(f"No contact holds the Telegram token {chat_id}")
            return [Target(app, chat_id, contact) for app, contact in apps_seen.items()]
        if recipient.kind == "contactId":
            contact = self.contacts.get(int(recipient.value))
            if contact is None:
                raise NotFound(f"Contact {recipient.value} not found")
        else:
            contact = self.contacts.find("externalCustomerId", str(recipient.value))
            if contact is None:
                raise NotFound(f"Contact with externalCustomerId {recipient.value} not found")
        found = [Target(app, token, contact) for app, tokens in contact.tokens.items() for token in tokens]
        if not found:
            raise NotFound(f"Contact {contact.id} has no Telegram token")
        return found

    def subscribers_of(self, app_uuid: str, now: float, groups: list[int], excluded: list[int]) -> list[Target]:
        """Every distinct unmuted token of an app on live contacts (a broadcast's audience)."""
        app = self.apps.get(app_uuid)
        wanted, unwanted = set(groups), set(excluded)
        seen: set[str] = set()
        result = []
        for contact in self.contacts.live():
            ids = {g.get("id") for g in contact.groups if isinstance(g, dict)}
            if wanted and not ids & wanted:
                continue
            if ids & unwanted:
                continue
            for token in contact.tokens.get(app_uuid, ()):
                if token in seen or (app is not None and app.is_muted(token, now)):
                    continue
                seen.add(token)
                result.append(Target(app_uuid, token, contact))
        return result

    # -- sending ----------------------------------------------------------------

    def create(
        self,
        message: TelegramMessage,
        target: Target,
        params: dict,
        send_id: int,
        now: float,
        base_url: str,
        external_request_id: str | None = None,
        start_at: float | None = None,
    ) -> Delivery:
        request_id = self.request_ids.next()
        links: dict[str, str] = {}

        def track(url: str) -> str:
            token = f"{request_id}-{len(links) + 1}"
            links[token] = url
            self._by_link[token] = (request_id, url)
            return f"{base_url}/track/{token}"

        text = URL.sub(lambda m: track(m.group(0)), render_text(message.text, params))
        buttons = [
            {"text": render_text(b.text, params), "url": track(b.link) if URL.fullmatch(b.link) else b.link}
            for b in message.buttons
        ]
        contact = target.contact
        delivery = Delivery(
            request_id=request_id,
            send_id=send_id,
            message_id=message.id,
            app_uuid=target.app_uuid,
            chat_id=target.chat_id,
            contact_id=contact.id if contact else None,
            external_customer_id=contact.external_customer_id if contact else None,
            text=text,
            buttons=buttons,
            image_source=message.image_source,
            links=links,
            created_at=now,
            external_request_id=external_request_id,
            message_name=message.name,
            message_tag=message.tag_text,
            message_language_code=message.language_code,
        )
        self._by_id[request_id] = delivery
        if start_at is not None and start_at > now:
            self._schedule(delivery, start_at)
        else:
            self.attempt(delivery, now)
        return delivery

    def attempt(self, delivery: Delivery, now: float) -> None:
        """Hand the delivery to Telegram once and apply what Telegram answers."""
        delivery.attempts += 1
        delivery.next_attempt_at = None
        try:
            _check_text(delivery)
            chat = self.telegram.check_reachable(delivery.chat_id)
        except TelegramError as error:
            if error.error_code == 429 and delivery.attempts < self.max_attempts:
                delivery.history.append(
                    {"time": now, "attempt": delivery.attempts, "error_code": 429, "reason": error.description}
                )
                self._schedule(delivery, now + (error.retry_after or 1))
                return
            self._fail(delivery, error, now)
            return
        app = self.apps.get(delivery.app_uuid)
        sent = {
            "date": int(now),
            "chat": {"id": chat_number(delivery.chat_id), "type": "private"},
            "text": delivery.text,
            "requestId": delivery.request_id,
        }
        if app is not None:
            sent["from"] = {"id": app.bot_id, "is_bot": True, "username": app.username}
        if delivery.buttons:
            sent["reply_markup"] = {"inline_keyboard": [[button] for button in delivery.buttons]}
        if delivery.image_source:
            sent["photo"] = delivery.image_source
        delivery.telegram_message_id = self.telegram.deliver(chat, sent)["message_id"]
        self._change(delivery, SENT, now)
        if delivery.links and self.clicks.decide():
            first = next(iter(delivery.links))
            self.click(first, now)

    def _fail(self, delivery: Delivery, error: TelegramError, now: float) -> None:
        delivery.error_code = error.error_code
        delivery.reason = error.description
        if error.description in TOKEN_REMOVING:
            for contact in self.contacts.token_holders(delivery.app_uuid, delivery.chat_id):
                self.contacts.remove_token(contact, delivery.app_uuid, delivery.chat_id)
                delivery.token_removed_from.append(contact.id)
            if delivery.token_removed_from:
                self.token_removals.append(
                    {
                        "time": now,
                        "app_uuid": delivery.app_uuid,
                        "token": delivery.chat_id,
                        "contactIds": list(delivery.token_removed_from),
                        "requestId": delivery.request_id,
                        "reason": error.description,
                    }
                )
        self._change(delivery, FAILED, now, reason=error.description)

    def _schedule(self, delivery: Delivery, when: float) -> None:
        delivery.next_attempt_at = when
        self._due_seq += 1
        heapq.heappush(self._due, (when, self._due_seq, delivery.request_id))

    def run_due(self, now: float) -> list[Delivery]:
        """Attempt every delivery whose retry time has come, in time order; returns them."""
        done = []
        while self._due and self._due[0][0] <= now:
            _, _, request_id = heapq.heappop(self._due)
            delivery = self._by_id[request_id]
            if delivery.status == PENDING:
                self.attempt(delivery, now)
                done.append(delivery)
        return done

    def smartsend(
        self, message: TelegramMessage, recipients: list[Recipient], now: float, base_url: str
    ) -> list[tuple[str, Delivery | None, str | None]]:
        """Send to each recipient: (locator, delivery, None) per target token, or (label, None, why not)."""
        holders = self.holders_by_chat() if any(r.kind == "locator" for r in recipients) else None
        send_id = self.new_send_id()
        results: list[tuple[str, Delivery | None, str | None]] = []
        for recipient in recipients:
            try:
                targets = self.targets(recipient, holders)
            except NotFound as exc:
                results.append((recipient.label, None, exc.message))
                continue
            version = message.version(recipient.language)
            for target in targets:
                delivery = self.create(
                    version, target, recipient.params, send_id, now, base_url, recipient.external_request_id
                )
                results.append((target.chat_id, delivery, None))
        return results

    def broadcast(
        self,
        message: TelegramMessage,
        app_uuid: str,
        now: float,
        base_url: str,
        groups: list[int],
        excluded: list[int],
        start_at: float | None = None,
        send_id: int | None = None,
    ) -> tuple[int, list[Delivery]]:
        """One delivery per unmuted subscriber token of a bot; returns the broadcast id and deliveries."""
        send_id = send_id if send_id is not None else self.new_send_id()
        audience = self.subscribers_of(app_uuid, now, groups, excluded)
        return send_id, [self.create(message, t, {}, send_id, now, base_url, None, start_at) for t in audience]

    def cancel(self, request_ids: list[str], now: float) -> list[Delivery]:
        """Stop the deliveries of a cancelled broadcast that have not reached Telegram yet."""
        stopped = []
        for request_id in request_ids:
            delivery = self._by_id.get(request_id)
            if delivery is None or delivery.status != PENDING:
                continue
            delivery.status = FAILED
            delivery.next_attempt_at = None
            delivery.reason = "Broadcast cancelled"
            delivery.history.append({"time": now, "attempt": delivery.attempts, "status": FAILED, "reason": delivery.reason})
            stopped.append(delivery)
        if stopped:
            gone = {d.request_id for d in stopped}
            self._due = [item for item in self._due if item[2] not in gone]
            heapq.heapify(self._due)
        return stopped

    # -- clicks -------------------------------------------------------------------

    def click(self, link_token: str, now: float) -> tuple[Delivery, str]:
        """Open a tracked link: the original URL, and CLICKED if the delivery had reached the chat."""
        found = self._by_link.get(link_token)
        if found is None:
            raise NotFound(f"No tracked link {link_token}")
        request_id, url = found
        delivery = self._by_id[request_id]
        if delivery.status == SENT:
            delivery.clicked_link = url
            self._change(delivery, CLICKED, now, link=url)
        return delivery, url

    def click_in_chat(self, chat_id: str, now: float, request_id: str | None = None) -> tuple[Delivery, str]:
        """The simulated user of a chat opens the first link of its latest delivered message (or of ``request_id``)."""
        for delivery in reversed(list(self._by_id.values())):
            if delivery.chat_id != chat_id or delivery.status not in (SENT, CLICKED) or not delivery.links:
                continue
            if request_id is not None and delivery.request_id != request_id:
                continue
            return self.click(next(iter(delivery.links)), now)
        which = f"delivery {request_id}" if request_id else "delivered message"
        raise NotFound(f"Chat {chat_id} has no {which} with a link to click")

    # -- history and webhooks ---------------------------------------------------

    def _change(self, delivery: Delivery, status: str, now: float, reason: str | None = None, link: str | None = None) -> None:
        delivery.status = status
        entry: dict = {"time": now, "attempt": delivery.attempts, "status": status}
        if reason is not None:
            entry["error_code"] = delivery.error_code
            entry["reason"] = reason
        if link is not None:
            entry["link"] = link
        delivery.history.append(entry)
        self.outbox.add(self._activity(delivery, status, now, reason, link))

    def _activity(self, delivery: Delivery, status: str, now: float, reason: str | None, link: str | None) -> dict:
        event = {
            "activityDateTime": activity_time(now),
            "activityStatus": ACTIVITY_STATUS[status],
            "messageId": delivery.message_id,
            "messageName": delivery.message_name,
            "messageTag": delivery.message_tag,
            "messageLanguageCode": delivery.message_language_code,
            "broadcastId": delivery.send_id,
            "requestId": delivery.request_id,
            "contactId": delivery.contact_id,
            "externalCustomerId": delivery.external_customer_id,
            "mediaType": "telegrambot",
            "telegrambot": delivery.chat_id,
            "clickEventLink": link,
            "statusDescription": reason,
            "statusData": {},
        }
        if delivery.external_request_id is not None:
            event["externalRequestId"] = delivery.external_request_id
        return event


def _check_text(delivery: Delivery) -> None:
    """Telegram refuses a blank text, or one over 4096 characters once jsonParam and tracked links
    are in (400, token kept); a message with an image is a photo, whose text is an optional caption."""
    if delivery.image_source is None:
        parse_text(delivery.text, None)
