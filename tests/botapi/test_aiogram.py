"""aiogram 3, configured only with the emulator's base URL, works unchanged: calls, errors, polling, webhook."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from aiogram import Dispatcher
from aiogram.exceptions import TelegramBadRequest, TelegramConflictError, TelegramForbiddenError
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import ChatMemberUpdated, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from tests.live import free_socket

pytestmark = pytest.mark.anyio


async def eventually(check, timeout: float = 5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.05)


def greeter() -> tuple[Dispatcher, list]:
    """A tiny bot: greets /start with its payload and notes blocks."""
    dp = Dispatcher()
    seen: list = []

    @dp.message(CommandStart())
    async def start(message: Message, command: CommandObject) -> None:
        seen.append(("start", message.chat.id, command.args))
        await message.answer(f"Hello, your code is {command.args}")

    @dp.my_chat_member()
    async def member(event: ChatMemberUpdated) -> None:
        seen.append(("member", event.chat.id, event.new_chat_member.status))

    return dp, seen


async def test_get_me_and_send_message(bot):
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456789, "demo_shop_bot", True)
    sent = await bot.send_message(111, "<b>Sale</b> today", parse_mode="HTML")
    assert (sent.message_id, sent.text, sent.chat.id) == (1, "Sale today", 111)
    assert sent.entities[0].type == "bold"


async def test_errors_become_aiogram_exceptions(bot):
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(222, "hi")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(111, " ")


async def test_polling_dispatcher_answers_start(bot, server):
    dp, seen = greeter()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    async with httpx.AsyncClient(base_url=server) as control:
        await control.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann"})
        await control.post("/_mock/telegram/users/555/start", json={"payload": "C-9"})

        async def answered():
            history = (await control.get("/_mock/telegram/users/555")).json()["user"]["messages"]
            return [m["text"] for m in history if m["from"]["is_bot"]]

        assert await eventually(answered) == ["Hello, your code is C-9"]
        await control.post("/_mock/telegram/users/555/block")
        assert await eventually(lambda: asyncio.sleep(0, ("member", 555, "kicked") in seen))
    await dp.stop_polling()
    await polling
    assert seen[0] == ("start", 555, "C-9")


async def test_get_updates_directly_and_the_webhook_conflict(bot, server):
    async with httpx.AsyncClient(base_url=server) as control:
        await control.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann"})
        await control.post("/_mock/telegram/users/555/send", json={"text": "hi"})
    [update] = await bot.get_updates(timeout=1)
    assert update.message.text == "hi" and update.update_id == 1
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == []
    await bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError):
        await bot.get_updates()


async def test_webhook_mode_with_secret_and_retries(bot, server, emulator):
    dp, seen = greeter()
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token="s3cret").register(app, path="/hook")
    runner = web.AppRunner(app)
    await runner.setup()
    sock = free_socket()
    site = web.SockSite(runner, sock)
    await site.start()
    hook = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    try:
        async with httpx.AsyncClient(base_url=server) as control:
            await control.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann"})
            # A wrong secret first: aiogram refuses (401), the emulator records the error and backs off.
            assert await bot.set_webhook(hook, secret_token="wrong")
            await control.post("/_mock/telegram/users/555/start", json={"payload": "W-1"})

            async def failed():
                info = await bot.get_webhook_info()
                return info.last_error_message

            assert await eventually(failed) == "Wrong response from the webhook: 401 Unauthorized"
            info = await bot.get_webhook_info()
            assert (info.url, info.pending_update_count) == (hook, 1)
            assert await bot.set_webhook(hook, secret_token="s3cret")  # retried at once, in order

            async def delivered():
                return (await bot.get_webhook_info()).pending_update_count == 0 and seen

            assert await eventually(delivered)
            assert seen == [("start", 555, "W-1")]
            await control.post("/_mock/telegram/users/555/block")
            assert await eventually(lambda: asyncio.sleep(0, len(seen) == 2))
            assert seen[1] == ("member", 555, "kicked")
            history = (await control.get("/_mock/telegram/users/555")).json()["user"]["messages"]
            assert [m["text"] for m in history] == ["/start W-1", "Hello, your code is W-1"]
    finally:
        await runner.cleanup()


async def test_webhook_backoff_follows_the_world_clock(bot, server, emulator):
    emulator.world.clock.freeze()
    async with httpx.AsyncClient(base_url=server) as control:
        await control.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann"})
        await bot.set_webhook("http://127.0.0.1:9/unreachable")
        await control.post("/_mock/telegram/users/555/send", json={"text": "one"})
        inbox = emulator.world.bots.inboxes["3fa85f64-5717-4562-b3fc-2c963f66afa6"]
        assert await eventually(lambda: asyncio.sleep(0, inbox.failures == 1))
        await asyncio.sleep(0.4)
        assert inbox.failures == 1  # the clock stands still, so no retry yet
        emulator.world.clock.advance(1)
        assert await eventually(lambda: asyncio.sleep(0, inbox.failures == 2))
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Connection refused" and info.pending_update_count == 1
