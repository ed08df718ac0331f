"""Reply keyboards, keyboard removal and force reply on every sending method, the keyboard in force in
the user's chat, pressing its buttons and sharing one's phone, and Retry-After on 429s."""

from __future__ import annotations

import pytest

from tests.botapi.conftest import BOT, new_user, state
from tests.botapi.images import png
from tests.botapi.test_door import envelope_error

pytestmark = pytest.mark.anyio

PNG = png()

CONTACT_KEYBOARD = {
    "keyboard": [[{"text": "Share my phone", "request_contact": True}], ["Later", {"text": "Where?", "request_location": True}]],
    "one_time_keyboard": True, "resize_keyboard": True, "input_field_placeholder": "Tap a button",
}


async def started(client, **profile) -> dict:
    """A user who pressed Start, so the bot may write to them."""
    user = await new_user(client, **profile)
    r = await client.post(f"/_mock/telegram/users/{user['id']}/start")
    assert r.status_code == 200, r.text
    return user


async def send(client, markup, chat_id=555, **extra) -> dict:
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": chat_id, "text": "Hi", "reply_markup": markup, **extra})
    assert r.status_code == 200, r.text
    return r.json()["result"]


async def keyboards(client, chat_id=555) -> dict:
    r = await client.get(f"/_mock/telegram/chats/{chat_id}/messages")
    assert r.status_code == 200, r.text
    return r.json()["keyboards"]


async def test_a_reply_keyboard_is_shown_to_the_user_and_not_echoed_in_the_message(client):
    await started(client)
    message = await send(client, CONTACT_KEYBOARD)
    assert "reply_markup" not in message  # Bot API messages carry only inline keyboards
    shown = (await keyboards(client))["demo_shop_bot"]["keyboard"]
    assert shown == {
        "markup": {
            "keyboard": [[{"text": "Share my phone", "request_contact": True}],
                         [{"text": "Later"}, {"text": "Where?", "request_location": True}]],
            "resize_keyboard": True, "one_time_keyboard": True, "input_field_placeholder": "Tap a button",
        },
        "hidden": False,
    }
    user = (await client.get("/_mock/telegram/users/555")).json()["user"]
    assert user["keyboards"]["demo_shop_bot"]["keyboard"] == shown


async def test_remove_keyboard_clears_it_and_force_reply_waits_for_the_answer(client):
    await started(client)
    await send(client, {"keyboard": [["A", "B"]], "is_persistent": True})
    assert (await keyboards(client))["demo_shop_bot"]["keyboard"]["markup"]["is_persistent"] is True
    await send(client, {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]})  # inline: the keyboard stays
    assert "keyboard" in (await keyboards(client))["demo_shop_bot"]
    message = await send(client, {"remove_keyboard": True, "selective": True})
    assert "reply_markup" not in message
    assert await keyboards(client) == {}
    await send(client, {"force_reply": True, "input_field_placeholder": "Your name"})
    assert (await keyboards(client))["demo_shop_bot"] == {"force_reply": {"force_reply": True, "input_field_placeholder": "Your name"}}
    r = await client.post("/_mock/telegram/users/555/send", json={"text": "Ann"})
    assert r.status_code == 200, r.text
    assert await keyboards(client) == {}


async def test_markup_without_buttons_sends_a_plain_message(client):
    await started(client)
    for markup in ({}, {"keyboard": []}, {"keyboard": [["", {"text": ""}]]}, {"inline_keyboard": []}):
        message = await send(client, markup)
        assert "reply_markup" not in message
    assert await keyboards(client) == {}


async def test_telegram_keeps_12_buttons_a_row(client):
    await started(client)
    await send(client, {"keyboard": [[str(n) for n in range(15)]]})
    assert len((await keyboards(client))["demo_shop_bot"]["keyboard"]["markup"]["keyboard"][0]) == 12


@pytest.mark.parametrize(
    "markup, description",
    [
        ("{", "Bad Request: can't parse reply keyboard markup JSON object"),
        ([], "Bad Request: object expected as reply markup"),
        ({"keyboard": "A"}, 'Bad Request: field "keyboard" must be of type Array'),
        ({"keyboard": ["A"]}, 'Bad Request: field "keyboard" must be an Array of Arrays'),
        ({"keyboard": [[1]]}, "Bad Request: can't parse keyboard button: KeyboardButton must be a String or an Object"),
        ({"keyboard": [[{}]]}, 'Bad Request: can\'t parse keyboard button: Can\'t find field "text"'),
        ({"keyboard": [[{"text": ["A"]}]]}, 'Bad Request: can\'t parse keyboard button: Field "text" must be of type String'),
        ({"keyboard": [[{"text": "A", "request_contact": "yes"}]]},
         'Bad Request: can\'t parse keyboard button: Field "request_contact" must be of type Boolean'),
        ({"keyboard": [[{"text": "A", "web_app": "https://x"}]]},
         'Bad Request: can\'t parse keyboard button: Field "web_app" must be of type Object'),
        ({"keyboard": [["A"]], "one_time_keyboard": 1}, 'Bad Request: field "one_time_keyboard" must be of type Boolean'),
        ({"keyboard": [["A"]], "input_field_placeholder": "x" * 65},
         "Bad Request: input_field_placeholder must be at most 64 characters"),
        ({"force_reply": True, "input_field_placeholder": ["x"]},
         'Bad Request: field "input_field_placeholder" must be of type String'),
        ({"remove_keyboard": "true"}, 'Bad Request: field "remove_keyboard" must be of type Boolean'),
        ({"keyboard": [["A"]], "selective": None}, 'Bad Request: field "selective" must be of type Boolean'),
        ({"inline_keyboard": {}}, 'Bad Request: field "inline_keyboard" must be of type Array'),
        ({"inline_keyboard": [{}]}, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'),
    ],
)
async def test_bad_reply_markup_is_refused_with_telegrams_text_and_changes_nothing(client, markup, description):
    await started(client)
    before = await state(client)
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "Hi", "reply_markup": markup})
    envelope_error(r, 400, description)
    assert await state(client) == before


async def test_send_photo_and_document_take_the_same_reply_keyboard(client):
    await started(client)
    r = await client.post(f"{BOT}/sendPhoto", data={"chat_id": "555", "reply_markup": '{"keyboard": [["Yes", "No"]]}'},
                          files={"photo": ("a.png", PNG, "image/png")})
    assert r.status_code == 200, r.text
    assert "reply_markup" not in r.json()["result"]
    assert (await keyboards(client))["demo_shop_bot"]["keyboard"]["markup"]["keyboard"] == [[{"text": "Yes"}, {"text": "No"}]]
    r = await client.post(f"{BOT}/sendDocument", data={"chat_id": "555", "reply_markup": '{"remove_keyboard": true}'},
                          files={"document": ("a.txt", b"hello", "text/plain")})
    assert r.status_code == 200, r.text
    assert await keyboards(client) == {}
    r = await client.post(f"{BOT}/sendDocument", data={"chat_id": "555", "reply_markup": '{"keyboard": ["A"]}'},
                          files={"document": ("a.txt", b"hello", "text/plain")})
    envelope_error(r, 400, 'Bad Request: field "keyboard" must be an Array of Arrays')


async def test_a_refused_send_leaves_the_keyboard_alone(client):
    await started(client)
    await send(client, {"keyboard": [["A"]]})
    await client.post("/_mock/telegram/users/555/block")
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "x", "reply_markup": {"remove_keyboard": True}})
    envelope_error(r, 403, "Forbidden: bot was blocked by the user")
    assert "keyboard" in (await keyboards(client))["demo_shop_bot"]


# -- the user presses reply buttons and shares their phone -------------------------------------------


async def test_pressing_a_plain_button_sends_its_text_and_a_one_time_keyboard_hides(client):
    await started(client)
    await send(client, CONTACT_KEYBOARD)
    r = await client.post("/_mock/telegram/users/555/press_key", json={"text": "Later"})
    assert r.status_code == 200, r.text
    [update] = r.json()["updates"]
    assert update["message"]["text"] == "Later" and update["message"]["from"]["id"] == 555
    assert r.json()["user"]["keyboards"]["demo_shop_bot"]["keyboard"]["hidden"] is True
    # A hidden one-time keyboard is still there: the user can open it and press again.
    r = await client.post("/_mock/telegram/users/555/press_key", json={"text": "Later"})
    assert r.status_code == 200, r.text


async def test_a_lasting_keyboard_stays_visible_after_a_press(client):
    await started(client)
    await send(client, {"keyboard": [["Menu"]]})
    r = await client.post("/_mock/telegram/users/555/press_key", json={"text": "Menu"})
    assert r.json()["user"]["keyboards"]["demo_shop_bot"]["keyboard"]["hidden"] is False


@pytest.mark.parametrize(
    "setup, body, status, error",
    [
        (None, {"text": "Later"}, 404, "@demo_shop_bot has no reply keyboard in force in chat 555"),
        (CONTACT_KEYBOARD, {"text": "Never"}, 404,
         "the reply keyboard of @demo_shop_bot in chat 555 has no button 'Never' (it has 'Share my phone', 'Later', 'Where?')"),
        (CONTACT_KEYBOARD, {"text": "Where?"}, 400, "button 'Where?' asks for the user's location, which simulated users cannot share"),
        (CONTACT_KEYBOARD, {}, 400, "'text' must be the label of a button of the reply keyboard in force"),
        ({"remove_keyboard": True}, {"text": "Later"}, 404, "@demo_shop_bot has no reply keyboard in force in chat 555"),
    ],
)
async def test_pressing_a_button_not_in_force_is_refused(client, setup, body, status, error):
    await started(client)
    if setup is not None:
        await send(client, setup)
    before = await state(client)
    r = await client.post("/_mock/telegram/users/555/press_key", json=body)
    assert (r.status_code, r.json()["error"]) == (status, error)
    assert await state(client) == before


async def test_pressing_the_contact_button_shares_the_phone_given_at_creation(client):
    await started(client, phone_number="+380671234567", last_name="Koval")
    await send(client, CONTACT_KEYBOARD)
    r = await client.post("/_mock/telegram/users/555/press_key", json={"text": "Share my phone"})
    assert r.status_code == 200, r.text
    [update] = r.json()["updates"]
    message = update["message"]
    assert message["contact"] == {"phone_number": "+380671234567", "first_name": "Ann", "last_name": "Koval", "user_id": 555}
    assert message["chat"] == {"id": 555, "type": "private", "first_name": "Ann", "last_name": "Koval"}
    assert "text" not in message
    assert r.json()["user"]["phone_number"] == "+380671234567"
    assert r.json()["user"]["keyboards"]["demo_shop_bot"]["keyboard"]["hidden"] is True
    history = (await client.get("/_mock/telegram/chats/555/messages")).json()["messages"]
    assert history[-1]["contact"]["phone_number"] == "+380671234567"


async def test_share_contact_takes_the_phone_from_the_body_or_the_user(client):
    await started(client, phone_number="380671234567")
    r = await client.post("/_mock/telegram/users/555/share_contact")
    assert r.status_code == 200, r.text
    assert r.json()["updates"][0]["message"]["contact"]["phone_number"] == "380671234567"
    r = await client.post("/_mock/telegram/users/555/share_contact", json={"phone_number": "+15551234567"})
    assert r.json()["updates"][0]["message"]["contact"] == {"phone_number": "+15551234567", "first_name": "Ann", "user_id": 555}


@pytest.mark.parametrize(
    "profile, body, status, error",
    [
        ({}, None, 409, "user 555 has no phone_number: give one in the body or when creating the user"),
        ({}, {"phone_number": "call me"}, 400, "'phone_number' must be a phone number: an optional + and 5 to 15 digits"),
        ({}, {"phone_number": 380671234567}, 400, "'phone_number' must be a phone number: an optional + and 5 to 15 digits"),
        ({"phone_number": "+380671234567"}, {"bot": "other_bot"}, 409, "no bot 'other_bot' in the scenario (its bots: demo_shop_bot)"),
    ],
)
async def test_share_contact_refusals(client, profile, body, status, error):
    await started(client, **profile)
    before = await state(client)
    r = await client.post("/_mock/telegram/users/555/share_contact", json=body)
    assert (r.status_code, r.json()["error"]) == (status, error)
    assert await state(client) == before


async def test_a_blocked_or_deactivated_user_cannot_share(client):
    await started(client, phone_number="+380671234567")
    await client.post("/_mock/telegram/users/555/block")
    r = await client.post("/_mock/telegram/users/555/share_contact")
    assert (r.status_code, r.json()["error"]) == (409, "user 555 has blocked the bot; unblock it or press Start first")
    await client.post("/_mock/telegram/chats/555/deactivate")
    r = await client.post("/_mock/telegram/users/555/share_contact")
    assert (r.status_code, r.json()["error"]) == (409, "user 555 is deactivated and cannot share their contact")


async def test_a_user_phone_number_is_checked_at_creation(client):
    r = await client.post("/_mock/telegram/users", json={"id": 556, "first_name": "Bo", "phone_number": "12"})
    assert (r.status_code, r.json()["error"]) == (400, "'phone_number' must be a phone number: an optional + and 5 to 15 digits")
    r = await client.post("/_mock/telegram/users", json={"id": 556, "first_name": "Bo", "phone_number": "+4915112345678"})
    assert r.json()["user"]["phone_number"] == "+4915112345678"


# -- 429 answers say Retry-After --------------------------------------------------------------------------


async def test_a_rate_limited_chat_answers_429_with_retry_after_in_body_and_header(client):
    r = await client.post("/_mock/scenario", json={
        "bots": [{"app_uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
                  "username": "demo_shop_bot"}],
        "telegram": {"chats": {"701": {"state": "rate_limited", "retry_after": 17}}},
    })
    assert r.status_code == 200, r.text
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 701, "text": "x"})
    envelope_error(r, 429, "Too Many Requests: retry after 17", {"retry_after": 17})
    assert r.headers["retry-after"] == "17"


async def test_a_429_fault_with_retry_after_in_its_body_says_it_in_the_header(client):
    body = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 9", "parameters": {"retry_after": 9}}
    r = await client.post("/_mock/faults", json={"match": {"path": f"{BOT}/sendMessage"}, "action": {"status": 429, "body": body}})
    assert r.status_code in (200, 201), r.text
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 111, "text": "x"})
    assert (r.status_code, r.headers["retry-after"], r.json()) == (429, "9", body)


async def test_a_scenario_chat_may_carry_the_users_phone(client):
    r = await client.post("/_mock/scenario", json={
        "bots": [{"app_uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
                  "username": "demo_shop_bot"}],
        "telegram": {"chats": {"333": {"state": "active", "first_name": "Ivan", "phone_number": "380671234567"}}},
    })
    assert r.status_code == 200, r.text
    r = await client.post("/_mock/telegram/users/333/share_contact")
    assert r.json()["updates"][0]["message"]["contact"] == {"phone_number": "380671234567", "first_name": "Ivan", "user_id": 333}
    r = await client.post("/_mock/scenario", json={"telegram": {"chats": {"333": {"phone_number": "call me"}}}})
    assert r.status_code == 400 and "phone_number" in r.text
