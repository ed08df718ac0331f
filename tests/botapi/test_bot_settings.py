"""Commands, menu buttons, getChat, getChatMember, logOut and close over HTTP: results and Telegram's refusal texts."""

from __future__ import annotations

import pytest

from tests.botapi.conftest import BOT, new_user, state
from tests.botapi.test_door import envelope_error

pytestmark = pytest.mark.anyio

COMMANDS = [{"command": "start", "description": "Begin"}, {"command": "help", "description": "What I can do"}]


async def call(client, method: str, **params):
    return await client.post(f"{BOT}/{method}", json=params)


async def ok(client, method: str, **params):
    r = await call(client, method, **params)
    assert r.status_code == 200, r.text
    return r.json()["result"]


# -- commands ---------------------------------------------------------------------------------------------


async def test_commands_are_kept_per_scope_and_language(client):
    assert await ok(client, "getMyCommands") == []
    assert await ok(client, "setMyCommands", commands=COMMANDS) is True
    assert await ok(client, "getMyCommands") == COMMANDS
    uk = [{"command": "start", "description": "Почати"}]
    await ok(client, "setMyCommands", commands=uk, language_code="uk")
    await ok(client, "setMyCommands", commands=[{"command": "vip", "description": "For Taras"}], scope={"type": "chat", "chat_id": 111})
    await ok(client, "setMyCommands", commands=COMMANDS[:1], scope={"type": "all_private_chats"})
    assert await ok(client, "getMyCommands", language_code="uk") == uk
    assert await ok(client, "getMyCommands", scope={"type": "chat", "chat_id": "111"}) == [{"command": "vip", "description": "For Taras"}]
    assert await ok(client, "getMyCommands", scope={"type": "all_private_chats"}) == COMMANDS[:1]
    assert await ok(client, "getMyCommands", scope={"type": "all_group_chats"}) == []
    assert await ok(client, "deleteMyCommands", language_code="uk") is True
    assert await ok(client, "getMyCommands", language_code="uk") == []
    assert await ok(client, "getMyCommands") == COMMANDS
    saved = (await state(client))["bot_settings"]["bots"]["3fa85f64-5717-4562-b3fc-2c963f66afa6"]["commands"]
    assert {"scope": {"type": "chat", "chat_id": 111}, "language_code": "", "commands": [{"command": "vip", "description": "For Taras"}]} in saved


async def test_commands_are_trimmed_and_an_empty_list_deletes(client):
    await ok(client, "setMyCommands", commands=[{"command": " /start ", "description": "  Begin  "}])
    assert await ok(client, "getMyCommands") == [{"command": "start", "description": "Begin"}]
    await ok(client, "setMyCommands", commands=[])
    assert await ok(client, "getMyCommands") == []
    await ok(client, "setMyCommands", commands=COMMANDS)
    await ok(client, "setMyCommands")  # no commands at all: the same
    assert await ok(client, "getMyCommands") == []


async def test_a_hundred_commands_fit(client):
    commands = [{"command": f"c{n}", "description": "d"} for n in range(100)]
    await ok(client, "setMyCommands", commands=commands)
    assert len(await ok(client, "getMyCommands")) == 100


COMMAND_REFUSALS = [
    ({"commands": "["}, "Bad Request: can't parse commands JSON object"),
    ({"commands": {"command": "a"}}, "Bad Request: expected an Array of BotCommand"),
    ({"commands": ["start"]}, "Bad Request: can't parse BotCommand: expected an Object"),
    ({"commands": [{"command": "start"}]}, 'Bad Request: can\'t parse BotCommand: Can\'t find field "description"'),
    ({"commands": [{"command": True, "description": "d"}]}, 'Bad Request: can\'t parse BotCommand: Field "command" must be of type String'),
    ({"commands": [{"command": " / ", "description": "d"}]}, "Bad Request: command must be non-empty"),
    ({"commands": [{"command": "a" * 33, "description": "d"}]}, "Bad Request: command length must not exceed 32"),
    ({"commands": [{"command": "a", "description": "  "}]}, "Bad Request: command description must be non-empty"),
    ({"commands": [{"command": "a", "description": "d" * 257}]}, "Bad Request: command description length must not exceed 256"),
    ({"commands": [{"command": "Start", "description": "d"}]}, "Bad Request: BOT_COMMAND_INVALID"),
    ({"commands": [{"command": "go-on", "description": "d"}]}, "Bad Request: BOT_COMMAND_INVALID"),
    ({"commands": [{"command": f"c{n}", "description": "d"} for n in range(101)]}, "Bad Request: BOT_COMMANDS_TOO_MUCH"),
]
# What all three methods read: the scope and the language.
TARGET_REFUSALS = [
    ({"language_code": "eng"}, "Bad Request: invalid language code specified"),
    ({"language_code": "EN"}, "Bad Request: invalid language code specified"),
    ({"scope": "{"}, "Bad Request: can't parse BotCommandScope JSON object"),
    ({"scope": []}, "Bad Request: can't parse BotCommandScope: BotCommandScope must be an Object"),
    ({"scope": {}}, 'Bad Request: can\'t parse BotCommandScope: Can\'t find field "type"'),
    ({"scope": {"type": "everyone"}}, "Bad Request: can't parse BotCommandScope: Unsupported type specified"),
    ({"scope": {"type": "chat"}}, 'Bad Request: can\'t parse BotCommandScope: Can\'t find field "chat_id"'),
    ({"scope": {"type": "chat", "chat_id": ""}}, "Bad Request: can't parse BotCommandScope: Empty chat_id specified"),
    ({"scope": {"type": "chat_member", "chat_id": 111}}, 'Bad Request: can\'t parse BotCommandScope: Can\'t find field "user_id"'),
    ({"scope": {"type": "chat_member", "chat_id": 111, "user_id": "x"}},
     'Bad Request: can\'t parse BotCommandScope: Field "user_id" must be a valid Number'),
    ({"scope": {"type": "chat_member", "chat_id": 111, "user_id": 0}}, "Bad Request: can't parse BotCommandScope: Invalid user_id specified"),
    ({"scope": {"type": "chat", "chat_id": 987654}}, "Bad Request: chat not found"),
    ({"scope": {"type": "chat", "chat_id": "@shop"}}, "Bad Request: chat not found"),
    ({"scope": {"type": "chat", "chat_id": -100123}}, "Bad Request: chat not found"),
    ({"scope": {"type": "chat_administrators", "chat_id": 111}}, "Bad Request: can't use specified scope in private chats"),
    ({"scope": {"type": "chat_member", "chat_id": 111, "user_id": 111}}, "Bad Request: can't use specified scope in private chats"),
]
CASES = [("setMyCommands", *case) for case in COMMAND_REFUSALS] + [
    (method, *case) for method in ("setMyCommands", "getMyCommands", "deleteMyCommands") for case in TARGET_REFUSALS
]


@pytest.mark.parametrize("method, params, description", CASES)
async def test_command_refusals(client, method, params, description):
    await new_user(client, 987654)  # never pressed Start: unknown to the bot
    before = await state(client)
    envelope_error(await call(client, method, **params), 400, description)
    assert await state(client) == before


# -- the menu button --------------------------------------------------------------------------------------


async def test_menu_buttons_for_the_bot_and_for_one_chat(client):
    assert await ok(client, "getChatMenuButton") == {"type": "default"}
    web_app = {"type": "web_app", "text": "Shop", "web_app": {"url": "https://shop.example/app"}}
    assert await ok(client, "setChatMenuButton", menu_button=web_app) is True
    assert await ok(client, "getChatMenuButton") == web_app
    assert await ok(client, "getChatMenuButton", chat_id=111) == web_app  # a chat follows the bot's default
    await ok(client, "setChatMenuButton", chat_id=111, menu_button={"type": "commands"})
    assert await ok(client, "getChatMenuButton", chat_id=111) == {"type": "commands"}
    assert await ok(client, "getChatMenuButton", chat_id=222) == web_app  # blocked, but still a user the bot knows
    await ok(client, "setChatMenuButton", chat_id=111)  # no button: back to the default
    assert await ok(client, "getChatMenuButton", chat_id=111) == web_app
    await ok(client, "setChatMenuButton")
    assert await ok(client, "getChatMenuButton") == {"type": "default"}


@pytest.mark.parametrize(
    "params, description",
    [
        ({"menu_button": "{"}, "Bad Request: can't parse menu button JSON object"),
        ({"menu_button": []}, "Bad Request: can't parse menu button: MenuButton must be an Object"),
        ({"menu_button": {}}, 'Bad Request: can\'t parse menu button: Can\'t find field "type"'),
        ({"menu_button": {"type": "app"}}, "Bad Request: can't parse menu button: MenuButton has unsupported type"),
        ({"menu_button": {"type": "web_app", "web_app": {"url": "https://a.example"}}}, 'Bad Request: can\'t parse menu button: Can\'t find field "text"'),
        ({"menu_button": {"type": "web_app", "text": "Go"}}, 'Bad Request: can\'t parse menu button: Can\'t find field "web_app"'),
        ({"menu_button": {"type": "web_app", "text": "Go", "web_app": "https://a.example"}},
         'Bad Request: can\'t parse menu button: Field "web_app" must be of type Object'),
        ({"menu_button": {"type": "web_app", "text": "Go", "web_app": {}}}, 'Bad Request: can\'t parse menu button: Can\'t find field "url"'),
        ({"menu_button": {"type": "web_app", "text": "", "web_app": {"url": "https://a.example"}}}, "Bad Request: menu button text must be non-empty"),
        ({"menu_button": {"type": "web_app", "text": "Go", "web_app": {"url": "http://a.example"}}},
         "Bad Request: menu button Web App URL 'http://a.example' is invalid: Only HTTPS links are allowed"),
        ({"menu_button": {"type": "web_app", "text": "Go", "web_app": {"url": "https://"}}},
         "Bad Request: menu button Web App URL 'https://' is invalid: URL host is empty"),
        ({"chat_id": "x"}, "Bad Request: invalid chat_id specified"),
        ({"chat_id": -5}, "Bad Request: invalid chat_id specified"),
        ({"chat_id": 987654}, "Bad Request: user not found"),
    ],
)
async def test_menu_button_refusals(client, params, description):
    await new_user(client, 987654)
    before = await state(client)
    envelope_error(await call(client, "setChatMenuButton", **params), 400, description)
    if set(params) == {"chat_id"}:
        envelope_error(await call(client, "getChatMenuButton", **params), 400, description)
    assert await state(client) == before


# -- getChat, getChatMember -------------------------------------------------------------------------------


async def test_get_chat_is_the_private_chats_full_info(client):
    await new_user(client, 555, last_name="Koval", username="annk")
    await client.post("/_mock/telegram/users/555/start")
    assert await ok(client, "getChat", chat_id=555) == {
        "id": 555, "first_name": "Ann", "last_name": "Koval", "username": "annk", "type": "private",
        "can_send_gift": True, "active_usernames": ["annk"],
        "accepted_gift_types": {"unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True,
                                "premium_subscription": True, "gifts_from_channels": True},
        "max_reaction_count": 11, "accent_color_id": 555 % 7,
    }
    blocked = await ok(client, "getChat", chat_id="222")  # a block does not hide the chat
    assert (blocked["id"], blocked["type"], "username" in blocked) == (222, "private", False)


async def test_get_chat_member_in_a_private_chat_is_member_for_both_sides_even_when_blocked(client):
    await new_user(client, 555)
    await client.post("/_mock/telegram/users/555/start")
    member = await ok(client, "getChatMember", chat_id=555, user_id=555)
    assert member == {"user": {"id": 555, "is_bot": False, "first_name": "Ann"}, "status": "member"}
    await client.post("/_mock/telegram/users/555/block")
    assert (await ok(client, "getChatMember", chat_id=555, user_id="555"))["status"] == "member"
    me = await ok(client, "getChatMember", chat_id=555, user_id=123456789)
    assert me == {"user": {"id": 123456789, "is_bot": True, "first_name": "demo_shop_bot", "username": "demo_shop_bot"},
                  "status": "member"}


@pytest.mark.parametrize(
    "method, params, description",
    [
        ("getChat", {}, "Bad Request: chat_id is empty"),
        ("getChat", {"chat_id": 987654}, "Bad Request: chat not found"),
        ("getChat", {"chat_id": "@shop"}, "Bad Request: chat not found"),
        ("getChat", {"chat_id": -100123}, "Bad Request: chat not found"),
        ("getChatMember", {"chat_id": 111}, "Bad Request: invalid user_id specified"),
        ("getChatMember", {"chat_id": 111, "user_id": "abc"}, "Bad Request: invalid user_id specified"),
        ("getChatMember", {"chat_id": 111, "user_id": 222}, "Bad Request: member not found"),
        ("getChatMember", {"chat_id": 987654, "user_id": 987654}, "Bad Request: chat not found"),
    ],
)
async def test_chat_refusals(client, method, params, description):
    await new_user(client, 987654)
    before = await state(client)
    envelope_error(await call(client, method, **params), 400, description)
    assert await state(client) == before


# -- logOut and close -------------------------------------------------------------------------------------


async def test_log_out_drops_updates_and_answers_logged_out_for_ten_minutes(client):
    await client.post("/_mock/clock", json={"freeze": True})
    await new_user(client, 555)
    await client.post("/_mock/telegram/users/555/start")
    assert await ok(client, "logOut") is True
    for method in ("getMe", "getUpdates", "logOut", "close", "noSuchMethod"):
        envelope_error(await call(client, method), 400, "Logged out")
    await client.post("/_mock/clock", json={"advance": 599})
    envelope_error(await call(client, "getMe"), 400, "Logged out")
    await client.post("/_mock/clock", json={"advance": 1})
    assert (await ok(client, "getMe"))["username"] == "demo_shop_bot"
    assert await ok(client, "getUpdates") == []  # logOut dropped what was pending


async def test_close_is_refused_in_the_first_ten_minutes_after_the_launch(client):
    await client.post("/_mock/clock", json={"freeze": True})
    await ok(client, "getMe")  # the first call launches the bot
    await client.post("/_mock/clock", json={"advance": 100})
    r = await call(client, "close")
    envelope_error(r, 429, "Too Many Requests: retry after 500", {"retry_after": 500})
    assert r.headers["retry-after"] == "500"
    await client.post("/_mock/clock", json={"advance": 500})
    assert await ok(client, "close") is True
    # The next call launches the bot again, and the ten minutes start over.
    assert (await ok(client, "getMe"))["is_bot"] is True
    envelope_error(await call(client, "close"), 429, "Too Many Requests: retry after 600", {"retry_after": 600})


async def test_a_logged_out_bot_survives_the_state_round_trip(client):
    await client.post("/_mock/clock", json={"freeze": True})
    await ok(client, "logOut")
    saved = await state(client)
    await client.post("/_mock/reset")
    assert (await ok(client, "getMe"))["is_bot"] is True
    r = await client.put("/_mock/state", json=saved)
    assert r.status_code == 200, r.text
    envelope_error(await call(client, "getMe"), 400, "Logged out")


async def test_command_lists_and_chat_menus_are_bounded(client, monkeypatch):
    from mockserver.domain.telegram import bot_settings

    monkeypatch.setattr(bot_settings, "MAX_COMMAND_LISTS", 2)
    monkeypatch.setattr(bot_settings, "MAX_CHAT_MENUS", 1)
    await ok(client, "setMyCommands", commands=COMMANDS)
    await ok(client, "setMyCommands", commands=COMMANDS, language_code="uk")
    await ok(client, "setMyCommands", commands=COMMANDS[:1], language_code="uk")  # replacing a list needs no room
    before = await state(client)
    envelope_error(await call(client, "setMyCommands", commands=COMMANDS, language_code="de"), 400,
                   "Bad Request: the emulator keeps at most 2 command lists per bot; delete some first")
    await ok(client, "setChatMenuButton", chat_id=111, menu_button={"type": "commands"})
    envelope_error(await call(client, "setChatMenuButton", chat_id=222, menu_button={"type": "commands"}), 400,
                   "Bad Request: the emulator keeps at most 1 per-chat menu buttons per bot; reset some to default first")
    await ok(client, "deleteMyCommands", language_code="uk")
    await ok(client, "setMyCommands", commands=COMMANDS, language_code="de")
    assert (await state(client))["bot_settings"] != before
