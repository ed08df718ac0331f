"""Pure ASGI middleware shared by the three doors: slashes, body limit and the journal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from http import HTTPStatus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .access import CHALLENGE, control_refusal
from .domain.numbers import is_int
from .domain.telegram.files import MAX_UPLOAD_BYTES
from .domain.text import is_ascii_digits
from .journal import BODY_PREVIEW
from .responses import control_error, dumps, error_for_path

JOURNAL_SKIPS = ("/_mock",)
# Whole worlds travel through these two: PUT /_mock/state must take back whatever GET returned,
# however large (100,000 contacts are tens of MB), so --body-limit does not cap them; this does.
WORLD_PATHS = ("/_mock/state", "/_mock/scenario")
WORLD_BODY_LIMIT = 1 << 30
# A Bot API upload (multipart) may carry one file of Telegram's largest upload size and its parameters.
UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + (1 << 20)


class Front:
    """Everything every HTTP request goes through before its door.

    - An optional trailing slash is accepted on every path.
    - The body is read once, refused with 413 above the limit (``WORLD_BODY_LIMIT`` for the
      two calls that take whole worlds), and handed on in
      ``scope["mockserver.body"]`` so that doors never read the stream themselves.
    - The exchange is journaled (control-plane calls are not: they would drown the traffic
      tests want to look at), refusals of the body (400, 413) too, so that an integrator can
      see why an upload failed.
    - Fault rules apply through ``FaultLayer``, which the request only enters while there are
      rules: with none (the usual case) faults cost one list check and no extra ASGI layer.
    """

    def __init__(self, app: ASGIApp, emulator) -> None:
        self.app = app
        self.faulted = FaultLayer(app, emulator)
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        path = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            path = scope["path"] = path.rstrip("/") or "/"
        if path.startswith("/_mock") and self.emulator.control_token is not None:
            # Before the body: nobody without the token makes the server read a world-sized one.
            refusal = control_refusal(self.emulator.control_token, path, scope["headers"])
            if refusal is not None:
                headers = {**CHALLENGE, **_closing(scope)}
                await control_error(401, "Unauthorized", refusal, headers)(scope, receive, send)
                return
        body = await self._read_body(path, scope, receive, send)
        if body is None:
            return  # refused (and answered) or the client went away
        scope["mockserver.body"] = body
        # The server's own send, which the fault layer needs to drop a connection.
        scope["mockserver.send"] = send

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        app = self.faulted if self.emulator.faults.faults else self.app
        if path.startswith(JOURNAL_SKIPS):
            await self._unjournaled(app, path, scope, replay, send)
        else:
            await app(scope, replay, self._recorder(path, scope, body, send))

    async def _unjournaled(self, app: ASGIApp, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        """A control-plane call: not journaled, but a change it made is told to the stream's listeners."""
        if scope["method"] == "GET":
            await app(scope, receive, send)
            return
        status = 0

        def seen(message: Message) -> Awaitable[None]:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            return send(message)

        await app(scope, receive, seen)
        self.emulator.control_finished(scope["method"], path, status)

    def _body_limit(self, path: str, scope: Scope) -> int:
        limit = self.emulator.body_limit
        if path in WORLD_PATHS:
            return max(limit, WORLD_BODY_LIMIT)
        if path.startswith("/bot") and _is_multipart(scope):
            return max(limit, UPLOAD_BODY_LIMIT)
        return limit

    async def _read_body(self, path: str, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None when it was refused (a bad or too large Content-Length, or more
        bytes than the limit: answered here) or the client disconnected."""
        limit = self._body_limit(path, scope)
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():  # bytes.isdigit() is ASCII-only
                    await self._refuse(path, 400, "Content-Length is not a number", b"", scope, receive, send)
                    return None
                if int(value) > limit:
                    await self._too_large(path, limit, b"", scope, receive, send)
                    return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await self._too_large(path, limit, _preview(chunks), scope, receive, send)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _recorder(self, path: str, scope: Scope, body: bytes, send: Send) -> Callable[[Message], Awaitable[None]]:
        """A send that journals the exchange as it passes: the status, then the whole answer."""
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

        return record

    async def _too_large(self, path: str, limit: int, read: bytes, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"Request body is larger than the limit of {limit} bytes"
        await self._refuse(path, 413, message, read, scope, receive, send)

    async def _refuse(
        self, path: str, status: int, message: str, read: bytes, scope: Scope, receive: Receive, send: Send
    ) -> None:
        """Answer a request refused before its door, journaled like any other (``read`` is the body
        received so far) so that "why did my upload fail" shows in ``GET /_mock/requests``.

        The rest of the body is not read, so the answer closes the connection; under uvicorn
        ``mockserver.wire`` reads and discards what is still coming first, so that the client,
        which may be sending the whole body before it reads, gets to read the answer.
        """
        response = error_for_path(path, status, message, {"Connection": "close"})
        if not path.startswith(JOURNAL_SKIPS):
            journal = self.emulator.journal
            query = scope["query_string"].decode("latin-1")
            entry = journal.open(self.emulator.world.clock.now(), scope["method"], path, query, read)
            entry.status, entry.response_body = response.status_code, bytes(response.body)
            journal.closed(entry)
        await response(scope, receive, send)


def _closing(scope: Scope) -> dict:
    """``Connection: close`` for a refusal that leaves a body unread (see ``Front._refuse``)."""
    for name, value in scope["headers"]:
        if (name == b"content-length" and value.strip(b"0")) or name == b"transfer-encoding":
            return {"Connection": "close"}
    return {}


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            return value[:19].lower() == b"multipart/form-data"
    return False


def _preview(chunks: list[bytes]) -> bytes:
    """The first ``BODY_PREVIEW`` bytes of ``chunks``, without joining a body that may be megabytes."""
    kept: list[bytes] = []
    size = 0
    for chunk in chunks:
        if size >= BODY_PREVIEW:
            break
        kept.append(chunk)
        size += len(chunk)
    return b"".join(kept)[:BODY_PREVIEW]


class ConnectionDropped(Exception):
    """Raised to the client when a fault drops a connection on a server we cannot reach into
    (e.g. in-process ASGI tests); under uvicorn the socket is closed instead."""


class FaultLayer:
    """Applies the fault rules (``/_mock/faults`` and the scenario's ``faults``) to /api and /bot.

    ``Front`` builds it and sends requests through it while there are rules; it sits inside
    ``Front``, so a faulted request is journaled with its fault's id and
    the answer the client got. A delay is a sleep that never holds up other requests and
    ends early when the server stops; a delay alone lets the real answer through afterwards.
    """

    def __init__(self, app: ASGIApp, emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        faults = self.emulator.faults
        if scope["type"] != "http" or not faults.faults or scope["path"].startswith("/_mock"):
            await self.app(scope, receive, send)
            return
        fault = faults.pick(scope["method"], scope["path"], scope.get("mockserver.body", b""))
        if fault is None:
            await self.app(scope, receive, send)
            return
        entry = scope.get("mockserver.entry")
        if entry is not None:
            entry.notes["fault"] = fault.id
        action = fault.action
        if action.get("delay_ms"):
            await self.emulator.pause(action["delay_ms"] / 1000)
        if action.get("drop_connection"):
            if entry is not None:
                self.emulator.journal.closed(entry)
            await drop_connection(scope)
            return
        if "status" not in action:
            await self.app(scope, receive, send)
            return
        await fault_response(scope["path"], action)(scope, receive, send)


async def drop_connection(scope: Scope) -> None:
    """Close the client's socket without a byte of answer (uvicorn keeps the transport on its cycle)."""
    server_send = scope.get("mockserver.send")
    cycle = getattr(server_send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionDropped("mockserver fault: connection dropped")
    transport.close()
    # Let uvicorn notice the lost connection, so it does not try to answer 500 on a closed socket.
    for _ in range(10):
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)


def fault_response(path: str, action: dict):
    """The answer a fault prescribes; without a body, the door's usual error shape for that status."""
    from starlette.responses import Response

    from .responses import JSON, PLAIN_TEXT

    status = action["status"]
    headers = {str(k): str(v) for k, v in action.get("headers", {}).items()}
    if "body" in action:
        body = action["body"]
        if isinstance(body, str):
            media = PLAIN_TEXT
            content = body.encode()
        else:
            media, content = JSON, dumps(body)
        retry_after = _retry_after(body) if status == 429 and path.startswith("/bot") else None
        if retry_after is not None and not any(k.lower() == "retry-after" for k in headers):
            headers["Retry-After"] = str(retry_after)
    elif path.startswith("/bot"):
        media = JSON
        reason = _phrase(status)
        envelope: dict = {"ok": status < 400, "error_code": status, "description": reason}
        retry = headers.get("Retry-After") or headers.get("retry-after")
        if status == 429 and retry and is_ascii_digits(retry):
            envelope["description"] = f"Too Many Requests: retry after {retry}"
            envelope["parameters"] = {"retry_after": int(retry)}
        content = dumps(envelope)
    else:
        media = PLAIN_TEXT
        content = _phrase(status).encode()
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = media
    return Response(content, status, headers)


def _retry_after(body: object) -> int | None:
    """``parameters.retry_after`` of a Bot API fault body, which Telegram also says in the header."""
    parameters = body.get("parameters") if isinstance(body, dict) else None
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    return value if is_int(value) and value >= 0 else None


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Fault injected"
