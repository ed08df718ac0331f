"""GET → reset → PUT /_mock/state keeps what bots set up (commands, menu buttons, keyboards in force,
pending force replies, a log-out) and users' phones, and the restored world carries on the same."""

from __future__ import annotations

import pytest

from tests.botapi.conftest import BOT
from tests.conftest import APP_UUID

pytestmark = pytest.mark.anyio

KEYBOARD = {"keyboard": [[{"text": "Share", "request_contact": True}, "Later"]], "one_time_keyboard": True}


async def ok(response):
    assert response.status_code == 200, (response.request.url, response.text)
    return response.json()


async def set_up(client) -> None:
    await ok(await client.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann", "phone_number": "+380671234567"}))
    await ok(await client.post("/_mock/telegram/users", json={"id": 556, "first_name": "Bo"}))
    for user in (555, 556):
        await ok(await client.post(f"/_mock/telegram/users/{user}/start"))
    await ok(await client.post(f"{BOT}/setMyCommands", json={"commands": [{"command": "start", "description": "Begin"}]}))
    await ok(await client.post(f"{BOT}/setMyCommands", json={
        "commands": [{"command": "vip", "description": "Yours"}], "scope": {"type": "chat", "chat_id": 555}, "language_code": "uk"}))
    await ok(await client.post(f"{BOT}/setChatMenuButton", json={"menu_button": {"type": "commands"}}))
    await ok(await client.post(f"{BOT}/setChatMenuButton", json={
        "chat_id": 556, "menu_button": {"type": "web_app", "text": "Shop", "web_app": {"url": "https://shop.example"}}}))
    await ok(await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "Phone?", "reply_markup": KEYBOARD}))
    await ok(await client.post(f"{BOT}/sendMessage", json={"chat_id": 556, "text": "Name?", "reply_markup": {"force_reply": True}}))
    await ok(await client.post("/_mock/telegram/users/555/press_key", json={"text": "Later"}))  # the keyboard hides


async def test_bot_settings_keyboards_and_phones_round_trip_and_carry_on(client):
    await set_up(client)
    saved = await ok(await client.get("/_mock/state"))
    part = saved["bot_settings"]
    assert part["bots"][APP_UUID]["menu_button"] == {"type": "commands"}
    assert part["keyboards"]["555"][APP_UUID]["hidden"] is True
    assert part["force_replies"] == {"556": {APP_UUID: {"force_reply": True}}}
    assert saved["telegram"]["chats"]["555"]["phone_number"] == "+380671234567"

    await ok(await client.post("/_mock/reset"))
    assert (await ok(await client.get("/_mock/state")))["bot_settings"] == {"bots": {}, "keyboards": {}, "force_replies": {}}
    await ok(await client.put("/_mock/state", json=saved))
    assert await ok(await client.get("/_mock/state")) == saved

    r = await ok(await client.post(f"{BOT}/getMyCommands", json={"scope": {"type": "chat", "chat_id": 555}, "language_code": "uk"}))
    assert r["result"] == [{"command": "vip", "description": "Yours"}]
    r = await ok(await client.post(f"{BOT}/getChatMenuButton", json={"chat_id": 556}))
    assert r["result"]["type"] == "web_app"
    r = await ok(await client.post("/_mock/telegram/users/555/press_key", json={"text": "Share"}))
    assert r["updates"][0]["message"]["contact"]["phone_number"] == "+380671234567"


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda p: p["bots"].update({"3fa85f64-5717-4562-b3fc-2c963f66afa7": {}}), "no app has the app_uuid"),
        (lambda p: p["bots"][APP_UUID]["commands"][0]["commands"][0].update(command="Start"), "a command is 1-32 of a-z"),
        (lambda p: p["bots"][APP_UUID]["commands"][0].update(language_code="eng"), "language_code"),
        (lambda p: p["bots"][APP_UUID]["commands"][0]["scope"].update(type="chat_member"), "scope.type"),
        (lambda p: p["bots"][APP_UUID].update(menu_button={"type": "app"}), "menu_button.type"),
        (lambda p: p["bots"][APP_UUID].update(logged_out_at="soon"), "logged_out_at"),
        (lambda p: p["keyboards"]["555"][APP_UUID].update(markup={"keyboard": [["A"]]}), "must be a keyboard markup as a bot sends it"),
        (lambda p: p["keyboards"]["555"][APP_UUID].update(hidden="yes"), "hidden"),
        (lambda p: p["keyboards"].update({"x": {APP_UUID: {}}}), "'x' is no user id"),
        (lambda p: p["force_replies"]["556"].update({APP_UUID: {"remove_keyboard": True}}), "force_reply markup"),
    ],
)
async def test_a_malformed_bot_settings_part_is_refused_and_changes_nothing(client, mutate, reason):
    await set_up(client)
    before = await ok(await client.get("/_mock/state"))
    bad = await ok(await client.get("/_mock/state"))
    mutate(bad["bot_settings"])
    r = await client.put("/_mock/state", json=bad)
    assert r.status_code == 400, r.text
    assert reason in r.text
    assert await ok(await client.get("/_mock/state")) == before


async def test_a_bad_phone_in_a_snapshot_chat_is_refused(client):
    await set_up(client)
    bad = await ok(await client.get("/_mock/state"))
    bad["telegram"]["chats"]["555"]["phone_number"] = 380
    r = await client.put("/_mock/state", json=bad)
    assert r.status_code == 400 and "telegram.chats.555.phone_number" in r.text
