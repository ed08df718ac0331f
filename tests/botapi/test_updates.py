"""Updates: users' actions queue them, getUpdates drains them, webhooks exclude polling."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest

from mockserver.botapi.webhooks import SECRET_HEADER, WebhookSender
from tests.botapi.conftest import BOT, new_user, state

pytestmark = pytest.mark.anyio


async def updates(client, **params) -> list[dict]:
    r = await client.post(f"{BOT}/getUpdates", json=params)
    assert r.status_code == 200, r.text
    return r.json()["result"]


async def test_start_with_payload_is_a_bot_command_message(client):
    await new_user(client, 555, last_name="Li", username="ann_li", language_code="uk")
    r = await client.post("/_mock/telegram/users/555/start", json={"payload": "C-1"})
    assert r.status_code == 200
    [update] = await updates(client)
    message = update["message"]
    assert update["update_id"] == 1
    assert message["text"] == "/start C-1"
    assert message["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert message["chat"] == {"id": 555, "type": "private", "first_name": "Ann", "last_name": "Li", "username": "ann_li"}
    assert message["from"] == {"id": 555, "is_bot": False, "first_name": "Ann", "last_name": "Li",
                               "username": "ann_li", "language_code": "uk"}
    assert r.json()["updates"] == [update]


async def test_offset_confirms_and_ids_are_sequential(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/start")
    for text in ("one", "two", "three"):
        await client.post("/_mock/telegram/users/555/send", json={"text": text})
    got = await updates(client, limit=2)
    assert [u["update_id"] for u in got] == [1, 2]
    assert [u["update_id"] for u in await updates(client, offset=3)] == [3, 4]
    assert [u["update_id"] for u in await updates(client)] == [3, 4]  # not confirmed yet
    assert [u["message"]["text"] for u in await updates(client, offset=-1)] == ["three"]
    assert await updates(client, offset=5) == []
    assert (await state(client))["bots"]["inboxes"]


@pytest.mark.parametrize("limit, expected", [(0, 1), (-5, 1), (1000, 3)])
async def test_limit_is_clamped_like_telegram(client, limit, expected):
    await new_user(client)
    for text in ("a", "b", "c"):
        await client.post("/_mock/telegram/users/555/send", json={"text": text})
    assert len(await updates(client, limit=limit)) == expected


@pytest.mark.parametrize("body", [{"limit": 2**31}, {"offset": -(2**31) - 1}, {"limit": 226506004504302845952}])
async def test_numbers_beyond_32_bits_are_refused(client, body):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/send", json={"text": "kept"})
    before = await state(client)
    r = await client.post(f"{BOT}/getUpdates", json=body)
    assert r.status_code == 400 and r.json()["ok"] is False
    assert f'"{next(iter(body))}"' in r.json()["description"]
    assert await state(client) == before  # nothing confirmed, the update still queued


async def test_long_poll_waits_without_blocking_other_requests(client):
    await new_user(client)
    poll = asyncio.create_task(client.get(f"{BOT}/getUpdates", params={"timeout": 5}))
    await asyncio.sleep(0.05)
    assert not poll.done()
    r = await client.post("/_mock/telegram/users/555/send", json={"text": "ping"})  # served meanwhile
    assert r.status_code == 200
    result = (await asyncio.wait_for(poll, 2)).json()["result"]
    assert [u["message"]["text"] for u in result] == ["ping"]


async def test_long_poll_times_out_with_an_empty_list(client):
    r = await client.get(f"{BOT}/getUpdates", params={"timeout": 1})
    assert r.json() == {"ok": True, "result": []}


async def test_a_second_poll_terminates_the_first(client):
    first = asyncio.create_task(client.get(f"{BOT}/getUpdates", params={"timeout": 5}))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(client.get(f"{BOT}/getUpdates", params={"timeout": 1}))
    r = await asyncio.wait_for(first, 2)
    assert r.status_code == 409
    assert r.json()["description"] == (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )
    assert (await second).status_code == 200


async def test_allowed_updates_filters_new_updates(client):
    await new_user(client)
    await updates(client, allowed_updates=["message"])
    await client.post("/_mock/telegram/users/555/start")
    r = await client.post("/_mock/telegram/users/555/block")
    assert r.json()["updates"] == [] and r.json()["user"]["state"] == "blocked"
    assert [list(u)[1] for u in await updates(client)] == ["message"]
    await updates(client, allowed_updates=[])  # back to Telegram's default set
    await client.post("/_mock/telegram/users/555/unblock")
    assert "my_chat_member" in (await updates(client))[-1]


@pytest.mark.parametrize(
    "params, description",
    [
        ({"limit": "many"}, 'Bad Request: parameter "limit" must be a Number'),
        ({"timeout": "soon"}, 'Bad Request: parameter "timeout" must be a Number'),
        ({"allowed_updates": "message"}, 'Bad Request: can\'t parse "allowed_updates" JSON object'),
        ({"allowed_updates": [1]}, 'Bad Request: parameter "allowed_updates" must be an Array of String'),
    ],
)
async def test_bad_get_updates_changes_nothing(client, params, description):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/send", json={"text": "x"})
    before = await state(client)
    r = await client.post(f"{BOT}/getUpdates", json={"offset": 5, **params})
    assert (r.status_code, r.json()["description"]) == (400, description)
    assert await state(client) == before


async def test_webhook_excludes_polling_and_shows_in_info(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/send", json={"text": "x"})
    r = await client.post(f"{BOT}/setWebhook", json={"url": "http://127.0.0.1:9/hook", "secret_token": "s3cret",
                                                    "allowed_updates": ["message", "callback_query"]})
    assert r.json() == {"ok": True, "result": True, "description": "Webhook was set"}
    r = await client.get(f"{BOT}/getUpdates")
    assert r.status_code == 409
    assert r.json()["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )
    info = (await client.get(f"{BOT}/getWebhookInfo")).json()["result"]
    assert info == {"url": "http://127.0.0.1:9/hook", "has_custom_certificate": False, "pending_update_count": 1,
                    "max_connections": 40, "allowed_updates": ["message", "callback_query"]}
    r = await client.post(f"{BOT}/deleteWebhook", data={"drop_pending_updates": "true"})
    assert r.json()["description"] == "Webhook was deleted"
    assert (await client.post(f"{BOT}/deleteWebhook")).json()["description"] == "Webhook is already deleted"
    assert await updates(client) == []


async def pending(client) -> int:
    return (await client.get(f"{BOT}/getWebhookInfo")).json()["result"]["pending_update_count"]


async def test_set_webhook_keeps_or_drops_pending_updates(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/send", json={"text": "x"})
    await client.post(f"{BOT}/setWebhook", json={"url": "https://bot.example/hook"})
    assert await pending(client) == 1
    r = await client.post(f"{BOT}/setWebhook", data={"url": "https://bot.example/hook", "drop_pending_updates": "true"})
    assert r.json()["result"] is True and await pending(client) == 0
    await client.post("/_mock/telegram/users/555/send", json={"text": "y"})
    assert await pending(client) == 1  # only those waiting at the call are dropped


async def test_webhook_gets_updates_in_order_with_the_secret_and_retries_on_the_clock(client, emulator):
    clock = emulator.world.clock
    clock.freeze()
    await new_user(client)
    await client.post(f"{BOT}/setWebhook", json={"url": "http://bot.example/hook", "secret_token": "s3cret"})
    for text in ("one", "two", "three"):
        await client.post("/_mock/telegram/users/555/send", json={"text": text})
    answers, seen = [500], []

    def receiver(request: httpx.Request) -> httpx.Response:
        seen.append((request.headers.get(SECRET_HEADER), orjson.loads(request.content)))
        return httpx.Response(answers.pop(0) if answers else 200)

    sender = WebhookSender(emulator)
    async with httpx.AsyncClient(transport=httpx.MockTransport(receiver)) as hook_client:
        await sender.round(hook_client)  # "one" is refused
        await sender.round(hook_client)  # backing off: the clock has not moved, nothing is sent
        assert len(seen) == 1 and await pending(client) == 3
        info = (await client.get(f"{BOT}/getWebhookInfo")).json()["result"]
        assert info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
        clock.advance(1)
        for _ in range(3):
            await sender.round(hook_client)
    assert [u["message"]["text"] for _, u in seen] == ["one", "one", "two", "three"]
    assert [u["update_id"] for _, u in seen] == [1, 1, 2, 3]
    assert {secret for secret, _ in seen} == {"s3cret"}
    assert await pending(client) == 0


async def test_set_webhook_with_an_empty_url_removes_it(client):
    await client.post(f"{BOT}/setWebhook", json={"url": "https://bot.example/hook"})
    r = await client.post(f"{BOT}/setWebhook", json={"url": ""})
    assert r.json()["description"] == "Webhook was deleted"
    assert (await client.get(f"{BOT}/getWebhookInfo")).json()["result"]["url"] == ""


async def test_setting_a_webhook_ends_a_waiting_poll(client):
    poll = asyncio.create_task(client.get(f"{BOT}/getUpdates", params={"timeout": 5}))
    await asyncio.sleep(0.05)
    await client.post(f"{BOT}/setWebhook", json={"url": "https://bot.example/hook"})
    assert (await asyncio.wait_for(poll, 2)).status_code == 409


@pytest.mark.parametrize(
    "params, description",
    [
        ({"url": "ftp://bot.example/hook"}, "Bad Request: bad webhook: an http or https URL with a host must be provided for webhook"),
        ({"url": "https:///hook"}, "Bad Request: bad webhook: an http or https URL with a host must be provided for webhook"),
        ({"url": "https://bot.example:99999/"}, "Bad Request: bad webhook: invalid port in the webhook URL"),
        ({"url": "https://bot.example/", "secret_token": "a b"}, "Bad Request: secret token contains unallowed characters"),
        ({"url": "https://bot.example/", "secret_token": "a" * 257}, "Bad Request: secret token is too long"),
        ({"url": "https://bot.example/", "drop_pending_updates": "maybe"},
         'Bad Request: parameter "drop_pending_updates" must be a Boolean'),
    ],
)
async def test_bad_set_webhook_changes_nothing(client, params, description):
    before = await state(client)
    r = await client.post(f"{BOT}/setWebhook", json=params)
    assert (r.status_code, r.json()["description"]) == (400, description)
    assert await state(client) == before


async def test_press_a_callback_button_and_answer_it(client):
    await new_user(client)
    await client.post("/_mock/telegram/users/555/start")
    markup = {"inline_keyboard": [[{"text": "Site", "url": "https://x.example"}, {"text": "Yes", "callback_data": "yes"}]]}
    sent = (await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "Sure?", "reply_markup": markup})).json()
    message_id = sent["result"]["message_id"]
    r = await client.post("/_mock/telegram/users/555/press", json={"message_id": message_id, "text": "Yes"})
    assert r.status_code == 200, r.text
    [update] = r.json()["updates"]
    query = update["callback_query"]
    assert query["data"] == "yes" and query["message"] == sent["result"] and query["from"]["id"] == 555
    r = await client.post(f"{BOT}/answerCallbackQuery", json={"callback_query_id": query["id"], "text": "Done"})
    assert r.json() == {"ok": True, "result": True}
    r = await client.post(f"{BOT}/answerCallbackQuery", json={"callback_query_id": query["id"]})
    assert r.status_code == 400
    assert r.json()["description"] == "Bad Request: query is too old and response timeout expired or query ID is invalid"
    r = await client.post("/_mock/telegram/users/555/press", json={"message_id": message_id, "text": "Site"})
    assert r.status_code == 400 and "sends the bot nothing" in r.json()["error"]


async def test_answer_callback_query_needs_an_id(client):
    r = await client.post(f"{BOT}/answerCallbackQuery")
    assert (r.status_code, r.json()["description"]) == (400, 'Bad Request: parameter "callback_query_id" is required')
