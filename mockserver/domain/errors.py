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


def required_array(body: dict, name: str, limit: int) -> list:
    """``body[name]``: a non-empty JSON array of at most ``limit`` items, or InvalidInput saying why."""
    items = body.get(name)
    if items is None:
        raise InvalidInput(f"Field '{name}' is required")
    if not isinstance(items, list):
        raise InvalidInput(f"Field '{name}' must be an array")
    if not items:
        raise InvalidInput(f"Field '{name}' must not be empty")
    if len(items) > limit:
        raise InvalidInput(f"Too many {name}: {len(items)} (at most {limit} per request)")
    return items
