"""aiogram 3 against the emulator over a real socket: edits in a callback handler, deletions, forwards,
copies and chat actions, with Telegram's refusals arriving as aiogram's exceptions."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from aiogram import Dispatcher, F
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginUser,
)

from tests.botapi import images
from tests.botapi.test_aiogram import eventually

pytestmark = pytest.mark.anyio
KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Confirm", callback_data="confirm")]])


@pytest.fixture
async def control(server):
    async with httpx.AsyncClient(base_url=server) as client:
        await client.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann"})
        await client.post("/_mock/telegram/users/555/start")
        yield client


async def test_a_callback_handler_edits_the_message_the_user_pressed(bot, control):
    dp = Dispatcher()

    @dp.callback_query(F.data == "confirm")
    async def confirm(query: CallbackQuery) -> None:
        await query.answer("Done")
        await query.message.edit_text("Order confirmed ✅")

    sent = await bot.send_message(555, "Confirm your order?", reply_markup=KEYBOARD)
    await control.post("/_mock/telegram/users/555/press", json={"message_id": sent.message_id, "callback_data": "confirm"})
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))

    async def edited():
        shown = (await control.get("/_mock/telegram/chats/555/messages")).json()["messages"]
        return [m for m in shown if m.get("edit_date")]

    try:
        [message] = await eventually(edited)
    finally:
        await dp.stop_polling()
        await polling
    assert message["text"] == "Order confirmed ✅" and "reply_markup" not in message
    assert message["edits"][0]["text"] == "Confirm your order?"


async def test_edit_caption_and_reply_markup(bot):
    photo = await bot.send_photo(555, BufferedInputFile(images.png(8, 8), "a.png"), caption="Old")
    edited = await bot.edit_message_caption(chat_id=555, message_id=photo.message_id, caption="<b>New</b>",
                                            parse_mode="HTML", reply_markup=KEYBOARD)
    assert edited.caption == "New" and edited.edit_date is not None
    assert edited.reply_markup.inline_keyboard[0][0].callback_data == "confirm"
    bare = await bot.edit_message_reply_markup(chat_id=555, message_id=photo.message_id)
    assert bare.reply_markup is None and bare.caption == "New"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=555, message_id=photo.message_id)
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=555, message_id=photo.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=555, message_id=999)
    with pytest.raises(TelegramBadRequest, match="invalid inline message identifier specified"):
        await bot.edit_message_text("x", inline_message_id="AgAAAN")


async def test_delete_message_and_messages(bot, control):
    one, two = await bot.send_message(555, "one"), await bot.send_message(555, "two")
    assert await bot.delete_message(555, one.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(555, one.message_id)
    assert await bot.delete_messages(555, [one.message_id, two.message_id, 404]) is True
    shown = (await control.get("/_mock/telegram/chats/555/messages")).json()["messages"]
    assert [m["text"] for m in shown] == ["/start"]


async def test_forward_and_copy(bot, control):
    said = (await control.post("/_mock/telegram/users/555/send", json={"text": "my address"})).json()["updates"][0]["message"]
    forwarded = await bot.forward_message(111, 555, said["message_id"])
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == 555 and forwarded.text == "my address"
    copied = await bot.copy_message(111, 555, said["message_id"], reply_markup=KEYBOARD)
    assert copied.message_id == forwarded.message_id + 1
    copy = (await control.get("/_mock/telegram/chats/111/messages")).json()["messages"][-1]
    assert copy["text"] == "my address" and "forward_origin" not in copy
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.forward_message(222, 555, said["message_id"])
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(111, 555, 999)


async def test_send_chat_action(bot, control, emulator):
    emulator.world.clock.freeze()
    assert await bot.send_chat_action(555, ChatAction.UPLOAD_DOCUMENT) is True
    actions = (await control.get("/_mock/telegram/chats/555/messages")).json()["chat_actions"]
    assert [a["action"] for a in actions] == ["upload_document"]
    emulator.world.clock.advance(5)
    assert (await control.get("/_mock/telegram/chats/555/messages")).json()["chat_actions"] == []
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_chat_action(222, ChatAction.TYPING)
    with pytest.raises(TelegramBadRequest, match="wrong parameter action in request"):
        await bot.send_chat_action(555, "dancing")
