"""Activity webhooks: one JSON array per batch, Basic auth, backoff on the clock, order kept, journaled."""

from __future__ import annotations

import base64
import re

import httpx
import orjson
import pytest

from mockserver import Emulator, create_app
from tests.conftest import APP_UUID, basic, empty_scenario

pytestmark = pytest.mark.anyio

BOT = {"app_uuid": APP_UUID, "token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "username": "shop_bot"}
HOOK = {"url": "http://receiver.example/hook", "username": "u", "password": "p"}


class Receiver:
    """A stand-in receiving server: answers with the queued status codes, then 200."""

    def __init__(self, *codes: int) -> None:
        self.codes = list(codes)
        self.calls: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        return httpx.Response(self.codes.pop(0) if self.codes else 200)

    def events(self, index: int) -> list[dict]:
        return orjson.loads(self.calls[index].content)


def scenario() -> dict:
    contacts = [
        {"id": 1, "externalCustomerId": "A", "tokens": {"shop_bot": ["11"]}},
        {"id": 2, "externalCustomerId": "B", "tokens": {"shop_bot": ["22"]}},
    ]
    chats = {"11": "active", "22": "blocked"}
    return empty_scenario(bots=[BOT], contacts=contacts, telegram={"chats": chats}, webhooks=HOOK)


async def send(client, *locators: str, **template) -> int:
    """Smartsend a fresh template (``template`` adds fields such as tags) to the locators; returns its id."""
    r = await client.post("/api/v1/messages/telegram", json={"name": "n", "text": "go https://a.example/x", **template})
    message_id = r.json()["id"]
    r = await client.post(
        f"/api/v1/message/{message_id}/smartsend", json={"recipients": [{"locator": c} for c in locators]}
    )
    assert r.status_code == 200
    return message_id


@pytest.fixture
async def rig():
    emulator = Emulator(scenario())
    emulator.world.clock.freeze()
    receiver = Receiver()
    emulator.background.transport = httpx.MockTransport(receiver)
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        yield emulator, receiver, client


async def test_events_are_posted_as_one_array_with_basic_auth(rig):
    emulator, receiver, client = rig
    await send(client, "11", "22")
    assert receiver.calls == []  # nothing is sent on the request path
    assert await emulator.background.flush() == 1
    [call] = receiver.calls
    assert call.headers["authorization"] == "Basic " + base64.b64encode(b"u:p").decode()
    events = receiver.events(0)
    assert [(e["activityStatus"], e["contactId"], e["mediaType"]) for e in events] == [
        ("DELIVERED", 1, "telegrambot"),
        ("UNDELIVERED", 2, "telegrambot"),
    ]
    assert events[1]["statusDescription"] == "Forbidden: bot was blocked by the user"
    assert events[0]["externalCustomerId"] == "A" and events[0]["requestId"]


async def test_failed_webhook_backs_off_on_the_clock_and_keeps_order(rig):
    emulator, receiver, client = rig
    clock = emulator.world.clock
    receiver.codes = [500, 503, 502]
    await send(client, "11")
    assert await emulator.background.flush() == 1
    await send(client, "11")  # a later event must wait behind the failed batch
    delays = []
    for minutes in (1, 2, 4):
        clock.advance(minutes * 60 - 1)
        assert await emulator.background.flush() == 0
        clock.advance(1)
        assert await emulator.background.flush() >= 1
        delays.append(minutes)
    assert len(receiver.calls) == 5  # 4 tries of the first batch, then the held-back one
    first, last = receiver.events(0), receiver.events(3)
    assert first == last and len(first) == 1
    assert receiver.events(4)[0]["requestId"] != first[0]["requestId"]
    attempts = [e for e in (await client.get("/_mock/requests")).json()["requests"] if "webhook" in e]
    assert [a["status"] for a in attempts] == [500, 503, 502, 200, 200]
    assert attempts[0]["webhook"]["next_attempt_at"] == clock.now() - (1 + 2 + 4) * 60 + 60
    assert attempts[0]["path"] == HOOK["url"]


async def test_backoff_reaches_hourly(rig):
    emulator, receiver, client = rig
    receiver.codes = [500] * 9
    await send(client, "11")
    await emulator.background.flush()
    for _ in range(8):
        emulator.world.clock.advance(3600)
        await emulator.background.flush()
    gaps = [a["webhook"]["next_attempt_at"] - a["time"] for a in (await client.get("/_mock/requests")).json()["requests"] if "webhook" in a]
    assert gaps[:7] == [60, 120, 240, 480, 960, 1920, 3600]
    assert gaps[7] == 3600


async def test_click_is_an_activity_with_its_link(rig):
    emulator, receiver, client = rig
    await send(client, "11")
    await client.post("/_mock/telegram/chats/11/click")
    await emulator.background.flush()
    clicked = receiver.events(0)[-1]
    assert (clicked["activityStatus"], clicked["clickEventLink"]) == ("CLICKED", "https://a.example/x")


async def test_unreachable_receiver_is_journaled_and_retried(rig):
    emulator, receiver, client = rig

    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    emulator.background.transport = httpx.MockTransport(refuse)
    await send(client, "11")
    assert await emulator.background.flush() == 1
    [attempt] = [e for e in (await client.get("/_mock/requests")).json()["requests"] if "webhook" in e]
    assert attempt["status"] == 0 and "ConnectError" in attempt["webhook"]["error"]
    state = (await client.get("/_mock/state")).json()["webhooks"]
    assert state["pending_events"] == 1 and state["failures_of_head_batch"] == 1


async def test_lifespan_runs_the_background_task():
    emulator = Emulator(scenario())
    receiver = Receiver()
    emulator.background.transport = httpx.MockTransport(receiver)
    emulator.background.tick = 0.01
    app = create_app(emulator)
    sent = []
    messages = [{"type": "lifespan.startup"}]
    import asyncio

    gate = asyncio.Event()

    async def receive():
        if messages:
            return messages.pop(0)
        await gate.wait()
        return {"type": "lifespan.shutdown"}

    async def send_message(message):
        sent.append(message["type"])

    task = asyncio.create_task(app({"type": "lifespan"}, receive, send_message))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        await send(client, "11")
        for _ in range(200):
            if receiver.calls:
                break
            await asyncio.sleep(0.01)
    gate.set()
    await task
    assert receiver.calls and sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


async def test_an_activity_has_the_reference_fields_and_no_auth_without_credentials():
    spec = scenario()
    spec["webhooks"] = {"url": HOOK["url"]}
    emulator = Emulator(spec)
    emulator.world.clock.freeze()
    receiver = Receiver()
    emulator.background.transport = httpx.MockTransport(receiver)
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        await send(client, "11", tags=["sale", "spring"], languageCode="en")
        [delivery] = (await client.get("/_mock/state")).json()["deliveries"]
        await emulator.background.flush()
    [call] = receiver.calls
    assert "authorization" not in call.headers
    [event] = receiver.events(0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", event.pop("activityDateTime"))
    assert event == {
        "activityStatus": "DELIVERED", "messageId": delivery["messageId"], "messageName": "n",
        "messageTag": "sale,spring", "messageLanguageCode": "en", "broadcastId": delivery["sendId"],
        "requestId": delivery["requestId"], "contactId": 1, "externalCustomerId": "A", "mediaType": "telegrambot",
        "telegrambot": "11", "clickEventLink": None, "statusDescription": None, "statusData": {},
    }
    assert (delivery["messageName"], delivery["messageTag"], delivery["messageLanguageCode"]) == ("n", "sale,spring", "en")


async def test_an_untagged_template_without_a_language_sends_them_as_null(rig):
    """The keys stay in the event (like clickEventLink) so receivers see one shape for every event."""
    emulator, receiver, client = rig
    await send(client, "11")
    await emulator.background.flush()
    [event] = receiver.events(0)
    assert (event["messageName"], event["messageTag"], event["messageLanguageCode"]) == ("n", None, None)


async def test_a_template_edited_then_deleted_after_the_send_leaves_its_events_alone(rig):
    """Events describe the message as it was sent, as eSputnik's statistics do, not the template's current state."""
    emulator, receiver, client = rig
    message_id = await send(client, "11", tags=["sale"], languageCode="en")
    r = await client.put(f"/api/v1/messages/telegram/{message_id}", json={"name": "renamed", "tags": ["x"], "languageCode": "de"})
    assert r.status_code == 200
    await client.post("/_mock/telegram/chats/11/click")
    assert (await client.delete(f"/api/v1/messages/telegram/{message_id}")).status_code == 200
    await emulator.background.flush()
    events = receiver.events(0)
    assert [e["activityStatus"] for e in events] == ["DELIVERED", "CLICKED"]
    assert {(e["messageName"], e["messageTag"], e["messageLanguageCode"]) for e in events} == {("n", "sale", "en")}


async def test_a_scheduled_broadcast_keeps_the_template_it_was_created_from(rig):
    """A delayed start attempts deliveries made at request time, so deleting the template meanwhile changes nothing."""
    emulator, receiver, client = rig
    clock = emulator.world.clock
    clock.set(1_700_000_000)  # 2023-11-14T22:13:20Z
    r = await client.post("/api/v1/messages/telegram", json={"name": "promo", "text": "t", "tags": ["a", "b"]})
    message_id = r.json()["id"]
    r = await client.post("/api/v1/broadcast", json={"messageId": message_id, "appId": APP_UUID, "startDate": "2023-11-14T23:00"})
    assert r.status_code == 200
    assert (await client.delete(f"/api/v1/messages/telegram/{message_id}")).status_code == 200
    clock.advance(3600)
    await client.get("/_mock/state")  # noticing the clock move runs the due deliveries
    await emulator.background.flush()
    events = receiver.events(0)
    assert [(e["activityStatus"], e["messageId"]) for e in events] == [("DELIVERED", message_id), ("UNDELIVERED", message_id)]
    assert {(e["messageName"], e["messageTag"], e["messageLanguageCode"]) for e in events} == {("promo", "a,b", None)}
