"""Delivery retries that fell due on the world clock: run them, and journal what came of them.

Whoever notices that time has moved (the background tick, an API call, a control-plane
read) goes through ``run_due_retries``, so every retried attempt, with Telegram's answer,
the FAILED reason and any token removal, is in the journal however the retry was set off.
A run that retried anything is one entry of its own (method ``RETRY``), not a note on the
request that happened to trigger it, which may be an unrelated status read.
"""

from __future__ import annotations

from .domain.delivery import Delivery

RETRY_METHOD = "RETRY"
RETRY_PATH = "telegram:sendMessage"


def run_due_retries(emulator) -> list[Delivery]:
    """Attempt every delivery whose retry time has come; journal them under ``retried``."""
    world = emulator.world
    now = world.clock.now()
    retried = world.deliveries.run_due(now)
    if retried:
        entry = emulator.journal.open(now, RETRY_METHOD, RETRY_PATH, "", b"")
        entry.status = 200
        entry.notes["retried"] = [delivery.as_dict() for delivery in retried]
        emulator.journal.closed(entry)
    return retried
