"""GET /_mock/state → reset → PUT /_mock/state gives back the identical state; bad bodies change nothing."""

from __future__ import annotations

import pytest

from tests.conftest import APP_UUID

pytestmark = pytest.mark.anyio
TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"


async def busy_world(client, emulator):
    """A world that differs from its scenario in every part the snapshot covers."""
    await client.post(TOKENS, json={"tokens": [{"token": "900", "email": "new@example.com"}, {"token": "901", "contactId": 1001}]})
    world = emulator.world
    world.contacts.soft_delete(world.contacts.get(1003))
    world.apps.get(APP_UUID).mutes["111"] = 4_000_000_000.0
    chat = world.telegram.chat("555")
    chat.first_name = "Petro"
    world.telegram.deliver(chat, {"text": "hello", "date": 1})
    await client.post("/_mock/clock", json={"freeze": True})
    await client.post("/_mock/clock", json={"advance": 3600})


async def test_round_trip_is_exact(client, emulator):
    await busy_world(client, emulator)
    before = (await client.get("/_mock/state")).json()
    await client.post("/_mock/reset")
    assert (await client.get("/_mock/state")).json() != before
    r = await client.put("/_mock/state", json=before)
    assert r.status_code == 200 and r.json() == before
    assert (await client.get("/_mock/state")).json() == before
    # The restored world behaves: indexes and counters are live again.
    r = await client.post(TOKENS, json={"tokens": [{"token": "902", "email": "NEW@example.com"}]})
    contacts = {c["id"]: c for c in (await client.get("/_mock/state")).json()["contacts"]}
    assert contacts[1004]["tokens"][APP_UUID] == ["900", "902"]


async def test_restore_keeps_next_id_and_update_order(client, emulator):
    await busy_world(client, emulator)
    saved = (await client.get("/_mock/state")).json()
    await client.post("/_mock/reset")
    await client.put("/_mock/state", json=saved)
    await client.post(TOKENS, json={"tokens": [{"token": "1", "email": "fresh@example.com"}]})
    ids = [c["id"] for c in (await client.get("/_mock/state")).json()["contacts"]]
    assert ids[-1] == saved["contact_book"]["next_id"]


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda s: s.update(version=99), "version"),
        (lambda s: s.update(extra=1), "unknown keys: extra"),
        (lambda s: s.pop("contacts"), "missing keys: contacts"),
        (lambda s: s["contacts"][0].update(id="x"), "contacts[0].id"),
        (lambda s: s["contacts"].append(dict(s["contacts"][0])), "duplicate contact id"),
        (lambda s: s["apps"][0].update(app_uuid="nope"), "apps[0].app_uuid"),
        (lambda s: s["telegram"]["chats"]["111"].update(state="asleep"), "telegram.chats.111.state"),
        (lambda s: s["clock"].update(offset="soon"), "clock.offset"),
        (lambda s: s["settings"]["limits"].update(token_batch=0), "settings.limits.token_batch"),
    ],
)
async def test_bad_state_is_refused_and_changes_nothing(client, emulator, mutate, reason):
    await busy_world(client, emulator)
    before = (await client.get("/_mock/state")).json()
    bad = (await client.get("/_mock/state")).json()
    mutate(bad)
    r = await client.put("/_mock/state", json=bad)
    assert r.status_code == 400 and reason in r.json()["error"]
    assert (await client.get("/_mock/state")).json() == before


async def test_state_put_needs_json(client):
    r = await client.put("/_mock/state", content=b"{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415 and set(r.json()) == {"error", "detail"}
    r = await client.put("/_mock/state", content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400


async def test_a_world_larger_than_the_body_limit_still_round_trips(scenario):
    """--body-limit guards the API and the small control calls, not the whole world PUT takes back."""
    import httpx

    from mockserver import Emulator, create_app

    emulator = Emulator(scenario, body_limit=256)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://mock") as client:
        before = (await client.get("/_mock/state")).json()
        await client.post("/_mock/reset")
        r = await client.put("/_mock/state", json=before)
        assert r.status_code == 200 and r.json() == before
        assert (await client.post("/_mock/reset", content=b"x" * 257)).status_code == 413
        assert (await client.post(TOKENS, content=b" " * 257)).status_code == 413
