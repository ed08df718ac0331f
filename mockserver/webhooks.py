"""The emulator's own work off the request path: due retries and outgoing activity webhooks.

Handlers only queue activity events; this task POSTs them, so a slow or failing
receiver never holds up an API request. Every attempt goes into the journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import httpx
import orjson

TICK_SECONDS = 0.25
TIMEOUT_SECONDS = 10.0
RESPONSE_PREVIEW = 4096
log = logging.getLogger(__name__)


class Background:
    """Runs from the app's lifespan; tests call ``step()`` or ``flush()`` after moving the clock."""

    def __init__(self, emulator, tick: float = TICK_SECONDS, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.emulator = emulator
        self.tick = tick
        self.transport = transport
        self._task: asyncio.Task | None = None
        self._lock = asyncio.Lock()

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
        while True:
            try:
                await self.step()
            except Exception:  # the loop must outlive a bad tick; the traceback goes to the log
                log.exception("background step failed")
            await asyncio.sleep(self.tick)

    async def step(self) -> None:
        world = self.emulator.world
        world.deliveries.run_due(world.clock.now())
        await self.flush()

    async def flush(self) -> int:
        """POST every webhook batch that is due, in order, until one fails; returns the attempts made."""
        async with self._lock:
            attempts = 0
            while True:
                world = self.emulator.world
                now = world.clock.now()
                batch = world.outbox.due(now)
                if batch is None:
                    return attempts
                attempts += 1
                if not await self._post(world.outbox, batch, now):
                    return attempts

    async def _post(self, outbox, batch: list[dict], now: float) -> bool:
        target = outbox.target
        body = orjson.dumps(batch)
        auth = None
        if target.username is not None or target.password is not None:
            auth = httpx.BasicAuth(target.username or "", target.password or "")
        journal = self.emulator.journal
        entry = journal.open(now, "POST", target.url, "", body)
        info = {"direction": "outgoing", "attempt": outbox.failures + 1, "events": len(batch)}
        entry.notes["webhook"] = info
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(
                    target.url, content=body, headers={"Content-Type": "application/json"}, auth=auth
                )
        except httpx.HTTPError as exc:
            entry.status = 0
            info["error"] = f"{type(exc).__name__}: {exc}"
            ok = False
        else:
            entry.status = response.status_code
            entry.response_body = response.content[:RESPONSE_PREVIEW]
            ok = 200 <= response.status_code < 300
        if ok:
            outbox.succeeded()
        else:
            info["next_attempt_at"] = outbox.failed(now)
        journal.closed(entry)
        return ok
