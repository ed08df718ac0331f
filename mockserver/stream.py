"""The change stream behind ``GET /_mock/stream``: one server-sent event per change of the world.

The world changes only through requests (and the retries the clock sets off), so changes are
published where requests end, outside the domain: the journal's ``closed`` (every ``/api``,
``/bot`` and ``/track`` request, retry runs and outgoing webhooks) and ``Front`` for the
control plane, which is not journaled. Each finished request is one ``request`` event (journaled
ones only) plus one event for each kind of thing its path changes (``kinds_of``): a hint to look
again, which may come for a request that turned out to change nothing, but never misses one
that did.

Nothing is built while nobody listens (``publish`` returns at once). A subscriber that stops
reading holds at most ``MAX_QUEUED`` events; past that they are dropped for one ``overflow``
event, after which a client reloads what it shows. ``close`` ends every stream at shutdown.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable

import orjson

MAX_STREAMS = 100  # streams open at once; one more is refused (429)
MAX_QUEUED = 1000  # events held for a subscriber that does not read
# Control-plane calls that change something, by path prefix (only non-GET calls are looked at).
CONTROL_KINDS = (
    ("/_mock/reset", ("reset",)),
    ("/_mock/scenario", ("reset",)),
    ("/_mock/state", ("reset",)),
    ("/_mock/clock", ("clock",)),
    ("/_mock/faults", ("fault",)),
    ("/_mock/telegram/chats/", ("chat", "delivery")),  # block, unblock, deactivate, click
    ("/_mock/telegram/users", ("chat", "contact")),  # users act; sharing a contact may touch contacts
)
READ_ONLY_BOT_METHODS = ("get", "answercallbackquery", "logout", "close")


class StreamsFull(Exception):
    """``MAX_STREAMS`` streams are already open."""


def event(kind: str, data: object, seq: int | None = None) -> bytes:
    """One server-sent event: ``id`` (a running number), ``event`` (the kind) and JSON ``data``."""
    head = f"id: {seq}\n" if seq is not None else ""
    return f"{head}event: {kind}\n".encode() + b"data: " + orjson.dumps(data) + b"\n\n"


def kinds_of(method: str, path: str, status: int) -> tuple[str, ...]:
    """What a finished request may have changed, judged by its method, path and status."""
    if not 200 <= status < 400:
        return ()
    if path.startswith("/_mock"):
        if method == "GET":
            return ()
        for prefix, kinds in CONTROL_KINDS:
            if path.startswith(prefix):
                return kinds
        return ()
    if path.startswith("/bot"):
        name = path.rsplit("/", 1)[-1].lower()
        return () if name.startswith(READ_ONLY_BOT_METHODS) else ("chat",)
    if path.startswith("/track/"):
        return ("delivery",)
    if method == "GET" or not path.startswith("/api/"):
        return ("delivery", "chat") if method == "RETRY" else ()
    lower = path.lower()
    if "/message/" in lower or "/broadcast" in lower:
        return ("delivery", "chat")
    if "contact" in lower or "token" in lower or "subscri" in lower or "group" in lower:
        return ("contact",)
    return ()


class Subscriber:
    """One open stream: the events not yet sent, and a wake-up for the task sending them."""

    def __init__(self) -> None:
        self.pending: deque[bytes] = deque()
        self.closed = False
        self._ready = asyncio.Event()

    def put(self, chunk: bytes) -> None:
        if len(self.pending) >= MAX_QUEUED:
            self.pending.clear()
            self.pending.append(event("overflow", {"dropped": MAX_QUEUED}))
        self.pending.append(chunk)
        self._ready.set()

    def close(self) -> None:
        self.closed = True
        self._ready.set()

    async def next(self, wait: float) -> bytes | None:
        """Everything pending as one chunk; ``b""`` after ``wait`` seconds of quiet; None once closed."""
        if not self.pending and not self.closed:
            try:
                await asyncio.wait_for(self._ready.wait(), wait)
            except TimeoutError:
                return b""
        self._ready.clear()
        if self.pending:
            chunk = b"".join(self.pending)
            self.pending.clear()
            return chunk
        return None if self.closed else b""


class ChangeStream:
    """Who listens, and the one ``publish`` every change goes through."""

    def __init__(self, limit: int = MAX_STREAMS) -> None:
        self.limit = limit
        self.subscribers: set[Subscriber] = set()
        self.seq = 0
        self.closed = False

    def check_room(self) -> None:
        if len(self.subscribers) >= self.limit:
            raise StreamsFull(f"{self.limit} change streams are already open, the most held at once")

    def subscribe(self) -> Subscriber:
        """A new listener (``check_room`` first: the stream's handler refuses before its answer starts)."""
        subscriber = Subscriber()
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def publish(self, kind: str, data: object) -> None:
        if not self.subscribers:
            return
        self.seq += 1
        chunk = event(kind, data, self.seq)
        for subscriber in self.subscribers:
            subscriber.put(chunk)

    def finished(
        self, method: str, path: str, status: int, request_id: int | None, context: Callable[[], dict] | None = None
    ) -> None:
        """A request ended: its ``request`` event (when journaled) and one per kind it may have changed.

        ``context`` gives what clock, reset and fault events carry besides; it is asked only for those.
        """
        if not self.subscribers:
            return
        about = {"method": method, "path": path, "status": status, "request": request_id}
        if request_id is not None:
            self.publish("request", {"id": request_id, "method": method, "path": path, "status": status})
        for kind in kinds_of(method, path, status):
            extra = context() if context is not None and kind in ("clock", "reset", "fault") else {}
            self.publish(kind, {**about, **extra})

    def close(self) -> None:
        """End every open stream (the server is stopping); new ones are refused until ``reopen``."""
        self.closed = True
        for subscriber in self.subscribers:
            subscriber.close()

    def reopen(self) -> None:
        self.closed = False
