"""Domain errors: raised by the world, rendered by each door in its own dialect."""

from __future__ import annotations


class DomainError(Exception):
    """A request the world refuses; ``kind`` tells the door which status fits."""

    kind = "invalid"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    kind = "invalid"


class NotFound(DomainError):
    kind = "not_found"


class Conflict(DomainError):
    kind = "conflict"
