"""uvicorn's server as the emulator runs it: the command line and the threaded server share it.

Stopping is prompt whatever is in flight: before uvicorn waits for open connections, the
emulator ends its own long waits (``Emulator.begin_shutdown``), and anything still open after
``GRACE_SECONDS`` is cancelled, so the lifespan shutdown (which saves the state file) follows
within a second of the signal.
"""

from __future__ import annotations

import socket

import uvicorn

from .app import Emulator, create_app
from .wire import CLIENT_TIMEOUT, protocol_with

GRACE_SECONDS = 0.5
KEEP_ALIVE_SECONDS = 5.0  # an idle connection (before or between requests) is closed after this


def server_config(emulator: Emulator, log_level: str = "warning", client_timeout: float = CLIENT_TIMEOUT) -> uvicorn.Config:
    """uvicorn's settings for the emulator; ``client_timeout`` bounds slow clients (see ``wire``)."""
    config = uvicorn.Config(
        create_app(emulator),
        http=protocol_with(client_timeout),
        log_level=log_level,
        access_log=False,
        lifespan="on",
    )
    config.timeout_keep_alive = min(KEEP_ALIVE_SECONDS, client_timeout)  # type: ignore[assignment]
    # uvicorn types the grace as whole seconds, but asyncio.timeout takes any float.
    config.timeout_graceful_shutdown = GRACE_SECONDS  # type: ignore[assignment]
    return config


class EmulatorServer(uvicorn.Server):
    """uvicorn's server that ends the emulator's waits as soon as it begins to stop."""

    def __init__(self, config: uvicorn.Config, emulator: Emulator) -> None:
        super().__init__(config)
        self.emulator = emulator

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await self.emulator.begin_shutdown()
        await super().shutdown(sockets=sockets)
