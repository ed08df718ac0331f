"""The whole loop offline: Start with a payload, the bridge registers the token, a block, a failing send."""

from __future__ import annotations

import asyncio
import sys

import httpx
import pytest

from tests.botapi.conftest import TOKEN
from tests.conftest import APP_UUID, KEY, ROOT
from tests.live import live_server

sys.path.insert(0, str(ROOT / "examples"))
from bridge import Bridge  # noqa: E402

pytestmark = pytest.mark.anyio


async def eventually(check, timeout: float = 5.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := await check()) and loop.time() < deadline:
        await asyncio.sleep(0.05)
    return result


async def test_start_register_block_fail(emulator):
    async with live_server(emulator) as url, httpx.AsyncClient(base_url=url) as control:
        bridge = Bridge(url, url, TOKEN, APP_UUID, KEY, poll_timeout=1)
        running = asyncio.create_task(bridge.run())
        try:
            # Ivan (contact 1003, externalCustomerId C-3) opens t.me/demo_shop_bot?start=C-3.
            await control.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ivan"})
            await control.post("/_mock/telegram/users/555/start", json={"payload": "C-3"})

            async def ivan_tokens():
                contacts = (await control.get("/_mock/state")).json()["contacts"]
                return next(c for c in contacts if c["id"] == 1003)["tokens"]

            assert await eventually(ivan_tokens) == {APP_UUID: ["555"]}
            assert bridge.registered == {555: {"token": "555", "externalCustomerId": "C-3"}}

            # The bot can write to him now.
            r = await control.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": 555, "text": "Welcome, Ivan"})
            assert r.status_code == 200

            # He blocks the bot: the bridge hears my_chat_member at once, the next send fails.
            await control.post("/_mock/telegram/users/555/block")
            assert await eventually(lambda: asyncio.sleep(0, 555 in bridge.blocked))
            r = await control.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": 555, "text": "Sale!"})
            assert (r.status_code, r.json()["description"]) == (403, "Forbidden: bot was blocked by the user")
            history = (await control.get("/_mock/telegram/users/555")).json()["user"]["messages"]
            assert [m["text"] for m in history] == ["/start C-3", "Welcome, Ivan"]
        finally:
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running
