"""Large audiences from a pattern: N contacts, deterministic for a given seed.

A pattern is a ``str.format`` template over three names only: ``n`` (1, 2, ... N),
``first_name`` and ``last_name`` (picked from small lists by a seeded RNG). Field
access and indexing are refused, so a scenario cannot reach into Python objects.
"""

from __future__ import annotations

import gc
import random
import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .book import EMAIL, SMS, TEXT_FIELDS, Channel, Contact

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
    texts, tokens, names = _plan(spec)
    email, phone = spec.get("email"), spec.get("phone")
    deleted_every = spec.get("deleted_every", 0)
    firsts, lasts = FIRST_NAMES, LAST_NAMES
    draw = rng.random
    values: dict = {"first_name": "", "last_name": ""}
    shared_texts: dict[str, str] = {}  # one copy of a text many contacts share (names drawn from a list)
    # The loop runs once per contact (up to a million): its branches stay inline, as a call
    # per contact would cost more than the rest of the loop body.
    for n in range(1, count + 1):
        values["n"] = n
        if names:
            values["first_name"] = firsts[int(draw() * len(firsts))]
            values["last_name"] = lasts[int(draw() * len(lasts))]
        channels: list[Mapping[str, Any]]
        if email is None:
            channels = [] if phone is None else [Channel(SMS, phone.format_map(values))]
        elif phone is None:
            channels = [Channel(EMAIL, email.format_map(values))]
        else:
            channels = [Channel(EMAIL, email.format_map(values)), Channel(SMS, phone.format_map(values))]
        contact = Contact(id=first_id + n - 1, channels=channels)
        for attr, pattern, shared in texts:
            value = pattern.format_map(values)
            setattr(contact, attr, shared_texts.setdefault(value, value) if shared else value)
        if deleted_every and n % deleted_every == 0:
            contact.deleted = True  # a deleted card holds no tokens
        else:
            for app_uuid, token_patterns in tokens:
                if len(token_patterns) == 1:
                    contact.tokens[app_uuid] = [token_patterns[0].format_map(values)]
                else:
                    contact.tokens[app_uuid] = list(dict.fromkeys(p.format_map(values) for p in token_patterns))
        yield contact


def _plan(spec: dict) -> tuple[list[tuple[str, str, bool]], list[tuple[str, list[str]]], bool]:
    """What generate_contacts fills in: the texts (attribute, pattern, shared), the tokens
    (app_uuid, patterns), and whether any pattern shows a name."""
    # A text without {n} takes few values (the names'): one copy of each is shared by all contacts.
    texts = [(attr, spec[key], not _uses(spec[key], ("n",))) for key, attr in TEXT_FIELDS.items() if key in spec]
    tokens = [(app_uuid, list(patterns)) for app_uuid, patterns in spec.get("tokens", {}).items()]
    channels = [p for p in (spec.get("email"), spec.get("phone")) if p is not None]
    patterns = [p for _, p, _ in texts] + channels + [p for _, ps in tokens for p in ps]
    # The names are drawn only when a pattern shows them: the draws are invisible otherwise,
    # and at a million contacts they are a fifth of the time.
    names = any(_uses(p, ("first_name", "last_name")) for p in patterns)
    return texts, tokens, names


def _uses(pattern: str, names: tuple[str, ...]) -> bool:
    return any(name in names for _, name, _, _ in string.Formatter().parse(pattern))


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
