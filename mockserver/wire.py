"""What goes on the wire exactly as esputnik.com sends it, where uvicorn would change it.

uvicorn writes every response header name in lower case. HTTP says names are
case-insensitive, but real clients disagree: a PHP client reads the search total
as ``$headers['TotalCount']`` from Guzzle, whose keys keep the case they arrived in.
So the emulator's server restores the real spelling of the few names that matter.
"""

from __future__ import annotations

import asyncio
from typing import cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# lower-case name as uvicorn writes it -> the spelling of the real service
SPELLING = {b"totalcount": b"TotalCount"}
_REWRITES = [(b"\r\n" + low + b": ", b"\r\n" + real + b": ") for low, real in SPELLING.items()]


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


class _Respelling:
    """A transport that respells the response heads uvicorn writes through it."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def write(self, data: bytes) -> None:
        if _needs_respelling(data):
            data = respell(data)
        self._transport.write(data)

    def __getattr__(self, name: str):
        # Everything else is the real transport's. uvicorn asks for a few of its methods on
        # every request (``is_closing``, ``pause_reading``...): keeping what was looked up on
        # this wrapper makes later lookups plain attribute hits instead of a __getattr__ call.
        value = getattr(self._transport, name)
        if callable(value):
            setattr(self, name, value)
        return value


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing header names as the real service spells them."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # as uvicorn: Protocol says BaseTransport
        # The wrapper passes for a transport: it forwards every attribute it does not define.
        super().connection_made(cast(asyncio.Transport, _Respelling(transport)))
