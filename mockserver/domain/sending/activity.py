"""The outgoing activity-webhook queue: what to POST next, and when, with backoff.

Pure bookkeeping; the I/O lives in ``mockserver.webhooks``. Events leave in the order
they happened: while the head batch is being retried, later events wait behind it.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field

FIRST_BACKOFF = 60.0
MAX_BACKOFF = 3600.0
BATCH_SIZE = 100


def backoff(failures: int) -> float:
    """Seconds to wait after the n-th failed attempt: 1, 2, 4, 8 … minutes, then hourly."""
    return min(FIRST_BACKOFF * 2 ** (failures - 1), MAX_BACKOFF)


def activity_time(timestamp: float) -> str:
    """eSputnik's ``activityDateTime`` form: UTC, seconds, no zone (``2023-09-14T08:30:03``)."""
    moment = dt.datetime.fromtimestamp(timestamp, dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


@dataclass
class WebhookTarget:
    url: str
    username: str | None = None
    password: str | None = None


@dataclass
class Outbox:
    target: WebhookTarget | None = None
    pending: deque = field(default_factory=deque)
    batch: list[dict] | None = None
    failures: int = 0
    next_attempt_at: float = 0.0
    attempts: int = 0
    delivered_events: int = 0

    def add(self, event: dict) -> None:
        if self.target is not None:
            self.pending.append(event)

    def due(self, now: float) -> list[dict] | None:
        """The batch to POST now, or None (nothing waiting, or the head batch is backing off)."""
        if self.target is None:
            return None
        if self.batch is None:
            if not self.pending:
                return None
            size = min(BATCH_SIZE, len(self.pending))
            self.batch = [self.pending.popleft() for _ in range(size)]
            self.failures = 0
            self.next_attempt_at = now
        if now < self.next_attempt_at:
            return None
        return self.batch

    def succeeded(self) -> None:
        self.attempts += 1
        self.delivered_events += len(self.batch or ())
        self.batch = None
        self.failures = 0

    def failed(self, now: float) -> float:
        """Record a failed attempt of the head batch; returns when it will be tried again."""
        self.attempts += 1
        self.failures += 1
        self.next_attempt_at = now + backoff(self.failures)
        return self.next_attempt_at

    def describe(self) -> dict:
        return {
            "url": self.target.url if self.target else None,
            "pending_events": len(self.pending) + len(self.batch or ()),
            "attempts": self.attempts,
            "failures_of_head_batch": self.failures,
            "next_attempt_at": self.next_attempt_at if self.batch is not None else None,
            "delivered_events": self.delivered_events,
        }
