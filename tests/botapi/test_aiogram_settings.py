"""aiogram 3 against the emulator: reply keyboards, a shared contact, commands, menu buttons, getChat,
getChatMember, logOut and close, with Telegram's errors as aiogram's exceptions."""

from __future__ import annotations

import httpx
import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    ChatFullInfo,
    ChatMemberMember,
    ForceReply,
    KeyboardButton,
    MenuButtonCommands,
    MenuButtonDefault,
    MenuButtonWebApp,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    WebAppInfo,
)

pytestmark = pytest.mark.anyio


def pairs(commands) -> list[tuple[str, str]]:
    return [(c.command, c.description) for c in commands]


async def control(base: str, method: str, path: str, body: dict | None = None) -> dict:
    async with httpx.AsyncClient(base_url=base) as client:
        r = await client.request(method, path, json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def test_reply_keyboard_contact_remove_and_force_reply(bot, server):  # noqa: F811
    await control(server, "POST", "/_mock/telegram/users", {"id": 555, "first_name": "Ann", "phone_number": "+380671234567"})
    await control(server, "POST", "/_mock/telegram/users/555/start")
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Share my phone", request_contact=True)], [KeyboardButton(text="Later")]],
        one_time_keyboard=True, resize_keyboard=True, input_field_placeholder="Tap a button",
    )
    sent = await bot.send_message(555, "Your phone, please", reply_markup=keyboard)
    assert sent.reply_markup is None
    view = (await control(server, "GET", "/_mock/telegram/chats/555/messages"))["keyboards"]["demo_shop_bot"]["keyboard"]
    assert view["markup"]["keyboard"][0] == [{"text": "Share my phone", "request_contact": True}]
    shared = await control(server, "POST", "/_mock/telegram/users/555/press_key", {"text": "Share my phone"})
    updates = await bot.get_updates(offset=shared["updates"][0]["update_id"])
    contact = updates[-1].message.contact
    assert (contact.phone_number, contact.first_name, contact.user_id) == ("+380671234567", "Ann", 555)
    await bot.send_message(555, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert (await control(server, "GET", "/_mock/telegram/chats/555/messages"))["keyboards"] == {}
    await bot.send_message(555, "Your name?", reply_markup=ForceReply(input_field_placeholder="Name"))
    view = (await control(server, "GET", "/_mock/telegram/chats/555/messages"))["keyboards"]["demo_shop_bot"]
    assert view == {"force_reply": {"force_reply": True, "input_field_placeholder": "Name"}}
    with pytest.raises(TelegramBadRequest, match="input_field_placeholder must be at most 64 characters"):
        await bot.send_message(555, "x", reply_markup=ForceReply(input_field_placeholder="x" * 65))


async def test_commands_through_aiogram(bot, server):  # noqa: F811
    commands = [BotCommand(command="start", description="Begin"), BotCommand(command="help", description="Help")]
    assert await bot.set_my_commands(commands) is True
    assert pairs(await bot.get_my_commands()) == pairs(commands)
    scope = BotCommandScopeChat(chat_id=111)
    await bot.set_my_commands(commands[:1], scope=scope, language_code="uk")
    assert pairs(await bot.get_my_commands(scope=scope, language_code="uk")) == pairs(commands[:1])
    assert await bot.delete_my_commands(scope=scope, language_code="uk") is True
    assert await bot.get_my_commands(scope=scope, language_code="uk") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="Begin")])
    with pytest.raises(TelegramBadRequest, match="invalid language code specified"):
        await bot.get_my_commands(language_code="english")


async def test_menu_button_through_aiogram(bot):  # noqa: F811
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonDefault)
    web_app = MenuButtonWebApp(text="Shop", web_app=WebAppInfo(url="https://shop.example/app"))
    assert await bot.set_chat_menu_button(menu_button=web_app) is True
    got = await bot.get_chat_menu_button(chat_id=111)
    assert isinstance(got, MenuButtonWebApp) and got.web_app.url == "https://shop.example/app"
    await bot.set_chat_menu_button(chat_id=111, menu_button=MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(chat_id=111), MenuButtonCommands)
    with pytest.raises(TelegramBadRequest, match="Only HTTPS links are allowed"):
        await bot.set_chat_menu_button(menu_button=MenuButtonWebApp(text="Shop", web_app=WebAppInfo(url="http://shop.example")))


async def test_get_chat_and_get_chat_member_through_aiogram(bot, server):  # noqa: F811
    await control(server, "POST", "/_mock/telegram/users", {"id": 555, "first_name": "Ann", "username": "annk"})
    await control(server, "POST", "/_mock/telegram/users/555/start")
    chat = await bot.get_chat(555)
    assert isinstance(chat, ChatFullInfo)
    assert (chat.id, chat.type, chat.first_name, chat.username, chat.max_reaction_count) == (555, "private", "Ann", "annk", 11)
    member = await bot.get_chat_member(555, 555)
    assert isinstance(member, ChatMemberMember) and member.user.first_name == "Ann"
    await control(server, "POST", "/_mock/telegram/users/555/block")
    assert (await bot.get_chat_member(555, 555)).status == "member"
    with pytest.raises(TelegramBadRequest, match="member not found"):
        await bot.get_chat_member(555, 111)
    await control(server, "POST", "/_mock/telegram/users", {"id": 556, "first_name": "Bo"})  # never pressed Start
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(556)


async def test_close_and_log_out_through_aiogram(bot, server):  # noqa: F811
    await control(server, "POST", "/_mock/clock", {"freeze": True})
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.close()
    assert refused.value.retry_after == 600
    await control(server, "POST", "/_mock/clock", {"advance": 600})
    assert await bot.close() is True
    assert await bot.log_out() is True
    with pytest.raises(TelegramBadRequest, match="Logged out"):
        await bot.get_me()
    await control(server, "POST", "/_mock/clock", {"advance": 600})
    assert (await bot.get_me()).username == "demo_shop_bot"
