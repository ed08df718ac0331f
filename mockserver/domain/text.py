"""What counts as blank text: the same set of spaces as the contract's ``\\S`` patterns (ECMA regex).

Python's ``str.strip()`` also strips the ASCII separators \\x1c-\\x1f, which the contract
counts as visible; every emptiness check of the domain uses this module so both agree.
"""

from __future__ import annotations

SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def is_blank(value: str) -> bool:
    return not value.strip(SPACE)


def is_ascii_digits(value: str) -> bool:
    """Only 0-9, at least one: ``str.isdigit()`` also takes ``²`` or ``٣``, which ``int()`` refuses or reads oddly."""
    return value.isascii() and value.isdigit()
