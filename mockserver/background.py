"""The emulator's one background runner: all work that must stay off the request path.

Started and stopped with the server (``Emulator.startup`` / ``shutdown``), it is a single
task holding two loops:

- deliveries and activity: every ``tick`` real seconds, run the delivery retries that fell
  due on the world clock and POST due activity-webhook batches (``mockserver.webhooks``);
- bot updates: push each bot's queued updates to its webhook (``mockserver.botapi.webhooks``),
  woken at once by new updates and otherwise checking the clock for due retries.

Backoff of both is measured on the world clock, so tests move the clock instead of sleeping;
they may also call ``step()`` / ``flush()`` directly without starting the runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx

from .botapi.webhooks import CLOCK_POLL, WebhookSender
from .webhooks import TIMEOUT_SECONDS, ActivityWebhooks

TICK_SECONDS = 0.25
log = logging.getLogger(__name__)


class Background:
    def __init__(self, emulator, tick: float = TICK_SECONDS, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.emulator = emulator
        self.tick = tick
        # Transport for activity webhooks (tests put a MockTransport here); None means the network.
        self.transport = transport
        self.activity = ActivityWebhooks(emulator)
        self.bot_webhooks = WebhookSender(emulator)
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._deliveries_and_activity())
            group.create_task(self._bot_updates())

    async def _deliveries_and_activity(self) -> None:
        while True:
            try:
                await self.step()
            except Exception:  # the loop must outlive a bad tick; the traceback goes to the log
                log.exception("background step failed")
            await asyncio.sleep(self.tick)

    async def _bot_updates(self) -> None:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            while True:
                try:
                    await self.bot_webhooks.round(client)
                except Exception:  # as above: one bad round must not stop either loop
                    log.exception("bot webhook round failed")
                    await asyncio.sleep(CLOCK_POLL)

    async def step(self) -> None:
        """One tick: run due delivery retries, then send due activity webhooks."""
        self.emulator.run_due_retries()
        await self.flush()

    async def flush(self) -> int:
        """POST every activity-webhook batch that is due, in order; returns the attempts made."""
        return await self.activity.flush(self.transport)
