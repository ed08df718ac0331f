"""What counts as blank text: the set of spaces ECMA regex's ``\\s`` means, for the contract and the domain.

Python's ``str.strip()`` and ``re``'s ``\\s`` also take the separators \\x1c-\\x1f and \\x85, and
leave out \\ufeff, so the contract spells the set out (``VISIBLE``) instead of writing ``\\S``: a
fuzzer reading it with Python's ``re`` then draws exactly what this module calls blank.
"""

from __future__ import annotations

SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

# "Holds a character outside SPACE", written so that ECMA regex and Python's re read it alike;
# openapi.yaml's &visible pattern and the scenario schema use this string.
VISIBLE = r"[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"


def is_blank(value: str) -> bool:
    return not value.strip(SPACE)


def is_ascii_digits(value: str) -> bool:
    """Only 0-9, at least one: ``str.isdigit()`` also takes ``²`` or ``٣``, which ``int()`` refuses or reads oddly."""
    return value.isascii() and value.isdigit()
