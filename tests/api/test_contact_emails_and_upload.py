"""GET /v1/contacts/email (the emails of the contacts named) and POST /v1/contacts/upload (a bulk update
from a CSV file, applied when the file is in the link as a data: URL)."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from tests.api.audience_helpers import audience_client

pytestmark = pytest.mark.anyio


def data_url(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode()).decode()


async def test_contact_emails_in_the_order_named_unknown_and_emailless_left_out():
    async with audience_client() as client:
        await client.put("/api/v1/contact/1", json={"channels": [{"type": "email", "value": "ann@example.com"},
                                                                 {"type": "email", "value": "ann2@example.com"}]})
        r = await client.get("/api/v1/contacts/email", params={"ids": "2, 1,99,3,1"})
        assert r.json() == {"results": [
            {"contactId": 2, "email": "gone@example.com"},
            {"contactId": 1, "email": "ann@example.com"}, {"contactId": 1, "email": "ann2@example.com"},
        ]}
        assert (await client.get("/api/v1/contacts/email", params={"ids": "2"})).json() == {"results": {"contactId": 2, "email": "gone@example.com"}}
        assert (await client.get("/api/v1/contacts/email", params={"ids": "99"})).json() == {"results": []}


async def test_contact_emails_as_a_list_under_the_array_assumption():
    async with audience_client(assumptions={"single_item_lists": "array"}) as client:
        assert (await client.get("/api/v1/contacts/email", params={"ids": "2"})).json() == {"results": [{"contactId": 2, "email": "gone@example.com"}]}


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "Parameter ids is required"),
        ({"ids": "1,x"}, "Parameter ids must be contact ids (integers of at most 18 digits) separated by commas, got 'x'"),
        ({"ids": "1,,2"}, "got ''"),
        ({"ids": ",".join(["1"] * 501)}, "Parameter ids holds 501 ids; at most 500"),
    ],
)
async def test_contact_emails_refusals_name_the_parameter(params, message):
    async with audience_client() as client:
        r = await client.get("/api/v1/contacts/email", params=params)
        assert r.status_code == 400 and message in r.text, r.text


async def test_an_inline_file_is_applied_as_a_bulk_update():
    csv = "email,firstName,town\nann@example.com,Anna,Kyiv\nfile@example.com,Fil,\n"
    async with audience_client() as client:
        r = await client.post("/api/v1/contacts/upload", json={"dedupeOn": "email", "link": data_url(csv), "groupNames": ["Imported"]})
        body = r.json()
        assert r.status_code == 200 and body["valid"] is True and body["message"] == "2 contacts imported"
        status = (await client.get(f"/api/v1/importstatus/{body['importId']}")).json()
        assert status["status"] == "FINISHED" and status["mapping"] == [
            {"dedupeValue": "ann@example.com", "contactId": 1}, {"dedupeValue": "file@example.com", "contactId": 4}]
        ann = (await client.get("/api/v1/contact/1")).json()
        assert ann["firstName"] == "Anna" and ann["address"] == {"town": "Kyiv"}
        assert [g["name"] for g in ann["groups"]] == ["VIP", "Imported"]
        again = (await client.post("/api/v1/contacts/upload", json={"dedupeOn": "email", "link": data_url(csv)})).json()
        assert again["fileId"] == body["fileId"]  # the same file, the same id


async def test_a_percent_encoded_file_and_its_failed_rows():
    csv = "id,lastName\n1,Smith\n77,Nobody\n"
    async with audience_client() as client:
        body = (await client.post("/api/v1/contacts/upload", json={"dedupeOn": "id", "link": "data:text/csv," + quote(csv)})).json()
        assert body["valid"] is True and body["message"] == "1 of 2 contacts failed"
        assert (await client.get("/api/v1/contact/1")).json()["lastName"] == "Smith"


@pytest.mark.parametrize(
    "link, problem",
    [
        ("https://files.example/contacts.csv", "The emulator does not download files"),
        ("data:text/csv;base64,@@@", "not valid base64"),
        (data_url(""), "The file is empty"),
        (data_url("email\n"), "The file holds no contacts"),
        (data_url("email,shoeSize\na@example.com,42\n"), "Unknown column 'shoeSize'"),
        (data_url("email,email\na@example.com,b@example.com\n"), "A column is named twice"),
        (data_url("email\na@example.com,extra\n"), "Row 2 has more cells than the first row names columns"),
    ],
)
async def test_a_file_that_cannot_be_used_is_answered_not_valid_and_changes_nothing(link, problem):
    async with audience_client() as client:
        before = (await client.get("/_mock/state")).json()
        r = await client.post("/api/v1/contacts/upload", json={"dedupeOn": "email", "link": link})
        body = r.json()
        assert r.status_code == 200 and body["valid"] is False and problem in body["message"] and "importId" not in body
        assert (await client.get("/_mock/state")).json() == before


@pytest.mark.parametrize(
    "body, message",
    [
        ({"link": "https://x.example/f.csv"}, "Field 'dedupeOn' is required"),
        ({"dedupeOn": "push", "link": "https://x.example/f.csv"}, "Field 'dedupeOn' must be one of email, sms, email_or_sms, id"),
        ({"dedupeOn": "email"}, "Field 'link' is required: the file's URL (http, https, or a data: URL holding the file)"),
        ({"dedupeOn": "email", "link": "ftp://x.example/f.csv"}, "Field 'link' must be an http(s) URL or a data: URL holding the file"),
        ({"dedupeOn": "email", "link": "https://x.example/" + "a" * 2100}, "Field 'link' is longer than 2048 characters"),
        ({"dedupeOn": "email", "link": "https://x.example/f.csv", "groupNames": [""]}, "groupNames must be an array of non-empty strings"),
        ({"dedupeOn": "email", "link": "https://x.example/f.csv", "restoreDeleted": "yes"}, "Field 'restoreDeleted' must be a boolean"),
    ],
)
async def test_upload_refusals_name_the_field(body, message):
    async with audience_client() as client:
        r = await client.post("/api/v1/contacts/upload", json=body)
        assert (r.status_code, r.text) == (400, message)
