"""The emulator and CPython's cyclic garbage collector, at a million contacts.

Now and then the collector walks every container object the process holds. A world of a
million contacts is about four million of them, and a full walk holds up every request
for a second or more; at 100,000 contacts a broadcast's slices were held up by 100 ms walks.
The world frees itself by reference counting alone (a test checks that a reset and a
restore leave no cyclic garbage behind), so walking it gains nothing. Hence:

- ``settle()`` once a large world is built (start, reset, scenario load): one full
  collection, then every live object goes into the collector's permanent generation
  (``gc.freeze``), so later walks cover only what is newer than the world;
- ``rebuilding()`` around a restore (parsing the document and building the world from it):
  a collection first, while the old world is still frozen (so it walks only what is newer),
  then the collector pauses, and the new world is frozen without a walk. A full ``settle`` here
  walked the new world and the parsed document, a tenth of a second at 100,000 contacts;
- ``quiet()`` while a broadcast in a large world makes its deliveries: the collector pauses (several
  broadcasts may overlap), and the deliveries are frozen in turn when the last one ends,
  without a walk. Cyclic garbage that other requests leave meanwhile is only frozen until
  the next ``settle``, which thaws and collects everything first.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .domain.contacts.generate import collector_paused

# Below this many contacts a world is walked in milliseconds: nothing is done, and tests that
# build many small worlds pay no full collection per reset.
LARGE = 10_000

_quiet = 0  # large broadcasts under way
_enabled_before = True


def settle(contacts: int) -> None:
    """For a large world: collect once, then treat everything alive as permanent."""
    if contacts < LARGE:
        return
    gc.unfreeze()
    gc.collect()
    gc.freeze()


@contextmanager
def quiet(contacts: int) -> Iterator[None]:
    """For a large world, pause the collector while a batch of long-lived objects is made
    (re-entrant; the batches of overlapping callers may end in any order)."""
    global _quiet, _enabled_before
    if contacts < LARGE:
        yield
        return
    if _quiet == 0:
        _enabled_before = gc.isenabled()
        gc.disable()
    _quiet += 1
    try:
        yield
    finally:
        _quiet -= 1
        if _quiet == 0:
            gc.freeze()
            if _enabled_before:
                gc.enable()


@contextmanager
def rebuilding(world_contacts: Callable[[], int]) -> Iterator[None]:
    """Around the parse and restore of a snapshot; ``world_contacts`` counts the world's contacts,
    the old world's before and the new one's after.

    For a large old world, the collection at the start finds the cyclic garbage other requests left,
    walking only what is newer than the frozen world (a small one is not frozen, so the walk would
    cover the whole process for nothing); from then on the collector is paused, and a restore makes
    no cycles (tests/test_memory.py checks it), so freezing what is alive at the end freezes no
    garbage. The old world, frozen, is freed by reference counting as the new one replaces it.
    """
    if world_contacts() >= LARGE:
        gc.collect()
    with collector_paused():
        try:
            yield
        finally:
            if world_contacts() >= LARGE:
                gc.freeze()
