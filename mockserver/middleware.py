"""Pure ASGI middleware shared by the three doors: slashes, body limit and the journal."""

from __future__ import annotations

from typing import Awaitable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .responses import error_for_path

JOURNAL_SKIPS = ("/_mock",)


class Front:
    """Everything every HTTP request goes through before its door.

    - An optional trailing slash is accepted on every path.
    - The body is read once, refused with 413 above the limit, and handed on in
      ``scope["mockserver.body"]`` so that doors never read the stream themselves.
    - The exchange is journaled (control-plane calls are not: they would drown the traffic
      tests want to look at).
    """

    def __init__(self, app: ASGIApp, emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            path = scope["path"] = path.rstrip("/") or "/"
        limit = self.emulator.body_limit
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():
                    await error_for_path(path, 400, "Content-Length is not a number")(scope, receive, send)
                    return
                if int(value) > limit:
                    await self._too_large(path, limit, scope, receive, send)
                    return
        chunks = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(path, limit, scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        scope["mockserver.body"] = body

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        if path.startswith(JOURNAL_SKIPS):
            await self.app(scope, replay, send)
            return
        journal = self.emulator.journal
        entry = journal.open(
            self.emulator.world.clock.now(),
            scope["method"],
            path,
            scope["query_string"].decode("latin-1"),
            body,
        )
        scope["mockserver.entry"] = entry
        response_chunks = []

        # A plain function handing back send's own awaitable: one coroutine fewer per message.
        def record(message: Message) -> Awaitable[None]:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
            elif message["type"] == "http.response.body":
                response_chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    entry.response_body = response_chunks[0] if len(response_chunks) == 1 else b"".join(response_chunks)
                    journal.closed(entry)
            return send(message)

        await self.app(scope, replay, record)

    async def _too_large(self, path: str, limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"Request body is larger than the limit of {limit} bytes"
        await error_for_path(path, 413, message)(scope, receive, send)
