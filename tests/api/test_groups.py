"""Groups: the registry a scenario declares, searched and paged; members read, attached and detached;
broadcasts and group sends aimed at a group by id, an unknown group refused."""

from __future__ import annotations

import pytest

from tests.api.audience_helpers import audience_client
from tests.conftest import APP_UUID

pytestmark = pytest.mark.anyio


async def test_scenario_groups_get_ids_and_types_and_contacts_show_them():
    async with audience_client() as client:
        r = await client.get("/api/v1/groups")
        assert r.status_code == 200 and r.headers["TotalCount"] == "2"
        assert r.json() == [{"id": 10, "name": "VIP", "type": "Static"}, {"id": 11, "name": "Smart", "type": "Dynamic"}]
        card = (await client.get("/api/v1/contact/1")).json()
        assert card["groups"] == [{"id": 10, "name": "VIP", "type": "Static"}]


async def test_search_narrows_by_name_and_pages():
    async with audience_client() as client:
        assert (await client.get("/api/v1/groups", params={"name": "sma"})).json() == [{"id": 11, "name": "Smart", "type": "Dynamic"}]
        r = await client.get("/api/v1/groups", params={"startindex": 2, "maxrows": 1})
        assert r.json() == [{"id": 11, "name": "Smart", "type": "Dynamic"}] and r.headers["TotalCount"] == "2"
        assert (await client.get("/api/v1/groups", params={"name": "nothing"})).json() == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"maxrows": 501}, "maxrows must be an integer from 1 to 500"),
        ({"startindex": 0}, "startindex must be an integer from 1 to"),
    ],
)
async def test_search_refuses_bad_paging(params, message):
    async with audience_client() as client:
        r = await client.get("/api/v1/groups", params=params)
        assert r.status_code == 400 and message in r.text


async def test_attach_and_detach_change_the_members_and_the_cards():
    async with audience_client() as client:
        r = await client.post("/api/v1/group/10/contacts/attach", json={"contactIds": [2], "externalCustomerIds": ["C-1"]})
        assert (r.status_code, r.json()) == (200, "")
        members = await client.get("/api/v1/group/10/contacts")
        assert [c["id"] for c in members.json()] == [1, 2] and members.headers["TotalCount"] == "2"
        newest_first = await client.get("/api/v1/group/10/contacts", params={"orderByTs": "true", "asc": "false"})
        assert [c["id"] for c in newest_first.json()] == [2, 1]
        assert (await client.post("/api/v1/group/10/contacts/detach", json={"contactIds": [1]})).status_code == 200
        assert [c["id"] for c in (await client.get("/api/v1/group/10/contacts")).json()] == [2]
        assert "groups" not in (await client.get("/api/v1/contact/1")).json()


@pytest.mark.parametrize(
    "path, body, status, message",
    [
        ("/api/v1/group/10/contacts/attach", {}, 400, "contactIds or externalCustomerIds is required"),
        ("/api/v1/group/10/contacts/attach", {"contactIds": ["1"]}, 400, "contactIds must be an array of contact ids"),
        ("/api/v1/group/10/contacts/attach", {"contactIds": {}}, 400, "contactIds must be an array of contact ids"),
        ("/api/v1/group/10/contacts/attach", {"externalCustomerIds": [" "]}, 400, "externalCustomerIds must be an array of non-empty strings"),
        ("/api/v1/group/10/contacts/attach", {"contactIds": list(range(501))}, 400, "at most 500 per request"),
        ("/api/v1/group/10/contacts/attach", {"contactIds": [2, 99]}, 404, "Contact with id='99' not found"),
        ("/api/v1/group/10/contacts/detach", {"externalCustomerIds": ["nope"]}, 404, "externalCustomerId='nope' not found"),
        ("/api/v1/group/11/contacts/attach", {"contactIds": [2]}, 409, "Group 11 is Dynamic"),
        ("/api/v1/group/99/contacts/attach", {"contactIds": [2]}, 404, "Group with id=99 not found"),
        ("/api/v1/group/x/contacts/attach", {"contactIds": [2]}, 400, "Group id must be a positive int32 integer"),
    ],
)
async def test_attach_and_detach_refusals_name_the_problem_and_change_nothing(path, body, status, message):
    async with audience_client() as client:
        before = (await client.get("/_mock/state")).json()["contacts"]
        r = await client.post(path, json=body)
        assert r.status_code == status and message in r.text, r.text
        assert (await client.get("/_mock/state")).json()["contacts"] == before


@pytest.mark.parametrize(
    "path, params, status, message",
    [
        ("/api/v1/group/99/contacts", {}, 404, "Group with id=99 not found"),
        ("/api/v1/group/0/contacts", {}, 400, "Group id must be a positive int32 integer"),
        ("/api/v1/group/10/contacts", {"asc": "maybe"}, 400, "Parameter asc must be true or false"),
        ("/api/v1/group/10/contacts", {"maxrows": 0}, 400, "maxrows must be an integer from 1 to 500"),
    ],
)
async def test_group_contacts_refusals(path, params, status, message):
    async with audience_client() as client:
        r = await client.get(path, params=params)
        assert r.status_code == status and message in r.text


async def test_bulk_group_names_and_subscribe_groups_join_the_registry():
    async with audience_client() as client:
        await client.post("/api/v1/contacts", json={"dedupeOn": "email", "groupNames": ["VIP", "Autumn"],
                                                    "contacts": [{"channels": [{"type": "email", "value": "bulk@example.com"}]}]})
        groups = (await client.get("/api/v1/groups")).json()
        assert groups[-1] == {"id": 12, "name": "Autumn", "type": "Static"}
        found = (await client.get("/api/v1/contacts", params={"email": "bulk@example.com"})).json()[0]
        assert [g["id"] for g in found["groups"]] == [10, 12]


async def test_a_broadcast_reaches_only_the_group_it_targets_by_id():
    async with audience_client() as client:
        template = (await client.post("/api/v1/messages/telegram", json={"name": "Sale", "text": "Sale today"})).json()["id"]
        r = await client.post("/api/v1/broadcast", json={"messageId": template, "appId": APP_UUID, "groups": [10]})
        assert r.status_code == 200 and r.json()["groupId"] == "10"
        deliveries = (await client.get("/_mock/state")).json()["deliveries"]
        assert [d["chat_id"] for d in deliveries] == ["111"]  # contact 1 is in VIP; contact 2 is not
        excluded = await client.post("/api/v1/broadcast", json={"messageId": template, "appId": APP_UUID, "excludedGroups": [10]})
        assert excluded.status_code == 200
        assert [d["chat_id"] for d in (await client.get("/_mock/state")).json()["deliveries"]][1:] == ["222"]


async def test_a_broadcast_to_an_unknown_group_is_refused_and_sends_nothing():
    async with audience_client() as client:
        template = (await client.post("/api/v1/messages/telegram", json={"name": "Sale", "text": "Sale today"})).json()["id"]
        for key in ("groups", "excludedGroups"):
            r = await client.post("/api/v1/broadcast", json={"messageId": template, "appId": APP_UUID, key: [10, 404]})
            assert (r.status_code, r.text) == (404, "Group with id=404 not found")
        state = (await client.get("/_mock/state")).json()
        assert state["deliveries"] == [] and state["broadcasts"] == []


async def test_an_sms_to_a_group_reaches_its_members_and_an_unknown_group_is_refused():
    async with audience_client() as client:
        await client.post("/api/v1/group/10/contacts/attach", json={"contactIds": [2]})
        r = await client.post("/api/v1/message/sms", json={"from": "Shop", "text": "Hi", "groupId": 10})
        assert r.status_code == 200
        sent = (await client.get("/_mock/outbox", params={"channel": "sms"})).json()["messages"]
        assert [s["contactId"] for s in sent] == [2]
        r = await client.post("/api/v1/message/sms", json={"from": "Shop", "text": "Hi", "groupId": 77})
        assert (r.status_code, r.text) == (404, "Group with id=77 not found")
