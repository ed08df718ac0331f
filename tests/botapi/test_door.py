"""The /bot door over HTTP: tokens, methods, parameter encodings, sendMessage and its refusals."""

from __future__ import annotations

import orjson
import pytest

from tests.botapi.conftest import BOT, TOKEN, new_user, state

pytestmark = pytest.mark.anyio


def envelope_error(r, code: int, description: str, parameters: dict | None = None) -> None:
    body = r.json()
    expected = {"ok": False, "error_code": code, "description": description}
    if parameters:
        expected["parameters"] = parameters
    assert (r.status_code, body) == (code, expected)


async def test_get_me_describes_the_bot(client):
    r = await client.get(f"{BOT}/getMe")
    assert r.status_code == 200
    me = r.json()["result"]
    assert r.json()["ok"] is True
    assert (me["id"], me["is_bot"], me["username"]) == (123456789, True, "demo_shop_bot")
    assert me["can_join_groups"] is True and me["has_main_web_app"] is False


@pytest.mark.parametrize("name", ["getme", "GETME", "GetMe"])
async def test_method_names_are_case_insensitive(client, name):
    assert (await client.post(f"{BOT}/{name}")).json()["result"]["username"] == "demo_shop_bot"


@pytest.mark.parametrize(
    "path, code, description",
    [
        ("/bot123/getMe", 404, "Not Found"),
        ("/bot123:short/getMe", 404, "Not Found"),
        (f"/bot{TOKEN}x/getMe", 404, "Not Found"),
        ("/bot42:" + "A" * 35 + "/getMe", 401, "Unauthorized"),
        (f"{BOT}/noSuchMethod", 404, "Not Found: method not found"),
        (f"{BOT}", 404, "Not Found"),
        ("/bot", 404, "Not Found"),
    ],
)
async def test_bad_tokens_and_methods(client, path, code, description):
    envelope_error(await client.get(path), code, description)


async def test_unsupported_http_method_uses_the_envelope(client):
    r = await client.delete(f"{BOT}/getMe")
    assert r.status_code == 405 and r.json()["ok"] is False


async def test_send_message_returns_a_full_message_and_lands_in_the_chat(client):
    markup = {"inline_keyboard": [[{"text": "Open", "url": "https://shop.example"},
                                   {"text": "Like", "callback_data": "like:1"}]]}
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 111, "text": "Hello", "reply_markup": markup})
    assert r.status_code == 200
    message = r.json()["result"]
    assert message["message_id"] == 1
    assert message["from"]["username"] == "demo_shop_bot" and message["from"]["is_bot"] is True
    assert message["chat"] == {"id": 111, "type": "private", "first_name": "User 111"}
    assert message["text"] == "Hello" and message["reply_markup"] == markup
    assert isinstance(message["date"], int)
    assert len((await state(client))["telegram"]["chats"]["111"]["messages"]) == 1  # the history itself since issue 5
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": "111", "text": "Again"})
    assert r.json()["result"]["message_id"] == 2


@pytest.mark.parametrize(
    "send",
    [
        lambda c: c.get(f"{BOT}/sendMessage", params={"chat_id": "111", "text": "hi"}),
        lambda c: c.post(f"{BOT}/sendMessage", data={"chat_id": "111", "text": "hi"}),
        lambda c: c.post(f"{BOT}/sendMessage", files={"chat_id": (None, "111"), "text": (None, "hi")}),
        lambda c: c.post(f"{BOT}/sendMessage?chat_id=111", json={"text": "hi"}),
    ],
    ids=["query", "urlencoded", "multipart", "query+json"],
)
async def test_parameters_in_every_encoding(client, send):
    r = await send(client)
    assert r.status_code == 200, r.text
    assert r.json()["result"]["text"] == "hi"


async def test_reply_markup_as_a_json_string_in_a_form(client):
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    r = await client.post(f"{BOT}/sendMessage", data={"chat_id": "111", "text": "x", "reply_markup": orjson.dumps(markup).decode()})
    assert r.json()["result"]["reply_markup"] == markup


async def test_html_parse_mode_gives_plain_text_and_entities(client):
    r = await client.post(
        f"{BOT}/sendMessage",
        json={"chat_id": 111, "text": 'Hi <b>Ann</b>, see <a href="https://x.example">this</a> &amp; more', "parse_mode": "HTML"},
    )
    message = r.json()["result"]
    assert message["text"] == "Hi Ann, see this & more"
    assert message["entities"] == [
        {"type": "bold", "offset": 3, "length": 3},
        {"type": "text_link", "url": "https://x.example", "offset": 12, "length": 4},
    ]


@pytest.mark.parametrize(
    "params, description",
    [
        ({"text": "hi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": "", "text": "hi"}, "Bad Request: chat_id is empty"),
        ({"chat_id": "@somechannel", "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": 111}, "Bad Request: message text is empty"),
        ({"chat_id": 111, "text": ""}, "Bad Request: message text is empty"),
        ({"chat_id": 111, "text": "   \n"}, "Bad Request: message text is empty"),
        ({"chat_id": 111, "text": "x" * 4097}, "Bad Request: message is too long"),
        ({"chat_id": 111, "text": "<b></b>", "parse_mode": "HTML"}, "Bad Request: message text is empty"),
        ({"chat_id": 111, "text": "<blink>x</blink>", "parse_mode": "HTML"},
         'Bad Request: can\'t parse entities: Unsupported start tag "blink"'),
        ({"chat_id": 111, "text": "<b>x", "parse_mode": "HTML"},
         'Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"'),
        ({"chat_id": 111, "text": "x", "parse_mode": "Klingon"}, "Bad Request: unsupported parse_mode 'Klingon'"),
        ({"chat_id": 111, "text": "x", "reply_markup": "{"}, "Bad Request: can't parse reply keyboard markup JSON object"),
        ({"chat_id": 111, "text": "x", "reply_markup": []}, "Bad Request: object expected as reply markup"),
        ({"chat_id": 111, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A"}]]}},
         "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"),
        ({"chat_id": 111, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "d" * 65}]]}},
         "Bad Request: BUTTON_DATA_INVALID"),
        ({"chat_id": 999, "text": "x"} , None),
    ],
)
async def test_invalid_send_message_changes_nothing(client, params, description):
    before = await state(client)
    r = await client.post(f"{BOT}/sendMessage", json=params)
    if description is None:  # a chat nobody described is active by default: the control case
        assert r.status_code == 200
        return
    envelope_error(r, 400, description)
    assert await state(client) == before


async def test_text_of_exactly_4096_characters_is_accepted(client):
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 111, "text": "я" * 4096})
    assert r.status_code == 200


@pytest.mark.parametrize(
    "chats, code, description",
    [
        ({"7": "blocked"}, 403, "Forbidden: bot was blocked by the user"),
        ({"7": "deactivated"}, 403, "Forbidden: user is deactivated"),
        ({"7": "unknown"}, 400, "Bad Request: chat not found"),
    ],
)
async def test_dead_chats_answer_as_delivery_does(client, emulator, chats, code, description):
    emulator.world.bots.set_state("7", chats["7"])
    before = await state(client)
    envelope_error(await client.post(f"{BOT}/sendMessage", json={"chat_id": 7, "text": "hi"}), code, description)
    assert await state(client) == before


async def test_unknown_default_state_does_not_invent_chats(client, emulator):
    emulator.world.telegram.default_state = "unknown"
    before = await state(client)
    envelope_error(await client.post(f"{BOT}/sendMessage", json={"chat_id": 31337, "text": "hi"}), 400, "Bad Request: chat not found")
    assert await state(client) == before


async def test_rate_limited_chat_answers_429_with_retry_after(client, emulator):
    emulator.world.bots.set_state("7", "rate_limited")
    chat = emulator.world.telegram.chats["7"]
    chat.retry_after, chat.limited_sends = 3, 1
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 7, "text": "hi"})
    envelope_error(r, 429, "Too Many Requests: retry after 3", {"retry_after": 3})
    assert (await client.post(f"{BOT}/sendMessage", json={"chat_id": 7, "text": "hi"})).status_code == 200


@pytest.mark.parametrize(
    "content, headers, description",
    [
        (b"{", {"Content-Type": "application/json"}, "Bad Request: can't parse JSON object"),
        (b"[1]", {"Content-Type": "application/json"}, "Bad Request: JSON object expected as the request body"),
        (b"\xff=1", {"Content-Type": "application/x-www-form-urlencoded"}, "Bad Request: request body is not valid UTF-8"),
    ],
)
async def test_unreadable_bodies(client, content, headers, description):
    before = await state(client)
    envelope_error(await client.post(f"{BOT}/sendMessage", content=content, headers=headers), 400, description)
    assert await state(client) == before


async def test_oversized_body_is_refused_in_the_envelope(client, emulator):
    emulator.body_limit = 100
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 111, "text": "x" * 200})
    assert r.status_code == 413 and r.json()["ok"] is False


async def test_bot_message_and_user_message_share_one_chat_history(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/start")
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "Welcome"})
    assert r.json()["result"]["message_id"] == 2
    history = (await client.get("/_mock/telegram/users/555")).json()["user"]["messages"]
    assert [(m["message_id"], m["from"]["is_bot"], m["text"]) for m in history] == [
        (1, False, "/start"),
        (2, True, "Welcome"),
    ]


async def test_a_delivery_and_a_bot_message_share_one_chat_and_its_numbering(client):
    """eSputnik's send and the bot's sendMessage land in the same history, numbered together."""
    r = await client.post("/api/v1/messages/telegram", json={"name": "n", "text": "Sale today"})
    r = await client.post(f"/api/v1/message/{r.json()['id']}/smartsend", json={"recipients": [{"locator": "111"}]})
    request_id = r.json()["results"]["requestId"]
    sent = (await client.post(f"{BOT}/sendMessage", json={"chat_id": 111, "text": "Hi"})).json()["result"]
    assert sent["message_id"] == 2
    history = (await client.get("/_mock/telegram/chats/111/messages")).json()["messages"]
    assert [(m["message_id"], m["text"], m.get("requestId")) for m in history] == [
        (1, "Sale today", request_id),
        (2, "Hi", None),
    ]
