"""POST /api/v1/contacts (bulk add/update) and GET /api/v1/importstatus/{sessionId}."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from mockserver import Emulator, create_app
from tests.api.contact_helpers import ESPUTNIK_JSON, contact, snapshot, state_contact
from tests.conftest import basic

pytestmark = pytest.mark.anyio

URL = "/api/v1/contacts"


def email(value: str) -> dict:
    return {"type": "email", "value": value}


def sms(value: str) -> dict:
    return {"type": "sms", "value": value}


async def bulk(client, **body) -> dict:
    r = await client.post(URL, json=body)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == ESPUTNIK_JSON
    return r.json()


async def status(client, session_id: str) -> dict:
    r = await client.get(f"/api/v1/importstatus/{session_id}")
    assert r.status_code == 200, r.text
    return r.json()


async def test_answer_and_import_status(client, emulator):
    emulator.world.clock.freeze()
    emulator.world.clock.set(datetime(2026, 5, 1, 12, 0, tzinfo=UTC).timestamp())
    answer = await bulk(
        client,
        dedupeOn="email",
        contacts=[
            {"channels": [email("OLENA@example.com")], "firstName": "Olena", "lastName": "Kosach"},
            {"channels": [email("new@example.com")], "firstName": "Nova"},
        ],
    )
    assert answer == {"id": 0, "asyncSessionId": answer["asyncSessionId"], "failedContacts": []}
    assert await status(client, answer["asyncSessionId"]) == {
        "status": "FINISHED",
        "timestamp": "2026-05-01T12:00:00.000+00:00",
        "mapping": [
            {"dedupeValue": "OLENA@example.com", "contactId": 1002},
            {"dedupeValue": "new@example.com", "contactId": 1004},
        ],
    }
    olena = (await contact(client, 1002)).json()
    assert olena["lastName"] == "Kosach"
    assert email("olena@example.com") in olena["channels"]  # the dedupe field itself is not updated
    assert (await contact(client, 1004)).json()["firstName"] == "Nova"


async def test_later_items_see_earlier_ones(client):
    answer = await bulk(
        client,
        dedupeOn="email",
        contacts=[{"channels": [email("twin@example.com")], "firstName": "A"}, {"channels": [email("twin@example.com")], "firstName": "B"}],
    )
    mapping = (await status(client, answer["asyncSessionId"]))["mapping"]
    assert [m["contactId"] for m in mapping] == [1004, 1004]
    assert (await contact(client, 1004)).json()["firstName"] == "B"


async def test_one_failed_contact_is_a_bare_object(client):
    before = await snapshot(client)
    answer = await bulk(client, dedupeOn="email", contacts=[{"channels": [email("broken")], "firstName": "X"}])
    assert answer["failedContacts"] == {
        "channels": [email("broken")],
        "firstName": "X",
        "error": "contacts[0].channels[0].value 'broken' is not a valid email address",
    }
    assert answer["errorMessage"] == "1 of 1 contacts failed"
    after = await snapshot(client)
    # The state now carries import sessions: this one is new, and nothing else changed.
    assert [session["id"] for session in after[0].pop("imports")] == [answer["asyncSessionId"]]
    before[0].pop("imports")
    assert after == before


async def test_two_failed_contacts_are_an_array(client):
    answer = await bulk(client, dedupeOn="email", contacts=[{"channels": [email("bad")]}, 7])
    assert isinstance(answer["failedContacts"], list)
    assert [f["error"] for f in answer["failedContacts"]] == [
        "contacts[0].channels[0].value 'bad' is not a valid email address",
        "contacts[1] must be a JSON object (a contact)",
    ]


async def test_single_item_lists_can_be_switched_to_arrays(scenario):
    scenario = {**scenario, "assumptions": {"single_item_lists": "array"}}
    transport = httpx.ASGITransport(app=create_app(Emulator(scenario)))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        answer = await bulk(client, dedupeOn="email", contacts=[{"channels": [email("bad")]}])
    assert isinstance(answer["failedContacts"], list) and len(answer["failedContacts"]) == 1


async def test_external_customer_id_takes_precedence_over_dedupe_on(client):
    await bulk(client, dedupeOn="email", contacts=[{"externalCustomerId": "C-3", "channels": [email("ivan@example.com")]}])
    ivan = (await contact(client, 1003)).json()
    assert email("ivan@example.com") in ivan["channels"]


async def test_unknown_external_id_with_a_known_email_updates_that_contact(client):
    answer = await bulk(client, dedupeOn="email", contacts=[{"externalCustomerId": "NEW-1", "channels": [email("olena@example.com")]}])
    assert (await status(client, answer["asyncSessionId"]))["mapping"] == [{"dedupeValue": "NEW-1", "contactId": 1002}]
    assert (await contact(client, 1002)).json()["externalCustomerId"] == "NEW-1"


async def test_email_shared_by_contacts_with_other_external_ids_makes_a_new_contact(client):
    await client.post("/api/v1/contact", json={"channels": [email("shared@example.com")], "externalCustomerId": "A"})
    await client.post("/api/v1/contact", json={"channels": [email("other@example.com")], "externalCustomerId": "B"})
    await client.put("/api/v1/contact/1005", json={"channels": [email("shared@example.com")]})
    answer = await bulk(client, dedupeOn="email", contacts=[{"externalCustomerId": "C", "channels": [email("shared@example.com")]}])
    assert (await status(client, answer["asyncSessionId"]))["mapping"] == [{"dedupeValue": "C", "contactId": 1006}]


async def test_shared_email_goes_to_the_most_recent_holder_without_an_external_id(client):
    await client.post("/api/v1/contact", json={"channels": [email("shared@example.com")], "externalCustomerId": "A"})
    await client.post("/api/v1/contact", json={"channels": [email("x@example.com")]})
    await client.put("/api/v1/contact/1005", json={"channels": [email("shared@example.com")]})
    answer = await bulk(client, dedupeOn="email", contacts=[{"externalCustomerId": "C", "channels": [email("shared@example.com")]}])
    assert (await status(client, answer["asyncSessionId"]))["mapping"] == [{"dedupeValue": "C", "contactId": 1005}]


async def test_without_contact_fields_everything_is_updated_and_missing_data_cleared(client):
    await bulk(client, dedupeOn="externalCustomerId", contacts=[{"externalCustomerId": "C-1", "lastName": "Shevchenko"}])
    taras = (await contact(client, 1001)).json()
    assert "firstName" not in taras and taras["lastName"] == "Shevchenko"
    assert [c["type"] for c in taras["channels"]] == ["telegrambot"]  # email and sms cleared, the token kept


async def test_contact_fields_limit_the_update(client):
    await bulk(
        client,
        dedupeOn="externalCustomerId",
        contactFields=["lastName"],
        contacts=[{"externalCustomerId": "C-1", "lastName": "Shevchenko", "firstName": "Ignored"}],
    )
    taras = (await contact(client, 1001)).json()
    assert taras["firstName"] == "Taras" and taras["lastName"] == "Shevchenko"
    assert email("taras@example.com") in taras["channels"]


async def test_orders_info_is_accepted_and_changes_nothing(client):
    """The vendor lists ``ordersInfo`` among contactFields (deprecated); the emulator keeps no orders info."""
    before = (await contact(client, 1001)).json()
    answer = await bulk(client, dedupeOn="externalCustomerId", contactFields=["ordersInfo"],
                        contacts=[{"externalCustomerId": "C-1", "firstName": "Ignored"}])
    assert answer["failedContacts"] == []
    after = (await contact(client, 1001)).json()
    assert after == before


async def test_dedupe_on_sms_and_email_or_sms(client):
    answer = await bulk(client, dedupeOn="sms", contactFields=["firstName"], contacts=[{"channels": [sms("380671234567")], "firstName": "Ivanko"}])
    assert (await status(client, answer["asyncSessionId"]))["mapping"] == [{"dedupeValue": "380671234567", "contactId": 1003}]
    answer = await bulk(client, dedupeOn="email_or_sms", contactFields=["firstName"], contacts=[{"channels": [sms("+380501112233")], "firstName": "T"}])
    assert (await status(client, answer["asyncSessionId"]))["mapping"][0]["contactId"] == 1001


async def test_dedupe_on_email_or_sms_takes_the_email_when_both_are_sent(client):
    item = {"channels": [sms("+380671234567"), email("taras@example.com")], "firstName": "T"}
    answer = await bulk(client, dedupeOn="email_or_sms", contactFields=["firstName"], contacts=[item])
    mapping = (await status(client, answer["asyncSessionId"]))["mapping"]
    assert mapping == [{"dedupeValue": "taras@example.com", "contactId": 1001}]
    assert (await contact(client, 1003)).json()["firstName"] == "Ivan"


async def test_dedupe_on_id(client):
    answer = await bulk(client, dedupeOn="id", contactFields=["firstName"], contacts=[{"id": 1003, "firstName": "I"}, {"id": 5, "firstName": "J"}])
    assert (await contact(client, 1003)).json()["firstName"] == "I"
    assert answer["failedContacts"]["error"] == "contacts[1]: no contact with id 5"
    answer = await bulk(client, dedupeOn="id", contacts=[{"id": "1003"}])
    assert answer["failedContacts"]["error"] == "contacts[0].id must be an int64 integer"


async def test_dedupe_on_a_custom_field(client):
    await client.put("/api/v1/contact/1002", json={"fields": [{"id": 3, "value": "L-42"}]})
    answer = await bulk(
        client,
        dedupeOn="fieldId",
        fieldId=3,
        customFieldsIDs=[3, 4],
        contactFields=["firstName"],
        contacts=[{"fields": [{"id": 3, "value": "L-42"}, {"id": 4, "value": "vip"}], "firstName": "Lesia"}],
    )
    assert (await status(client, answer["asyncSessionId"]))["mapping"] == [{"dedupeValue": "L-42", "contactId": 1002}]
    olena = (await contact(client, 1002)).json()
    assert olena["firstName"] == "Lesia" and olena["fields"] == [{"id": 3, "value": "L-42"}, {"id": 4, "value": "vip"}]


async def test_item_without_a_dedupe_value_fails(client):
    answer = await bulk(client, dedupeOn="email", contacts=[{"channels": [sms("+380991112233")]}])
    assert answer["failedContacts"]["error"] == "contacts[0] has no externalCustomerId and no email value to dedupe on"


async def test_groups_are_added_and_removed(client):
    await bulk(client, dedupeOn="externalCustomerId", contactFields=[], groupNames=["vip", "news"], contacts=[{"externalCustomerId": "C-2"}])
    assert (await contact(client, 1002)).json()["groups"] == [
        {"id": 1, "name": "vip", "type": "Static"},
        {"id": 2, "name": "news", "type": "Static"},
    ]
    await bulk(client, dedupeOn="externalCustomerId", contactFields=[], groupNamesExclude=["vip"], contacts=[{"externalCustomerId": "C-2"}])
    assert (await contact(client, 1002)).json()["groups"] == [{"id": 2, "name": "news", "type": "Static"}]


async def test_deleted_contacts_are_skipped_unless_restore_deleted(client):
    await client.delete("/api/v1/contact/1003")
    item = {"externalCustomerId": "C-3", "firstName": "Ivan"}
    answer = await bulk(client, dedupeOn="externalCustomerId", contactFields=["firstName"], contacts=[item])
    assert answer["failedContacts"]["error"] == "contacts[0]: contact 1003 is deleted; send restoreDeleted=true to restore it"
    assert state_contact((await client.get("/_mock/state")).json(), 1003)["deleted"] is True
    await bulk(client, dedupeOn="externalCustomerId", contactFields=["firstName"], restoreDeleted=True, contacts=[item])
    assert (await contact(client, 1003)).status_code == 200


async def test_3000_contacts_fit_in_one_request(client):
    contacts = [{"channels": [email(f"user{n}@example.com")]} for n in range(3000)]
    answer = await bulk(client, dedupeOn="email", contacts=contacts)
    assert answer["failedContacts"] == []
    mapping = (await status(client, answer["asyncSessionId"]))["mapping"]
    assert len(mapping) == 3000 and mapping[-1] == {"dedupeValue": "user2999@example.com", "contactId": 4003}


async def test_the_batch_limit_comes_from_the_scenario(scenario):
    scenario = {**scenario, "limits": {**scenario.get("limits", {}), "contact_batch": 2}}
    transport = httpx.ASGITransport(app=create_app(Emulator(scenario)))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        before = await snapshot(client)
        r = await client.post(URL, json={"dedupeOn": "email", "contacts": [{"channels": [email("a@b.cd")]}] * 3})
        assert (r.status_code, r.text) == (400, "Too many contacts: 3 (at most 2 per request)")
        assert await snapshot(client) == before
        assert (await bulk(client, dedupeOn="email", contacts=[{"channels": [email("a@b.cd")]}] * 2))["failedContacts"] == []


@pytest.mark.parametrize(
    "body, message",
    [
        ([], "must be a JSON object"),
        ({"dedupeOn": "email"}, "Field 'contacts' is required"),
        ({"dedupeOn": "email", "contacts": {}}, "Field 'contacts' must be an array"),
        ({"dedupeOn": "email", "contacts": []}, "Field 'contacts' must not be empty"),
        ({"dedupeOn": "email", "contacts": [{}] * 3001}, "Too many contacts: 3001"),
        ({"contacts": [{}]}, "Field 'dedupeOn' is required"),
        ({"contacts": [{}], "dedupeOn": "phone"}, "Field 'dedupeOn' must be one of"),
        ({"contacts": [{}], "dedupeOn": "fieldId"}, "Field 'fieldId' is required when dedupeOn is fieldId"),
        ({"contacts": [{}], "dedupeOn": "email", "fieldId": "3"}, "Field 'fieldId' must be a positive int64 integer"),
        ({"contacts": [{}], "dedupeOn": "email", "contactFields": ["nickname"]}, "unknown field 'nickname'"),
        ({"contacts": [{}], "dedupeOn": "email", "customFieldsIDs": ["3"]}, "customFieldsIDs' must be an array of positive int32"),
        ({"contacts": [{}], "dedupeOn": "email", "groupNames": [""]}, "groupNames must be an array of non-empty strings"),
        ({"contacts": [{}], "dedupeOn": "email", "restoreDeleted": "yes"}, "restoreDeleted' must be a boolean"),
        ({"contacts": [{}], "dedupeOn": "email", "eventKeyForNewContacts": "k" * 101}, "eventKeyForNewContacts"),
    ],
)
async def test_bad_requests_change_nothing(client, body, message):
    before = await snapshot(client)
    r = await client.post(URL, json=body)
    assert r.status_code == 400 and message in r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert await snapshot(client) == before
    assert (await client.get("/api/v1/importstatus/00000000-0000-0000-0000-000000000001")).status_code == 404


async def test_unknown_import_session(client):
    r = await client.get("/api/v1/importstatus/nope/")
    assert (r.status_code, r.text) == (404, "Import session 'nope' not found")
