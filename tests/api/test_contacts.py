"""One contact at a time: add/update, read, update, delete, and the store shared with the tokens API."""

from __future__ import annotations

import pytest

from tests.api.contact_helpers import APP_UUID, ESPUTNIK_JSON, contact, snapshot, state_contact

pytestmark = pytest.mark.anyio

TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"


def email(value: str) -> dict:
    return {"type": "email", "value": value}


def sms(value: str) -> dict:
    return {"type": "sms", "value": value}


async def test_get_contact_shows_tokens_as_telegram_channels_and_omits_absent_fields(client):
    r = await contact(client, 1001)
    assert r.status_code == 200
    assert r.headers["content-type"] == ESPUTNIK_JSON
    assert r.json() == {
        "id": 1001,
        "firstName": "Taras",
        "channels": [email("taras@example.com"), sms("+380501112233"), {"type": "telegrambot", "value": "111"}],
        "externalCustomerId": "C-1",
    }


async def test_post_creates_a_contact_with_every_field(client):
    body = {
        "firstName": "Mariia",
        "lastName": "Koval",
        "channels": [email("mariia@example.com"), sms("+38 (097) 000-11-22")],
        "address": {"town": "Lviv", "postcode": "79000"},
        "fields": [{"id": 7, "value": "gold"}],
        "externalCustomerId": "C-9",
        "contactKey": "k-9",
        "languageCode": "uk",
        "timeZone": "Europe/Kyiv",
        "addressBookId": 8585,
    }
    r = await client.post("/api/v1/contact", json=body)
    assert r.status_code == 200 and r.json() == {"id": 1004}
    assert r.headers["content-type"] == ESPUTNIK_JSON
    shown = (await contact(client, 1004)).json()
    assert shown == {
        "id": 1004,
        "firstName": "Mariia",
        "lastName": "Koval",
        "channels": [email("mariia@example.com"), sms("+38 (097) 000-11-22")],
        "address": {"town": "Lviv", "postcode": "79000"},
        "fields": [{"id": 7, "value": "gold"}],
        "externalCustomerId": "C-9",
        "contactKey": "k-9",
        "languageCode": "uk",
        "timeZone": "Europe/Kyiv",
    }


async def test_post_with_a_known_email_updates_that_contact(client):
    r = await client.post("/api/v1/contact", json={"channels": [email("TARAS@example.com")], "lastName": "Shevchenko"})
    assert r.json() == {"id": 1001}
    shown = (await contact(client, 1001)).json()
    assert shown["firstName"] == "Taras" and shown["lastName"] == "Shevchenko"
    assert email("TARAS@example.com") in shown["channels"] and sms("+380501112233") in shown["channels"]
    assert len((await client.get("/_mock/state")).json()["contacts"]) == 3


async def test_post_with_a_known_phone_in_another_format_updates_that_contact(client):
    r = await client.post("/api/v1/contact", json={"channels": [sms("38 067 123 45 67")], "firstName": "Ivan2"})
    assert r.json() == {"id": 1003}
    assert (await contact(client, 1003)).json()["firstName"] == "Ivan2"


async def test_contact_made_here_is_found_by_token_registration(client):
    cid = (await client.post("/api/v1/contact", json={"channels": [email("new@example.com")]})).json()["id"]
    await client.post(TOKENS, json={"tokens": [{"token": "777", "email": "NEW@example.com"}]})
    assert {"type": "telegrambot", "value": "777"} in (await contact(client, cid)).json()["channels"]


async def test_contact_made_by_token_registration_is_read_here(client):
    await client.post(TOKENS, json={"tokens": [{"token": "555", "externalCustomerId": "X-1", "email": "t@example.com"}]})
    found = (await client.get("/api/v1/contacts", params={"externalCustomerId": "X-1"})).json()
    assert found == [
        {"id": 1004, "channels": [email("t@example.com"), {"type": "telegrambot", "value": "555"}], "externalCustomerId": "X-1"}
    ]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"firstName": "A"}, "channels is required"),
        ({"channels": []}, "channels must hold at least one channel"),
        ({"channels": None}, "channels is required"),
        ([email("a@b.cd")], "must be a JSON object"),
        ({"channels": "a@b.cd"}, "channels must be an array"),
        ({"channels": [email("a@b.cd")], "firstName": "x" * 41}, "firstName is longer than 40 characters"),
        ({"channels": [email("a@b.cd")], "lastName": "y" * 41}, "lastName is longer than 40 characters"),
        ({"channels": [email("a@b.cd")], "firstName": "x" * 300}, "firstName is longer than 40 characters"),
        ({"channels": [email("a@b.cd")], "firstName": 5}, "firstName must be a string"),
        ({"channels": [email("a@b.cd"), email("b@b.cd"), email("c@b.cd")]}, "at most 2 channels of type email"),
        ({"channels": [email("not-an-email")]}, "channels[0].value 'not-an-email' is not a valid email address"),
        ({"channels": [sms("call me")]}, "is not a valid phone number"),
        ({"channels": [sms("+12 34")]}, "is not a valid phone number"),
        ({"channels": [{"type": "pigeon", "value": "x"}]}, "channels[0].type must be one of"),
        ({"channels": [{"type": "email"}]}, "channels[0].value must be a non-empty string"),
        ({"channels": ["a@b.cd"]}, "channels[0] must be an object"),
        ({"channels": [email("a@b.cd")], "externalCustomerId": " "}, "externalCustomerId must not be empty"),
        ({"channels": [email("a@b.cd")], "fields": [{"id": "7", "value": "x"}]}, "fields[0].id must be a positive integer"),
        ({"channels": [email("a@b.cd")], "fields": [{"id": 7, "value": [1]}]}, "fields[0].value must be a string"),
        ({"channels": [email("a@b.cd")], "address": "Kyiv"}, "address must be an object"),
        ({"channels": [email("a@b.cd")], "address": {"town": 1}}, "address.town must be a string"),
        ({"channels": [email("a@b.cd")], "addressBookId": 1.5}, "addressBookId must be an int32 integer"),
    ],
)
async def test_post_refuses_invalid_contacts_and_changes_nothing(client, body, message):
    before = await snapshot(client)
    r = await client.post("/api/v1/contact", json=body)
    assert r.status_code == 400
    assert message in r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert await snapshot(client) == before


async def test_the_same_channel_value_twice_counts_once(client):
    body = {"channels": [email("a@b.cd"), email("a@b.cd"), email("b@b.cd")]}
    cid = (await client.post("/api/v1/contact", json=body)).json()["id"]
    assert (await contact(client, cid)).json()["channels"] == [email("a@b.cd"), email("b@b.cd")]


async def test_only_telegram_channels_make_a_contact_without_channels(client):
    r = await client.post("/api/v1/contact", json={"channels": [{"type": "telegrambot", "value": "9"}]})
    assert r.json() == {"id": 1004}
    assert (await contact(client, 1004)).json() == {"id": 1004, "channels": []}


async def test_post_needs_json(client):
    before = await snapshot(client)
    r = await client.post("/api/v1/contact", content=b"{", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "not valid JSON" in r.text
    r = await client.post("/api/v1/contact", content=b"{}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert await snapshot(client) == before


async def test_telegram_channels_sent_back_are_ignored(client):
    shown = (await contact(client, 1001)).json()
    shown["firstName"] = "Tarasyk"
    r = await client.put("/api/v1/contact/1001", json=shown)
    assert r.status_code == 200
    again = (await contact(client, 1001)).json()
    assert again == {**shown, "firstName": "Tarasyk"}


async def test_put_answers_the_exact_plain_text_under_a_json_content_type(client):
    r = await client.put("/api/v1/contact/1002/", json={"lastName": "Pchilka", "channels": [email("o@example.com")]})
    assert r.status_code == 200
    assert r.text == "Contact with id='1002' has been updated"
    assert r.headers["content-type"] == ESPUTNIK_JSON
    shown = (await contact(client, 1002)).json()
    assert shown["lastName"] == "Pchilka" and shown["firstName"] == "Olena"
    assert shown["channels"] == [email("o@example.com"), {"type": "telegrambot", "value": "222"}]


async def test_put_with_null_clears_a_field(client):
    await client.put("/api/v1/contact/1001", json={"firstName": None, "externalCustomerId": None})
    shown = (await contact(client, 1001)).json()
    assert "firstName" not in shown and "externalCustomerId" not in shown
    assert (await client.get("/api/v1/contacts", params={"externalCustomerId": "C-1"})).json() == []


@pytest.mark.parametrize(
    "path, status, message",
    [
        ("/api/v1/contact/9999", 404, "Contact with id='9999' not found"),
        ("/api/v1/contact/abc", 400, "Contact id must be an integer, got 'abc'"),
        ("/api/v1/contact/99999999999999999999", 400, "out of the int64 range"),
    ],
)
async def test_unknown_or_malformed_ids(client, path, status, message):
    before = await snapshot(client)
    for method, kwargs in (("GET", {}), ("PUT", {"json": {"firstName": "X"}}), ("DELETE", {})):
        r = await client.request(method, path, **kwargs)
        assert r.status_code == status and message in r.text
        assert r.headers["content-type"].startswith("text/plain")
    assert await snapshot(client) == before


@pytest.mark.parametrize(
    "body, message",
    [
        ({"firstName": "Z" * 41, "lastName": "Ok"}, "firstName is longer than 40 characters"),
        ({"lastName": "Z" * 41}, "lastName is longer than 40 characters"),
        ([{"firstName": "A"}], "Request body must be a JSON object (a contact)"),
        ({"channels": [email("a@b.cd"), email("b@b.cd"), email("c@b.cd")]}, "at most 2 channels of type email"),
        ({"channels": [email("a@b")]}, "channels[0].value 'a@b' is not a valid email address"),
        ({"channels": [sms("12-34")]}, "channels[0].value '12-34' is not a valid phone number"),
        ({"externalCustomerId": ""}, "externalCustomerId must not be empty"),
    ],
)
async def test_put_refuses_invalid_data_and_changes_nothing(client, body, message):
    before = await snapshot(client)
    r = await client.put("/api/v1/contact/1001", json=body)
    assert r.status_code == 400 and message in r.text
    assert r.headers["content-type"].startswith("text/plain")
    assert await snapshot(client) == before


async def test_put_needs_a_json_body(client):
    before = await snapshot(client)
    r = await client.put("/api/v1/contact/1001", content=b"", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.text) == (400, "Request body is empty: a JSON document is expected")
    r = await client.put("/api/v1/contact/1001", content=b'{"firstName": "A"}')
    assert (r.status_code, r.text) == (415, "Content-Type is missing: send the body as application/json")
    assert await snapshot(client) == before


async def test_soft_delete_hides_the_contact_everywhere_and_drops_its_tokens(client):
    r = await client.delete("/api/v1/contact/1001")
    assert (r.status_code, r.text) == (200, "Contact with id='1001' has been deleted")
    assert r.headers["content-type"] == ESPUTNIK_JSON
    assert (await contact(client, 1001)).status_code == 404
    assert (await client.get("/api/v1/contacts", params={"email": "taras@example.com"})).json() == []
    state = (await client.get("/_mock/state")).json()
    card = state_contact(state, 1001)
    assert card["deleted"] is True and card["tokens"] == {}
    assert card["email"] == "taras@example.com"  # the rest of the card stays, for a restore
    assert state["apps"][0]["subscribers"] == 1  # only Olena's token counts now
    # Resolution does not see it: the same email now makes a new contact.
    await client.post(TOKENS, json={"tokens": [{"token": "900", "email": "taras@example.com"}]})
    assert state_contact((await client.get("/_mock/state")).json(), 1004)["tokens"] == {APP_UUID: ["900"]}
    # A second soft delete finds nothing.
    assert (await client.delete("/api/v1/contact/1001")).status_code == 404


async def test_put_restores_a_soft_deleted_contact(client):
    await client.delete("/api/v1/contact/1002?erase=false")
    r = await client.put("/api/v1/contact/1002", json={"firstName": "Olenka"})
    assert r.status_code == 200
    shown = (await contact(client, 1002)).json()
    assert shown["firstName"] == "Olenka" and shown["externalCustomerId"] == "C-2"
    assert shown["channels"] == [{"type": "email", "value": "olena@example.com"}]  # tokens went with the delete
    await client.post(TOKENS, json={"tokens": [{"token": "901", "externalCustomerId": "C-2"}]})
    assert {"type": "telegrambot", "value": "901"} in (await contact(client, 1002)).json()["channels"]


@pytest.mark.parametrize("erase", ["true", "1", "TRUE", "True"])
async def test_erase_removes_the_contact_for_good(client, erase):
    r = await client.delete(f"/api/v1/contact/1001?erase={erase}")
    assert (r.status_code, r.text) == (200, "Contact with id='1001' has been deleted")
    assert state_contact((await client.get("/_mock/state")).json(), 1001) is None
    assert (await client.put("/api/v1/contact/1001", json={"firstName": "Back"})).status_code == 404


@pytest.mark.parametrize("erase", ["false", "0", "FALSE"])
async def test_erase_false_soft_deletes(client, erase):
    assert (await client.delete(f"/api/v1/contact/1001?erase={erase}")).status_code == 200
    assert state_contact((await client.get("/_mock/state")).json(), 1001)["deleted"] is True


async def test_erase_works_on_a_soft_deleted_contact(client):
    await client.delete("/api/v1/contact/1001")
    assert (await client.delete("/api/v1/contact/1001?erase=1")).status_code == 200
    assert state_contact((await client.get("/_mock/state")).json(), 1001) is None


@pytest.mark.parametrize("erase", ["yes", "", "2"])
async def test_bad_erase_values_change_nothing(client, erase):
    before = await snapshot(client)
    r = await client.delete(f"/api/v1/contact/1001?erase={erase}")
    assert r.status_code == 400 and "erase must be true, false, 1 or 0" in r.text
    r = await client.delete(f"/api/v1/contact?externalCustomerId=C-1&erase={erase}")
    assert r.status_code == 400
    assert await snapshot(client) == before


async def test_delete_by_external_customer_id(client):
    r = await client.delete("/api/v1/contact", params={"externalCustomerId": "C-3", "erase": "1"})
    assert (r.status_code, r.text) == (200, "Contact with externalCustomerId='C-3' has been deleted")
    assert r.headers["content-type"] == ESPUTNIK_JSON
    assert state_contact((await client.get("/_mock/state")).json(), 1003) is None
    r = await client.delete("/api/v1/contact/", params={"externalCustomerId": "C-2"})
    assert r.status_code == 200
    assert state_contact((await client.get("/_mock/state")).json(), 1002)["deleted"] is True


async def test_delete_by_external_customer_id_erases_soft_deleted_holders_too(client):
    await client.delete("/api/v1/contact/1002")
    r = await client.delete("/api/v1/contact", params={"externalCustomerId": "C-2"})
    assert (r.status_code, r.text) == (404, "Contact with externalCustomerId='C-2' not found")
    r = await client.delete("/api/v1/contact", params={"externalCustomerId": "C-2", "erase": "true"})
    assert (r.status_code, r.text) == (200, "Contact with externalCustomerId='C-2' has been deleted")
    assert state_contact((await client.get("/_mock/state")).json(), 1002) is None


async def test_delete_by_external_customer_id_deletes_every_holder(client):
    await client.post("/api/v1/contact", json={"channels": [email("twin@example.com")], "externalCustomerId": "C-1"})
    r = await client.delete("/api/v1/contact", params={"externalCustomerId": "C-1", "erase": "0"})
    assert r.status_code == 200
    state = (await client.get("/_mock/state")).json()
    assert state_contact(state, 1001)["deleted"] is True and state_contact(state, 1004)["deleted"] is True


@pytest.mark.parametrize(
    "query, status, message",
    [
        ("", 400, "Parameter externalCustomerId must be specified"),
        ("?externalCustomerId=%20", 400, "Parameter externalCustomerId must be specified"),
        ("?externalCustomerId=NOPE", 404, "Contact with externalCustomerId='NOPE' not found"),
    ],
)
async def test_delete_by_external_customer_id_errors(client, query, status, message):
    before = await snapshot(client)
    r = await client.delete(f"/api/v1/contact{query}")
    assert (r.status_code, r.text) == (status, message)
    assert await snapshot(client) == before


async def test_wrong_method_is_405(client):
    r = await client.patch("/api/v1/contact/1001", json={})
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PUT", "DELETE"}


async def test_an_id_in_the_body_is_ignored(client):
    r = await client.post("/api/v1/contact", json={"channels": [email("id@example.com")], "id": "whatever"})
    assert r.json() == {"id": 1004}
    r = await client.put("/api/v1/contact/1004", json={"id": 1001, "firstName": "Still 1004"})
    assert r.text == "Contact with id='1004' has been updated"
    assert (await contact(client, 1004)).json()["firstName"] == "Still 1004"
