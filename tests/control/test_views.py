"""The dashboard's page-sized views: the overview's counts, contacts and chats a page at a time with a
search, one contact's card with its history, deliveries by campaign, and the shipped scenarios."""

from __future__ import annotations

import pytest
import yaml

from mockserver import Emulator
from mockserver.scenario import normalize_scenario
from tests.api.test_delivery_http import create_template, open_client, smartsend
from tests.conftest import APP_UUID, KEY, SCENARIOS

pytestmark = pytest.mark.anyio


async def test_the_overview_counts_bots_contacts_deliveries_clock_and_faults(client):
    await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "333", "externalCustomerId": "C-3"}]})
    await client.delete("/api/v1/contact/1003")
    await client.post("/_mock/faults", json={"match": {"path": "/api/v1/version"}, "action": {"status": 500}})
    await client.post("/_mock/clock", json={"freeze": True})
    message_id = await create_template(client, buttons=[])
    await smartsend(client, message_id, [{"contactId": 1001}, {"contactId": 1002}])
    data = (await client.get("/_mock/overview")).json()
    assert data["scenario"] == "blocked_user"
    assert data["bots"] == [{"app_uuid": APP_UUID, "username": "demo_shop_bot", "first_name": None, "subscribers": 1, "muted_tokens": 0}]
    assert data["contacts"] == {"total": 3, "live": 2, "deleted": 1}
    assert data["deliveries"] == {"total": 2, "by_status": {"FAILED": 1, "SENT": 1}}
    assert data["clock"]["frozen"] is True
    assert [f["match"] for f in data["faults"]] == [{"path": "/api/v1/version"}]
    assert data["journal"]["entries"] == 4 and data["telegram"]["chats"] == 2


def crowd(count: int) -> dict:
    contacts = [
        {"id": 1 + i, "email": f"user{i}@example.com", "phone": f"+38050{i:07d}", "externalCustomerId": f"X-{i}",
         "firstName": f"Name{i}", "tokens": {"bot": [str(9000 + i)]}}
        for i in range(count)
    ]
    bot = {"app_uuid": APP_UUID, "token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "username": "bot"}
    return normalize_scenario({"account": {"api_keys": [KEY]}, "bots": [bot], "contacts": contacts})


async def test_contacts_come_a_page_at_a_time():
    async with open_client(crowd(120)) as client:
        first = (await client.get("/_mock/contacts", params={"limit": 50})).json()
        assert (first["total"], len(first["items"]), first["items"][0]["id"]) == (120, 50, 1)
        last = (await client.get("/_mock/contacts", params={"offset": 100, "limit": 50})).json()
        assert [c["id"] for c in last["items"]] == list(range(101, 121))
        assert last["items"][0] == {"id": 101, "firstName": "Name100", "lastName": None, "email": "user100@example.com",
                                    "phone": "+380500000100", "externalCustomerId": "X-100", "tokens": 1, "deleted": False}
        beyond = (await client.get("/_mock/contacts", params={"offset": 2**63 - 1})).json()
        assert (beyond["total"], beyond["items"]) == (120, [])


@pytest.mark.parametrize(
    "query, found_ids",
    [("7", [7]), ("X-42", [43]), ("USER5@example.com", [6]), ("380500000011", [12]), ("9033", [34]),
     ("name99", [100]), ("ame11", [12, *range(111, 121)])],
    ids=["id", "externalCustomerId", "email", "phone", "token", "anywhere", "a part"],
)
async def test_the_contact_search_finds_each_identifier_or_else_any_part(query, found_ids):
    async with open_client(crowd(120)) as client:
        found = (await client.get("/_mock/contacts", params={"query": query})).json()
        assert [c["id"] for c in found["items"]] == found_ids and found["total"] == len(found_ids)


async def test_the_contact_search_says_when_nothing_matches_and_refuses_bad_pages(client):
    assert (await client.get("/_mock/contacts", params={"query": "nobody-at-all"})).json()["total"] == 0
    for params in ({"limit": 0}, {"limit": 201}, {"offset": -1}, {"offset": "x"}, {"query": "q" * 257}):
        r = await client.get("/_mock/contacts", params=params)
        assert r.status_code == 400 and "query parameter" in r.json()["error"], params


async def test_a_contact_card_has_channels_tokens_mutes_and_history(client):
    r = await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "555", "contactId": 1002}]})
    assert r.status_code == 200
    await client.post(f"/api/v1/apps/{APP_UUID}/token/mute", json={"token": "555", "seconds": 600})
    message_id = await create_template(client, buttons=[])
    await smartsend(client, message_id, [{"contactId": 1002}])
    card = (await client.get("/_mock/contacts/1002")).json()
    assert card["channels"] == [{"type": "email", "value": "olena@example.com"}]
    tokens = {t["token"]: t for t in card["tokens"]}
    assert set(tokens) == {"555"}  # the blocked chat's token 222 was removed by the delivery
    assert tokens["555"]["bot"] == "demo_shop_bot" and tokens["555"]["muted_until"] is not None
    what = [(item["what"], item.get("token")) for item in card["history"]]
    assert ("token added", "555") in what and ("token removed", "222") in what
    removed = next(item for item in card["history"] if item["what"] == "token removed")
    assert removed["reason"] == "Forbidden: bot was blocked by the user"
    added = next(item for item in card["history"] if item["what"] == "token added")
    assert added["method"] == "POST" and added["path"].endswith("/tokens") and isinstance(added["request"], int)


async def test_a_contacts_history_tells_its_creation_update_and_deletion_through_the_api(client):
    r = await client.post("/api/v1/contact", json={"firstName": "Nova", "externalCustomerId": "N-1", "channels": [{"type": "email", "value": "nova@example.com"}]})
    new_id = r.json()["id"]
    await client.put(f"/api/v1/contact/{new_id}", json={"firstName": "Nova B", "channels": [{"type": "email", "value": "nova@example.com"}]})
    await client.delete("/api/v1/contact", params={"externalCustomerId": "N-1"})
    card = (await client.get(f"/_mock/contacts/{new_id}")).json()
    assert [item["what"] for item in card["history"]] == ["created", "updated", "deleted"]
    assert card["deleted"] is True and card["firstName"] == "Nova B"


async def test_a_contact_card_of_a_deleted_contact_and_refusals(client):
    await client.delete("/api/v1/contact/1003")
    card = (await client.get("/_mock/contacts/1003")).json()
    assert card["deleted"] is True and [i["what"] for i in card["history"]] == ["deleted"]
    assert (await client.get("/_mock/contacts/99")).status_code == 404
    assert (await client.get("/_mock/contacts/abc")).status_code == 400


async def test_chats_list_state_and_last_message(client):
    await client.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann", "username": "ann"})
    await client.post("/_mock/telegram/users/555/start", json={"payload": "promo"})
    page = (await client.get("/_mock/telegram/chats")).json()
    assert page["total"] == 3
    ann = next(c for c in page["items"] if c["chat_id"] == "555")
    assert ann == {"chat_id": "555", "name": "Ann", "username": "ann", "state": "active", "messages": 1,
                   "last": {"date": ann["last"]["date"], "from_bot": False, "text": "/start promo"}}
    assert [c["chat_id"] for c in (await client.get("/_mock/telegram/chats", params={"query": "ANN"})).json()["items"]] == ["555"]
    assert (await client.get("/_mock/telegram/chats", params={"limit": 1, "offset": 1})).json()["items"][0]["chat_id"] == "222"


async def test_deliveries_by_campaign_with_statuses_reasons_and_removed_tokens(client):
    message_id = await create_template(client, buttons=[])
    await smartsend(client, message_id, [{"contactId": 1001}, {"contactId": 1002}])
    await smartsend(client, message_id, [{"contactId": 1001}])
    data = (await client.get("/_mock/deliveries")).json()
    first, second = sorted(data["campaigns"], key=lambda c: c["send_id"])
    assert (first["total"], first["by_status"], first["tokens_removed"]) == (2, {"FAILED": 1, "SENT": 1}, 1)
    assert (second["total"], second["by_status"], second["broadcast"]) == (1, {"SENT": 1}, False)
    assert data["total"] == 3 and data["items"][0]["sendId"] == second["send_id"]  # newest first
    failed = (await client.get("/_mock/deliveries", params={"status": "FAILED"})).json()["items"]
    assert [(d["chat_id"], d["reason"], d["token_removed_from"], d["bot"]) for d in failed] == [
        ("222", "Forbidden: bot was blocked by the user", [1002], "demo_shop_bot")
    ]
    only = (await client.get("/_mock/deliveries", params={"send_id": first["send_id"]})).json()
    assert only["total"] == 2 and len(only["campaigns"]) == 2


async def test_the_journal_can_be_limited_to_its_newest_entries(client):
    for _ in range(3):
        await client.get("/api/v1/version")
    ids = [e["id"] for e in (await client.get("/_mock/requests", params={"limit": 2})).json()["requests"]]
    assert ids == [2, 3]
    assert (await client.get("/_mock/requests", params={"limit": 0})).status_code == 400


async def test_long_lists_in_the_journal_notes_can_be_cut(client):
    tokens = [{"token": str(500 + i), "email": f"n{i}@example.com"} for i in range(5)]
    await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": tokens})
    [entry] = (await client.get("/_mock/requests", params={"items": 2})).json()["requests"]
    assert [o["token"] for o in entry["outcomes"]] == ["500", "501"] and entry["truncated"] == {"outcomes": 5}
    [whole] = (await client.get("/_mock/requests")).json()["requests"]
    assert len(whole["outcomes"]) == 5 and "truncated" not in whole
    [short] = (await client.get("/_mock/requests", params={"items": 5})).json()["requests"]
    assert "truncated" not in short


async def test_shipped_scenarios_are_listed_and_load_as_they_are(client):
    names = (await client.get("/_mock/scenarios")).json()["scenarios"]
    assert {"blocked_user", "happy_path", "large_audience"} <= set(names)
    r = await client.get("/_mock/scenarios/happy_path")
    assert r.headers["content-type"].startswith("application/yaml")
    assert yaml.safe_load(r.text)["name"] == "happy_path" and r.text == (SCENARIOS / "happy_path.yaml").read_text()
    loaded = await client.post("/_mock/scenario", content=r.content, headers={"Content-Type": "application/yaml"})
    assert loaded.json() == {"status": "loaded", "name": "happy_path"}
    for name in ("pyproject", "happy_path.yaml", "..%2Fpyproject"):
        r = await client.get(f"/_mock/scenarios/{name}")
        assert r.status_code == 404, name


async def test_the_dashboard_files_are_served_and_nothing_else():
    emulator = Emulator(crowd(1), control_token="secret")
    import httpx

    from mockserver import create_app

    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as plain:
        page = await plain.get("/_mock/ui")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        for name, kind in (("app.js", "text/javascript"), ("app.css", "text/css")):
            r = await plain.get(f"/_mock/ui/{name}")
            assert r.status_code == 200 and r.headers["content-type"].startswith(kind) and r.content
        # The shell opens without the token; what it shows does not.
        assert (await plain.get("/_mock/overview")).status_code == 401
        assert (await plain.get("/_mock/ui/index.html")).status_code == 401
        assert (await plain.get("/_mock/ui/nothing.js", headers={"Authorization": "Bearer secret"})).status_code == 404


def test_the_page_loads_nothing_from_elsewhere():
    from mockserver.control.ui import FOLDER

    for path in FOLDER.iterdir():
        text = path.read_text()
        assert "http://" not in text and "https://" not in text and "//cdn" not in text, path.name
        assert ".innerHTML" not in text and "insertAdjacentHTML" not in text, path.name
