"""Broadcasts: listed and read as the vendor's BroadcastView, cancelled with DELETE, kept in the state."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.domain.contacts.groups import Group
from mockserver.scenario import load_scenario
from tests.conftest import APP_UUID, SCENARIOS, basic

pytestmark = pytest.mark.anyio


async def state(client):
    return (await client.get("/_mock/state")).json()


async def telegram_template(client) -> int:
    return (await client.post("/api/v1/messages/telegram", json={"name": "Sale", "text": "Sale today"})).json()["id"]


async def test_a_broadcast_is_listed_and_read(emulator, client):
    for group_id in (3, 5):
        emulator.world.groups.add(Group(group_id, f"group {group_id}"))
    template_id = await telegram_template(client)
    sent = await client.post("/api/v1/broadcast", json={"messageId": str(template_id), "appId": APP_UUID, "title": "Sale",
                                                       "groups": [3, 5], "batchSize": 10, "batchIntervalUnit": "HOUR"})
    assert sent.status_code == 200
    view = sent.json()
    assert view == {"broadcastId": view["broadcastId"], "messageId": str(template_id), "title": "Sale", "groupId": "3,5",
                    "startDate": view["startDate"], "batchSize": 10, "batchIntervalUnit": "HOUR"}
    assert "appId" not in view and view["startDate"].endswith("Z")
    assert (await client.get("/api/v1/broadcasts")).json() == [view]
    assert (await client.get(f"/api/v1/broadcast/{view['broadcastId']}")).json() == view


async def test_paging(client):
    template_id = await telegram_template(client)
    ids = [(await client.post("/api/v1/broadcast", json={"messageId": template_id, "appId": APP_UUID})).json()["broadcastId"]
           for _ in range(3)]
    assert [b["broadcastId"] for b in (await client.get("/api/v1/broadcasts")).json()] == ids
    page = await client.get("/api/v1/broadcasts", params={"startindex": 2, "maxrows": 1})
    assert [b["broadcastId"] for b in page.json()] == ids[1:2]
    bad = await client.get("/api/v1/broadcasts", params={"maxrows": 0})
    assert (bad.status_code, bad.text) == (400, "maxrows must be an integer from 1 to 500, got '0'")


async def test_cancelling_a_scheduled_broadcast_stops_its_deliveries(emulator, client):
    emulator.world.clock.freeze()
    template_id = await telegram_template(client)
    view = (await client.post("/api/v1/broadcast", json={"messageId": template_id, "appId": APP_UUID,
                                                        "startDate": "2999-01-01T10:00"})).json()
    assert view["startDate"] == "2999-01-01T10:00:00Z"
    assert (await state(client))["sending"]["retry_queue"] != []
    r = await client.delete(f"/api/v1/broadcast/{view['broadcastId']}")
    assert (r.status_code, r.json()) == (200, "")
    after = await state(client)
    assert after["sending"]["retry_queue"] == [] and after["broadcasts"] == []
    assert {d["status"] for d in after["deliveries"]} == {"FAILED"}
    assert {d["reason"] for d in after["deliveries"]} == {"Broadcast cancelled"}
    gone = await client.get(f"/api/v1/broadcast/{view['broadcastId']}")
    assert (gone.status_code, gone.text) == (404, f"Broadcast {view['broadcastId']} not found")
    emulator.world.clock.advance(10**10)
    assert (await client.get("/_mock/telegram/chats/111/messages")).json()["messages"] == []


async def test_an_email_broadcast_goes_to_the_outbox(client):
    template_id = (await client.post("/api/v1/messages/email", json={"name": "N", "from": "f", "subject": "S", "htmlText": "<p/>"})).json()["id"]
    view = (await client.post("/api/v1/broadcast", json={"messageId": template_id, "groups": []})).json()
    sent = (await client.get("/_mock/outbox")).json()["messages"]
    assert [s["to"] for s in sent] == ["taras@example.com", "olena@example.com"]
    assert {s["broadcastId"] for s in sent} == {int(view["broadcastId"])} and sent[0]["messageId"] == template_id


@pytest.mark.parametrize(
    "path, status, message",
    [("/api/v1/broadcast/abc", 400, "broadcast_id must be a positive integer, got 'abc'"),
     ("/api/v1/broadcast/77", 404, "Broadcast 77 not found")],
)
async def test_read_and_cancel_refusals(client, path, status, message):
    for method in ("GET", "DELETE"):
        r = await client.request(method, path)
        assert (r.status_code, r.text) == (status, message)


async def test_a_non_numeric_message_id_is_looked_up_not_refused(client):
    r = await client.post("/api/v1/broadcast", json={"messageId": "AB2489300", "groups": [1]})
    assert (r.status_code, r.text) == (404, "Message AB2489300 not found")


async def test_telegram_goes_through_the_only_bot_and_needs_appid_among_several(client):
    template_id = await telegram_template(client)
    r = await client.post("/api/v1/broadcast", json={"messageId": template_id, "groups": []})
    assert r.status_code == 200
    assert (await state(client))["broadcasts"][0]["appId"] == APP_UUID
    scenario = load_scenario(SCENARIOS / "happy_path.yaml")
    transport = httpx.ASGITransport(app=create_app(Emulator(scenario)))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as two_bots:
        template_id = await telegram_template(two_bots)
        r = await two_bots.post("/api/v1/broadcast", json={"messageId": template_id, "groups": []})
        assert (r.status_code, r.text) == (
            400, "appId is required for Telegram when the account has several bots: the app_uuid of the bot to send through"
        )


async def test_broadcasts_survive_the_state_round_trip(client):
    template_id = await telegram_template(client)
    view = (await client.post("/api/v1/broadcast", json={"messageId": template_id, "appId": APP_UUID, "title": "T"})).json()
    saved = await state(client)
    await client.post("/_mock/reset")
    assert (await client.put("/_mock/state", json=saved)).status_code == 200
    assert await state(client) == saved
    assert (await client.get(f"/api/v1/broadcast/{view['broadcastId']}")).json() == view
    for key, value in (("batchIntervalUnit", "WEEK"), ("channel", {}), ("batchIntervalUnit", [])):
        broken = {**saved, "broadcasts": [{**saved["broadcasts"][0], key: value}]}
        r = await client.put("/_mock/state", json=broken)
        assert r.status_code == 400 and f"broadcasts[0].{key}" in str(r.json())  # never a 500 (fuzzing found {})


@pytest.mark.parametrize("key", ["groups", "excludedGroups"])
async def test_a_group_id_beyond_int64_is_refused_and_nothing_is_sent(client, key):
    """The contract fuzzing found it: a stored 2**64 broke the state document (orjson writes int64 at most)."""
    template_id = await telegram_template(client)
    before = await state(client)
    answer = await client.post("/api/v1/broadcast", json={"messageId": template_id, "appId": APP_UUID, key: [2**64]})
    assert (answer.status_code, answer.text) == (400, f"{key} holds a group id outside the int64 range")
    assert await state(client) == before
