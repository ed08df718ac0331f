"""The emulator and CPython's cyclic garbage collector, at a million contacts.

Now and then the collector walks every container object the process holds. A world of a
million contacts is about four million of them, and a full walk holds up every request
for a second or more; at 100,000 contacts a broadcast's slices were held up by 100 ms walks.
The world frees itself by reference counting alone (a test checks that a reset and a
restore leave no cyclic garbage behind), so walking it gains nothing. Hence:

- ``settle()`` once a large world is built (start, reset, scenario load, restore): one full
  collection, then every live object goes into the collector's permanent generation
  (``gc.freeze``), so later walks cover only what is newer than the world;
- ``quiet()`` while a broadcast in a large world makes its deliveries: the collector pauses (several
  broadcasts may overlap), and the deliveries are frozen in turn when the last one ends,
  without a walk. Cyclic garbage that other requests leave meanwhile is only frozen until
  the next ``settle``, which thaws and collects everything first.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

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
