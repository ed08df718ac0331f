"""Deliveries: one per target token, through the simulated Telegram world.

A delivery is SENT when the chat accepts it, FAILED with Telegram's own answer when
it does not, CLICKED when a tracked link is opened. Blocked and deactivated chats lose
their token on every contact card; 429 answers are retried on the world's clock.
This module is that state machine; what it reads and writes lives beside it: the
checked bodies (``parsing``), who receives a send (``audience``), the text with
tracked links (``rendering``) and the activity event of each change (``events``).
"""

from __future__ import annotations

import heapq
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..contacts.apps import Apps
from ..contacts.book import ContactBook
from ..errors import NotFound
from ..telegram.chats import BLOCKED, DEACTIVATED, DEAD_CHAT_ERRORS, TelegramError, TelegramWorld, chat_number
from . import audience
from .activity import Outbox
from .audience import Target
from .events import activity_event
from .messages import TelegramMessage
from .parsing import Recipient
from .rendering import check_text, render
from .statuses import CLICKED, FAILED, PENDING, SENT

# Telegram answers after which eSputnik drops the token from the contact card.
TOKEN_REMOVING = {DEAD_CHAT_ERRORS[BLOCKED][1], DEAD_CHAT_ERRORS[DEACTIVATED][1]}
# Draws skipped per getrandbits call on restore: large enough to be fast, small enough to keep memory flat.
SKIP_CHUNK = 65_536


def skip_draws(rng: random.Random, count: int, bits: int) -> None:
    """Advance ``rng`` past ``count`` draws of ``bits`` bits each, without making them one by one.

    Mersenne Twister hands out 32-bit words in order, so one ``getrandbits(bits * n)`` uses
    exactly the words of ``n`` draws of ``bits`` bits (``random()`` uses 64): a restore of
    millions of replayed draws takes a fraction of a second instead of seconds.
    """
    while count > 0:
        step = min(count, SKIP_CHUNK)
        rng.getrandbits(bits * step)
        count -= step


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
        skip_draws(self.rng, self.draws, 64)

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
        self.issued = issued
        self._rng = random.Random(seed)
        skip_draws(self._rng, issued, 128)

    def next(self) -> str:
        self.issued += 1
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


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
            when = self._by_id[request_id].next_attempt_at
            assert when is not None, request_id  # the snapshot check queues only scheduled deliveries
            self._due_seq += 1
            self._due.append((when, self._due_seq, request_id))
        heapq.heapify(self._due)
        self._next_send_id = next_send_id
        self.request_ids = request_ids
        self.token_removals = list(removals)

    def new_send_id(self) -> int:
        send_id = self._next_send_id
        self._next_send_id += 1
        return send_id

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
        rendered = render(message, params, request_id, base_url)
        for token, url in rendered.links.items():
            self._by_link[token] = (request_id, url)
        contact = target.contact
        delivery = Delivery(
            request_id=request_id,
            send_id=send_id,
            message_id=message.id,
            app_uuid=target.app_uuid,
            chat_id=target.chat_id,
            contact_id=contact.id if contact else None,
            external_customer_id=contact.external_customer_id if contact else None,
            text=rendered.text,
            buttons=rendered.buttons,
            image_source=message.image_source,
            links=rendered.links,
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
            check_text(delivery.text, delivery.image_source)
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
        needs_holders = any(r.kind == "locator" for r in recipients)
        holders = audience.holders_by_chat(self.contacts) if needs_holders else None
        # Every recipient is resolved before anything is sent, so a send the chat bound refuses changes nothing.
        resolved: list[tuple[Recipient, list[Target] | str]] = []
        for recipient in recipients:
            try:
                resolved.append((recipient, audience.targets(self.contacts, recipient, holders)))
            except NotFound as exc:
                resolved.append((recipient, exc.message))
        self.telegram.make_room(t.chat_id for _, targets in resolved if not isinstance(targets, str) for t in targets)
        send_id = self.new_send_id()
        results: list[tuple[str, Delivery | None, str | None]] = []
        for recipient, targets in resolved:
            if isinstance(targets, str):
                results.append((recipient.label, None, targets))
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
        run = self.start_broadcast(message, app_uuid, now, base_url, groups, excluded, start_at, send_id)
        sent: list[Delivery] = []
        while not run.done:
            sent += run.step()
        return run.send_id, sent

    def start_broadcast(
        self,
        message: TelegramMessage,
        app_uuid: str,
        now: float,
        base_url: str,
        groups: list[int],
        excluded: list[int],
        start_at: float | None = None,
        send_id: int | None = None,
    ) -> BroadcastRun:
        """A broadcast to be sent a slice at a time (``Broadcast.step``), so that a server can answer
        other requests between slices; the audience is the book as it is now, and a broadcast the
        chat bound refuses changes nothing."""
        reached = audience.subscribers(self.contacts, self.apps, app_uuid, now, groups, excluded)
        self.telegram.make_room(t.chat_id for t in reached)
        send_id = send_id if send_id is not None else self.new_send_id()
        return BroadcastRun(self, message, send_id, iter(reached), now, base_url, start_at)

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

    # -- history and activity events ---------------------------------------------------

    def _change(self, delivery: Delivery, status: str, now: float, reason: str | None = None, link: str | None = None) -> None:
        delivery.status = status
        entry: dict = {"time": now, "attempt": delivery.attempts, "status": status}
        if reason is not None:
            entry["error_code"] = delivery.error_code
            entry["reason"] = reason
        if link is not None:
            entry["link"] = link
        delivery.history.append(entry)
        if self.outbox.target is not None:  # no receiver, no event (a broadcast saves a fifth of its time)
            self.outbox.add(activity_event(delivery, status, now, reason, link))


# Deliveries per broadcast slice: at 20-40 µs each, a slice keeps the server busy for a few
# milliseconds before other requests get their turn, even on a loaded machine.
BROADCAST_SLICE = 100


class BroadcastRun:
    """A broadcast under way: its id at once, then ``step()`` sends the next slice until ``done``."""

    def __init__(
        self,
        deliveries: Deliveries,
        message: TelegramMessage,
        send_id: int,
        audience: Iterator[Target],
        now: float,
        base_url: str,
        start_at: float | None,
    ) -> None:
        self.deliveries = deliveries
        self.message = message
        self.send_id = send_id
        self.now = now
        self.base_url = base_url
        self.start_at = start_at
        self.done = False
        self._audience = audience

    def step(self, size: int = BROADCAST_SLICE) -> list[Delivery]:
        """Send to up to ``size`` more subscribers; the deliveries made."""
        made = []
        create = self.deliveries.create
        for target in self._audience:
            made.append(create(self.message, target, {}, self.send_id, self.now, self.base_url, None, self.start_at))
            if len(made) >= size:
                return made
        self.done = True
        return made
