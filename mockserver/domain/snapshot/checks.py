"""The small checks every snapshot part uses: each failure is an InvalidInput naming where and why."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from ..errors import InvalidInput
from ..numbers import is_int

Apply = Callable[[], None]
T = TypeVar("T")
# Counters that a restore replays (random draws) are bounded so a hostile body cannot stall the server.
MAX_REPLAY = 10_000_000


def need(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise InvalidInput(f"{where}: {message}")


def number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def mapping(data: object, where: str) -> dict:
    if not isinstance(data, dict):
        raise InvalidInput(f"{where}: must be an object")
    return data


def listing(data: object, where: str) -> list:
    if not isinstance(data, list):
        raise InvalidInput(f"{where}: must be a list")
    return data


def present(value: T | None, where: str, message: str) -> T:
    """``value`` itself, refused with ``message`` when it is None (a look-up that found nothing)."""
    if value is None:
        raise InvalidInput(f"{where}: {message}")
    return value


def one_of(value: object, choices: Sequence[str], where: str) -> str:
    """The one of ``choices`` that ``value`` is."""
    for choice in choices:
        if value == choice:
            return choice
    raise InvalidInput(f"{where}: must be one of {', '.join(choices)}")


def list_of(value: object, accepts: Callable[[object], bool], where: str, message: str) -> list:
    """``value`` when it is a list whose every element ``accepts`` takes; refused with ``message`` otherwise."""
    if not isinstance(value, list) or not all(accepts(v) for v in value):
        raise InvalidInput(f"{where}: {message}")
    return value


def text_or_null(data: dict, key: str, where: str) -> str | None:
    value = data.get(key)
    need(value is None or isinstance(value, str), f"{where}.{key}", "must be a string or null")
    return value


def text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise InvalidInput(f"{where}.{key}: must be a string")
    return value


def integer(data: dict, key: str, where: str, low: int = 0, high: int | None = None, default: int | None = None) -> int:
    value = data.get(key, default)
    bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
    if is_int(value) and value >= low and (high is None or value <= high):
        return value
    raise InvalidInput(f"{where}.{key}: must be an integer {bound}")


def int_or_null(data: dict, key: str, where: str) -> int | None:
    value = data.get(key)
    need(value is None or is_int(value), f"{where}.{key}", "must be an integer or null")
    return value


def number_or_null(data: dict, key: str, where: str) -> float | None:
    value = data.get(key)
    need(value is None or number(value), f"{where}.{key}", "must be a number or null")
    return value


def objects(data: object, where: str) -> list[dict]:
    return list_of(data, lambda v: isinstance(v, dict), where, "must be a list of objects")
