"""Pushing each bot's updates to its webhook: one at a time, in order, retried with backoff.

Driven by the emulator's background runner (``mockserver.background``). Backoff is measured
on the world's clock, so a test can skip a retry delay by moving the clock instead of sleeping.
"""

from __future__ import annotations

import asyncio

import httpx

from ..domain.telegram.updates import Inbox
from ..responses import dumps
from ..webhooks import post_once

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# How often (real seconds, at most) the sender looks at the clock while a retry is pending.
CLOCK_POLL = 0.1


def failure_text(exc: Exception | None, response: httpx.Response | None) -> str:
    """What getWebhookInfo's last_error_message says, in Telegram's words where it has them."""
    if response is not None:
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}".rstrip()
    if isinstance(exc, httpx.TimeoutException):
        return "Read timeout expired"
    if isinstance(exc, httpx.ConnectError):
        return "Connection refused"
    return f"Failed to send the update: {type(exc).__name__}"


class WebhookSender:
    """Sends due updates of every bot that has a webhook; the caller owns the loop and the client."""

    def __init__(self, emulator) -> None:
        self.emulator = emulator

    async def round(self, client: httpx.AsyncClient) -> None:
        """Send at most one update to every bot whose webhook is due; then wait for news."""
        world = self.emulator.world
        woken = self.emulator.updates.any_event()
        now = world.clock.now()
        due = [(inbox, update) for inbox in world.bots.inboxes.values() if (update := inbox.due(now)) is not None]
        if due:
            await asyncio.gather(*(self.send(client, inbox, update) for inbox, update in due))
            return
        hints = [h for inbox in world.bots.inboxes.values() if (h := inbox.wait_hint(now)) is not None]
        wait = min(CLOCK_POLL, *hints) if hints else None
        try:
            await asyncio.wait_for(woken.wait(), wait)
        except TimeoutError:
            pass

    async def send(self, client: httpx.AsyncClient, inbox: Inbox, update: dict) -> None:
        hook = inbox.webhook
        if hook is None:  # deleted while this round was being scheduled
            return
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        attempt = await post_once(client, hook.url, dumps(update), headers)
        if attempt.ok:
            inbox.webhook_delivered(update["update_id"])
        else:
            inbox.webhook_failed(self.emulator.world.clock.now(), failure_text(attempt.error, attempt.response))
