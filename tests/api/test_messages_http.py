"""Telegram message templates and the refusals of every send endpoint: a 4xx naming the problem, state unchanged."""

from __future__ import annotations

import pytest

from tests.conftest import APP_UUID

pytestmark = pytest.mark.anyio

BASE = "/api/v1/messages/telegram"


async def snapshot(client):
    return (await client.get("/_mock/state")).json()


async def test_template_crud_and_search(client):
    body = {"name": "Cart reminder", "text": "Come back", "tags": ["cart"], "languageCode": "uk",
            "imageSource": "https://img.example/a.png", "buttons": [{"text": "Cart", "link": "https://s.example/cart"}]}
    r = await client.post(BASE, json=body)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    message_id = r.json()["id"]
    got = (await client.get(f"{BASE}/{message_id}")).json()
    assert got == {"id": message_id, **body}
    await client.post(BASE, json={"name": "Welcome"})
    found = await client.get(BASE, params={"search": "cart"})
    assert [m["name"] for m in found.json()] == ["Cart reminder"] and found.headers["TotalCount"] == "1"
    page = await client.get(BASE, params={"startindex": 2, "maxrows": 1})
    assert [m["name"] for m in page.json()] == ["Welcome"] and page.headers["TotalCount"] == "2"
    r = await client.put(f"{BASE}/{message_id}", json={"name": "Renamed", "text": "x"})
    assert (r.status_code, r.json()) == (200, "")
    assert (await client.get(f"{BASE}/{message_id}")).json()["name"] == "Renamed"
    assert (await client.delete(f"{BASE}/{message_id}")).status_code == 200
    r = await client.get(f"{BASE}/{message_id}")
    assert (r.status_code, r.text) == (404, f"Telegram message {message_id} not found")


@pytest.mark.parametrize(
    "body, message",
    [
        ([], "JSON object"),
        ({}, "name is required"),
        ({"name": " "}, "name must be a non-empty string"),
        ({"name": "n", "text": "x" * 4097}, "text is longer than 4096 characters"),
        ({"name": "n", "text": 5}, "text must be a string"),
        ({"name": "n", "buttons": {}}, "buttons must be an array"),
        ({"name": "n", "buttons": [{"text": "a"}]}, "buttons[0].link is required"),
        ({"name": "n", "tags": [1]}, "tags must be an array of strings"),
    ],
)
async def test_bad_template_is_refused(client, body, message):
    before = await snapshot(client)
    r = await client.post(BASE, json=body)
    assert r.status_code == 400 and message in r.text
    assert await snapshot(client) == before


async def test_text_of_exactly_4096_characters_is_accepted(client):
    assert (await client.post(BASE, json={"name": "n", "text": "x" * 4096})).status_code == 200


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "Field 'recipients' is required"),
        ({"recipients": {}}, "must be an array"),
        ({"recipients": []}, "must not be empty"),
        ({"recipients": [{"locator": "1"}] * 2}, "recipients[1] repeats recipients[0]"),
        ({"recipients": [{"jsonParam": "{}"}]}, "recipients[0] has no locator, contactId or externalCustomerId"),
        ({"recipients": [{"contactId": "1"}]}, "recipients[0].contactId must be an integer"),
        ({"recipients": [{"locator": 111}]}, "recipients[0].locator must be a string"),
        ({"recipients": [{"locator": "111", "jsonParam": "{"}]}, "recipients[0].jsonParam is not valid JSON"),
        ({"recipients": [{"locator": "111", "jsonParam": "[1]"}]}, "jsonParam must hold a JSON object"),
        ({"recipients": [{"locator": str(i)} for i in range(1001)]}, "at most 1000"),
    ],
)
async def test_bad_smartsend_is_refused(client, body, message):
    message_id = (await client.post(BASE, json={"name": "n", "text": "t"})).json()["id"]
    before = await snapshot(client)
    r = await client.post(f"/api/v1/message/{message_id}/smartsend", json=body)
    assert r.status_code == 400 and message in r.text
    assert await snapshot(client) == before


@pytest.mark.parametrize(
    "path, status, message",
    [
        ("/api/v1/message/77/smartsend", 404, "Telegram message 77 not found"),
        ("/api/v1/message/abc/smartsend", 400, "Message id must be a positive integer"),
    ],
)
async def test_smartsend_of_unknown_message(client, path, status, message):
    before = await snapshot(client)
    r = await client.post(path, json={"recipients": [{"locator": "111"}]})
    assert (r.status_code, r.text) == (status, message) or (r.status_code == status and message in r.text)
    assert await snapshot(client) == before


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"groups": []}, 400, "messageId is required"),
        ({"messageId": 1}, 404, "Message 1 not found"),
        ({"messageId": 1, "appId": "nope"}, 400, "Wrong app uuid"),
        ({"messageId": 1, "appId": "00000000-0000-0000-0000-000000000000"}, 404, "Not registered application"),
        ({"messageId": 99, "appId": APP_UUID}, 404, "Message 99 not found"),
        ({"messageId": 1, "appId": APP_UUID, "groups": ["a"]}, 400, "groups must be an array of group ids"),
        ({"messageId": 1, "appId": APP_UUID, "startDate": "tomorrow"}, 400, "is not in the form YYYY-MM-DDTHH:mm"),
    ],
)
async def test_bad_broadcast_is_refused(client, body, status, message):
    await client.post(BASE, json={"name": "n", "text": "t"})
    before = await snapshot(client)
    r = await client.post("/api/v1/broadcast", json=body)
    assert r.status_code == status and message in r.text
    assert await snapshot(client) == before


async def test_status_needs_ids_and_ignores_unknown_ones(client):
    r = await client.get("/api/v1/message/status")
    assert r.status_code == 400 and "ids is required" in r.text
    r = await client.get("/api/v1/message/status", params={"ids": "nope,also-nope"})
    assert r.json() == {"results": []}


async def test_scheduled_broadcast_waits_for_its_start(client, emulator):
    clock = emulator.world.clock
    clock.set(1_700_000_000)  # 2023-11-14T22:13:20Z
    clock.freeze()
    message_id = (await client.post(BASE, json={"name": "n", "text": "t"})).json()["id"]
    r = await client.post("/api/v1/broadcast", json={"messageId": message_id, "appId": APP_UUID, "startDate": "2023-11-14T23:00"})
    assert r.json()["startDate"] == "2023-11-14T23:00:00Z"  # a date-time, as the vendor types it
    assert (await client.get("/_mock/telegram/chats/111/messages")).json()["messages"] == []
    clock.advance(3600)
    assert len((await client.get("/_mock/telegram/chats/111/messages")).json()["messages"]) == 1


@pytest.mark.parametrize("bad", ["", "abc", "²", "٣", "1.5", "0", "501"])
async def test_search_refuses_a_maxrows_that_is_not_an_integer_in_range(client, bad):
    before = await snapshot(client)
    r = await client.get(BASE, params={"maxrows": bad})
    assert r.status_code == 400 and "maxrows" in r.text
    assert await snapshot(client) == before


@pytest.mark.parametrize("bad", ["²", "١٢"])
async def test_message_ids_must_be_ascii_digits(client, bad):
    r = await client.get(f"{BASE}/{bad}")
    assert r.status_code == 400 and "Message id" in r.text


@pytest.mark.parametrize("query", ["maxrows=", "startindex=", "maxrows=%C2%B2", "maxrows=0"])
async def test_search_paging_must_be_a_number(client, query):
    """An empty or non-ASCII paging value is refused like the contacts search does, never taken as the default."""
    r = await client.get(f"{BASE}?{query}")
    assert r.status_code == 400 and query.split("=")[0] in r.text
