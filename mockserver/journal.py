"""The request journal: a bounded ring of what clients sent and what they got back.

Entries keep raw bytes and are decoded only when someone reads the journal, so
recording costs the hot path next to nothing.
"""

from __future__ import annotations

import asyncio
import fnmatch
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

BODY_PREVIEW = 64 * 1024
DEFAULT_JOURNAL_BYTES = 64 * 1024 * 1024
ENTRY_OVERHEAD = 256  # bytes counted for an entry beyond its bodies and notes (method, path, ...)


@dataclass(slots=True)
class Entry:
    id: int
    time: float
    method: str
    path: str
    query: str
    status: int = 0
    request_body: bytes = b""
    response_body: bytes = b""
    # What the handler wants tests to see (e.g. the outcome of each tokens item).
    notes: dict = field(default_factory=dict)
    # Bytes counted against the journal's bound, and whether the entry is still in it.
    size: int = 0
    kept: bool = True

    def as_dict(self) -> dict:
        data = {
            "id": self.id,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "status": self.status,
            "request": {"body": _decode(self.request_body)},
            "response": {"body": _decode(self.response_body)},
        }
        data.update(self.notes)
        return data


def _decode(raw: bytes):
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw[:BODY_PREVIEW].decode("utf-8", "replace")


class Journal:
    """At most ``size`` entries and ``max_bytes`` bytes, oldest dropped first; ``dropped`` counts
    what fell off.

    An entry's bytes are its request and response bodies (each kept up to ``BODY_PREVIEW``),
    its notes as JSON and ``ENTRY_OVERHEAD``; the newest entry always stays, however large.
    """

    def __init__(self, size: int = 10_000, max_bytes: int = DEFAULT_JOURNAL_BYTES) -> None:
        if size < 1 or max_bytes < 1:
            raise ValueError("the journal holds at least one entry and one byte")
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self.entries: deque[Entry] = deque()
        self.dropped = 0
        self._next_id = 1
        self._changed: asyncio.Event | None = None
        # Told of every answered entry (the change stream, see mockserver/stream.py).
        self.listener: Callable[[Entry], None] | None = None

    def open(self, time: float, method: str, path: str, query: str, body: bytes) -> Entry:
        entry = Entry(self._next_id, time, method, path, query, request_body=body[:BODY_PREVIEW])
        self._next_id += 1
        if len(self.entries) == self.size:
            self._drop_oldest()
        entry.size = ENTRY_OVERHEAD + len(entry.request_body) + len(query)
        self.bytes += entry.size
        self.entries.append(entry)
        self._trim()
        # A request counts from its arrival (status 0 until answered), so a waiter must hear of it
        # now: a long poll or a delayed fault may take seconds to answer.
        if self._changed is not None:
            self.wake()
        return entry

    def closed(self, entry: Entry) -> None:
        """Count the answer and notes against the bound, and wake whoever waits
        (``/_mock/requests/wait``): the entry now has its status."""
        entry.response_body = entry.response_body[:BODY_PREVIEW]
        if entry.kept:
            grown = len(entry.response_body) + (len(orjson.dumps(entry.notes)) if entry.notes else 0)
            entry.size += grown
            self.bytes += grown
            self._trim()
        self.wake()
        if self.listener is not None:
            self.listener(entry)

    def _drop_oldest(self) -> None:
        oldest = self.entries.popleft()
        oldest.kept = False
        self.bytes -= oldest.size
        self.dropped += 1

    def _trim(self) -> None:
        while self.bytes > self.max_bytes and len(self.entries) > 1:
            self._drop_oldest()

    def wake(self) -> None:
        """Wake whoever waits, to look again (a new entry, a status, or the server stopping)."""
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def changed(self) -> asyncio.Event:
        if self._changed is None:
            self._changed = asyncio.Event()
        return self._changed

    def clear(self) -> None:
        for entry in self.entries:
            entry.kept = False
        self.entries.clear()
        self.bytes = 0
        self.dropped = 0


@dataclass(frozen=True, slots=True)
class RequestFilter:
    """Which journal entries a query means: method, a path glob, status, and ids after ``since``."""

    method: str | None = None
    path: str | None = None
    status: int | None = None
    since: int | None = None

    def matches(self, entry: Entry) -> bool:
        if self.method is not None and entry.method != self.method:
            return False
        if self.path is not None and not fnmatch.fnmatchcase(entry.path, self.path):
            return False
        if self.status is not None and entry.status != self.status:
            return False
        if self.since is not None and entry.id <= self.since:
            return False
        return True

    def select(self, journal: "Journal") -> list[Entry]:
        return [entry for entry in journal.entries if self.matches(entry)]

    def count(self, journal: "Journal") -> int:
        return sum(1 for entry in journal.entries if self.matches(entry))
