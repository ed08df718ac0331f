"""The emulator on a real socket in a background thread, for tests that use any HTTP client.

uvicorn runs on a socket bound here (port 0 = a free port), so the URL is known
before the thread starts; ``stop`` asks uvicorn to exit and gives up waiting after a
bound, forcing the exit, so a stuck connection never hangs a test session.
"""

from __future__ import annotations

import socket
import threading
import time

from .app import Emulator
from .serving import EmulatorServer, server_config
from .wire import CLIENT_TIMEOUT


class ThreadedServer:
    def __init__(
        self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0, *, client_timeout: float = CLIENT_TIMEOUT
    ) -> None:
        self.emulator = emulator
        self.sock = socket.socket(socket.AF_INET)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = self.sock.getsockname()[:2]
        self.server = EmulatorServer(server_config(emulator, client_timeout=client_timeout), emulator)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> "ThreadedServer":
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("mockserver failed to start (see the log above)")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"mockserver did not start within {timeout} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        if self.thread.is_alive():
            self.server.force_exit = True
            self.thread.join(5)
        self.sock.close()

    def __enter__(self) -> "ThreadedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
