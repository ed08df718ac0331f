"""The tokens endpoint over HTTP: SPEC §4's validation table, auth and the journal."""

from __future__ import annotations

import pytest

from tests.conftest import APP_UUID, basic

pytestmark = pytest.mark.anyio

URL = f"/api/v1/apps/{APP_UUID}/tokens"


async def snapshot(client):
    return (await client.get("/_mock/state")).json()


async def test_registration_creates_contact_seen_in_state(client):
    r = await client.post(URL, json={"tokens": [{"token": "900", "email": "new@example.com"}]})
    assert r.status_code == 200 and r.content == b'""'  # a JSON string, as the vendor types it
    contacts = (await snapshot(client))["contacts"]
    created = [c for c in contacts if c["email"] == "new@example.com"]
    assert created == [created[0]] and created[0]["tokens"] == {APP_UUID: ["900"]}
    assert created[0]["id"] == 1004


async def test_trailing_slash_and_any_username(client):
    r = await client.post(URL + "/", json={"tokens": [{"token": "1", "email": "a@b.c"}]}, headers=basic(user=""))
    assert r.status_code == 200


@pytest.mark.parametrize(
    "path, status, text",
    [
        ("/api/v1/apps/not-a-uuid/tokens", 400, "Wrong app uuid"),
        # Spellings Python's uuid.UUID takes but a URL's UUID (openapi.yaml: format uuid) is not.
        ("/api/v1/apps/3fa85f6457174562b3fc2c963f66afa6/tokens", 400, "Wrong app uuid"),
        ("/api/v1/apps/urn:uuid:3fa85f64-5717-4562-b3fc-2c963f66afa6/tokens", 400, "Wrong app uuid"),
        ("/api/v1/apps/{3fa85f64-5717-4562-b3fc-2c963f66afa6}/tokens", 400, "Wrong app uuid"),
        ("/api/v1/apps/3f-a85f645717-4562b3fc2c963f66-afa6/tokens", 400, "Wrong app uuid"),
        ("/api/v1/apps/00000000-0000-0000-0000-000000000000/tokens", 404, "Not registered application"),
    ],
)
async def test_bad_app(client, path, status, text):
    before = await snapshot(client)
    r = await client.post(path, json={"tokens": [{"token": "1", "email": "a@b.c"}]})
    assert (r.status_code, r.text) == (status, text)
    assert await snapshot(client) == before


@pytest.mark.parametrize(
    "body, message",
    [
        ([1, 2], "JSON object"),
        ({}, "'tokens' is required"),
        ({"tokens": {}}, "must be an array"),
        ({"tokens": []}, "must not be empty"),
        ({"tokens": [{"email": "a@b.c"}]}, "tokens[0].token is required"),
        ({"tokens": [{"token": "", "email": "a@b.c"}]}, "tokens[0].token must be a non-empty string"),
        ({"tokens": [{"token": "1", "email": "a@b.c"}, {"token": "2"}]}, "tokens[1] has no identifier"),
        ({"tokens": [{"token": "1", "contactId": "12"}]}, "tokens[0].contactId must be an integer"),
        ({"tokens": [{"token": "1", "contactId": True}]}, "tokens[0].contactId must be an integer"),
        ({"tokens": [{"token": "1", "contactId": 2**63}]}, "tokens[0].contactId is out of the int64 range"),
        ({"tokens": [{"token": "1", "phone": 380501112233}]}, "tokens[0].phone must be a string"),
        ({"tokens": [{"token": "1", "phone": "call me"}]}, "tokens[0].phone must contain digits"),
        ({"tokens": [{"token": "1", "email": "  "}]}, "tokens[0].email must not be empty"),
        ({"tokens": [{"token": "1", "email": "a@b.c"}] * 3001}, "Too many tokens: 3001"),
    ],
)
async def test_invalid_batches_change_nothing(client, body, message):
    before = await snapshot(client)
    r = await client.post(URL, json=body)
    assert r.status_code == 400
    assert message in r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert await snapshot(client) == before


async def test_valid_items_before_an_invalid_one_are_not_applied(client):
    before = await snapshot(client)
    r = await client.post(URL, json={"tokens": [{"token": "5", "email": "x@y.z"}, {"token": "6", "contactId": "x"}]})
    assert r.status_code == 400
    assert await snapshot(client) == before


@pytest.mark.parametrize(
    "content, headers, status, message",
    [
        (b"{not json", {"content-type": "application/json"}, 400, "not valid JSON"),
        (b"", {"content-type": "application/json"}, 400, "empty"),
        (b'{"tokens": []}', {"content-type": "text/plain"}, 415, "text/plain is not supported"),
        (b'{"tokens": []}', {}, 415, "Content-Type is missing"),
        (b'{"tokens": [{"token": "\xff"}]}', {"content-type": "application/json"}, 400, "UTF-8"),
    ],
)
async def test_malformed_bodies(client, content, headers, status, message):
    before = await snapshot(client)
    r = await client.post(URL, content=content, headers=headers)
    assert r.status_code == status and message in r.text
    assert await snapshot(client) == before


@pytest.mark.parametrize(
    "headers",
    [{}, basic(key="wrong"), {"Authorization": "Bearer abc"}, {"Authorization": "Basic !!!"}, {"Authorization": "Basic " + "YWJj"}],
)
async def test_auth_failures(client, headers):
    client.headers.pop("Authorization")
    r = await client.post(URL, json={"tokens": [{"token": "1", "email": "a@b.c"}]}, headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Basic")
    body = r.json()
    assert body["status"] == 401 and body["error"] == "Unauthorized" and body["message"]


async def test_journal_records_outcomes(client):
    await client.post(
        URL,
        json={"tokens": [{"token": "111", "contactId": 1001}, {"token": "7", "contactId": 1001}, {"token": "8", "email": "n@e.w"}]},
    )
    journal = (await client.get("/_mock/requests")).json()
    entry = journal["requests"][-1]
    assert entry["status"] == 200
    assert [o["outcome"] for o in entry["outcomes"]] == ["present", "added", "created"]
    assert [o["contactId"] for o in entry["outcomes"]] == [1001, 1001, 1004]


async def test_body_limit(emulator, client):
    emulator.body_limit = 100
    r = await client.post(URL, json={"tokens": [{"token": "1", "email": "a" * 200}]})
    assert r.status_code == 413 and "limit of 100 bytes" in r.text


async def test_reset_restores_scenario(client):
    before = await snapshot(client)
    await client.post(URL, json={"tokens": [{"token": "1", "email": "q@q.q"}]})
    assert await snapshot(client) != before
    assert (await client.post("/_mock/reset")).status_code == 200
    assert await snapshot(client) == before
    assert (await client.get("/_mock/requests")).json()["requests"] == []


async def test_unknown_paths_and_methods(client):
    r = await client.get("/api/v1/nowhere")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/plain")
    r = await client.get(URL)
    assert r.status_code == 405 and "POST" in r.headers["allow"]
    r = await client.get("/_mock/nowhere")
    assert r.status_code == 404 and r.json()["error"]


async def test_auth_checks_the_key_on_every_request(emulator, client):
    """Decoded credentials may be remembered, but whether the key is accepted is asked each time."""
    body = {"tokens": [{"token": "1", "email": "a@b.c"}]}
    assert (await client.post(URL, json=body, headers=basic(key="wrong"))).status_code == 401
    assert (await client.post(URL, json=body, headers=basic(key="wrong"))).status_code == 401
    assert (await client.post(URL, json=body)).status_code == 200
    assert (await client.post(URL, json=body)).status_code == 200
    emulator.world.account.api_keys = ["another-key"]
    r = await client.post(URL, json=body)
    assert r.status_code == 401 and "not a known API key" in r.json()["message"]
    assert (await client.post(URL, json=body, headers=basic(key="another-key"))).status_code == 200


async def test_a_password_may_hold_colons_and_the_username_may_be_empty(emulator, client):
    """Basic credentials split at the first colon: everything after it is the password."""
    emulator.world.account.api_keys = ["k:with:colons"]
    body = {"tokens": [{"token": "1", "email": "a@b.c"}]}
    assert (await client.post(URL, json=body, headers=basic(key="k:with:colons", user=""))).status_code == 200
    assert (await client.post(URL, json=body, headers=basic(key="with:colons", user="k"))).status_code == 401


async def test_an_upper_case_app_uuid_names_the_same_app(client):
    r = await client.post(URL.replace(APP_UUID, APP_UUID.upper()), json={"tokens": [{"token": "1", "contactId": 1003}]})
    assert r.status_code == 200
    ivan = next(c for c in (await snapshot(client))["contacts"] if c["id"] == 1003)
    assert ivan["tokens"] == {APP_UUID: ["1"]}
