"""Email, SMS and Viber sends: captured in the outbox, resolved to contacts, statuses readable."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.domain.contacts.groups import Group
from mockserver.scenario import load_scenario
from tests.conftest import APP_UUID, SCENARIOS, basic

pytestmark = pytest.mark.anyio

EMAIL = {"from": "Shop <shop@example.com>", "subject": "Order", "htmlText": "<b>Thanks</b>"}


def client_with(**assumptions) -> httpx.AsyncClient:
    """A client of an emulator whose scenario switches some assumptions."""
    scenario = load_scenario(SCENARIOS / "blocked_user.yaml")
    scenario["assumptions"] = {**scenario.get("assumptions", {}), **assumptions}
    transport = httpx.ASGITransport(app=create_app(Emulator(scenario)))
    return httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic())


async def state(client):
    return (await client.get("/_mock/state")).json()


async def test_an_email_goes_to_the_contact_holding_the_address(client):
    r = await client.post("/api/v1/message/email", json={**EMAIL, "emails": ["TARAS@example.com"], "tags": ["order"]})
    assert r.status_code == 200
    result = r.json()["results"]  # one address: a bare object, as the other wrapper lists
    assert result["locator"] == "TARAS@example.com" and result["status"] == "OK"
    outbox = (await client.get("/_mock/outbox")).json()
    assert outbox["count"] == 1
    sent = outbox["messages"][0]
    assert (sent["channel"], sent["to"], sent["contactId"], sent["contactCreated"]) == ("email", "TARAS@example.com", 1001, False)
    assert sent["content"]["subject"] == "Order" and sent["tags"] == ["order"] and sent["requestId"] == result["requestId"]
    status = (await client.get("/api/v1/message/status", params={"ids": result["requestId"]})).json()
    assert status == {"results": {"requestId": result["requestId"], "status": "DELIVERED", "delivered": True, "failed": False}}


async def test_an_unknown_address_creates_a_contact(client):
    r = await client.post("/api/v1/message/sms", json={"from": "Shop", "text": "Hi", "phoneNumbers": ["+38 (099) 000-11-22", "380501112233"]})
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["OK", "OK"]
    sent = (await client.get("/_mock/outbox", params={"channel": "sms"})).json()["messages"]
    assert [s["contactCreated"] for s in sent] == [True, False] and sent[1]["contactId"] == 1001
    created = next(c for c in (await state(client))["contacts"] if c["id"] == sent[0]["contactId"])
    assert created["phone"] == "+38 (099) 000-11-22"


async def test_viber_to_a_group_reaches_its_members(emulator, client):
    contact = emulator.world.contacts.get(1003)
    vip = emulator.world.groups.add(Group(7, "vip"))
    contact.groups = [*contact.groups, vip.as_dict()]
    r = await client.post("/api/v1/message/viber", json={"text": "Sale", "iosExpirityText": "late", "groupId": 7})
    assert r.json()["results"]["locator"] == "+380671234567"
    sent = (await client.get("/_mock/outbox", params={"to": "380671234567"})).json()["messages"]
    assert [(s["channel"], s["contactId"]) for s in sent] == [("viber", 1003)]


@pytest.mark.parametrize(
    "path, body, message",
    [
        ("email", {"emails": ["a@example.com"], "from": "x", "subject": "s"}, "htmlText is required"),
        ("email", {**EMAIL}, "emails is required: whom to send to"),
        ("email", {**EMAIL, "emails": ["not-an-address"]}, "emails[0] is not an email address: 'not-an-address'"),
        ("sms", {"from": "x", "text": "t"}, "phoneNumbers or groupId is required: whom to send to"),
        ("sms", {"from": "x", "text": "t", "phoneNumbers": ["12"]}, "phoneNumbers[0] is not a phone number (7 to 15 digits): '12'"),
        ("sms", {"from": "x", "text": "t", "groupId": "seven"}, "groupId must be an integer from -2147483648 to 2147483647"),
        ("viber", {"text": "t", "phoneNumbers": ["+380501112233"]}, "iosExpirityText is required"),
        ("viber", {"text": "t", "iosExpirityText": "e", "phoneNumbers": "+380501112233"}, "phoneNumbers must be an array of strings"),
        ("email", [], "Request body must be a JSON object"),
    ],
)
async def test_refusals_name_the_field_and_change_nothing(client, path, body, message):
    before = await state(client)
    r = await client.post(f"/api/v1/message/{path}", json=body)
    assert (r.status_code, r.text) == (400, message)
    assert await state(client) == before


async def test_outbox_filters_one_message_and_clearing(client):
    await client.post("/api/v1/message/email", json={**EMAIL, "emails": ["a@example.com", "b@example.com"]})
    first = (await client.post("/api/v1/message/sms", json={"from": "x", "text": "t", "phoneNumbers": ["+380501112233"]})).json()
    everything = (await client.get("/_mock/outbox")).json()["messages"]
    assert [m["id"] for m in everything] == [1, 2, 3]
    assert [m["id"] for m in (await client.get("/_mock/outbox", params={"since": 1})).json()["messages"]] == [2, 3]
    assert [m["to"] for m in (await client.get("/_mock/outbox", params={"to": "B@EXAMPLE.COM"})).json()["messages"]] == ["b@example.com"]
    one = (await client.get("/_mock/outbox/3")).json()
    assert one["channel"] == "sms" and one["created"].endswith("Z")
    bad = await client.get("/_mock/outbox", params={"channel": "fax"})
    assert bad.status_code == 400 and "channel must be one of email, sms, viber" in bad.json()["error"]
    assert (await client.delete("/_mock/outbox")).json() == {"removed": 3}
    assert (await client.get("/_mock/outbox")).json() == {"count": 0, "messages": []}
    assert (await client.get("/_mock/outbox/3")).status_code == 404
    # cleared from view only: the API still knows the status, and ids go on
    status = (await client.get("/api/v1/message/status", params={"ids": first["results"]["requestId"]})).json()
    assert status["results"]["status"] == "DELIVERED"
    await client.post("/api/v1/message/email", json={**EMAIL, "emails": ["c@example.com"]})
    assert [m["id"] for m in (await client.get("/_mock/outbox")).json()["messages"]] == [4]


async def test_status_as_the_vendor_array_under_the_switch():
    async with client_with(message_status="array", single_item_lists="array") as client:
        sent = (await client.post("/api/v1/message/email", json={**EMAIL, "emails": ["a@example.com"]})).json()
        request_id = sent["results"][0]["requestId"]
        status = (await client.get("/api/v1/message/status", params={"ids": request_id})).json()
        assert status == [{"results": [{"requestId": request_id, "status": "DELIVERED", "delivered": True, "failed": False}]}]


async def test_empty_answers_switch_sends_nothing_at_all():
    async with client_with(empty_answers="empty") as client:
        r = await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "9", "email": "n@example.com"}]})
        assert (r.status_code, r.content, r.headers.get("content-type")) == (200, b"", None)
        r = await client.post(f"/api/v1/apps/{APP_UUID}/token/mute", json={"token": "9"})
        assert (r.status_code, r.content, r.headers.get("content-type")) == (200, b"", None)


async def test_sends_survive_the_state_round_trip(client):
    await client.post("/api/v1/message/email", json={**EMAIL, "emails": ["a@example.com"]})
    await client.delete("/_mock/outbox")
    await client.post("/api/v1/message/sms", json={"from": "x", "text": "t", "phoneNumbers": ["+380501112233"]})
    saved = await state(client)
    assert (await client.post("/_mock/reset")).status_code == 200
    assert (await client.put("/_mock/state", json=saved)).status_code == 200
    assert await state(client) == saved
    assert [m["id"] for m in (await client.get("/_mock/outbox")).json()["messages"]] == [2]
    nxt = (await client.post("/api/v1/message/sms", json={"from": "x", "text": "t", "phoneNumbers": ["+380501112233"]})).json()
    assert (await client.get("/_mock/outbox/3")).json()["requestId"] == nxt["results"]["requestId"]


async def test_a_broken_outbox_in_a_state_is_refused(client):
    await client.post("/api/v1/message/email", json={**EMAIL, "emails": ["a@example.com"]})
    saved = await state(client)
    saved["sent"]["messages"][0]["channel"] = "fax"
    r = await client.put("/_mock/state", json=saved)
    assert r.status_code == 400 and "sent.messages[0].channel" in str(r.json())


async def test_smartsend_of_an_email_template_is_captured_with_its_params(client):
    body = {"name": "Order", "from": "shop@example.com", "subject": "Order $!data.get('n')", "htmlText": "<p>Hi ${data.name}</p>"}
    template_id = (await client.post("/api/v1/messages/email", json=body)).json()["id"]
    r = await client.post(f"/api/v1/message/{template_id}/smartsend", json={"recipients": [
        {"contactId": 1001, "jsonParam": '{"n": "42", "name": "Taras"}'},
        {"contactId": 1003},
        {"locator": "nobody@example.com"},
    ]})
    results = r.json()["results"]
    assert [(x["locator"], x["status"]) for x in results] == [
        ("taras@example.com", "OK"), ("1003", "ERROR"), ("nobody@example.com", "ERROR")]
    assert results[1]["message"] == "Contact 1003 has no email channel"
    sent = (await client.get("/_mock/outbox")).json()["messages"]
    assert [(s["to"], s["messageId"], s["content"]["subject"], s["content"]["htmlText"]) for s in sent] == [
        ("taras@example.com", template_id, "Order 42", "<p>Hi Taras</p>")]
