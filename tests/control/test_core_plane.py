"""The control plane's core as issue 2 fixes it: health, the minimal shape of the state, the
journal's default bound, and the optional trailing slash on every door."""

from __future__ import annotations

import pytest

from tests.conftest import APP_UUID

pytestmark = pytest.mark.anyio
TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"
BOT = "/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


async def test_health_is_200_json(client):
    r = await client.get("/_mock/health")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})
    assert r.headers["content-type"].startswith("application/json")


async def test_state_has_at_least_the_documented_shape(client):
    await client.post(TOKENS, json={"tokens": [{"token": "900", "externalCustomerId": "C-9"}]})
    state = (await client.get("/_mock/state")).json()
    assert [{k: a[k] for k in ("app_uuid", "username", "subscribers")} for a in state["apps"]] == [
        {"app_uuid": APP_UUID, "username": "demo_shop_bot", "subscribers": 3}
    ]
    contacts = {c["id"]: c for c in state["contacts"]}
    for contact in contacts.values():
        assert {"id", "externalCustomerId", "email", "phone", "tokens"} <= set(contact)
    assert {k: contacts[1001][k] for k in ("externalCustomerId", "email", "phone", "tokens")} == {
        "externalCustomerId": "C-1", "email": "taras@example.com", "phone": "+380501112233", "tokens": {APP_UUID: ["111"]},
    }
    # Absent identifiers are null; a contact without tokens has an empty mapping.
    assert (contacts[1004]["email"], contacts[1004]["phone"], contacts[1004]["tokens"]) == (None, None, {APP_UUID: ["900"]})
    assert contacts[1003]["tokens"] == {}


async def test_the_journal_keeps_10000_entries_by_default(client):
    journal = (await client.get("/_mock/requests")).json()
    assert (journal["size"], journal["dropped"], journal["requests"]) == (10_000, 0, [])


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/_mock/health/"),
        ("GET", "/_mock/state/"),
        ("GET", "/_mock/requests/"),
        ("GET", "/_mock/requests/count/"),
        ("GET", "/api/v1/account/info/"),
        ("GET", "/api/v1/contact/1001/"),
        ("GET", "/api/v1/version/"),
        ("GET", f"{BOT}/getMe/"),
    ],
)
async def test_a_trailing_slash_is_accepted_on_every_door(client, method, path):
    with_slash = await client.request(method, path)
    without = await client.request(method, path.rstrip("/"))
    assert with_slash.status_code == without.status_code == 200, with_slash.text
    assert with_slash.headers["content-type"] == without.headers["content-type"]


async def test_a_trailing_slash_on_reset_resets(client):
    await client.post(TOKENS, json={"tokens": [{"token": "900", "email": "x@example.com"}]})
    assert (await client.post("/_mock/reset/")).status_code == 200
    assert len((await client.get("/_mock/state")).json()["contacts"]) == 3
