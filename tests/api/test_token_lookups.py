"""Token look-ups: the contact behind a token and its activation, by the tokens rules (a removed token is
no longer found; a bad app uuid is 400, an unknown app or token 404; activation is kept per token)."""

from __future__ import annotations

import pytest

from tests.api.audience_helpers import audience_client
from tests.conftest import APP_UUID

pytestmark = pytest.mark.anyio

OTHER_APP = "3fa85f64-5717-4562-b3fc-2c963f66afa7"


def contact_path(token: str, app: str = APP_UUID) -> str:
    return f"/api/v1/contact/token/{app}/{token}/contactId"


def active_path(token: str, app: str = APP_UUID) -> str:
    return f"/api/v1/contact/token/activated/{app}/{token}"


async def test_a_token_leads_to_its_contact_and_a_new_token_too():
    async with audience_client() as client:
        assert (await client.get(contact_path("111"))).json() == {"id": 1}
        await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "333", "contactId": 3}]})
        assert (await client.get(contact_path("333"))).json() == {"id": 3}


@pytest.mark.parametrize(
    "path, status, message",
    [
        (contact_path("999"), 404, f"Token '999' is not registered for application {APP_UUID}"),
        (contact_path("111", "not-a-uuid"), 400, "Wrong app uuid"),
        (contact_path("111", OTHER_APP), 404, "Not registered application"),
        (active_path("999"), 404, f"Token '999' is not registered for application {APP_UUID}"),
        (active_path("111", "not-a-uuid"), 400, "Wrong app uuid"),
        (active_path("111", OTHER_APP), 404, "Not registered application"),
    ],
)
async def test_unknown_apps_and_tokens_are_the_vendors_refusals(path, status, message):
    async with audience_client() as client:
        r = await client.get(path)
        assert (r.status_code, r.text) == (status, message)


async def test_a_removed_token_is_no_longer_found():
    async with audience_client() as client:
        await client.delete("/api/v1/contact/1")  # a soft-deleted card holds no tokens
        assert (await client.get(contact_path("111"))).status_code == 404
        assert (await client.get(active_path("111"))).status_code == 404


async def test_activation_is_kept_per_token_and_echoed():
    async with audience_client() as client:
        assert (await client.get(active_path("111"))).json() == {"active": True}
        r = await client.put(active_path("111"), json={"active": False})
        assert (r.status_code, r.json()) == (200, {"active": False})
        assert (await client.get(active_path("111"))).json() == {"active": False}
        assert (await client.get(active_path("222"))).json() == {"active": True}
        assert (await client.get("/_mock/state")).json()["token_activation"] == {"inactive": {APP_UUID: ["111"]}}
        assert (await client.put(active_path("111"), json={"active": True})).json() == {"active": True}
        assert (await client.get("/_mock/state")).json()["token_activation"] == {"inactive": {}}


async def test_an_inactive_token_removed_and_registered_again_starts_active():
    async with audience_client() as client:
        await client.put(active_path("222"), json={"active": False})
        await client.delete("/api/v1/contact/2")
        assert (await client.get(active_path("222"))).status_code == 404
        await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "222", "contactId": 3}]})
        assert (await client.get(active_path("222"))).json() == {"active": True}


async def test_a_scenario_sets_tokens_inactive():
    async with audience_client(inactive_tokens={"shop_bot": ["222"]}) as client:
        assert (await client.get(active_path("222"))).json() == {"active": False}


@pytest.mark.parametrize(
    "path, body, status, message",
    [
        (active_path("111"), {}, 400, "Field 'active' is required and must be true or false"),
        (active_path("111"), {"active": "no"}, 400, "Field 'active' is required and must be true or false"),
        (active_path("111"), [], 400, "Request body must be a JSON object with 'active'"),
        (active_path("999"), {"active": False}, 404, "Token '999' is not registered"),
        (active_path("111", "not-a-uuid"), {"active": False}, 400, "Wrong app uuid"),
    ],
)
async def test_setting_activation_refusals_name_the_field_and_change_nothing(path, body, status, message):
    async with audience_client() as client:
        r = await client.put(path, json=body)
        assert r.status_code == status and message in r.text, r.text
        assert (await client.get("/_mock/state")).json()["token_activation"] == {"inactive": {}}


async def test_a_token_held_twice_leads_to_the_most_recently_updated_holder():
    async with audience_client() as client:
        await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "111", "contactId": 3}]})
        assert (await client.get(contact_path("111"))).json() == {"id": 3}
        await client.put("/api/v1/contact/1", json={"firstName": "Ann"})
        assert (await client.get(contact_path("111"))).json() == {"id": 1}
