"""``GET /_mock/stream``: the world's changes as server-sent events (see ``mockserver.stream``).

The stream opens with a ``ready`` event (the scenario, the clock) so that a client knows it is
listening, then sends an event per change and a comment line every ``KEEP_ALIVE`` seconds of
quiet. It ends when the client goes, after ``timeout`` seconds if one is given, or at once
when the server begins to stop (so it never holds up a shutdown).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ..stream import StreamsFull, event
from .common import Refusal, handler, number

KEEP_ALIVE = 15.0
MAX_TIMEOUT = 86_400.0
EVENT_STREAM = "text/event-stream"


@handler
async def stream(request: Request) -> Response:
    emulator = request.app.state.emulator
    timeout = number(request, "timeout", kind=float, low=0, high=MAX_TIMEOUT)
    if emulator.stopping or emulator.changes.closed:
        raise Refusal(503, "the emulator is shutting down")
    changes = emulator.changes
    try:
        changes.check_room()
    except StreamsFull as exc:
        raise Refusal(429, "too many open streams", str(exc)) from None
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout

    async def events() -> AsyncIterator[bytes]:
        # Subscribed here rather than above: a response never started (the client left first)
        # then leaves no subscriber behind.
        subscriber = changes.subscribe()
        ready = event("ready", emulator.change_context())
        try:
            # retry: how long a browser's EventSource waits before it reconnects (milliseconds).
            yield b"retry: 1000\n" + ready
            while True:
                wait = KEEP_ALIVE if deadline is None else min(KEEP_ALIVE, deadline - loop.time())
                if wait <= 0:
                    return
                chunk = await subscriber.next(wait)
                if chunk is None:
                    return
                if chunk:
                    yield chunk
                elif deadline is None or loop.time() < deadline:
                    yield b": keep-alive\n\n"
        finally:
            changes.unsubscribe(subscriber)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type=EVENT_STREAM, headers=headers)


routes = [Route("/_mock/stream", stream, methods=["GET"])]
