"""What goes on the wire, where uvicorn alone would do it differently.

- Header spelling. uvicorn writes every response header name in lower case. HTTP says names
  are case-insensitive, but real clients disagree: a PHP client reads the search total as
  ``$headers['TotalCount']`` from Guzzle, whose keys keep the case they arrived in. So the
  few names that matter get the real service's spelling back.
- Refusals a client can read. A request refused before its body is read (413, a bad
  Content-Length, a request the parser cannot make sense of) is answered, and then the
  connection *lingers*: the answer is followed by a half-close, the rest of the body is read
  and thrown away (at most ``LINGER_BYTES``, at most ``client_timeout`` seconds), and only
  then is the socket closed. Closing at once while the client is still sending makes its
  kernel see a reset, and clients that send the whole body before reading (Python's urllib)
  never see the answer.
- Slow clients. A request's headers must arrive within ``client_timeout`` seconds of its
  first byte and its body may not pause longer than that (408 and close otherwise); a
  connection opened and left silent is closed after the keep-alive timeout; a client that
  stops reading its answers is dropped once writing to it has stalled for ``client_timeout``.
  Each of these is a timer on the event loop, so a slow client never holds up the others.
"""

from __future__ import annotations

import asyncio

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# lower-case name as uvicorn writes it -> the spelling of the real service
SPELLING = {b"totalcount": b"TotalCount"}
_REWRITES = [(b"\r\n" + low + b": ", b"\r\n" + real + b": ") for low, real in SPELLING.items()]

CLIENT_TIMEOUT = 10.0
LINGER_BYTES = 64 * 1024 * 1024


def respell(head: bytes) -> bytes:
    """Restore the real spelling of known header names in a response head (status line and headers)."""
    end = head.find(b"\r\n\r\n")
    if end < 0:
        end = len(head)
    block = head[:end]
    for low, real in _REWRITES:
        block = block.replace(low, real)
    return block + head[end:]


def _needs_respelling(data: bytes) -> bool:
    """Whether ``data`` is a response head with a name to respell (most heads have none)."""
    return data.startswith(b"HTTP/") and any(low in data for low, _ in _REWRITES)


def plain_answer(status: int, reason: str, message: str) -> bytes:
    """A whole plain-text answer that closes the connection, for refusals made below the app."""
    body = message.encode("utf-8", "replace")
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Wire:
    """The transport uvicorn writes through: respells response heads, and lingers instead of
    closing while a refused request's body is still on its way."""

    def __init__(self, transport: asyncio.Transport, protocol: "HttpProtocol") -> None:
        self._transport = transport
        self._protocol = protocol

    def write(self, data: bytes) -> None:
        if _needs_respelling(data):
            data = respell(data)
        self._transport.write(data)

    def close(self) -> None:
        if self._protocol.body_still_arriving():
            self._protocol.linger()
        else:
            self._transport.close()

    def __getattr__(self, name: str):
        # Everything else is the real transport's. uvicorn asks for a few of its methods on
        # every request (``is_closing``, ``pause_reading``...): keeping what was looked up on
        # this wrapper makes later lookups plain attribute hits instead of a __getattr__ call.
        value = getattr(self._transport, name)
        if callable(value):
            setattr(self, name, value)
        return value


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the emulator's spelling, refusals and client timeouts."""

    client_timeout = CLIENT_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._raw = transport
        self._lost = False
        self._lingering = False
        self._linger_left = LINGER_BYTES
        # When the request being read must have arrived by (None: not reading one); one timer
        # checks it, so arriving data only moves a number instead of rescheduling a timer.
        self._read_by: float | None = None
        self._read_timer: asyncio.TimerHandle | None = None
        self._write_timer: asyncio.TimerHandle | None = None
        super().connection_made(_Wire(transport, self))  # type: ignore[arg-type]
        # uvicorn arms its keep-alive timer only after a response: a connection that never
        # sends a byte would otherwise stay open for ever.
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self.timeout_keep_alive_handler)

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        for timer in (self._read_timer, self._write_timer):
            if timer is not None:
                timer.cancel()
        super().connection_lost(exc)

    # Reading: lingering, parser refusals that name the problem, the read deadline

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._linger_left -= len(data)
            if self._linger_left <= 0:
                self._raw.close()
            return
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._unsupported_upgrade_warning()
        except httptools.HttpParserError as exc:
            self._refuse_below_app(400, "Bad Request", f"Bad request: the HTTP request cannot be parsed ({exc})")

    def eof_received(self) -> None:
        if self._lingering:
            self._raw.close()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._read_until(self.loop.time() + self.client_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._read_by = self.loop.time() + self.client_timeout

    def on_body(self, body: bytes) -> None:
        self._read_by = self.loop.time() + self.client_timeout
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._read_by = None
        super().on_message_complete()

    def _read_until(self, when: float) -> None:
        self._read_by = when
        if self._read_timer is None:
            self._read_timer = self.loop.call_at(when, self._check_read)

    def _check_read(self) -> None:
        self._read_timer = None
        if self._read_by is None or self._lost or self._lingering:
            return
        if self.loop.time() < self._read_by:
            self._read_timer = self.loop.call_at(self._read_by, self._check_read)
            return
        self._read_by = None
        message = f"Request Timeout: the request did not arrive within {self.client_timeout:g} s"
        self._refuse_below_app(408, "Request Timeout", message, linger=False)

    def _refuse_below_app(self, status: int, reason: str, message: str, *, linger: bool = True) -> None:
        """Answer a request the app will not see (or see no more of), and close the connection."""
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            # The app may be waiting for the rest of the body: it hears a disconnect instead.
            cycle.disconnected = True
            cycle.message_event.set()
            if cycle.response_started:
                self._raw.close()
                return
        self._raw.write(plain_answer(status, reason, message))
        if linger:
            self.linger()
        else:
            self._raw.close()

    # Lingering close

    def body_still_arriving(self) -> bool:
        """Whether the answered request's body is still on its way (so closing now would reset)."""
        cycle = self.cycle
        return (
            not self._lost
            and not self._lingering
            and cycle is not None
            and cycle.response_complete
            and cycle.more_body
            and not self._raw.is_closing()
        )

    def linger(self) -> None:
        """Half-close after the answer, then read and discard until the client is done or a bound."""
        if self._lingering:
            return
        self._lingering = True
        self._read_by = None
        if self._raw.can_write_eof():
            self._raw.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(self.client_timeout, self._raw.close)

    def on_response_complete(self) -> None:
        if not self._lingering:  # else it would re-arm the keep-alive timer and resume parsing
            super().on_response_complete()

    # Writing: a client that does not read its answers

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(self.client_timeout, self._raw.abort)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None


def protocol_with(client_timeout: float) -> type[HttpProtocol]:
    """The protocol class with another client timeout (uvicorn takes a class, not an instance)."""
    return type("HttpProtocol", (HttpProtocol,), {"client_timeout": client_timeout})
