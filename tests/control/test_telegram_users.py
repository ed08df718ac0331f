"""Simulated users on the control plane: creating them, their actions, and refusals that change nothing."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Emulator, create_app
from tests.botapi.conftest import BOT, new_user, state
from tests.conftest import empty_scenario

pytestmark = pytest.mark.anyio


async def test_create_then_update_a_user(client):
    r = await client.post("/_mock/telegram/users", json={"id": "555", "first_name": "Ann", "language_code": "uk"})
    assert (r.status_code, r.json()["created"], r.json()["user"]) == (200, True, {"id": 555, "first_name": "Ann", "language_code": "uk", "state": "unknown"})
    r = await client.post("/_mock/telegram/users", json={"id": 555, "first_name": "Anna"})
    assert (r.status_code, r.json()["created"], r.json()["user"]["first_name"]) == (200, False, "Anna")


async def test_a_user_who_never_pressed_start_is_unknown_to_the_bot(client):
    await new_user(client)
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "hi"})
    assert (r.status_code, r.json()["description"]) == (400, "Bad Request: chat not found")
    await client.post("/_mock/telegram/users/555/start")
    assert (await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "hi"})).status_code == 200


async def test_block_and_unblock_toggle_sending_and_emit_my_chat_member(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/start")
    [update] = (await client.post("/_mock/telegram/users/555/block")).json()["updates"]
    change = update["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == ("member", "kicked")
    assert change["new_chat_member"]["user"]["username"] == "demo_shop_bot"
    assert (await client.post("/_mock/telegram/users/555/block")).json()["updates"] == []
    r = await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "hi"})
    assert (r.status_code, r.json()["description"]) == (403, "Forbidden: bot was blocked by the user")
    [update] = (await client.post("/_mock/telegram/users/555/unblock")).json()["updates"]
    assert update["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert (await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "hi"})).status_code == 200


async def test_start_on_a_blocked_bot_unblocks_it_first(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/start")
    await client.post("/_mock/telegram/users/555/block")
    updates = (await client.post("/_mock/telegram/users/555/start", json={"payload": "again"})).json()["updates"]
    assert [next(k for k in u if k != "update_id") for u in updates] == ["my_chat_member", "message"]
    assert updates[1]["message"]["text"] == "/start again"


async def test_show_user_lists_the_chat_history(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/send", json={"text": "hello bot"})
    user = (await client.get("/_mock/telegram/users/555")).json()["user"]
    assert [m["text"] for m in user["messages"]] == ["hello bot"]
    assert (await client.get("/_mock/telegram/users/777")).status_code == 404


@pytest.mark.parametrize(
    "path, body, status, needle",
    [
        ("/_mock/telegram/users", {"first_name": "A"}, 400, "'id'"),
        ("/_mock/telegram/users", {"id": -5, "first_name": "A"}, 400, "positive integer"),
        ("/_mock/telegram/users", {"id": True, "first_name": "A"}, 400, "positive integer"),
        ("/_mock/telegram/users", {"id": 2**60, "first_name": "A"}, 400, "below 2^52"),
        ("/_mock/telegram/users", {"id": 1}, 400, "'first_name'"),
        ("/_mock/telegram/users", {"id": 1, "first_name": "A", "username": 5}, 400, "'username'"),
        ("/_mock/telegram/users", [1], 400, "JSON object"),
        ("/_mock/telegram/users/555/start", {"payload": "has space"}, 400, "'payload'"),
        ("/_mock/telegram/users/555/start", {"payload": "x" * 65}, 400, "'payload'"),
        ("/_mock/telegram/users/555/start", {"bot": "nobody_bot"}, 409, "no bot"),
        ("/_mock/telegram/users/555/start", {"bot": 7}, 400, "'bot'"),
        ("/_mock/telegram/users/777/start", {}, 404, "no Telegram user 777"),
        ("/_mock/telegram/users/abc/start", {}, 400, "positive integer"),
        ("/_mock/telegram/users/555/send", {}, 400, "'text'"),
        ("/_mock/telegram/users/555/send", {"text": "x" * 4097}, 400, "'text'"),
        ("/_mock/telegram/users/555/press", {"message_id": "1", "text": "A"}, 400, "'message_id'"),
        ("/_mock/telegram/users/555/press", {"message_id": 1}, 400, "callback_data"),
        ("/_mock/telegram/users/555/press", {"message_id": 99, "text": "A"}, 404, "no message 99"),
    ],
)
async def test_bad_requests_change_nothing(client, path, body, status, needle):
    await new_user(client)
    before = await state(client)
    r = await client.post(path, json=body)
    assert r.status_code == status, r.text
    assert needle in r.json()["error"]
    assert await state(client) == before


async def test_deactivated_and_blocked_users_cannot_act(client, emulator):
    await new_user(client)
    emulator.world.bots.set_state("555", "blocked")
    r = await client.post("/_mock/telegram/users/555/send", json={"text": "x"})
    assert r.status_code == 409
    emulator.world.bots.set_state("555", "deactivated")
    for action in ("start", "block", "unblock"):
        assert (await client.post(f"/_mock/telegram/users/555/{action}")).status_code == 409


async def test_body_must_be_json():
    emulator = Emulator(empty_scenario())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://m") as c:
        r = await c.post("/_mock/telegram/users", content=b"id=1", headers={"Content-Type": "text/plain"})
        assert r.status_code == 415
        await c.post("/_mock/telegram/users", json={"id": 1, "first_name": "A"})
        r = await c.post("/_mock/telegram/users/1/start")
        assert (r.status_code, r.json()["error"]) == (409, "the scenario has no bots")


async def test_several_bots_need_a_name():
    bots = [
        {"app_uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "token": "1:" + "a" * 35, "username": "one_bot"},
        {"app_uuid": "4fa85f64-5717-4562-b3fc-2c963f66afa6", "token": "2:" + "b" * 35, "username": "two_bot"},
    ]
    emulator = Emulator(empty_scenario(bots=bots))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://m") as c:
        await c.post("/_mock/telegram/users", json={"id": 1, "first_name": "A"})
        r = await c.post("/_mock/telegram/users/1/start")
        assert r.status_code == 400 and "one_bot, two_bot" in r.json()["error"]
        r = await c.post("/_mock/telegram/users/1/start", json={"bot": "@Two_Bot"})
        assert r.json()["bot"] == "two_bot"
        r = await c.post("/_mock/telegram/users/1/send", json={"bot": bots[0]["app_uuid"], "text": "hi"})
        assert r.json()["bot"] == "one_bot"
        two = (await c.get("/bot2:" + "b" * 35 + "/getUpdates")).json()["result"]
        one = (await c.get("/bot1:" + "a" * 35 + "/getUpdates")).json()["result"]
        assert [u["message"]["text"] for u in two] == ["/start"] and [u["message"]["text"] for u in one] == ["hi"]


@pytest.mark.parametrize("bad", ["²", "٣", "１２"])
async def test_a_user_id_of_non_ascii_digits_is_refused(client, bad):
    r = await client.get(f"/_mock/telegram/users/{bad}")
    assert r.status_code == 400 and "user id" in r.json()["error"]
