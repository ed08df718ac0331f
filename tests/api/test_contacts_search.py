"""GET /api/v1/contacts: conditions, paging, order and the TotalCount header."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Emulator, create_app
from tests.api.contact_helpers import ESPUTNIK_JSON, snapshot
from tests.conftest import basic, empty_scenario

pytestmark = pytest.mark.anyio

URL = "/api/v1/contacts"


async def ids(client, **params) -> tuple[list[int], str]:
    r = await client.get(URL, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == ESPUTNIK_JSON
    return [c["id"] for c in r.json()], r.headers["TotalCount"]


async def test_total_count_header_is_spelled_exactly(client):
    r = await client.get(URL)
    assert (b"TotalCount", b"3") in r.headers.raw


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, [1001, 1002, 1003]),
        ({"email": "OLENA@example.com"}, [1002]),
        ({"sms": "380 67 123 45 67"}, [1003]),
        ({"externalCustomerId": "C-1"}, [1001]),
        ({"externalCustomerId": "c-1"}, []),
        ({"firstname": "ivan"}, [1003]),
        ({"firstname": "Iva"}, []),
        ({"email": "taras@example.com", "sms": "+380501112233"}, [1001]),
        ({"email": "taras@example.com", "firstname": "Olena"}, []),
        ({"email": "nobody@example.com"}, []),
        ({"token": "111", "phone": "nothing"}, [1001, 1002, 1003]),  # unknown parameters are ignored
    ],
)
async def test_conditions(client, params, expected):
    found, total = await ids(client, **params)
    assert found == expected and total == str(len(expected))


async def test_lastname_and_paging(client):
    for cid in (1001, 1002, 1003):
        await client.put(f"/api/v1/contact/{cid}", json={"lastName": "Franko"})
    assert await ids(client, lastname="FRANKO") == ([1001, 1002, 1003], "3")
    assert await ids(client, lastname="Franko", startindex=2, maxrows=1) == ([1002], "3")
    assert await ids(client, lastname="Franko", startindex=3, maxrows=5) == ([1003], "3")
    assert await ids(client, lastname="Franko", startindex=4) == ([], "3")


async def test_order_is_by_last_update_unless_sorted_by_id(client):
    await client.put("/api/v1/contact/1001", json={"firstName": "Taras"})
    assert (await ids(client))[0] == [1002, 1003, 1001]
    assert (await ids(client, sortBy="contactId"))[0] == [1001, 1002, 1003]


async def test_deleted_contacts_are_not_found(client):
    await client.delete("/api/v1/contact/1002")
    assert await ids(client) == ([1001, 1003], "2")
    assert await ids(client, email="olena@example.com") == ([], "0")


@pytest.mark.parametrize(
    "query, message",
    [
        ("maxrows=501", "maxrows must be an integer from 1 to 500"),
        ("maxrows=0", "maxrows must be an integer from 1 to 500"),
        ("maxrows=ten", "maxrows must be an integer from 1 to 500"),
        ("startindex=0", "startindex must be an integer from 1"),
        ("startindex=1.5", "startindex must be an integer from 1"),
        ("sortBy=name", "sortBy must be contactId"),
        ("email=", "email must not be empty"),
        ("sms=abc", "sms must contain digits"),
        ("firstname=%20", "firstname must not be empty"),
    ],
)
async def test_bad_parameters(client, query, message):
    before = await snapshot(client)
    r = await client.get(f"{URL}?{query}")
    assert r.status_code == 400 and message in r.text
    assert await snapshot(client) == before


async def test_a_page_holds_at_most_500_contacts_and_total_count_all_of_them():
    """maxrows defaults to its maximum, 500; TotalCount still counts every match."""
    emulator = Emulator(empty_scenario(generate=[{"count": 501, "email": "user{n}@example.com"}]))
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        found, total = await ids(client)
        assert (len(found), found[0], found[-1], total) == (500, 1, 500, "501")
        assert await ids(client, maxrows=500, startindex=501) == ([501], "501")
