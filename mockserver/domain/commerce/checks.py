"""The checks events and orders share: keys without the vendor's forbidden characters, and moments."""

from __future__ import annotations

import datetime as dt
import math
import re

from ..errors import InvalidInput
from ..text import is_blank

# The characters the vendor allows nowhere in an event type key or an event key.
FORBIDDEN = "<;\u2019\\/|\"`'^?!,>"
# RFC 3339 (a date-time with its offset), and the vendor's shorter local form without one
# (``2023-03-22T14:30``), which is taken as UTC.
MOMENT = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
)


def key_text(value: object, where: str, most: int) -> str:
    """A non-blank string of at most ``most`` characters, none of them forbidden."""
    if not isinstance(value, str):
        raise InvalidInput(f"{where} must be a string")
    if is_blank(value):
        raise InvalidInput(f"{where} must not be blank")
    if len(value) > most:
        raise InvalidInput(f"{where} is longer than {most} characters")
    bad = next((c for c in value if c in FORBIDDEN), None)
    if bad is not None:
        raise InvalidInput(f"{where} must not hold {bad!r} (none of {' '.join(FORBIDDEN)} is allowed)")
    return value


def moment(value: object, where: str, *, offset_required: bool = False) -> float:
    """Epoch seconds of a date-time; without an offset (when allowed) it is UTC."""
    if not isinstance(value, str):
        raise InvalidInput(f"{where} must be a date-time string")
    match = MOMENT.fullmatch(value)
    if match is None or (offset_required and match.group(8) is None):
        shape = "2023-03-22T14:30:00+02:00" if offset_required else "2023-03-22T14:30 or 2023-03-22T14:30:00+02:00"
        raise InvalidInput(f"{where} must be a date-time such as {shape}, got {value!r}")
    year, month, day, hour, minute = (int(match.group(i)) for i in range(1, 6))
    second = int(match.group(6) or 0)
    fraction = float(match.group(7) or 0)
    zone = match.group(8)
    try:
        tz = dt.UTC
        if zone and zone not in "Zz":
            if int(zone[4:6]) > 59:
                raise ValueError("offset minutes must be below 60")
            sign = 1 if zone[0] == "+" else -1
            tz = dt.timezone(sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        when = dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError as exc:
        raise InvalidInput(f"{where} is not a real date-time ({exc}): {value!r}") from None
    return when.timestamp() + fraction


def finite(value: object, where: str) -> float | int:
    """A JSON number (not true or false)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise InvalidInput(f"{where} must be a number")
    return value


__all__ = ["FORBIDDEN", "key_text", "moment", "finite"]
