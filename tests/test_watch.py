"""--watch: an edited scenario file is reloaded (state reset to it); a broken edit keeps the old one."""

from __future__ import annotations

import asyncio
import os

import pytest

from mockserver import Emulator
from mockserver.scenario import load_scenario
from mockserver.watch import watch_scenario
from tests.conftest import SCENARIOS

pytestmark = pytest.mark.anyio


def touch_write(path, text, bump):
    path.write_text(text)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump))


async def test_reload_on_change_and_keep_on_broken_edit(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text((SCENARIOS / "blocked_user.yaml").read_text())
    emulator = Emulator(load_scenario(path))
    listener = emulator.changes.subscribe()
    task = asyncio.create_task(watch_scenario(emulator, path, interval=0.02))
    try:
        await asyncio.sleep(0.05)  # the watcher has taken the file's first signature
        touch_write(path, (SCENARIOS / "happy_path.yaml").read_text(), 10**9)
        for _ in range(200):
            await asyncio.sleep(0.01)
            if emulator.world.name == "happy_path":
                break
        assert emulator.world.name == "happy_path" and len(emulator.world.apps) == 2
        heard = await listener.next(1)
        assert heard is not None and b"event: reset\n" in heard and b'"scenario":"happy_path"' in heard  # the change stream's
        touch_write(path, "contacts: [{id: x}]\n", 2 * 10**9)
        await asyncio.sleep(0.2)
        assert emulator.world.name == "happy_path"
        assert "not reloaded" in capsys.readouterr().err
    finally:
        task.cancel()
