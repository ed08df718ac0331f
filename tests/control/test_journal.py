"""Journal queries: filters, count, wait (and its 408), clearing the journal alone, dropped entries."""

from __future__ import annotations

import anyio
import pytest

from mockserver import Emulator, create_app
from tests.conftest import APP_UUID, basic

pytestmark = pytest.mark.anyio
TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"


async def traffic(client):
    await client.post(TOKENS, json={"tokens": [{"token": "1", "email": "a@example.com"}]})
    await client.post(TOKENS, json={"tokens": []})
    await client.get("/api/v1/nothing")


async def test_filters(client):
    await traffic(client)
    everything = (await client.get("/_mock/requests")).json()
    assert [e["status"] for e in everything["requests"]] == [200, 400, 404]
    assert everything["dropped"] == 0
    cases = [
        ({"method": "post"}, 2),
        ({"path": "/api/v1/apps/*/tokens"}, 2),
        ({"path": "/api/*", "status": 404}, 1),
        ({"since": everything["requests"][0]["id"]}, 2),
        ({"path": "/bot*"}, 0),
    ]
    for params, expected in cases:
        listed = (await client.get("/_mock/requests", params=params)).json()["requests"]
        counted = (await client.get("/_mock/requests/count", params=params)).json()
        assert len(listed) == expected and counted == {"count": expected}, params


@pytest.mark.parametrize("params", [{"status": "x"}, {"status": 99}, {"since": -1}, {"count": 0}, {"timeout": 1000}])
async def test_bad_filters_are_400(client, params):
    path = "/_mock/requests/wait" if set(params) & {"count", "timeout"} else "/_mock/requests"
    r = await client.get(path, params=params)
    assert r.status_code == 400 and set(r.json()) == {"error", "detail"}


async def test_wait_returns_when_enough_requests_arrived(client):
    result = {}

    async def waiter():
        r = await client.get("/_mock/requests/wait", params={"count": 2, "timeout": 5, "method": "POST"})
        result["r"] = r

    async with anyio.create_task_group() as group:
        group.start_soon(waiter)
        await anyio.sleep(0.05)
        assert "r" not in result
        await traffic(client)
    assert result["r"].status_code == 200 and result["r"].json() == {"count": 2}


async def test_wait_times_out_with_408(client):
    r = await client.get("/_mock/requests/wait", params={"count": 1, "timeout": 0.1})
    assert r.status_code == 408
    assert r.json()["detail"] == {"count": 0, "wanted": 1, "timeout": 0.1}


async def test_reset_only_journal_keeps_the_world(client):
    await traffic(client)
    state = (await client.get("/_mock/state")).json()
    r = await client.post("/_mock/reset", params={"only": "journal"})
    assert r.status_code == 200
    assert (await client.get("/_mock/requests/count")).json() == {"count": 0}
    assert (await client.get("/_mock/state")).json() == state
    r = await client.post("/_mock/reset", params={"only": "world"})
    assert r.status_code == 400


async def test_full_reset_clears_everything(client):
    await traffic(client)
    await client.post("/_mock/reset")
    assert (await client.get("/_mock/requests/count")).json() == {"count": 0}
    assert len((await client.get("/_mock/state")).json()["contacts"]) == 3


async def test_bounded_journal_reports_dropped(scenario):
    import httpx

    emulator = Emulator(scenario, journal_size=2)
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        await traffic(client)
        journal = (await client.get("/_mock/requests")).json()
    assert journal["size"] == 2 and journal["dropped"] == 1
    assert [e["status"] for e in journal["requests"]] == [400, 404]
