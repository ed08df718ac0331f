"""POST /_mock/scenario (YAML or JSON, validated, then reset to it) and POST /_mock/verify."""

from __future__ import annotations

import pytest

from tests.conftest import APP_UUID, SCENARIOS

pytestmark = pytest.mark.anyio
TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"


async def test_load_yaml_then_reset_goes_back_to_it(client):
    text = (SCENARIOS / "happy_path.yaml").read_bytes()
    r = await client.post("/_mock/scenario", content=text, headers={"Content-Type": "application/yaml"})
    assert r.json() == {"status": "loaded", "name": "happy_path"}
    state = (await client.get("/_mock/state")).json()
    assert len(state["apps"]) == 2 and state["telegram"]["clicks"] == {"mode": "always"}
    await client.post(TOKENS, json={"tokens": [{"token": "9", "email": "x@example.com"}]})
    await client.post("/_mock/reset")
    assert (await client.get("/_mock/state")).json() == state


async def test_load_json(client):
    r = await client.post("/_mock/scenario", json={"name": "tiny", "account": {"api_keys": ["k"]}})
    assert r.status_code == 200
    assert (await client.get("/_mock/state")).json()["settings"]["account"]["api_keys"] == ["k"]


@pytest.mark.parametrize(
    "content, kind, where",
    [
        (b"contacts:\n  - id: x\n", "application/yaml", "<body>:2:9: contacts[0].id"),
        (b'{"bots": [{"app_uuid": "nope", "token": "1:x", "username": "b"}]}', "application/json", "<body>:1:24: bots[0].app_uuid"),
        (b'{"name": ', "application/json", "<body>:1:10: invalid JSON"),
        (b"a: [", "text/plain", "<body>:1:5: invalid YAML"),
    ],
)
async def test_bad_scenario_is_400_and_changes_nothing(client, content, kind, where):
    before = (await client.get("/_mock/state")).json()
    r = await client.post("/_mock/scenario", content=content, headers={"Content-Type": kind})
    assert r.status_code == 400 and r.json()["error"] == "invalid scenario"
    assert any(line.startswith(where) for line in r.json()["detail"]), r.json()
    assert (await client.get("/_mock/state")).json() == before


async def test_unsupported_media_and_empty_body(client):
    assert (await client.post("/_mock/scenario", content=b"x", headers={"Content-Type": "image/png"})).status_code == 415
    assert (await client.post("/_mock/scenario", content=b"  ", headers={"Content-Type": "application/yaml"})).status_code == 400


async def test_verify_loaded_expectations(client):
    r = await client.post("/_mock/verify")
    assert r.json() == {"passed": True, "checked": 0, "failures": []}
    await client.post("/_mock/scenario", content=(SCENARIOS / "happy_path.yaml").read_bytes())
    assert (await client.post("/_mock/verify")).json()["passed"] is True
    # Remove Olena's chat by erasing her contact: the subscriber count expectation now fails.
    state = (await client.get("/_mock/state")).json()
    state["contacts"] = [c for c in state["contacts"] if c["id"] != 1002]
    await client.put("/_mock/state", json=state)
    result = (await client.post("/_mock/verify")).json()
    assert result["passed"] is False
    assert result["failures"] == [
        {"index": 1, "expect": {"app": "demo_shop_bot", "subscribers": 2}, "reasons": ["bot @demo_shop_bot has 1 subscribers, expected 2"]},
        {"index": 2, "expect": {"contact_count": 3}, "reasons": ["2 live contacts, expected 3"]},
    ]


async def test_verify_sent_expectations(client):
    await client.post(TOKENS, json={"tokens": [{"token": "9", "email": "x@example.com"}]})
    expect = [
        {"requests": {"method": "POST", "path": "/api/v1/apps/*/tokens", "status": 200}, "count": 1},
        {"contact": {"email": "x@example.com"}, "tokens": {"demo_shop_bot": ["9"]}},
        {"contact": {"id": 1002}, "tokens": {"demo_shop_bot": ["222", "333"]}},
        {"chat": "222", "state": "active"},
        {"requests": {"path": "/bot*"}, "count": {"min": 1}},
        {"contact": {"email": "nobody@example.com"}, "exists": False},
    ]
    result = (await client.post("/_mock/verify", json={"expect": expect})).json()
    assert [(f["index"], f["reasons"]) for f in result["failures"]] == [
        (2, ["contact 1002 has tokens ['222'] for @demo_shop_bot, expected ['222', '333']"]),
        (3, ["chat 222 is blocked, expected active"]),
        (4, ["0 journaled requests match {'path': '/bot*'}, expected between 1 and any number"]),
    ]


@pytest.mark.parametrize("body", [{"expect": [{"app": "ghost_bot", "subscribers": 1}]}, {"expect": "x"}, {"other": []}, [1]])
async def test_verify_refuses_bad_expectations(client, body):
    r = await client.post("/_mock/verify", json=body)
    assert r.status_code == 400 and set(r.json()) == {"error", "detail"}
