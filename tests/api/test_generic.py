"""The generic operations: parameters and bodies checked against their schemas, answers from the
scenario's vendor_data or a deterministic example that fits the answer's schema."""

from __future__ import annotations

import httpx
import jsonschema
import pytest
import yaml

from mockserver import Emulator, create_app
from mockserver.generic import json_schema, operations
from mockserver.scenario import ScenarioError, load_scenario, normalize_scenario
from tests.conftest import SCENARIOS, basic, contract

pytestmark = pytest.mark.anyio
OPENAPI = contract()


def client_for(**vendor_data) -> httpx.AsyncClient:
    scenario = load_scenario(SCENARIOS / "blocked_user.yaml")
    if vendor_data:
        scenario = normalize_scenario({**yaml.safe_load((SCENARIOS / "blocked_user.yaml").read_text()), "vendor_data": vendor_data})
    transport = httpx.ASGITransport(app=create_app(Emulator(scenario)))
    return httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic())


@pytest.mark.parametrize("op", list(operations().values()), ids=lambda op: op.operation_id)
def test_openapi_declares_each_generic_operation_as_the_door_checks_it(op):
    declared = OPENAPI["paths"][op.path][op.method.lower()]
    assert declared["operationId"] == op.operation_id and "generic" in declared["tags"]
    if op.request_body:
        assert declared["requestBody"]["content"]["application/json"]["schema"] == op.request_body
    media = "text/plain" if op.content_type == "text/plain" else "application/json"
    answer = declared["responses"]["200"]["content"][media]["schema"]
    if media == "application/json":
        assert answer == (op.response or {})
    assert [p["name"] for p in declared.get("parameters", [])] == [p["name"] for p in op.parameters]


async def test_every_generated_answer_fits_its_schema_and_repeats():
    async with client_for() as client:
        for op in operations().values():
            if op.parameters and any(p["required"] and p["in"] == "query" for p in op.parameters) or op.request_body:
                continue
            path = op.path.replace("{id}", "7").replace("{dataSourceId}", "3").replace("{interaction_id}", "x")
            first = await client.request(op.method, path)
            again = await client.request(op.method, path)
            assert first.status_code == 200, (op.operation_id, first.text)
            assert first.content == again.content
            if op.response:
                jsonschema.validate(first.json(), json_schema(op.response))


async def test_refusals_name_the_field():
    async with client_for() as client:
        r = await client.get("/api/v2/contacts/activity", params={"dateFrom": "2024-01-01"})
        assert (r.status_code, r.text) == (400, "dateTo is required")
        r = await client.get("/api/v1/workflows", params={"maxrows": "many"})
        assert (r.status_code, r.text) == (400, "maxrows must be an integer, got 'many'")
        r = await client.get("/api/v2/contacts/activity", params={"dateFrom": "a", "dateTo": "b", "activityStatus": "LOST"})
        assert r.status_code == 400 and r.text.startswith("activityStatus: 'LOST' is not one of")
        r = await client.post("/api/v1/promocodes", json={"promocodes": ["A1"], "discount": "5%", "expirationDate": "2030-01-01"})
        assert r.status_code == 400 and r.text.startswith("body.discount: '5%' is not of type 'integer'")
        r = await client.post("/api/v1/promocodes", content=b"{", headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and "not valid JSON" in r.text


async def test_a_scenario_sets_the_answers_and_the_journal_names_the_operation():
    async with client_for(getDomains=[{"domain": "shop.example"}], getScript="<script>1</script>") as client:
        assert (await client.get("/api/v1/site/domains")).json() == [{"domain": "shop.example"}]
        script = await client.get("/api/v1/site/script")
        assert (script.text, script.headers["content-type"]) == ("<script>1</script>", "text/plain; charset=UTF-8")
        journal = (await client.get("/_mock/requests", params={"path": "/api/v1/site/*"})).json()["requests"]
        assert [e["operationId"] for e in journal] == ["getDomains", "getScript"]


@pytest.mark.parametrize(
    "vendor_data, reason",
    [
        ({"getDomains": [{"name": "x"}]}, "'domain' is a required property"),
        ({"getScript": 5}, "must be a string (this answer is plain text)"),
        ({"noSuchOperation": {}}, "no generic operation 'noSuchOperation'"),
    ],
)
def test_a_scenario_whose_data_breaks_the_schema_is_refused(vendor_data, reason):
    with pytest.raises(ScenarioError) as error:
        normalize_scenario({"vendor_data": vendor_data})
    assert reason in str(error.value) and "vendor_data." in str(error.value)
