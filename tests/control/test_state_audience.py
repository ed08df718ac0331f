"""Groups, subscriptions, unsubscribed emails and token activation survive GET → PUT /_mock/state
exactly, and the restored world carries on as the original does; a malformed part is refused whole."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.statefile import read_state, save_state
from tests.api.audience_helpers import audience_scenario
from tests.conftest import APP_UUID, basic, empty_scenario

pytestmark = pytest.mark.anyio


def open_client(scenario: dict) -> httpx.AsyncClient:
    emulator = Emulator(scenario)
    emulator.world.clock.freeze()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://mock", headers=basic())


async def session(client) -> None:
    """Change every part this state carries: groups, memberships, categories, unsubscribed emails, activation."""
    assert (await client.post("/api/v1/contact/subscribe", json={"contact": {"channels": [{"type": "email", "value": "s@example.com"}]},
                                                                 "groups": ["Spring"], "subscriptions": ["promo"]})).status_code == 200
    assert (await client.post("/api/v1/group/10/contacts/attach", json={"contactIds": [2]})).status_code == 200
    assert (await client.put("/api/v1/contact/2/subscriptions", json={"subscriptions": ["news"]})).status_code == 200
    assert (await client.post("/api/v1/emails/unsubscribed/add", json={"emails": ["s@example.com"]})).status_code == 200
    assert (await client.put(f"/api/v1/contact/token/activated/{APP_UUID}/111", json={"active": False})).status_code == 200


async def carry_on(client) -> list:
    seen = [(await client.post("/api/v1/contact/subscribe", json={"contact": {"channels": [{"type": "email", "value": "t@example.com"}]},
                                                                  "groups": ["Autumn"]})).json()]
    for path in ("/api/v1/groups", "/api/v1/group/10/contacts", "/api/v1/subscriptions", "/api/v1/contact/2/subscriptions",
                 f"/api/v1/contact/token/activated/{APP_UUID}/111"):
        seen.append((await client.get(path)).json())
    seen.append((await client.post("/api/v1/message/email", json={"emails": ["s@example.com"], "from": "a", "subject": "b", "htmlText": "c"})).json())
    seen.append((await client.get("/_mock/outbox")).json())
    return seen


async def test_the_audience_parts_round_trip_exactly_and_carry_on_identically(tmp_path):
    async with open_client(audience_scenario()) as original:
        await session(original)
        saved = (await original.get("/_mock/state")).json()
        assert saved["groups"][-1] == {"id": 12, "name": "Spring", "type": "Static"}
        assert saved["subscriptions"]["contacts"] == {"1": ["news"], "4": ["promo"], "2": ["news"]}
        assert saved["subscriptions"]["unsubscribed_emails"] == ["gone@example.com", "s@example.com"]
        assert saved["token_activation"] == {"inactive": {APP_UUID: ["111"]}}
        went_on = await carry_on(original)

    async with open_client(empty_scenario()) as restored:
        r = await restored.put("/_mock/state", json=saved)
        assert r.status_code == 200, r.text
        assert (await restored.get("/_mock/state")).json() == saved
        assert await carry_on(restored) == went_on
    assert went_on[1][-1] == {"id": 13, "name": "Autumn", "type": "Static"}

    path = tmp_path / "state.json"
    save_state(path, saved)
    async with open_client(empty_scenario()) as from_file:
        await from_file.put("/_mock/state", json=read_state(path))
        assert (await from_file.get("/_mock/state")).json() == saved


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda s: s["groups"].append({"id": 10, "name": "Again", "type": "Static"}), "groups[3].id: duplicate group id 10"),
        (lambda s: s["groups"].append({"id": 50, "name": "VIP", "type": "Static"}), "groups[3].name: duplicate group name 'VIP'"),
        (lambda s: s["groups"][0].update(type="Fancy"), "groups[0].type: must be one of Static, Dynamic, Combined"),
        (lambda s: s["groups"][0].update(id=0), "groups[0].id"),
        (lambda s: s["subscriptions"]["contacts"].update({"1": ["weekly"]}), "subscriptions.contacts.1: must be a list of category keys"),
        (lambda s: s["subscriptions"]["contacts"].update({"x": []}), "subscriptions.contacts.x: must be keyed by a contact id"),
        (lambda s: s["subscriptions"]["categories"][1].update(key="news"), "subscriptions.categories[1].key"),
        (lambda s: s["subscriptions"]["categories"][0].pop("created_at"), "subscriptions.categories[0].created_at"),
        (lambda s: s["subscriptions"].update(unsubscribed_emails=[5]), "subscriptions.unsubscribed_emails"),
        (lambda s: s["token_activation"]["inactive"].update({APP_UUID: "111"}), f"token_activation.inactive.{APP_UUID}"),
        (lambda s: s.pop("groups"), "missing keys: groups"),
    ],
)
async def test_a_malformed_audience_part_is_refused_and_changes_nothing(mutate, reason):
    async with open_client(audience_scenario()) as client:
        await session(client)
        before = (await client.get("/_mock/state")).json()
        bad = (await client.get("/_mock/state")).json()
        mutate(bad)
        r = await client.put("/_mock/state", json=bad)
        assert r.status_code == 400 and reason in r.json()["error"], r.text
        assert (await client.get("/_mock/state")).json() == before
