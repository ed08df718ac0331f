"""Outgoing HTTP of the emulator: activity webhooks to eSputnik's integrator, and one POST helper.

Handlers only queue activity events; the background runner (``mockserver.background``)
calls ``ActivityWebhooks.flush`` to POST them, so a slow or failing receiver never holds
up an API request. Every attempt goes into the journal. ``post_once`` is shared with the
bots' update webhooks (``mockserver.botapi.webhooks``): one attempt, 2xx or not.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
import orjson

TIMEOUT_SECONDS = 10.0
RESPONSE_PREVIEW = 4096


@dataclass
class Attempt:
    """One POST: the receiver's answer, or the transport error that prevented one."""

    response: httpx.Response | None = None
    error: httpx.HTTPError | None = None

    @property
    def ok(self) -> bool:
        return self.response is not None and 200 <= self.response.status_code < 300


async def post_once(
    client: httpx.AsyncClient, url: str, body: bytes, headers: dict[str, str], auth: httpx.Auth | None = None
) -> Attempt:
    """POST ``body`` once; a network failure is an answer too (retries are the caller's, on the world clock)."""
    try:
        return Attempt(response=await client.post(url, content=body, headers=headers, auth=auth or httpx.USE_CLIENT_DEFAULT))
    except httpx.HTTPError as exc:
        return Attempt(error=exc)


class ActivityWebhooks:
    """Sends the world's outbox of activity events, batch by batch, in order."""

    def __init__(self, emulator) -> None:
        self.emulator = emulator
        self._lock = asyncio.Lock()

    async def flush(self, transport: httpx.AsyncBaseTransport | None = None) -> int:
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
                if not await self._post(world.outbox, batch, now, transport):
                    return attempts

    async def _post(self, outbox, batch: list[dict], now: float, transport: httpx.AsyncBaseTransport | None) -> bool:
        target = outbox.target
        body = orjson.dumps(batch)
        auth = None
        if target.username is not None or target.password is not None:
            auth = httpx.BasicAuth(target.username or "", target.password or "")
        journal = self.emulator.journal
        entry = journal.open(now, "POST", target.url, "", body)
        info = {"direction": "outgoing", "attempt": outbox.failures + 1, "events": len(batch)}
        entry.notes["webhook"] = info
        async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT_SECONDS) as client:
            attempt = await post_once(client, target.url, body, {"Content-Type": "application/json"}, auth)
        if attempt.response is None:
            entry.status = 0
            info["error"] = f"{type(attempt.error).__name__}: {attempt.error}"
        else:
            entry.status = attempt.response.status_code
            entry.response_body = attempt.response.content[:RESPONSE_PREVIEW]
        if attempt.ok:
            outbox.succeeded()
        else:
            info["next_attempt_at"] = outbox.failed(now)
        journal.closed(entry)
        return attempt.ok
