"""GET /_mock/state is written in pieces and streamed; the bytes are those of the whole snapshot at once."""

from __future__ import annotations

import httpx
import orjson
import pytest

from mockserver import Emulator, create_app
from mockserver.control import state
from mockserver.responses import dumps
from mockserver.scenario import normalize_scenario
from tests.conftest import APP_UUID

pytestmark = pytest.mark.anyio
BOT = {"app_uuid": APP_UUID, "token": "123456789:" + "A" * 35, "username": "shop_bot"}


def scenario(count: int) -> dict:
    generate = {"count": count, "email": "u{n}@x.io", "phone": "+38050{n:07d}", "firstName": "{first_name}",
                "tokens": {"shop_bot": ["{n}"]}, "deleted_every": 7}
    return normalize_scenario({"account": {"api_keys": ["k"]}, "bots": [BOT], **({"generate": generate} if count else {})})


@pytest.mark.parametrize("count, per_piece", [(0, 3), (1, 3), (3, 3), (10, 3), (25, 1000)])
async def test_the_streamed_document_is_the_snapshot_byte_for_byte(monkeypatch, count, per_piece):
    monkeypatch.setattr(state, "ROWS_PER_PIECE", per_piece)
    emulator = Emulator(scenario(count))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://mock") as client:
        r = await client.get("/_mock/state")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.content == dumps(emulator.world.snapshot())
        assert len(orjson.loads(r.content)["contacts"]) == count
        pieces = state.state_pieces(emulator.world)
        assert len(pieces) >= count // per_piece
        # PUT answers with the same document, and the round trip is exact.
        await client.post("/_mock/reset")
        put = await client.put("/_mock/state", content=r.content, headers={"Content-Type": "application/json"})
        assert put.status_code == 200 and put.content == r.content
        assert (await client.get("/_mock/state")).content == r.content


async def test_a_large_world_round_trips_through_the_quick_path_exactly():
    emulator = Emulator(scenario(3000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://mock") as client:
        before = (await client.get("/_mock/state")).content
        world = emulator.world
        index, subscribers = world.contacts.index_snapshot(), world.contacts.subscribers(APP_UUID)
        await client.post("/_mock/reset")
        r = await client.put("/_mock/state", content=before, headers={"Content-Type": "application/json"})
        assert r.status_code == 200 and r.content == before
        assert world.contacts.index_snapshot() == index and world.contacts.subscribers(APP_UUID) == subscribers
        assert world.contacts.find("email", "U43@X.IO").id == 43 and world.contacts.find("email", "u42@x.io") is None  # 42 is deleted


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (lambda s: s["contacts"][5].update(tokens={APP_UUID: ["1", "1"]}), "contacts[5].tokens"),
        (lambda s: s["contacts"][5].update(deleted=True), "contacts[5].tokens: a deleted contact holds no tokens"),
        (lambda s: s["contacts"][9].update(stamp=-1), "contacts[9].stamp"),
        (lambda s: s["contacts"][9]["channels"].append({"type": "email"}), "contacts[9].channels"),
        (lambda s: s["contacts"][2].update(firstName=3), "contacts[2].firstName"),
        (lambda s: s["contacts"].append(dict(s["contacts"][4])), "contacts[20].id: duplicate contact id 5"),
    ],
)
async def test_damaged_contacts_in_a_large_snapshot_are_refused_and_change_nothing(mutate, reason):
    emulator = Emulator(scenario(20))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://mock") as client:
        before = (await client.get("/_mock/state")).content
        bad = orjson.loads(before)
        mutate(bad)
        r = await client.put("/_mock/state", content=orjson.dumps(bad), headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and reason in r.json()["error"], r.text
        assert (await client.get("/_mock/state")).content == before
