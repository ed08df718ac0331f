"""Journal queries: filters, count, wait (and its 408), clearing the journal alone, dropped entries,
requests refused before their door, and status 0 for requests never answered."""

from __future__ import annotations

import anyio
import pytest

from mockserver import Emulator, create_app
from mockserver.journal import BODY_PREVIEW
from mockserver.middleware import ConnectionDropped
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


@pytest.mark.parametrize("params", [{"status": "x"}, {"status": 99}, {"status": 1}, {"status": -1}, {"status": 600}, {"since": -1}, {"count": 0}, {"timeout": 1000}])
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


async def chunks(*parts: bytes):
    """A streamed body: no Content-Length, so Front keeps the limit while reading."""
    for part in parts:
        yield part


async def test_requests_refused_before_their_door_are_journaled(client, emulator):
    emulator.body_limit = 100
    bot = "/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1/sendMessage"
    assert (await client.post(TOKENS, params={"x": "1"}, content=b"a" * 101)).status_code == 413
    assert (await client.post(TOKENS, content=chunks(b"b" * 60, b"c" * 60))).status_code == 413
    assert (await client.post(TOKENS, content=b"{}", headers={"Content-Length": "ten"})).status_code == 400
    assert (await client.post(bot, content=b"d" * 101)).status_code == 413
    assert (await client.post("/_mock/reset", content=b"e" * 101)).status_code == 413  # control plane: never journaled
    assert (await client.post(TOKENS, json={"tokens": []})).status_code == 400  # the door still journals as before
    entries = (await client.get("/_mock/requests")).json()["requests"]
    too_large = "Request body is larger than the limit of 100 bytes"
    assert [(e["method"], e["path"], e["query"], e["status"], e["request"]["body"], e["response"]["body"]) for e in entries[:3]] == [
        ("POST", TOKENS, "x=1", 413, None, too_large),  # refused by Content-Length: nothing was read
        ("POST", TOKENS, "", 413, "b" * 60, too_large),  # refused while streaming: the part read so far
        ("POST", TOKENS, "", 400, None, "Content-Length is not a number"),
    ]
    assert (entries[3]["path"], entries[3]["status"], entries[3]["response"]["body"]["ok"]) == (bot, 413, False)
    assert [e["status"] for e in entries[4:]] == [400] and len(entries) == 5
    assert (await client.get("/_mock/requests/count", params={"status": 413})).json() == {"count": 3}


async def test_a_refused_streamed_body_is_kept_only_up_to_the_preview(client, emulator):
    emulator.body_limit = 2 * BODY_PREVIEW
    part = b"p" * BODY_PREVIEW
    assert (await client.post(TOKENS, content=chunks(part, part, part))).status_code == 413
    [entry] = (await client.get("/_mock/requests")).json()["requests"]
    assert (entry["status"], entry["request"]["body"]) == (413, "p" * BODY_PREVIEW)


async def test_status_0_selects_requests_never_answered(client):
    r = await client.post("/_mock/faults", json={"match": {"path": "/api/*"}, "action": {"drop_connection": True}, "times": 1})
    assert r.status_code == 201, r.text
    with pytest.raises(ConnectionDropped):
        await client.post(TOKENS, json={"tokens": []})
    await traffic(client)
    dropped = (await client.get("/_mock/requests", params={"status": 0})).json()["requests"]
    assert [(e["path"], e["status"], e["fault"]) for e in dropped] == [(TOKENS, 0, r.json()["id"])]
    assert (await client.get("/_mock/requests/count", params={"status": 0})).json() == {"count": 1}
    waited = await client.get("/_mock/requests/wait", params={"status": 0, "count": 1, "timeout": 0})
    assert (waited.status_code, waited.json()) == (200, {"count": 1})
    expect = [{"requests": {"path": "/api/*", "status": 0}, "count": 1}]  # expect blocks take 0 too
    assert (await client.post("/_mock/verify", json={"expect": expect})).json()["passed"] is True
    assert (await client.get("/_mock/requests/count")).json() == {"count": 4}
