"""Each bot's update queue and how it is drained: long polling or a webhook.

Telegram numbers a bot's updates sequentially and keeps each one until the bot
confirms it (getUpdates with a higher offset) or its webhook answers 2xx. The
two ways are exclusive. This module holds that bookkeeping; the HTTP that moves
updates lives in ``mockserver.botapi``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

# Types a bot gets when it names none (Telegram's default leaves these three out).
EXCLUDED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Webhook retries wait 1, 2, 4, ... seconds of world time, at most this long.
MAX_BACKOFF = 60.0
DEFAULT_MAX_CONNECTIONS = 40
# Updates a bot's queue holds before users' actions towards it are refused: a bridge that never
# confirms what it read would otherwise grow the queue without end (an update is at most ~10 KB).
MAX_PENDING_UPDATES = 10_000


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    ip_address: str | None = None


class Inbox:
    """One bot's undelivered updates, its webhook and the state of webhook retries."""

    def __init__(self, notify: Callable[[], None]) -> None:
        self.updates: deque[dict] = deque()
        self.next_update_id = 1
        # None: Telegram's default set; otherwise the update types the bot asked for.
        self.allowed_updates: list[str] | None = None
        self.webhook: Webhook | None = None
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.failures = 0
        self.retry_at: float | None = None
        self._notify = notify

    def room(self) -> int:
        return MAX_PENDING_UPDATES - len(self.updates)

    def wants(self, kind: str) -> bool:
        if self.allowed_updates is None:
            return kind not in EXCLUDED_BY_DEFAULT
        return kind in self.allowed_updates

    def push(self, kind: str, payload: dict) -> dict | None:
        """Queue an update of ``kind``; None when the bot does not take this type."""
        if not self.wants(kind):
            return None
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        self._notify()
        return update

    # -- long polling ----------------------------------------------------------

    def confirm(self, offset: int) -> None:
        """Forget what ``offset`` confirms: ids below it, or all but the last -offset when negative."""
        if offset > 0:
            while self.updates and self.updates[0]["update_id"] < offset:
                self.updates.popleft()
        elif offset < 0:
            while len(self.updates) > -offset:
                self.updates.popleft()

    def peek(self, limit: int) -> list[dict]:
        return [self.updates[i] for i in range(min(limit, len(self.updates)))]

    # -- webhook -----------------------------------------------------------------

    def set_webhook(self, webhook: Webhook, allowed_updates: list[str] | None, drop_pending: bool) -> None:
        self.webhook = webhook
        if allowed_updates is not None:
            self.allowed_updates = allowed_updates or None
        if drop_pending:
            self.updates.clear()
        self.failures = 0
        self.retry_at = None
        self._notify()

    def delete_webhook(self, drop_pending: bool) -> bool:
        """Remove the webhook; False when there was none."""
        had = self.webhook is not None
        self.webhook = None
        self.failures = 0
        self.retry_at = None
        if drop_pending:
            self.updates.clear()
        self._notify()
        return had

    def due(self, now: float) -> dict | None:
        """The next update the webhook should get now, or None (nothing, no webhook, or backing off)."""
        if self.webhook is None or not self.updates:
            return None
        if self.retry_at is not None and now < self.retry_at:
            return None
        return self.updates[0]

    def wait_hint(self, now: float) -> float | None:
        """World seconds until a backed-off retry is due, if one is pending."""
        if self.webhook is None or not self.updates or self.retry_at is None:
            return None
        return max(0.0, self.retry_at - now)

    def webhook_delivered(self, update_id: int) -> None:
        if self.updates and self.updates[0]["update_id"] == update_id:
            self.updates.popleft()
        self.failures = 0
        self.retry_at = None

    def webhook_failed(self, now: float, message: str) -> None:
        self.failures += 1
        self.last_error_date = int(now)
        self.last_error_message = message
        self.retry_at = now + min(2.0 ** (self.failures - 1), MAX_BACKOFF)

    def webhook_info(self) -> dict:
        """Telegram's WebhookInfo for this bot."""
        hook = self.webhook
        info: dict = {"url": hook.url if hook else "", "has_custom_certificate": False,
                      "pending_update_count": len(self.updates)}
        if self.last_error_date is not None:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
        if self.allowed_updates is not None:
            info["allowed_updates"] = list(self.allowed_updates)
        return info

    def summary(self) -> dict:
        """What the control plane shows about this queue."""
        return {
            "pending_updates": len(self.updates),
            "next_update_id": self.next_update_id,
            "webhook": self.webhook.url if self.webhook else None,
            "allowed_updates": self.allowed_updates,
            "last_error_message": self.last_error_message,
        }
