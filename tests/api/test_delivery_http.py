"""Telegram delivery end to end over HTTP: templates, sends, the outcome of each chat state, statuses."""

from __future__ import annotations

import contextlib
import json

import httpx
import pytest

from mockserver import Emulator, create_app
from tests.conftest import APP_UUID, basic, empty_scenario

pytestmark = pytest.mark.anyio

TEMPLATE = {
    "name": "Spring sale",
    "text": "Hi $!data.get('name'), see https://shop.example/sale now",
    "buttons": [{"text": "Open", "link": "https://shop.example/open"}],
    "tags": ["promo"],
}
BOT = {"app_uuid": APP_UUID, "token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "username": "shop_bot"}


async def state(client) -> dict:
    return (await client.get("/_mock/state")).json()


async def create_template(client, **overrides) -> int:
    r = await client.post("/api/v1/messages/telegram", json={**TEMPLATE, **overrides})
    assert r.status_code == 200, r.text
    return r.json()["id"]


async def smartsend(client, message_id: int, recipients: list) -> dict:
    r = await client.post(f"/api/v1/message/{message_id}/smartsend", json={"recipients": recipients})
    assert r.status_code == 200, r.text
    return r.json()


def as_list(results) -> list:
    return results if isinstance(results, list) else [results]


async def statuses(client, *request_ids) -> dict:
    r = await client.get("/api/v1/message/status", params={"ids": ",".join(request_ids)})
    assert r.status_code == 200, r.text
    return {s["requestId"]: s for s in as_list(r.json()["results"])}


def subscribers(snapshot: dict) -> int:
    """The bot's subscriber count, checked against its definition: distinct tokens of live contacts."""
    count = next(a["subscribers"] for a in snapshot["apps"] if a["app_uuid"] == APP_UUID)
    live = {t for c in snapshot["contacts"] if not c["deleted"] for t in c["tokens"].get(APP_UUID, ())}
    assert count == len(live)
    return count


def chat_scenario(chats: dict, clicks: object = "never", **extra) -> dict:
    contacts = [
        {"id": 10 + i, "externalCustomerId": f"X-{chat}", "tokens": {"shop_bot": [chat]}}
        for i, chat in enumerate(chats)
    ]
    return empty_scenario(bots=[BOT], contacts=contacts, telegram={"chats": chats, "clicks": clicks}, **extra)


@contextlib.asynccontextmanager
async def open_client(spec: dict):
    """A client over a fresh emulator of ``spec``; the emulator rides along as ``client.emulator``."""
    emulator = Emulator(spec)
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as c:
        c.emulator = emulator
        yield c


# -- the blocked-user story (scenarios/blocked_user.yaml) -----------------------------------------


async def test_blocked_user_story(client):
    r = await client.post(
        f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "333", "externalCustomerId": "C-3"}]}
    )
    assert r.status_code == 200
    before = await state(client)
    assert subscribers(before) == 3
    message_id = await create_template(client)

    everyone = [{"contactId": c["id"]} for c in before["contacts"]]
    results = as_list((await smartsend(client, message_id, everyone))["results"])
    by_chat = {r["locator"]: r for r in results}
    assert set(by_chat) == {"111", "222", "333"} and all(r["status"] == "OK" for r in results)

    found = await statuses(client, *(r["requestId"] for r in results))
    assert found[by_chat["222"]["requestId"]] == {
        "requestId": by_chat["222"]["requestId"], "status": "BOT_SEND_ERROR", "delivered": False, "failed": True,
    }
    for chat in ("111", "333"):
        assert found[by_chat[chat]["requestId"]]["status"] == "DELIVERED"
        assert found[by_chat[chat]["requestId"]]["delivered"] is True

    after = await state(client)
    olena = next(c for c in after["contacts"] if c["id"] == 1002)
    assert olena["tokens"] == {}
    assert subscribers(after) == 2
    [removal] = after["token_removals"]
    assert removal["contactIds"] == [1002] and removal["reason"] == "Forbidden: bot was blocked by the user"
    failed = next(d for d in after["deliveries"] if d["chat_id"] == "222")
    assert (failed["status"], failed["error_code"], failed["reason"]) == (
        "FAILED", 403, "Forbidden: bot was blocked by the user",
    )

    second = as_list((await smartsend(client, message_id, everyone))["results"])
    assert {r["locator"]: r["status"] for r in second} == {"111": "OK", "1002": "ERROR", "333": "OK"}
    assert next(r for r in second if r["locator"] == "1002")["message"] == "Contact 1002 has no Telegram token"
    again = await statuses(client, *(r["requestId"] for r in second if r["status"] == "OK"))
    assert [s["status"] for s in again.values()] == ["DELIVERED", "DELIVERED"]
    final = await state(client)
    assert [d["chat_id"] for d in final["deliveries"]].count("222") == 1  # the second send made no attempt on her
    assert subscribers(final) == 2 and len(final["token_removals"]) == 1
    chat_222 = (await client.get("/_mock/telegram/chats/222/messages")).json()
    assert chat_222 == {"chat_id": "222", "state": "blocked", "messages": [], "chat_actions": [], "keyboards": {}}
    assert len((await client.get("/_mock/telegram/chats/111/messages")).json()["messages"]) == 2

    journal = (await client.get("/_mock/requests")).json()["requests"]
    first_send = next(e for e in journal if e["path"].endswith("/smartsend"))
    noted = {d["chat_id"]: d for d in first_send["deliveries"]}
    assert noted["222"]["token_removed_from"] == [1002]
    assert noted["222"]["reason"] == "Forbidden: bot was blocked by the user"


async def test_blocked_user_story_by_broadcast(client):
    """The same story with a broadcast to every subscriber: the second one no longer counts Olena in."""
    r = await client.post(
        f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "333", "externalCustomerId": "C-3"}]}
    )
    assert r.status_code == 200 and subscribers(await state(client)) == 3
    message_id = await create_template(client)
    body = {"messageId": message_id, "appId": APP_UUID}
    assert (await client.post("/api/v1/broadcast", json=body)).status_code == 200
    first = {d["chat_id"]: d for d in (await state(client))["deliveries"]}
    assert sorted(first) == ["111", "222", "333"]
    found = await statuses(client, *(d["requestId"] for d in first.values()))
    assert {chat: found[d["requestId"]]["status"] for chat, d in first.items()} == {
        "111": "DELIVERED", "222": "BOT_SEND_ERROR", "333": "DELIVERED",
    }
    after = await state(client)
    assert next(c for c in after["contacts"] if c["id"] == 1002)["tokens"] == {}
    assert subscribers(after) == 2

    assert (await client.post("/api/v1/broadcast", json=body)).status_code == 200
    second = [d for d in (await state(client))["deliveries"] if d["requestId"] not in found]
    assert sorted((d["chat_id"], d["status"]) for d in second) == [("111", "SENT"), ("333", "SENT")]


async def test_broadcast_reaches_every_subscriber_once_and_skips_muted(client, emulator):
    await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "111", "email": "x@y.z"}]})
    emulator.world.apps.get(APP_UUID).mutes["333"] = emulator.world.clock.now() + 60
    await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "333", "externalCustomerId": "C-3"}]})
    message_id = await create_template(client)
    r = await client.post("/api/v1/broadcast", json={"messageId": message_id, "groups": [], "appId": APP_UUID})
    assert r.status_code == 200, r.text
    assert r.json()["messageId"] == str(message_id)
    deliveries = (await state(client))["deliveries"]
    assert sorted((d["chat_id"], d["status"]) for d in deliveries) == [("111", "SENT"), ("222", "FAILED")]


# -- one test per outcome row -----------------------------------------------------------------


async def test_active_chat_is_sent_and_personalised():
    async with open_client(chat_scenario({"501": "active"})) as world_client:
        message_id = await create_template(world_client)
        recipients = [{"externalCustomerId": "X-501", "jsonParam": '{"name": "Oksana"}'}]
        result = (await smartsend(world_client, message_id, recipients))["results"]
        assert isinstance(result, dict) and result["status"] == "OK" and result["locator"] == "501"
        [received] = (await world_client.get("/_mock/telegram/chats/501/messages")).json()["messages"]
        assert received["text"].startswith("Hi Oksana, see http://mock/track/")
        assert "shop.example" not in received["text"]
        assert received["reply_markup"]["inline_keyboard"][0][0]["url"].startswith("http://mock/track/")
        assert (await statuses(world_client, result["requestId"]))[result["requestId"]]["status"] == "DELIVERED"


@pytest.mark.parametrize(
    "chat_state, code, reason, token_kept",
    [
        ("blocked", 403, "Forbidden: bot was blocked by the user", False),
        ("deactivated", 403, "Forbidden: user is deactivated", False),
        ("unknown", 400, "Bad Request: chat not found", True),
    ],
)
async def test_dead_chat_outcomes(chat_state, code, reason, token_kept):
    emulator = Emulator(chat_scenario({"601": chat_state, "602": "active"}))
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        message_id = await create_template(client)
        result = (await smartsend(client, message_id, [{"locator": "601"}]))["results"]
        status = (await statuses(client, result["requestId"]))[result["requestId"]]
        assert (status["status"], status["failed"]) == ("BOT_SEND_ERROR", True)
        snapshot = await state(client)
        [delivery] = snapshot["deliveries"]
        assert (delivery["status"], delivery["error_code"], delivery["reason"]) == ("FAILED", code, reason)
        holder = next(c for c in snapshot["contacts"] if c["id"] == 10)
        assert (holder["tokens"] == {APP_UUID: ["601"]}) is token_kept
        assert subscribers(snapshot) == (2 if token_kept else 1)
        assert len(snapshot["token_removals"]) == (0 if token_kept else 1)


@pytest.mark.parametrize(
    "template, params, reason",
    [
        ({"text": ""}, {}, "Bad Request: message text is empty"),
        ({"text": "$!data.get('x')"}, {"x": " "}, "Bad Request: message text is empty"),
        ({"text": "Hi $!data.get('name')"}, {"name": "x" * 4094}, "Bad Request: message is too long"),
    ],
)
async def test_a_text_telegram_refuses_fails_and_keeps_the_token(template, params, reason):
    async with open_client(chat_scenario({"651": "active"})) as world_client:
        message_id = await create_template(world_client, buttons=[], **template)
        recipient = {"locator": "651", "jsonParam": json.dumps(params)}
        request_id = (await smartsend(world_client, message_id, [recipient]))["results"]["requestId"]
        assert (await statuses(world_client, request_id))[request_id]["status"] == "BOT_SEND_ERROR"
        snapshot = await state(world_client)
        [delivery] = snapshot["deliveries"]
        assert (delivery["status"], delivery["error_code"], delivery["reason"]) == ("FAILED", 400, reason)
        assert snapshot["contacts"][0]["tokens"] == {APP_UUID: ["651"]} and snapshot["token_removals"] == []
        assert snapshot["telegram"]["chats"]["651"]["messages"] == []


async def test_a_text_of_4096_after_substitution_is_sent_and_an_image_needs_no_text():
    async with open_client(chat_scenario({"652": "active"})) as world_client:
        exact = await create_template(world_client, buttons=[], text="Hi $!data.get('name')")
        photo = await create_template(world_client, buttons=[], text="", imageSource="https://cdn.example/a.png")
        for message_id, params in ((exact, {"name": "x" * 4093}), (photo, {})):
            recipient = {"locator": "652", "jsonParam": json.dumps(params)}
            request_id = (await smartsend(world_client, message_id, [recipient]))["results"]["requestId"]
            assert (await statuses(world_client, request_id))[request_id]["status"] == "DELIVERED"


RATE_LIMITED = {"701": {"state": "rate_limited", "retry_after": 30, "limited_sends": 2}}


async def test_rate_limited_chat_is_retried_on_the_clock():
    async with open_client(chat_scenario(RATE_LIMITED)) as world_client:
        clock = world_client.emulator.world.clock
        clock.freeze()
        message_id = await create_template(world_client)
        request_id = (await smartsend(world_client, message_id, [{"locator": "701"}]))["results"]["requestId"]
        assert (await statuses(world_client, request_id))[request_id]["status"] == "IN_QUEUE"
        clock.advance(29)
        assert (await statuses(world_client, request_id))[request_id]["status"] == "IN_QUEUE"
        clock.advance(1)
        assert (await statuses(world_client, request_id))[request_id]["status"] == "IN_QUEUE"  # second 429
        clock.advance(30)
        assert (await statuses(world_client, request_id))[request_id]["status"] == "DELIVERED"
        [delivery] = (await state(world_client))["deliveries"]
        assert delivery["attempts"] == 3
        assert [h.get("error_code") for h in delivery["history"]] == [429, 429, None]


async def test_rate_limited_chat_fails_when_retries_run_out():
    async with open_client(chat_scenario({"702": {"state": "rate_limited", "retry_after": 5}}, limits={"send_attempts": 3})) as world_client:
        clock = world_client.emulator.world.clock
        clock.freeze()
        message_id = await create_template(world_client)
        request_id = (await smartsend(world_client, message_id, [{"locator": "702"}]))["results"]["requestId"]
        clock.advance(5)
        await world_client.emulator.background.step()
        assert world_client.emulator.world.deliveries.get(request_id).status == "PENDING"
        clock.advance(5)
        await world_client.emulator.background.step()
        status = (await statuses(world_client, request_id))[request_id]
        assert status["status"] == "BOT_SEND_ERROR"
        [delivery] = (await state(world_client))["deliveries"]
        assert (delivery["attempts"], delivery["error_code"]) == (3, 429)
        assert delivery["reason"] == "Too Many Requests: retry after 5"
        assert (await state(world_client))["contacts"][0]["tokens"] == {APP_UUID: ["702"]}


async def journal_retries(client) -> list[dict]:
    """The deliveries of every retry run the journal holds, oldest first."""
    entries = (await client.get("/_mock/requests", params={"method": "RETRY"})).json()["requests"]
    assert all(e["path"] == "telegram:sendMessage" for e in entries)
    return [d for e in entries for d in e["retried"]]


async def test_a_retry_run_by_the_background_is_journaled_with_its_reason():
    async with open_client(chat_scenario({"703": {"state": "rate_limited", "retry_after": 5}}, limits={"send_attempts": 2})) as world_client:
        clock = world_client.emulator.world.clock
        clock.freeze()
        message_id = await create_template(world_client)
        request_id = (await smartsend(world_client, message_id, [{"locator": "703"}]))["results"]["requestId"]
        assert await journal_retries(world_client) == []
        clock.advance(5)
        await world_client.emulator.background.step()  # no request sets this retry off
        [retried] = await journal_retries(world_client)
        assert (retried["requestId"], retried["status"], retried["attempts"]) == (request_id, "FAILED", 2)
        assert (retried["error_code"], retried["reason"]) == (429, "Too Many Requests: retry after 5")


async def test_a_token_removed_on_a_retry_is_in_the_state_and_the_journal():
    """The chat answers 429, then its user blocks the bot: the retry gets the 403 and the token goes."""
    async with open_client(chat_scenario({"704": {"state": "rate_limited", "retry_after": 5}})) as world_client:
        clock = world_client.emulator.world.clock
        clock.freeze()
        message_id = await create_template(world_client)
        request_id = (await smartsend(world_client, message_id, [{"locator": "704"}]))["results"]["requestId"]
        assert (await world_client.post("/_mock/telegram/chats/704/block")).status_code == 200
        clock.advance(5)
        snapshot = await state(world_client)  # reading the state runs the due retry
        [removal] = snapshot["token_removals"]
        assert (removal["requestId"], removal["contactIds"]) == (request_id, [10])
        assert removal["reason"] == "Forbidden: bot was blocked by the user"
        assert subscribers(snapshot) == 0
        [retried] = await journal_retries(world_client)
        assert (retried["status"], retried["error_code"], retried["token_removed_from"]) == ("FAILED", 403, [10])
        assert retried["reason"] == "Forbidden: bot was blocked by the user"
        assert (await state(world_client))["token_removals"] == [removal]  # a second read retries nothing
        assert len(await journal_retries(world_client)) == 1


# -- clicks -----------------------------------------------------------------------------------


async def test_tracked_link_redirects_and_marks_clicked(client):
    message_id = await create_template(client)
    request_id = (await smartsend(client, message_id, [{"locator": "111"}]))["results"]["requestId"]
    [received] = (await client.get("/_mock/telegram/chats/111/messages")).json()["messages"]
    button_url = received["reply_markup"]["inline_keyboard"][0][0]["url"]
    r = await client.get(button_url)
    assert r.status_code == 302 and r.headers["location"] == "https://shop.example/open"
    assert (await statuses(client, request_id))[request_id]["status"] == "CLICKED"
    assert (await client.get("/track/nope")).status_code == 404


async def test_control_plane_clicks_for_a_chat(client):
    message_id = await create_template(client)
    request_id = (await smartsend(client, message_id, [{"locator": "111"}]))["results"]["requestId"]
    r = await client.post("/_mock/telegram/chats/111/click")
    assert r.json() == {"requestId": request_id, "status": "CLICKED", "link": "https://shop.example/sale"}
    assert (await client.post("/_mock/telegram/chats/222/click")).status_code == 404


async def test_scenario_makes_users_click_always():
    async with open_client(chat_scenario({"801": "active"}, clicks="always")) as world_client:
        message_id = await create_template(world_client)
        request_id = (await smartsend(world_client, message_id, [{"locator": "801"}]))["results"]["requestId"]
        assert (await statuses(world_client, request_id))[request_id]["status"] == "CLICKED"


async def clicked_chats(clicks: object) -> list[str]:
    """Send one template to twenty active chats; the chats whose user clicked on delivery."""
    chats = {str(900 + i): "active" for i in range(20)}
    async with open_client(chat_scenario(chats, clicks=clicks)) as world_client:
        message_id = await create_template(world_client)
        results = as_list((await smartsend(world_client, message_id, [{"locator": c} for c in chats]))["results"])
        found = await statuses(world_client, *(r["requestId"] for r in results))
        return [r["locator"] for r in results if found[r["requestId"]]["status"] == "CLICKED"]


async def test_scenario_click_probability_is_seeded():
    some = await clicked_chats({"probability": 0.5, "seed": 7})
    assert 0 < len(some) < 20
    assert await clicked_chats({"probability": 0.5, "seed": 7}) == some  # the same run again
    assert await clicked_chats({"probability": 0.5, "seed": 8}) != some
    assert await clicked_chats("never") == []
    assert len(await clicked_chats("always")) == 20


# -- runtime chat changes and the quirk ---------------------------------------------------------


async def test_block_at_run_time_then_unblock(client):
    message_id = await create_template(client)
    blocked = (await client.post("/_mock/telegram/chats/111/block")).json()
    assert (blocked["chat_id"], blocked["state"]) == ("111", "blocked")
    result = (await smartsend(client, message_id, [{"locator": "111"}]))["results"]
    assert (await statuses(client, result["requestId"]))[result["requestId"]]["failed"] is True
    assert (await client.post("/_mock/telegram/chats/111/unblock")).json()["state"] == "active"
    again = (await smartsend(client, message_id, [{"locator": "111"}]))["results"]
    assert again["status"] == "ERROR"  # the token is gone until the integrator registers it again


async def test_single_item_lists_as_arrays():
    async with open_client(chat_scenario({"901": "active"}, assumptions={"single_item_lists": "array"})) as world_client:
        message_id = await create_template(world_client)
        result = (await smartsend(world_client, message_id, [{"locator": "901"}]))["results"]
        assert isinstance(result, list) and len(result) == 1
        r = await world_client.get("/api/v1/message/status", params=[("ids", result[0]["requestId"])])
        assert isinstance(r.json()["results"], list)


async def test_status_accepts_repeated_ids(client):
    message_id = await create_template(client)
    results = (await smartsend(client, message_id, [{"locator": "111"}, {"locator": "222"}]))["results"]
    r = await client.get("/api/v1/message/status", params=[("ids", results[0]["requestId"]), ("ids", results[1]["requestId"])])
    assert {s["status"] for s in r.json()["results"]} == {"DELIVERED", "BOT_SEND_ERROR"}
