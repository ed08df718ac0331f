"""One world, one block: blocking through the chats route or the users route changes the same chat state
and tells the bots the same way (my_chat_member), so delivery, sendMessage and updates always agree."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Emulator, create_app
from tests.botapi.conftest import BOT, new_user
from tests.conftest import APP_UUID, basic, empty_scenario

pytestmark = pytest.mark.anyio

CHATS = "/_mock/telegram/chats/555"
USERS = "/_mock/telegram/users/555"


async def membership(client, bot: str = BOT) -> list[tuple[str, str]]:
    """The my_chat_member changes the bot has been told, as (old, new) statuses, confirming them."""
    updates = (await client.post(f"{bot}/getUpdates")).json()["result"]
    if updates:
        await client.post(f"{bot}/getUpdates", json={"offset": updates[-1]["update_id"] + 1})
    changes = [u["my_chat_member"] for u in updates if "my_chat_member" in u]
    return [(c["old_chat_member"]["status"], c["new_chat_member"]["status"]) for c in changes]


async def chat_state(client) -> str:
    return (await client.get(f"{CHATS}/messages")).json()["state"]


async def can_send(client) -> int:
    return (await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "hi"})).status_code


@pytest.fixture
async def started(client):
    await new_user(client)
    await client.post(f"{USERS}/start")
    await membership(client)  # drop the /start message
    return client


@pytest.mark.parametrize("block, unblock", [(CHATS, USERS), (USERS, CHATS), (CHATS, CHATS), (USERS, USERS)])
async def test_either_route_blocks_and_unblocks_the_same_chat(started, block, unblock):
    client = started
    r = await client.post(f"{block}/block")
    assert r.status_code == 200, r.text
    assert [u["my_chat_member"]["new_chat_member"]["status"] for u in r.json()["updates"]] == ["kicked"]
    assert await membership(client) == [("member", "kicked")]
    assert await chat_state(client) == "blocked"
    assert (await client.get(USERS)).json()["user"]["state"] == "blocked"
    assert await can_send(client) == 403
    assert (await client.post(f"{block}/block")).json()["updates"] == []  # no change, no news
    assert (await client.post(f"{USERS}/block")).json()["updates"] == []
    assert await membership(client) == []

    r = await client.post(f"{unblock}/unblock")
    assert [u["my_chat_member"]["new_chat_member"]["status"] for u in r.json()["updates"]] == ["member"]
    assert await membership(client) == [("kicked", "member")]
    assert await chat_state(client) == "active"
    assert await can_send(client) == 200


async def test_a_user_block_fails_the_next_delivery_and_removes_the_token(client):
    """Taras (chat 111, a scenario contact) blocks as a simulated user: eSputnik sees it on its next send."""
    await new_user(client, 111)
    await client.post("/_mock/telegram/users/111/block")
    r = await client.post("/api/v1/messages/telegram", json={"name": "n", "text": "hi"}, headers=basic())
    r = await client.post(
        f"/api/v1/message/{r.json()['id']}/smartsend", json={"recipients": [{"locator": "111"}]}, headers=basic()
    )
    request_id = r.json()["results"]["requestId"]
    status = (await client.get("/api/v1/message/status", params={"ids": request_id}, headers=basic())).json()
    assert status["results"]["status"] == "BOT_SEND_ERROR"
    contact = next(c for c in (await client.get("/_mock/state")).json()["contacts"] if c["id"] == 1001)
    assert contact["tokens"] == {}


async def test_deactivation_tells_no_bot_and_unblocking_it_neither(started):
    client = started
    r = await client.post(f"{CHATS}/deactivate")
    assert (r.json()["state"], r.json()["updates"]) == ("deactivated", [])
    assert (await client.post(f"{USERS}/block")).status_code == 409  # a deleted account does nothing
    assert (await client.post(f"{CHATS}/unblock")).json()["updates"] == []
    assert await membership(client) == []
    assert await chat_state(client) == "active"


async def test_the_chats_route_tells_every_bot():
    second = {"app_uuid": "9b2f1c3e-0000-4000-8000-000000000002", "token": "987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2",
              "username": "second_bot"}
    first = {"app_uuid": APP_UUID, "token": BOT.removeprefix("/bot"), "username": "first_bot"}
    emulator = Emulator(empty_scenario(bots=[first, second], telegram={"chats": {"555": "active"}}))
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        r = await client.post(f"{CHATS}/block")
        bots = {u["my_chat_member"]["new_chat_member"]["user"]["username"] for u in r.json()["updates"]}
        assert bots == {"first_bot", "second_bot"}
        assert await membership(client, BOT) == [("member", "kicked")]
        assert await membership(client, f"/bot{second['token']}") == [("member", "kicked")]


async def test_a_chat_id_that_is_no_user_changes_state_but_tells_no_bot(client):
    r = await client.post("/_mock/telegram/chats/0.1.0/block")
    assert (r.status_code, r.json()["state"], r.json()["updates"]) == (200, "blocked", [])
    assert await membership(client) == []


async def test_a_non_ascii_digit_is_no_user_id(client):
    r = await client.get("/_mock/telegram/users/%C2%B2")
    assert r.status_code == 400 and "positive integer" in r.json()["error"]
