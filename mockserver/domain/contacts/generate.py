"""Large audiences from a pattern: N contacts, deterministic for a given seed.

A pattern is a ``str.format`` template over three names only: ``n`` (1, 2, ... N),
``first_name`` and ``last_name`` (picked from small lists by a seeded RNG). Field
access and indexing are refused, so a scenario cannot reach into Python objects.
"""

from __future__ import annotations

import gc
import random
import string
from collections.abc import Iterator
from contextlib import contextmanager

from .book import EMAIL, SMS, TEXT_FIELDS, Contact

PATTERN_NAMES = ("n", "first_name", "last_name")
FIRST_NAMES = ("Taras", "Olena", "Ivan", "Oksana", "Petro", "Iryna", "Andrii", "Mariia", "Dmytro", "Sofiia")
LAST_NAMES = ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boiko", "Koval")


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern cannot be used, or None when it is fine."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return f"malformed pattern: {exc}"
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PATTERN_NAMES:
            return f"unknown placeholder {{{name}}}; use {{n}}, {{first_name}} or {{last_name}}"
        if conversion or (spec and "{" in spec):
            return f"placeholder {{{name}}} may only carry a format spec such as {{n:07d}}"
    try:
        pattern.format(n=1, first_name="A", last_name="B")
    except (ValueError, TypeError) as exc:
        return f"malformed pattern: {exc}"
    return None


def generate_contacts(spec: dict, first_id: int) -> Iterator[Contact]:
    """Contacts ``first_id``… built from a normalized ``generate`` block (tokens keyed by app_uuid)."""
    rng = random.Random(spec.get("seed", 0))
    count = spec["count"]
    texts = [(attr, spec[key]) for key, attr in TEXT_FIELDS.items() if key in spec]
    email, phone = spec.get("email"), spec.get("phone")
    tokens = spec.get("tokens", {})
    deleted_every = spec.get("deleted_every", 0)
    firsts, lasts = FIRST_NAMES, LAST_NAMES
    draw = rng.random
    for n in range(1, count + 1):
        values = {"n": n, "first_name": firsts[int(draw() * len(firsts))], "last_name": lasts[int(draw() * len(lasts))]}
        channels = []
        if email is not None:
            channels.append({"type": EMAIL, "value": email.format_map(values)})
        if phone is not None:
            channels.append({"type": SMS, "value": phone.format_map(values)})
        contact = Contact(id=first_id + n - 1, channels=channels)
        for attr, pattern in texts:
            setattr(contact, attr, pattern.format_map(values))
        if deleted_every and n % deleted_every == 0:
            contact.deleted = True  # a deleted card holds no tokens
        else:
            for app_uuid, patterns in tokens.items():
                contact.tokens[app_uuid] = list(dict.fromkeys(p.format_map(values) for p in patterns))
        yield contact


@contextmanager
def collector_paused():
    """Building 100k small objects triggers the cyclic GC hundreds of times for nothing; pause it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
