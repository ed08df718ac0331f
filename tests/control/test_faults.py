"""Fault rules through the control plane, applied in-process (answers) and over a real socket (delay, drop)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from mockserver import Emulator
from mockserver.scenario import load_scenario
from mockserver.threaded import ThreadedServer
from tests.conftest import APP_UUID, SCENARIOS, basic

pytestmark = pytest.mark.anyio
TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"
BODY = {"tokens": [{"token": "1", "email": "a@example.com"}]}


async def add(client, rule) -> str:
    r = await client.post("/_mock/faults", json=rule)
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def test_429_with_retry_after_once_then_real_answer(client):
    await add(client, {"match": {"method": "POST", "path": "/api/v1/apps/*/tokens"}, "action": {"status": 429, "headers": {"Retry-After": 2}}, "times": 1})
    r = await client.post(TOKENS, json=BODY)
    assert (r.status_code, r.headers["retry-after"], r.text) == (429, "2", "Too Many Requests")
    assert (await client.post(TOKENS, json=BODY)).status_code == 200
    journal = (await client.get("/_mock/requests")).json()["requests"]
    assert [(e["status"], e.get("fault")) for e in journal] == [(429, "f1"), (200, None)]
    # A faulted request changed nothing: only the second one created a contact.
    assert len((await client.get("/_mock/state")).json()["contacts"]) == 4


async def test_bot_door_fault_speaks_telegram(client):
    await add(client, {"match": {"path": "/bot*"}, "action": {"status": 429, "headers": {"Retry-After": "5"}}})
    r = await client.post("/bot123:abc/sendMessage", json={"chat_id": 1, "text": "x"})
    assert r.status_code == 429
    assert r.json() == {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5", "parameters": {"retry_after": 5}}


async def test_body_json_and_body_contains(client):
    await add(client, {"match": {"body_contains": "boom@"}, "action": {"status": 500, "body": {"oops": True}}})
    assert (await client.post(TOKENS, json=BODY)).status_code == 200
    r = await client.post(TOKENS, json={"tokens": [{"token": "2", "email": "boom@example.com"}]})
    assert (r.status_code, r.json(), r.headers["content-type"]) == (500, {"oops": True}, "application/json")


async def test_control_plane_is_never_faulted(client):
    await add(client, {"action": {"status": 503}})
    assert (await client.get("/_mock/health")).status_code == 200
    assert (await client.post(TOKENS, json=BODY)).status_code == 503


async def test_probability_is_repeatable_with_a_seed(client):
    async def run() -> list[int]:
        await client.delete("/_mock/faults")
        await add(client, {"match": {"path": "/api/*"}, "action": {"status": 502}, "probability": 0.5, "seed": 42})
        return [(await client.post(TOKENS, json=BODY)).status_code for _ in range(12)]

    first, second = await run(), await run()
    assert first == second and set(first) == {200, 502}


async def test_list_and_delete(client):
    one = await add(client, {"action": {"status": 500}, "times": 3})
    two = await add(client, {"action": {"delay_ms": 1}})
    listing = (await client.get("/_mock/faults")).json()["faults"]
    assert [(f["id"], f["remaining"]) for f in listing] == [(one, 3), (two, None)]
    assert (await client.delete(f"/_mock/faults/{one}")).json() == {"removed": 1}
    assert (await client.delete(f"/_mock/faults/{one}")).json() == {"removed": 0}  # idempotent
    assert (await client.delete("/_mock/faults")).json() == {"removed": 1}
    assert (await client.get("/_mock/faults")).json() == {"faults": []}


@pytest.mark.parametrize(
    "rule",
    [{}, {"action": {}}, {"action": {"status": 99}}, {"action": {"status": 500}, "times": 0}, {"action": {"status": 500}, "probability": 2}, {"action": {"status": 500}, "match": {"verb": "GET"}}, []],
)
async def test_bad_rules_are_400_and_add_nothing(client, rule):
    r = await client.post("/_mock/faults", json=rule)
    assert r.status_code == 400 and r.json()["error"] == "invalid fault"
    assert (await client.get("/_mock/faults")).json() == {"faults": []}


async def test_reset_restores_the_scenarios_faults():
    scenario = load_scenario(SCENARIOS / "rate_limited.yaml")
    emulator = Emulator(scenario)
    emulator.faults.add({"action": {"status": 500}})
    emulator.reset()
    assert [f["action"]["status"] for f in emulator.faults.listing()] == [429]


# -- over a real socket -------------------------------------------------------------------


@pytest.fixture
def live():
    with ThreadedServer(Emulator(load_scenario(SCENARIOS / "blocked_user.yaml"))) as server:
        yield server


async def test_delay_holds_one_request_and_not_the_others(live):
    async with httpx.AsyncClient(base_url=live.url, headers=basic()) as client:
        await add(client, {"match": {"path": "/api/*"}, "action": {"delay_ms": 1500}})
        started = time.monotonic()
        slow = asyncio.ensure_future(client.post(TOKENS, json=BODY))
        await asyncio.sleep(0.05)
        health = await client.get("/_mock/health")
        still_waiting = not slow.done()
        answer = await slow
        slow_time = time.monotonic() - started
    assert health.status_code == 200 and still_waiting  # served while the delayed request slept
    assert answer.status_code == 200 and slow_time >= 1.5  # the real answer came through after the delay


async def test_dropped_connection_reaches_the_client_as_a_transport_error(live):
    async with httpx.AsyncClient(base_url=live.url, headers=basic()) as client:
        await add(client, {"match": {"path": "/api/*"}, "action": {"drop_connection": True}, "times": 1})
        with pytest.raises(httpx.TransportError):
            await client.post(TOKENS, json=BODY)
        assert (await client.post(TOKENS, json=BODY)).status_code == 200
        journal = (await client.get("/_mock/requests")).json()["requests"]
    assert [(e["status"], e.get("fault")) for e in journal] == [(0, "f1"), (200, None)]


async def test_429_reaches_a_real_client(live):
    async with httpx.AsyncClient(base_url=live.url, headers=basic()) as client:
        await add(client, {"action": {"status": 429, "headers": {"Retry-After": "7"}}, "times": 1})
        r = await client.post(TOKENS, json=BODY)
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"


async def test_a_delay_with_a_status_answers_late_and_other_api_calls_go_on(live):
    async with httpx.AsyncClient(base_url=live.url, headers=basic()) as client:
        await add(client, {"match": {"method": "POST", "path": "/api/*"}, "action": {"delay_ms": 1000, "status": 503}, "times": 1})
        started = time.monotonic()
        slow = asyncio.ensure_future(client.post(TOKENS, json=BODY))
        await asyncio.sleep(0.05)
        other = await client.get("/api/v1/account/info")  # not matched: answered while the other sleeps
        other_time = time.monotonic() - started
        answer = await slow
        slow_time = time.monotonic() - started
    assert other.status_code == 200 and other_time < 0.9
    assert answer.status_code == 503 and slow_time >= 1.0


async def test_probability_and_seed_repeat_over_a_real_socket(live):
    async def run() -> list[int]:
        async with httpx.AsyncClient(base_url=live.url, headers=basic()) as client:
            await client.post("/_mock/reset")
            await add(client, {"match": {"path": "/api/*"}, "action": {"status": 502}, "probability": 0.3, "seed": 7})
            return [(await client.get("/api/v1/account/info")).status_code for _ in range(20)]

    first = await run()
    assert first == await run() and set(first) == {200, 502}


async def test_a_delayed_request_is_journaled_on_arrival_and_answered_later(live):
    async with httpx.AsyncClient(base_url=live.url, headers=basic()) as client:
        await add(client, {"match": {"path": "/api/*"}, "action": {"delay_ms": 500}, "times": 1})
        slow = asyncio.ensure_future(client.post(TOKENS, json=BODY))
        arrived = await client.get("/_mock/requests/wait", params={"count": 1, "timeout": 2, "path": "/api/*"})
        answered_yet = await client.get("/_mock/requests/count", params={"status": 200})
        answered = await client.get("/_mock/requests/wait", params={"count": 1, "timeout": 2, "status": 200})
        assert (await slow).status_code == 200
    assert arrived.json() == {"count": 1} and answered_yet.json() == {"count": 0}
    assert answered.json() == {"count": 1}
