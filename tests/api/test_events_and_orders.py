"""Events, past events and orders: kept by the vendor's rules, listed on the control plane, journaled;
balance and address books from the scenario."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.domain.commerce.checks import FORBIDDEN
from tests.conftest import basic, empty_scenario

pytestmark = pytest.mark.anyio

CONTACTS = [
    {"id": 1001, "email": "taras@example.com", "phone": "+380501112233", "externalCustomerId": "C-1", "fields": [{"id": 7, "value": "gold"}]},
    {"id": 1002, "email": "olena@example.com", "externalCustomerId": "C-2", "fields": [{"id": 3, "value": "x"}, {"id": 7, "value": "y"}]},
]
ORDER = {
    "externalOrderId": "O-1", "totalCost": 120.5, "status": "INITIALIZED", "date": "2022-05-14T10:11:10.7022176+03:00",
    "currency": "UAH", "externalCustomerId": "C-1", "items": [{"externalItemId": "I-1", "quantity": 2, "cost": 60.25, "name": "Watch"}],
    "additionalInfo": {"coupon": "SPRING"},
}


def open_client(**extra) -> httpx.AsyncClient:
    emulator = Emulator(empty_scenario(contacts=CONTACTS, **extra))
    emulator.world.clock.freeze()
    transport = httpx.ASGITransport(app=create_app(emulator))
    return httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic())


async def events(client, **query) -> list[dict]:
    r = await client.get("/_mock/events", params=query)
    assert r.status_code == 200, r.text
    return r.json()["events"]


async def refused(client, method: str, path: str, body, status: int = 400) -> str:
    r = await client.request(method, path, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return r.text


# -- live events ---------------------------------------------------------------------


async def test_a_v1_event_is_kept_resolved_to_its_contact_and_journaled():
    async with open_client() as client:
        body = {"eventTypeKey": "abandonedCart", "keyValue": "TARAS@example.com", "params": [{"name": "discount", "value": "12%"}]}
        r = await client.post("/api/v1/event", json=body)
        assert (r.status_code, r.text, r.headers["content-type"]) == (200, '""', "application/json;charset=UTF-8")
        [event] = await events(client)
        assert (event["id"], event["version"], event["past"], event["contactId"]) == (1, 1, False, 1001)
        assert (event["eventTypeKey"], event["keyValue"], event["params"]) == ("abandonedCart", "TARAS@example.com", body["params"])
        assert event["occurred"] == event["received"] and event["occurred_at"] == event["received_at"]
        [entry] = (await client.get("/_mock/requests", params={"path": "/api/v1/event"})).json()["requests"]
        assert entry["events"][0]["id"] == 1


async def test_a_v1_event_may_name_its_contact_by_a_param_instead_of_keyValue():
    async with open_client() as client:
        assert (await client.post("/api/v1/event", json={"eventTypeKey": "seen", "params": [{"name": "externalCustomerId", "value": "C-2"}]})).status_code == 200
        assert (await client.post("/api/v1/event", json={"eventTypeKey": "seen", "params": [{"name": "contactId", "value": "1001"}]})).status_code == 200
        assert (await client.post("/api/v1/event", json={"eventTypeKey": "seen", "keyValue": "nobody-known"})).status_code == 200
        assert [(e["keyValue"], e["contactId"]) for e in await events(client)] == [(None, 1002), (None, 1001), ("nobody-known", None)]


async def test_a_v2_event_takes_object_values_and_needs_an_identifier():
    async with open_client(assumptions={"empty_answers": "empty"}) as client:
        params = [{"name": "phone", "value": "380 50 111 22 33"}, {"name": "cart", "value": {"items": [{"sku": "A", "qty": 2}]}}]
        r = await client.post("/api/v2/event", json={"eventTypeKey": "cartUpdated", "params": params})
        assert (r.status_code, r.content, "content-type" in r.headers) == (200, b"", False)
        [event] = await events(client)
        assert (event["version"], event["contactId"], event["params"]) == (2, 1001, params)
        text = await refused(client, "POST", "/api/v2/event", {"eventTypeKey": "cartUpdated", "params": [{"name": "cart", "value": "x"}]})
        assert text.startswith("params must name the contact")
        text = await refused(client, "POST", "/api/v2/event", {"eventTypeKey": "x", "params": [{"name": "email", "value": 5}]})
        assert text == "params[0].value is required: a string or an object"


@pytest.mark.parametrize(
    "body, reason",
    [
        ([], "Request body must be a JSON object: an event"),
        ({"keyValue": "k"}, "eventTypeKey is required"),
        ({"eventTypeKey": 5, "keyValue": "k"}, "eventTypeKey must be a string"),
        ({"eventTypeKey": " \t", "keyValue": "k"}, "eventTypeKey must not be blank"),
        ({"eventTypeKey": "x" * 101, "keyValue": "k"}, "eventTypeKey is longer than 100 characters"),
        ({"eventTypeKey": "a?b", "keyValue": "k"}, "eventTypeKey must not hold '?'"),
        ({"eventTypeKey": "cart", "keyValue": "a,b"}, "keyValue must not hold ','"),
        ({"eventTypeKey": "cart", "keyValue": "k" * 301}, "keyValue is longer than 300 characters"),
        ({"eventTypeKey": "cart"}, "keyValue is required, or params must name the contact"),
        ({"eventTypeKey": "cart", "keyValue": "k", "params": {"a": "b"}}, "params must be an array"),
        ({"eventTypeKey": "cart", "keyValue": "k", "params": [{"value": "b"}]}, "params[0].name is required"),
        ({"eventTypeKey": "cart", "keyValue": "k", "params": [{"name": "a", "value": {"b": 1}}]}, "params[0].value is required: a string (v1"),
    ],
)
async def test_a_bad_v1_event_is_refused_naming_the_field_and_keeps_nothing(body, reason):
    async with open_client() as client:
        assert (await refused(client, "POST", "/api/v1/event", body)).startswith(reason)
        assert await events(client) == []


async def test_every_forbidden_character_is_refused():
    async with open_client() as client:
        for char in FORBIDDEN:
            assert f"must not hold {char!r}" in await refused(client, "POST", "/api/v1/event", {"eventTypeKey": f"a{char}b", "keyValue": "k"})


async def test_an_event_over_20_kb_is_413():
    async with open_client() as client:
        body = {"eventTypeKey": "big", "keyValue": "k", "params": [{"name": "blob", "value": "x" * 21_000}]}
        assert "at most 20 KB" in await refused(client, "POST", "/api/v1/event", body, 413)
        assert await events(client) == []


async def test_the_events_bound_refuses_the_request_whole():
    async with open_client(limits={"events": 3}) as client:
        batch = {"events": [{"eventTypeKey": "old", "keyValue": f"k{i}"} for i in range(2)]}
        assert (await client.post("/api/v1/past_events", json=batch)).status_code == 200
        text = await refused(client, "POST", "/api/v1/past_events", batch, 409)
        assert text.startswith("The emulator keeps at most 3 events (limits.events) and holds 2")
        assert len(await events(client)) == 2
        assert (await client.post("/api/v1/event", json={"eventTypeKey": "cart", "keyValue": "k"})).status_code == 200
        assert (await client.post("/api/v1/event", json={"eventTypeKey": "cart", "keyValue": "k"})).status_code == 409
        assert (await client.delete("/_mock/events")).json() == {"removed": 3}
        assert (await client.post("/api/v1/event", json={"eventTypeKey": "cart", "keyValue": "k"})).status_code == 200
        assert [e["id"] for e in await events(client)] == [4]  # ids go on after clearing


# -- past events ---------------------------------------------------------------------


async def test_past_events_are_kept_with_when_they_occurred():
    async with open_client() as client:
        batch = {"events": [
            {"eventTypeKey": "orderCreated", "keyValue": "C-1", "occurred": "2023-03-22T14:30", "params": [{"name": "sum", "value": "5"}]},
            {"eventTypeKey": "orderCreated", "keyValue": "olena@example.com", "occurred": "2023-03-22T14:30:00+02:00"},
        ]}
        r = await client.post("/api/v1/past_events", json=batch)
        assert r.json() == {"results": [{"status": "OK"}, {"status": "OK"}], "successCount": 2, "errorCount": 0}
        kept = await events(client, past="true")
        assert [(e["contactId"], e["occurred"], e["version"]) for e in kept] == [(1001, "2023-03-22T14:30:00Z", 1), (1002, "2023-03-22T12:30:00Z", 1)]
        one = await client.post("/api/v2/past_events", json={"events": [{"eventTypeKey": "x", "keyValue": "k", "params": [{"name": "o", "value": {"a": 1}}]}]})
        assert one.json() == {"results": {"status": "OK"}, "successCount": 1, "errorCount": 0}  # one result: a bare object
        assert (await events(client, since=2))[0]["version"] == 2
        assert await events(client, past="false") == []


@pytest.mark.parametrize(
    "body, reason",
    [
        ({}, "events is required"),
        ({"events": "x"}, "events must be an array"),
        ({"events": [{"eventTypeKey": "a", "keyValue": "k"}] * 501}, "Too many events: 501 (at most 500 per request)"),
        ({"events": [{"eventTypeKey": "a", "keyValue": "k"}, {"eventTypeKey": "a"}]}, "events[1].keyValue is required"),
        ({"events": [{"keyValue": "k"}]}, "events[0].eventTypeKey is required"),
        ({"events": [{"eventTypeKey": "a", "keyValue": "k", "occurred": "yesterday"}]}, "events[0].occurred must be a date-time"),
        ({"events": [{"eventTypeKey": "a", "keyValue": "k", "occurred": "2023-02-30T10:00"}]}, "events[0].occurred is not a real date-time"),
        ({"events": [{"eventTypeKey": "a", "keyValue": "k", "params": [{"name": "o", "value": {}}]}]}, "events[0].params[0].value is required: a string (v1"),
    ],
)
async def test_a_bad_past_event_refuses_the_whole_batch(body, reason):
    async with open_client() as client:
        assert (await refused(client, "POST", "/api/v1/past_events", body)).startswith(reason)
        assert await events(client) == []


async def test_removing_past_events_drops_those_of_the_period_only():
    async with open_client() as client:
        days = ["2023-03-01T00:00", "2023-03-10T12:00", "2023-03-20T23:59"]
        batch = {"events": [{"eventTypeKey": "visit", "keyValue": "k", "occurred": day} for day in days]}
        assert (await client.post("/api/v1/past_events", json=batch)).status_code == 200
        r = await client.request("DELETE", "/api/v1/past_events", json={"from": "2023-03-01T00:00:00Z", "to": "2023-03-10T12:00"})
        assert (r.status_code, r.text) == (200, '""')
        assert [e["occurred"] for e in await events(client)] == ["2023-03-20T23:59:00Z"]
        [entry] = (await client.get("/_mock/requests", params={"method": "DELETE"})).json()["requests"]
        assert entry["events_removed"] == 2
        r = await client.request("DELETE", "/api/v1/past_events", json={"from": "2024-01-01T00:00", "to": "2023-01-01T00:00"})
        assert r.status_code == 200 and len(await events(client)) == 1  # from after to: an empty period
        assert (await refused(client, "DELETE", "/api/v1/past_events", {"from": "2023-03-01T00:00"})) == "to is required: a date-time"
        assert (await refused(client, "DELETE", "/api/v1/past_events", {"from": 5, "to": "2023-03-01T00:00"})) == "from must be a date-time string"


# -- orders --------------------------------------------------------------------------


async def orders(client, **query) -> list[dict]:
    r = await client.get("/_mock/orders", params=query)
    assert r.status_code == 200, r.text
    return r.json()["orders"]


async def test_orders_are_kept_and_sending_one_again_updates_it():
    async with open_client() as client:
        r = await client.post("/api/v1/orders", json={"orders": [ORDER, {**ORDER, "externalOrderId": "O-2", "externalCustomerId": None, "email": "olena@example.com"}]})
        assert (r.status_code, r.json()) == (200, {"failedOrders": []})
        kept = await orders(client)
        assert [(o["id"], o["order"]["externalOrderId"], o["contactId"], o["updates"]) for o in kept] == [(1, "O-1", 1001, 0), (2, "O-2", 1002, 0)]
        assert kept[0]["order"] == ORDER and "externalCustomerId" not in kept[1]["order"]  # null: left out
        await client.post("/_mock/clock", json={"advance": 60})
        assert (await client.post("/api/v1/orders", json={"orders": [{**ORDER, "status": "DELIVERED"}]})).status_code == 200
        [first] = await orders(client, externalOrderId="O-1")
        assert (first["order"]["status"], first["updates"], first["updated_at"] - first["received_at"]) == ("DELIVERED", 1, 60)
        assert [o["id"] for o in await orders(client, status="INITIALIZED")] == [2]
        assert [o["id"] for o in await orders(client, contactId=1001)] == [1]
        assert [o["id"] for o in await orders(client, externalCustomerId="C-1")] == [1]
        assert [o["id"] for o in await orders(client, since=1)] == [2]
        [entry] = (await client.get("/_mock/requests", params={"path": "/api/v1/orders", "since": 1})).json()["requests"]
        assert entry["orders"][0]["order"]["status"] == "DELIVERED"


async def test_an_order_naming_no_contact_is_answered_as_failed_and_the_rest_are_kept():
    async with open_client() as client:
        anonymous = {k: v for k, v in ORDER.items() if k != "externalCustomerId"} | {"externalOrderId": "O-9", "phone": " "}
        r = await client.post("/api/v1/orders", json={"orders": [ORDER, anonymous]})
        assert r.json() == {"failedOrders": [{"order": anonymous, "error": "externalCustomerId, email or phone is required: whose order it is"}]}
        assert [o["order"]["externalOrderId"] for o in await orders(client)] == ["O-1"]


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"externalOrderId": None}, "orders[0].externalOrderId is required"),
        ({"externalOrderId": " "}, "orders[0].externalOrderId must not be blank"),
        ({"totalCost": "12"}, "orders[0].totalCost must be a number"),
        ({"status": "SHIPPED"}, "orders[0].status must be one of INITIALIZED, IN_PROGRESS, DELIVERED, CANCELLED, ABANDONED_SHOPPING_CART"),
        ({"date": "2022-05-14 10:11"}, "orders[0].date must be a date-time such as 2023-03-22T14:30:00+02:00"),
        ({"date": "2022-05-14T10:11:00"}, "orders[0].date must be a date-time"),  # RFC 3339 needs the offset
        ({"currency": "hryvnia"}, "orders[0].currency must be a three-letter ISO 4217 code"),
        ({"discount": True}, "orders[0].discount must be a number"),
        ({"email": 5}, "orders[0].email must be a string"),
        ({"additionalInfo": {"a": 1}}, "orders[0].additionalInfo must be an object of strings"),
        ({"items": [{"quantity": 1}]}, "orders[0].items[0].externalItemId is required"),
        ({"items": [{"externalItemId": "I", "quantity": "1"}]}, "orders[0].items[0].quantity must be a number"),
    ],
)
async def test_a_bad_order_is_refused_naming_the_field_and_keeps_nothing(change, reason):
    async with open_client() as client:
        bad = {**ORDER, **change}
        assert (await refused(client, "POST", "/api/v1/orders", {"orders": [{**ORDER, "externalOrderId": "O-0"}, bad]})).startswith(reason.replace("orders[0]", "orders[1]"))
        assert await orders(client) == []


async def test_orders_bounds():
    async with open_client(limits={"orders": 2}) as client:
        many = {"orders": [{**ORDER, "externalOrderId": f"O-{i}"} for i in range(1001)]}
        assert (await refused(client, "POST", "/api/v1/orders", many)) == "Too many orders: 1001 (at most 1000 per request)"
        two = {"orders": [{**ORDER, "externalOrderId": f"O-{i}"} for i in range(2)]}
        assert (await client.post("/api/v1/orders", json=two)).status_code == 200
        assert (await client.post("/api/v1/orders", json=two)).status_code == 200  # updates take no room
        text = await refused(client, "POST", "/api/v1/orders", {"orders": [{**ORDER, "externalOrderId": "O-new"}]}, 409)
        assert text.startswith("The emulator keeps at most 2 orders (limits.orders)")
        assert (await client.delete("/_mock/orders")).json() == {"removed": 2}
        assert await orders(client) == []


# -- control-plane listings ----------------------------------------------------------


async def test_the_events_listing_filters_pages_and_refuses_bad_queries():
    async with open_client() as client:
        for key, value in [("cart", "C-1"), ("view", "C-1"), ("cart", "C-2"), ("cart", "nobody")]:
            assert (await client.post("/api/v1/event", json={"eventTypeKey": key, "keyValue": value})).status_code == 200
        assert [e["id"] for e in await events(client, eventTypeKey="cart")] == [1, 3, 4]
        assert [e["id"] for e in await events(client, keyValue="C-1")] == [1, 2]
        assert [e["id"] for e in await events(client, contactId=1002)] == [3]
        assert [e["id"] for e in await events(client, eventTypeKey="cart", contactId=1001)] == [1]
        page = (await client.get("/_mock/events", params={"limit": 2})).json()
        assert page["count"] == 4 and [e["id"] for e in page["events"]] == [1, 2]
        assert [e["id"] for e in await events(client, since=2, limit=1)] == [3]
        for query, error in [
            ({"limit": 0}, "query parameter limit must be within 1..10000"),
            ({"since": "x"}, "query parameter since must be an integer"),
            ({"past": "yes"}, "query parameter past must be true or false"),
            ({"contactId": "abc"}, "query parameter contactId must be an integer"),
        ]:
            r = await client.get("/_mock/events", params=query)
            assert (r.status_code, r.json()["error"]) == (400, error)
        r = await client.get("/_mock/orders", params={"status": "LOST"})
        assert r.status_code == 400 and r.json()["error"].startswith("query parameter status must be one of INITIALIZED")


# -- balance and address books --------------------------------------------------------


async def test_balance_and_address_books_default_from_the_scenario():
    async with open_client() as client:
        balance = (await client.get("/api/v1/balance")).json()
        assert balance == {"currentBalance": 0.0, "creditLimit": 0.0, "currency": "USD", "bonusEmails": 0, "bonusSmses": 0, "sendersReservedBalances": {}}
        book = (await client.get("/api/v1/addressbooks")).json()["addressBook"]  # one catalog: a bare object
        assert (book["addressBookId"], book["name"]) == (1, "Contacts")
        assert [f["id"] for f in book["fieldGroups"]["fields"]] == [3, 7]  # the field ids the scenario's contacts use


async def test_a_scenario_sets_balance_and_address_books():
    books = [
        {"addressBookId": 10, "name": "Shop", "fieldGroups": [{"name": "Profile", "fields": [{"id": 1, "name": "Size", "fieldKey": "size"}]}]},
        {"addressBookId": 11, "name": "Empty", "fieldGroups": []},
    ]
    async with open_client(balance={"currentBalance": 99.5, "currency": "UAH"}, address_books=books,
                           assumptions={"single_item_lists": "array"}) as client:
        balance = (await client.get("/api/v1/balance")).json()
        assert (balance["currentBalance"], balance["currency"], balance["bonusSmses"]) == (99.5, "UAH", 0)
        assert (await client.get("/api/v1/addressbooks")).json() == {"addressBook": books}
