"""The small checks every snapshot part uses: each failure is an InvalidInput naming where and why."""

from __future__ import annotations

from typing import Callable

from ..errors import InvalidInput
from ..numbers import is_int

Apply = Callable[[], None]
# Counters that a restore replays (random draws) are bounded so a hostile body cannot stall the server.
MAX_REPLAY = 10_000_000


def need(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise InvalidInput(f"{where}: {message}")


def number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def mapping(data: object, where: str) -> dict:
    need(isinstance(data, dict), where, "must be an object")
    return data  # type: ignore[return-value]


def listing(data: object, where: str) -> list:
    need(isinstance(data, list), where, "must be a list")
    return data  # type: ignore[return-value]


def text_or_null(data: dict, key: str, where: str) -> str | None:
    value = data.get(key)
    need(value is None or isinstance(value, str), f"{where}.{key}", "must be a string or null")
    return value


def text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    need(isinstance(value, str), f"{where}.{key}", "must be a string")
    return value  # type: ignore[return-value]


def integer(data: dict, key: str, where: str, low: int = 0, high: int | None = None, default: int | None = None) -> int:
    value = data.get(key, default)
    bound = f"from {low} to {high}" if high is not None else f"of at least {low}"
    need(is_int(value) and value >= low and (high is None or value <= high), f"{where}.{key}", f"must be an integer {bound}")
    return value  # type: ignore[return-value]


def int_or_null(data: dict, key: str, where: str) -> int | None:
    value = data.get(key)
    need(value is None or is_int(value), f"{where}.{key}", "must be an integer or null")
    return value


def number_or_null(data: dict, key: str, where: str) -> float | None:
    value = data.get(key)
    need(value is None or number(value), f"{where}.{key}", "must be a number or null")
    return value


def objects(data: object, where: str) -> list[dict]:
    need(isinstance(data, list) and all(isinstance(v, dict) for v in data), where, "must be a list of objects")
    return data  # type: ignore[return-value]
