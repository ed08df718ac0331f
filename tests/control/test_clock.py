"""The clock endpoint: freeze, advance, unfreeze, reset, and refusals."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_freeze_advance_unfreeze_reset(client):
    frozen = (await client.post("/_mock/clock", json={"freeze": True})).json()
    assert frozen["frozen"] is True
    later = (await client.post("/_mock/clock", json={"advance": 86400})).json()
    assert later["now"] == frozen["now"] + 86400
    assert (await client.get("/_mock/clock")).json()["now"] == later["now"]
    running = (await client.post("/_mock/clock", json={"freeze": False})).json()
    assert running["frozen"] is False and running["now"] >= later["now"]
    reset = (await client.post("/_mock/clock", json={"reset": True})).json()
    assert reset["offset"] == 0.0 and reset["frozen"] is False


async def test_journal_times_come_from_the_clock(client):
    await client.post("/_mock/clock", json={"freeze": True})
    now = (await client.post("/_mock/clock", json={"advance": 1000})).json()["now"]
    await client.get("/api/v1/unknown")
    assert (await client.get("/_mock/requests")).json()["requests"][0]["time"] == now


async def test_reset_puts_the_clock_back(client):
    await client.post("/_mock/clock", json={"freeze": True})
    await client.post("/_mock/reset")
    assert (await client.get("/_mock/clock")).json()["frozen"] is False


@pytest.mark.parametrize(
    "body",
    [{}, {"advance": -1}, {"advance": "1"}, {"advance": True}, {"freeze": "yes"}, {"reset": False}, {"freeze": True, "advance": 1}, [1], {"rewind": 5}],
)
async def test_bad_commands_are_400_and_leave_the_clock(client, body):
    before = (await client.post("/_mock/clock", json={"freeze": True})).json()
    r = await client.post("/_mock/clock", json=body)
    assert r.status_code == 400 and set(r.json()) == {"error", "detail"}
    assert (await client.get("/_mock/clock")).json() == before
