"""``--watch``: reload the scenario when its file changes, by polling its mtime.

Polling costs one ``stat`` per interval and needs no extra dependency. A reload resets
the world to the new scenario (state is not kept); a broken edit is reported on stderr
and the running scenario stays.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from .scenario import ScenarioError, load_scenario


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


async def watch_scenario(emulator, path: Path, interval: float = 0.5) -> None:
    seen = _signature(path)
    while True:
        await asyncio.sleep(interval)
        current = _signature(path)
        if current is None or current == seen:
            continue
        seen = current
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            print(f"mockserver: not reloaded, keeping the running scenario:\n{exc}", file=sys.stderr, flush=True)
            continue
        emulator.load(scenario)
        # No request made this change, so the change stream hears of it here.
        emulator.changes.publish("reset", {"method": "WATCH", "path": str(path), "status": 200, "request": None, **emulator.change_context()})
        print(f"mockserver: reloaded {path}; the world is reset to it", file=sys.stderr, flush=True)
