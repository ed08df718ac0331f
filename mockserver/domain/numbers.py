"""The integer ranges the contracts state, and the one test of "a JSON integer" every check shares.

JSON has one number type; Python's ``json`` gives ``int`` for integers, and ``bool`` is an ``int``
subclass that no contract counts as a number.
"""

from __future__ import annotations

from typing import TypeGuard

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def is_int(value: object) -> TypeGuard[int]:
    """An integer of JSON (true and false are not)."""
    return isinstance(value, int) and not isinstance(value, bool)
