"""The account's balance and address books are world state: GET /_mock/state writes them under
``settings.account``, PUT puts them back (or the defaults, when left out) and GET /api/v1/balance and
/api/v1/addressbooks answer from the world; a malformed one is refused naming its place."""

from __future__ import annotations

import copy

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.domain.contacts.catalogs import FIELD_TYPES, MAX_BOOKS
from mockserver.domain.settings import DEFAULT_BALANCE
from mockserver.scenario.schema import FIELD_DESCRIPTION
from tests.conftest import basic, contract, empty_scenario

pytestmark = pytest.mark.anyio

BALANCE = {
    "currentBalance": 99.5,
    "creditLimit": 10,
    "currency": "UAH",
    "bonusEmails": 3,
    "sendersReservedBalances": {"Shop": [{"senderId": 7, "balance": 1.25, "senderName": "Shop"}]},
}
BOOKS = [
    {
        "addressBookId": 10,
        "name": "Shop",
        "fieldGroups": [
            {
                "name": "Profile",
                "profileKey": "profile",
                "fields": [
                    {"id": 1, "name": "Size", "fieldKey": "size",
                     "description": {"type": "COMBOBOX", "required": True, "readonly": False,
                                     "allowedValues": {"possibleValues": ["S", "M", "L"]}}},
                    {"id": 2, "name": "Age", "fieldKey": "age",
                     "description": {"type": "NUMBER", "allowedValues": {"minValue": 0, "maxValue": 120}}},
                ],
            }
        ],
    },
    {"addressBookId": 11, "name": "Empty", "fieldGroups": []},
]
DEFAULT_BOOK = {"addressBookId": 1, "name": "Contacts", "fieldGroups": []}


def open_client(scenario: dict) -> httpx.AsyncClient:
    emulator = Emulator(scenario)
    emulator.world.clock.freeze()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://mock", headers=basic())


def shop_scenario() -> dict:
    return empty_scenario(balance=BALANCE, address_books=BOOKS, assumptions={"single_item_lists": "array"})


async def ok(response: httpx.Response):
    assert response.status_code == 200, (response.request.url, response.text)
    return response.json()


async def answers(client: httpx.AsyncClient) -> tuple:
    return await ok(await client.get("/api/v1/balance")), await ok(await client.get("/api/v1/addressbooks"))


async def test_balance_and_address_books_round_trip_into_a_fresh_emulator():
    async with open_client(shop_scenario()) as client:
        saved = await ok(await client.get("/_mock/state"))
        before = await answers(client)
    account = saved["settings"]["account"]
    assert account["balance"] == {**DEFAULT_BALANCE, **BALANCE}
    assert account["address_books"] == BOOKS
    assert before == ({**DEFAULT_BALANCE, **BALANCE}, {"addressBook": BOOKS})

    async with open_client(empty_scenario(assumptions={"single_item_lists": "array"})) as fresh:
        assert (await answers(fresh))[1] == {"addressBook": [DEFAULT_BOOK]}
        await ok(await fresh.put("/_mock/state", json=saved))
        assert await answers(fresh) == before
        assert await ok(await fresh.get("/_mock/state")) == saved


async def test_the_default_catalog_of_the_contacts_field_ids_is_in_the_state():
    scenario = empty_scenario(contacts=[{"id": 5, "fields": [{"id": 8, "value": "x"}, {"id": 3, "value": "y"}]}])
    async with open_client(scenario) as client:
        [book] = (await ok(await client.get("/_mock/state")))["settings"]["account"]["address_books"]
    assert [f["id"] for f in book["fieldGroups"][0]["fields"]] == [3, 8]


async def test_left_out_they_are_the_defaults_and_a_partial_balance_keeps_the_rest():
    async with open_client(shop_scenario()) as client:
        state = await ok(await client.get("/_mock/state"))
        account = state["settings"]["account"]
        del account["balance"], account["address_books"]
        await ok(await client.put("/_mock/state", json=state))
        assert await answers(client) == (DEFAULT_BALANCE, {"addressBook": [DEFAULT_BOOK]})

        account["balance"] = {"currency": "EUR"}
        await ok(await client.put("/_mock/state", json=state))
        assert (await answers(client))[0] == {**DEFAULT_BALANCE, "currency": "EUR"}


def _field(account: dict) -> dict:
    return account["address_books"][0]["fieldGroups"][0]["fields"][0]


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda a: a["balance"].update(currentBalance="lots"), "settings.account.balance.currentBalance: must be a number"),
        (lambda a: a["balance"].update(creditLimit=True), "settings.account.balance.creditLimit: must be a number"),
        (lambda a: a["balance"].update(currency=980), "settings.account.balance.currency: must be a string"),
        (lambda a: a["balance"].update(bonusSmses=-1), "settings.account.balance.bonusSmses: must be an integer from 0"),
        (lambda a: a["balance"].update(bonusEmails=1.5), "settings.account.balance.bonusEmails: must be an integer from 0"),
        (lambda a: a["balance"].update(overdraft=1), "settings.account.balance: unknown keys: overdraft"),
        (lambda a: a["balance"]["sendersReservedBalances"].update(Shop=5), "settings.account.balance.sendersReservedBalances.Shop: must be a list"),
        (lambda a: a["balance"]["sendersReservedBalances"]["Shop"][0].update(balance="1"),
         "settings.account.balance.sendersReservedBalances.Shop[0].balance: must be a number"),
        (lambda a: a.update(balance=[]), "settings.account.balance: must be an object"),
        (lambda a: a.update(address_books={}), "settings.account.address_books: must be a list"),
        (lambda a: a.update(address_books=[{}] * (MAX_BOOKS + 1)), f"settings.account.address_books: must hold at most {MAX_BOOKS} items"),
        (lambda a: a["address_books"][1].update(addressBookId="11"), "settings.account.address_books[1].addressBookId: must be an integer"),
        (lambda a: a["address_books"][0].update(name=None), "settings.account.address_books[0].name: must be a string"),
        (lambda a: a["address_books"][0]["fieldGroups"].append("Extra"), "settings.account.address_books[0].fieldGroups[1]: must be an object"),
        (lambda a: _field(a).update(id="1"), "settings.account.address_books[0].fieldGroups[0].fields[0].id: must be an integer"),
        (lambda a: _field(a).update(fieldKey=1), "settings.account.address_books[0].fieldGroups[0].fields[0].fieldKey: must be a string"),
        (lambda a: _field(a)["description"].update(type="SELECT"),
         "settings.account.address_books[0].fieldGroups[0].fields[0].description.type: must be one of TEXTFIELD"),
        (lambda a: _field(a)["description"].update(required="yes"),
         "settings.account.address_books[0].fieldGroups[0].fields[0].description.required: must be true or false"),
        (lambda a: _field(a)["description"].update(hidden=False),
         "settings.account.address_books[0].fieldGroups[0].fields[0].description: unknown keys: hidden"),
        (lambda a: _field(a)["description"]["allowedValues"].update(possibleValues=["S", 2]),
         "settings.account.address_books[0].fieldGroups[0].fields[0].description.allowedValues.possibleValues[1]: must be a string"),
    ],
)
async def test_a_malformed_balance_or_address_book_is_refused_and_changes_nothing(mutate, reason):
    async with open_client(shop_scenario()) as client:
        before = await ok(await client.get("/_mock/state"))
        bad = copy.deepcopy(before)
        bad["settings"]["account"]["balance"] = copy.deepcopy(BALANCE)  # every key, for the mutations to reach
        mutate(bad["settings"]["account"])
        r = await client.put("/_mock/state", json=bad)
        assert r.status_code == 400, r.text
        assert reason in r.json()["error"]
        assert await ok(await client.get("/_mock/state")) == before
        assert await answers(client) == ({**DEFAULT_BALANCE, **BALANCE}, {"addressBook": BOOKS})


async def test_reset_restores_the_scenarios_balance_and_address_books():
    async with open_client(shop_scenario()) as client:
        state = await ok(await client.get("/_mock/state"))
        state["settings"]["account"]["balance"] = {"currentBalance": -3.0, "bonusSmses": 12}
        state["settings"]["account"]["address_books"] = [{"addressBookId": 99, "name": "Other"}]
        await ok(await client.put("/_mock/state", json=state))
        assert await answers(client) == (
            {**DEFAULT_BALANCE, "currentBalance": -3.0, "bonusSmses": 12},
            {"addressBook": [{"addressBookId": 99, "name": "Other", "fieldGroups": []}]},  # the answer always lists its groups
        )
        await ok(await client.post("/_mock/reset"))
        assert await answers(client) == ({**DEFAULT_BALANCE, **BALANCE}, {"addressBook": BOOKS})


def test_the_contract_and_the_scenario_schema_take_the_one_list_of_field_types():
    book = contract()["components"]["schemas"]["KeptAddressBook"]
    field = book["properties"]["fieldGroups"]["items"]["properties"]["fields"]["items"]
    assert field["properties"]["description"]["properties"]["type"]["enum"] == list(FIELD_TYPES)
    assert FIELD_DESCRIPTION["properties"]["type"]["enum"] == list(FIELD_TYPES)
    account = contract()["components"]["schemas"]["State"]["properties"]["settings"]["properties"]["account"]
    assert account["properties"]["address_books"]["items"] == {"$ref": "#/components/schemas/KeptAddressBook"}
