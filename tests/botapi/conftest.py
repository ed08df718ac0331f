"""Bot API fixtures: the scenario's bot token and a client that speaks to /bot<token>/."""

from __future__ import annotations

import pytest

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
BOT = f"/bot{TOKEN}"


async def state(client) -> dict:
    return (await client.get("/_mock/state")).json()


async def new_user(client, user_id: int = 555, **profile) -> dict:
    r = await client.post("/_mock/telegram/users", json={"id": user_id, "first_name": "Ann", **profile})
    assert r.status_code in (200, 201), r.text
    return r.json()["user"]


@pytest.fixture
def bot_url() -> str:
    return BOT
