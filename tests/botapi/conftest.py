"""Bot API fixtures: the scenario's bot token, a client that speaks to /bot<token>/, and aiogram on a real socket."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from mockserver import Emulator
from tests.live import live_server

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


@pytest.fixture
async def server(emulator: Emulator):
    """The emulator on a real socket, for clients such as aiogram."""
    async with live_server(emulator) as url:
        yield url


@pytest.fixture
async def bot(server):
    """An aiogram Bot pointed at the emulator."""
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(server)))
    yield bot
    await bot.session.close()
