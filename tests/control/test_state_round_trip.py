"""After a rich session, GET → reset → PUT /_mock/state is exact, and the restored world carries on
exactly as the original does: same next ids and requestIds, same retries, updates and webhooks."""

from __future__ import annotations

import contextlib

import httpx
import orjson
import pytest

from mockserver import Emulator, create_app
from tests.conftest import APP_UUID, basic, empty_scenario

pytestmark = pytest.mark.anyio

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
BOT = {"app_uuid": APP_UUID, "token": TOKEN, "username": "shop_bot"}
CHATS = {"111": "active", "222": "blocked", "701": {"state": "rate_limited", "retry_after": 30, "limited_sends": 1}}
TEMPLATE = {
    "name": "Sale", "text": "Hi, see https://shop.example/sale", "buttons": [{"text": "Open", "link": "https://shop.example/o"}],
    "tags": ["promo", "spring"], "languageCode": "en",
}
ORDER = {"externalOrderId": "O-1", "totalCost": 10.5, "status": "INITIALIZED", "date": "2024-01-01T10:00:00Z", "currency": "UAH", "externalCustomerId": "C-1"}
SENT_TEMPLATE = ("messageName", "messageTag", "messageLanguageCode")


def scenario() -> dict:
    contacts = [
        {"id": 1001, "externalCustomerId": "C-1", "tokens": {"shop_bot": ["111"]}},
        {"id": 1002, "externalCustomerId": "C-2", "tokens": {"shop_bot": ["222"]}},
        {"id": 1003, "externalCustomerId": "C-3", "tokens": {"shop_bot": ["701"]}},
        {"id": 1004, "externalCustomerId": "C-4"},
    ]
    return empty_scenario(
        bots=[BOT], contacts=contacts, telegram={"chats": CHATS, "clicks": {"probability": 0.5, "seed": 7}},
        webhooks={"url": "http://receiver.example/hook"},
    )


@contextlib.asynccontextmanager
async def open_client(answers: list[int]):
    """A client over a fresh emulator whose webhook receiver answers ``answers`` in turn, then 200."""
    emulator = Emulator(scenario())
    emulator.world.clock.freeze()
    posted: list[bytes] = []

    def receive(request: httpx.Request) -> httpx.Response:
        posted.append(request.content)
        return httpx.Response(answers.pop(0) if answers else 200)

    emulator.background.transport = httpx.MockTransport(receive)
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        client.emulator, client.posted = emulator, posted  # type: ignore[attr-defined]
        yield client


async def ok(response: httpx.Response) -> dict | list | None:
    assert response.status_code < 300, (response.request.url, response.status_code, response.text)
    try:
        return response.json()
    except ValueError:  # eSputnik answers some calls with plain text
        return response.text


async def rich_session(client) -> None:
    """Touch every part of the world: tokens, contacts, imports, templates, sends, clicks, webhooks, users, mutes."""
    await ok(await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "900", "email": "new@example.com"}]}))
    await ok(await client.delete("/api/v1/contact/1004"))
    await ok(await client.post("/api/v1/contacts", json={
        "dedupeOn": "email", "groupNames": ["VIP", "Spring"],
        "contacts": [{"channels": [{"type": "email", "value": "bulk@example.com"}], "firstName": "Bulk"}],
    }))
    first = (await ok(await client.post("/api/v1/messages/telegram", json=TEMPLATE)))["id"]
    doomed = (await ok(await client.post("/api/v1/messages/telegram", json={"name": "Doomed"})))["id"]
    await ok(await client.delete(f"/api/v1/messages/telegram/{doomed}"))
    await ok(await client.post(f"/api/v1/message/{first}/smartsend", json={"recipients": [{"locator": c} for c in ("111", "222", "701", "900")]}))
    await ok(await client.post("/_mock/telegram/chats/111/click", json={}))
    assert await client.emulator.background.flush() == 1  # the receiver answers 500: the batch backs off
    await ok(await client.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann"}))
    await ok(await client.post("/_mock/telegram/users/555/start", json={"payload": "promo"}))
    await ok(await client.post("/_mock/telegram/users/555/send", json={"text": "hello bot"}))
    await ok(await client.post(f"/api/v1/apps/{APP_UUID}/token/mute", json={"token": "111", "duration": 600}))
    await ok(await client.post("/api/v2/event", json={"eventTypeKey": "cart", "params": [{"name": "externalCustomerId", "value": "C-1"}, {"name": "cart", "value": {"sku": "A"}}]}))
    await ok(await client.post("/api/v1/past_events", json={"events": [{"eventTypeKey": "visit", "keyValue": "C-2", "occurred": "2023-03-22T14:30"}]}))
    await ok(await client.post("/api/v1/orders", json={"orders": [ORDER]}))


async def carry_on(client) -> list:
    """What happens next; every answer is recorded so two worlds can be compared."""
    seen: list = []
    r = await ok(await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "901", "email": "later@example.com"}]}))
    seen.append(r)
    message = (await ok(await client.post("/api/v1/messages/telegram", json=TEMPLATE)))["id"]
    seen.append(message)
    seen.append(await ok(await client.post(f"/api/v1/message/{message}/smartsend", json={"recipients": [{"locator": "111"}, {"locator": "900"}, {"locator": "901"}]})))
    await ok(await client.post("/_mock/clock", json={"advance": 61}))  # the 701 retry and the webhook backoff fall due
    seen.append(await ok(await client.get("/_mock/state")))
    seen.append(await client.emulator.background.flush())
    seen.append(await ok(await client.post(f"/bot{TOKEN}/getUpdates", json={})))
    seen.append(await ok(await client.post("/api/v1/contacts", json={
        "dedupeOn": "email", "groupNames": ["Spring", "Autumn"],
        "contacts": [{"channels": [{"type": "email", "value": "second@example.com"}]}],
    })))
    await ok(await client.post("/api/v1/event", json={"eventTypeKey": "cart", "keyValue": "C-3"}))
    await ok(await client.post("/api/v1/orders", json={"orders": [{**ORDER, "status": "DELIVERED"}, {**ORDER, "externalOrderId": "O-2"}]}))
    seen.append(await ok(await client.get("/_mock/events")))
    seen.append(await ok(await client.get("/_mock/orders")))
    seen.append(await ok(await client.get("/_mock/state")))
    return seen


async def test_round_trip_after_a_rich_session_is_exact_and_carries_on_identically():
    async with open_client([500]) as original:
        await rich_session(original)
        saved = await ok(await original.get("/_mock/state"))
        assert saved["sending"]["retry_queue"] and saved["token_removals"] and saved["webhooks"]["batch"]
        assert saved["bots"]["inboxes"][APP_UUID]["updates"] and saved["groups"] and saved["imports"]
        assert saved["apps"][0]["mutes"] and saved["messages"]["templates"]
        assert any(d["status"] == "CLICKED" for d in saved["deliveries"])
        assert len(saved["events"]["items"]) == 2 and saved["orders"]["items"][0]["contactId"] == 1001
        went_on = await carry_on(original)
        sent = list(original.posted)

    async with open_client([]) as restored:
        await rich_session(restored)
        await ok(await restored.post("/_mock/reset"))
        assert await ok(await restored.get("/_mock/state")) != saved
        assert await ok(await restored.put("/_mock/state", json=saved)) == saved
        assert await ok(await restored.get("/_mock/state")) == saved
        restored.posted.clear()
        assert await carry_on(restored) == went_on
        assert restored.posted == sent[1:]  # the original's first POST was the refused one, before the snapshot

    after = went_on[-1]
    assert after["contacts"][-2]["id"] == saved["contact_book"]["next_id"]  # later@example.com
    assert went_on[1] == saved["messages"]["next_id"]
    retried = next(d for d in after["deliveries"] if d["chat_id"] == "701")
    assert retried["status"] in ("SENT", "CLICKED") and retried["attempts"] == 2  # the seeded user may click
    old_ids = {d["requestId"] for d in saved["deliveries"]}
    assert not old_ids & {d["requestId"] for d in after["deliveries"][len(saved["deliveries"]):]}


async def test_a_state_file_carries_everything(tmp_path):
    from mockserver.statefile import read_state, save_state

    async with open_client([500]) as original:
        await rich_session(original)
        saved = await ok(await original.get("/_mock/state"))
    path = tmp_path / "state.json"
    save_state(path, saved)
    async with open_client([]) as restored:
        await ok(await restored.put("/_mock/state", json=read_state(path)))
        assert await ok(await restored.get("/_mock/state")) == saved


async def test_a_snapshot_from_before_deliveries_kept_their_template_loads_them_as_null():
    """Saved states predating messageName/messageTag/messageLanguageCode still restore; their later events say null."""
    async with open_client([]) as client:
        await rich_session(client)
        saved = await ok(await client.get("/_mock/state"))
        assert {d["messageTag"] for d in saved["deliveries"]} == {"promo,spring"}
        for delivery in saved["deliveries"]:
            for key in SENT_TEMPLATE:
                del delivery[key]
        await ok(await client.put("/_mock/state", json=saved))
        restored = await ok(await client.get("/_mock/state"))
        kept = [{k: d.pop(k) for k in SENT_TEMPLATE} for d in restored["deliveries"]]
        assert kept == [dict.fromkeys(SENT_TEMPLATE)] * len(saved["deliveries"])
        assert restored == saved
        client.posted.clear()
        await ok(await client.post("/_mock/clock", json={"advance": 61}))  # the 701 retry falls due
        await ok(await client.get("/_mock/state"))  # and runs once the clock move is noticed
        await client.emulator.background.flush()
        retried = [e for body in client.posted for e in orjson.loads(body) if e["telegrambot"] == "701"]
        assert retried and all(e[k] is None for e in retried for k in SENT_TEMPLATE)


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda s: s["messages"]["templates"][0].update(name=5), "messages.templates[0].name"),
        (lambda s: s["messages"].update(next_id=1), "must be below messages.next_id"),
        (lambda s: s["deliveries"][0].update(status="LOST"), "deliveries[0].status"),
        (lambda s: s["deliveries"].append(dict(s["deliveries"][0])), "duplicate requestId"),
        (lambda s: s["deliveries"][0].update(messageTag=["promo"]), "deliveries[0].messageTag"),
        (lambda s: s["token_removals"][0].update(requestId="nope"), "token_removals[0].requestId"),
        (lambda s: s["sending"]["retry_queue"].clear(), "sending.retry_queue"),
        (lambda s: s["sending"]["request_ids"].update(issued=10**12), "sending.request_ids.issued"),
        (lambda s: s["sending"].update(click_draws=-1), "sending.click_draws"),
        (lambda s: s["webhooks"].update(queue=[1]), "webhooks.queue"),
        (lambda s: s["bots"]["inboxes"][APP_UUID]["updates"][0].update(update_id=99), "bots.inboxes"),
        (lambda s: s["bots"]["inboxes"].update({"3fa85f64-5717-4562-b3fc-2c963f66afa7": {}}), "no app has the app_uuid"),
        (lambda s: s["bots"].update(next_callback_query="x"), "bots.next_callback_query"),
        (lambda s: s["groups"].append({"id": 1, "name": "Again", "type": "Static"}), "groups[2].id"),
        (lambda s: s["imports"][0].update(id="x"), "imports[0].id"),
        (lambda s: s["telegram"]["clicks"].update(mode="sometimes"), "telegram.clicks.mode"),
        (lambda s: s.pop("bots"), "missing keys: bots"),
        (lambda s: s["events"]["items"][0].update(version=3), "events.items[0].version"),
        (lambda s: s["events"]["items"].append(dict(s["events"]["items"][0])), "events.items[2].id: ids must rise"),
        (lambda s: s["events"].update(next_id=1), "events.next_id"),
        (lambda s: s["orders"]["items"][0]["order"].update(status="LOST"), "orders.items[0].order.status"),
        (lambda s: s["orders"]["items"][0]["order"].update(extra=1), "orders.items[0].order: holds keys"),
        (lambda s: s.update(sending=[]), "sending: must be an object"),
    ],
)
async def test_a_malformed_part_is_refused_and_changes_nothing(mutate, reason):
    async with open_client([500]) as client:
        await rich_session(client)
        before = await ok(await client.get("/_mock/state"))
        bad = await ok(await client.get("/_mock/state"))
        mutate(bad)
        r = await client.put("/_mock/state", json=bad)
        assert r.status_code == 400 and reason in r.json()["error"], r.text
        assert await ok(await client.get("/_mock/state")) == before
