"""A bound on requests held open at once: long polls (getUpdates) and ``/_mock/requests/wait``.

Each one costs little, but a client that opens them in a loop would hold sockets and tasks
without end; past ``MAX_WAITING`` a new one is refused at once (429) instead of waiting.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

MAX_WAITING = 1000


class RoomFull(Exception):
    """``MAX_WAITING`` requests are already waiting."""


class WaitingRoom:
    def __init__(self, limit: int = MAX_WAITING) -> None:
        self.limit = limit
        self.count = 0

    @contextlib.contextmanager
    def seat(self) -> Iterator[None]:
        if self.count >= self.limit:
            raise RoomFull(f"{self.limit} requests are already waiting (long polls and requests/wait), the most held at once")
        self.count += 1
        try:
            yield
        finally:
            self.count -= 1
