"""Account info, version, and muting a bot's tokens."""

from __future__ import annotations

import pytest

from mockserver.domain.contacts.apps import MUTED_FOREVER
from tests.api.contact_helpers import APP_UUID, ESPUTNIK_JSON, snapshot
from tests.conftest import basic

pytestmark = pytest.mark.anyio

MUTE = f"/api/v1/apps/{APP_UUID}/token/mute"
UNMUTE = f"/api/v1/apps/{APP_UUID}/token/unmute"


async def mutes(client) -> dict:
    return (await client.get("/_mock/state")).json()["apps"][0]["mutes"]


async def test_account_info_comes_from_the_scenario(client):
    r = await client.get("/api/v1/account/info/")
    assert r.status_code == 200 and r.headers["content-type"] == ESPUTNIK_JSON
    assert r.json() == {"userEmail": "owner@demo-shop.example", "organisationName": "Demo Shop", "orgId": 4242}


@pytest.mark.parametrize("path", ["/api/v1/version", "/api/v2/version"])
async def test_version(client, path):
    import mockserver

    r = await client.get(path)
    assert r.json() == {"version": mockserver.__version__, "protocolVersion": "1.0"}


async def test_account_info_needs_a_key(client):
    r = await client.get("/api/v1/account/info", headers={"Authorization": ""})
    assert r.status_code == 401 and r.json()["status"] == 401


async def test_mute_for_a_while_then_it_ends(client, emulator):
    clock = emulator.world.clock
    clock.freeze()
    r = await client.post(MUTE, json={"token": "111", "duration": 60})
    assert r.status_code == 200 and r.content == b'""'  # a JSON string, as the vendor types it
    assert await mutes(client) == {"111": clock.now() + 60}
    clock.advance(61)
    assert await mutes(client) == {}


async def test_mute_without_duration_is_forever_and_posting_again_changes_it(client, emulator):
    emulator.world.clock.freeze()
    await client.post(MUTE, json={"token": "111"})
    assert await mutes(client) == {"111": MUTED_FOREVER}
    await client.post(MUTE, json={"token": "111", "duration": 5})
    assert await mutes(client) == {"111": emulator.world.clock.now() + 5}


@pytest.mark.parametrize("duration", [5, 31_536_000])
async def test_duration_bounds_are_inclusive(client, emulator, duration):
    emulator.world.clock.freeze()
    assert (await client.post(MUTE, json={"token": "111", "duration": duration})).status_code == 200
    assert await mutes(client) == {"111": emulator.world.clock.now() + duration}


async def test_a_null_duration_is_forever(client):
    assert (await client.post(MUTE + "/", json={"token": "111", "duration": None})).status_code == 200
    assert await mutes(client) == {"111": MUTED_FOREVER}


async def test_unmute(client):
    await client.post(MUTE, json={"token": "111", "duration": 31_536_000})
    r = await client.post(UNMUTE + "/", json={"token": "111"})
    assert r.status_code == 200 and r.content == b'""'  # a JSON string, as the vendor types it
    assert await mutes(client) == {}
    assert (await client.post(UNMUTE, json={"token": "111"})).status_code == 200


@pytest.mark.parametrize("path", [MUTE, UNMUTE])
@pytest.mark.parametrize(
    "app, body, status, text",
    [
        ("not-a-uuid", {"token": "1"}, 400, "Wrong app uuid"),
        ("00000000-0000-0000-0000-000000000000", {"token": "1"}, 404, "Not registered application"),
        (APP_UUID, {}, 400, "Token must be specified"),
        (APP_UUID, {"token": ""}, 400, "Token must be specified"),
        (APP_UUID, {"token": 111}, 400, "Token must be specified"),
        (APP_UUID, ["111"], 400, "Token must be specified"),
        (APP_UUID, None, 400, "Token must be specified"),
        (APP_UUID, b"{", 400, "Request body is not valid JSON"),
    ],
)
async def test_mute_and_unmute_errors(client, path, app, body, status, text):
    await client.post(MUTE, json={"token": "222", "duration": 100})
    before = await snapshot(client)
    url = path.replace(APP_UUID, app)
    if body is None or isinstance(body, bytes):
        r = await client.post(url, content=body or b"", headers={"Content-Type": "application/json"})
    else:
        r = await client.post(url, json=body)
    shown = r.text.split(":")[0] if isinstance(body, bytes) else r.text  # the parser's reason follows ':'
    assert (r.status_code, shown) == (status, text)
    assert await snapshot(client) == before


@pytest.mark.parametrize(
    "duration, text",
    [
        (0, "Duration must be positive int"),
        (-5, "Duration must be positive int"),
        ("60", "Duration must be positive int"),
        (1.5, "Duration must be positive int"),
        (True, "Duration must be positive int"),
        (4, "Duration must be between 5 and 31536000 seconds"),
        (31_536_001, "Duration must be between 5 and 31536000 seconds"),
    ],
)
async def test_bad_durations_change_nothing(client, duration, text):
    before = await snapshot(client)
    r = await client.post(MUTE, json={"token": "111", "duration": duration})
    assert (r.status_code, r.text) == (400, text)
    assert await snapshot(client) == before


BULK = {"dedupeOn": "email", "contacts": [{"channels": [{"type": "email", "value": "n@e.co"}]}]}
# Every operation of issue 4, with a body where it takes one: (method, path, JSON body).
CALLS = [
    ("GET", "/api/v1/account/info", None),
    ("GET", "/api/v1/version", None),
    ("GET", "/api/v2/version", None),
    ("POST", "/api/v1/contact", {"channels": [{"type": "email", "value": "new@example.com"}]}),
    ("DELETE", "/api/v1/contact?externalCustomerId=C-3", None),
    ("GET", "/api/v1/contact/1001", None),
    ("PUT", "/api/v1/contact/1001", {"firstName": "T"}),
    ("DELETE", "/api/v1/contact/1001", None),
    ("GET", "/api/v1/contacts?email=taras@example.com", None),
    ("POST", "/api/v1/contacts", BULK),
    ("GET", "/api/v1/importstatus/00000000-0000-0000-0000-000000000001", None),
    ("POST", MUTE, {"token": "111"}),
    ("POST", UNMUTE, {"token": "111"}),
]


@pytest.mark.parametrize("method, path, body", CALLS)
@pytest.mark.parametrize("authorization", ["", basic(key="wrong")["Authorization"]])
async def test_every_call_needs_a_known_key(client, method, path, body, authorization):
    before = await snapshot(client)
    r = await client.request(method, path, json=body, headers={"Authorization": authorization})
    assert r.status_code == 401 and r.json()["status"] == 401 and r.json()["error"] == "Unauthorized"
    assert await snapshot(client) == before


@pytest.mark.parametrize("method, path, body", CALLS)
async def test_every_call_takes_a_trailing_slash(client, method, path, body):
    if "importstatus" in path:
        await client.post("/api/v1/contacts", json=BULK)  # makes the session read here
    bare, _, query = path.partition("?")
    r = await client.request(method, bare + "/" + ("?" + query if query else ""), json=body)
    assert r.status_code == 200, r.text
