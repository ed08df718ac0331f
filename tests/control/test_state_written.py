"""PUT /_mock/state of a document the emulator wrote itself: taken without re-checking its contacts,
answered with the document, and the same world as the checked path builds; any change to the
document, damage included, sends it through the full checks."""

from __future__ import annotations

import gc
import hashlib

import httpx
import orjson
import pytest

from mockserver import Emulator, create_app, memory
from mockserver.app import WRITTEN_KEPT
from mockserver.control.state import restored_response, state_pieces
from mockserver.domain.world import World
from mockserver.responses import dumps
from tests.conftest import APP_UUID
from tests.control.test_state_round_trip import open_client, rich_session
from tests.control.test_state_stream import scenario

pytestmark = pytest.mark.anyio
JSON = {"Content-Type": "application/json"}


async def test_a_written_document_is_taken_as_written_and_answered_with_itself():
    async with open_client([500]) as client:
        await rich_session(client)
        document = (await client.get("/_mock/state")).content
        assert client.emulator.wrote(document)
        await client.post("/_mock/reset")
        put = await client.put("/_mock/state", content=document, headers=JSON)
        assert put.status_code == 200 and put.content == document
        assert (await client.get("/_mock/state")).content == document

    # The same bytes re-spaced are not written: the checked path builds the same world.
    async with open_client([]) as other:
        respaced = orjson.dumps(orjson.loads(document), option=orjson.OPT_INDENT_2)
        assert not other.emulator.wrote(respaced)
        put = await other.put("/_mock/state", content=respaced, headers=JSON)
        assert put.status_code == 200 and put.content == document


def test_the_written_path_builds_the_world_the_checked_path_builds():
    document = dumps(World(scenario(40)).snapshot())
    written, checked = World(scenario(0)), World(scenario(0))
    assert written.restore(orjson.loads(document), written=True) is True
    assert checked.restore(orjson.loads(document)) is False
    assert dumps(written.snapshot()) == dumps(checked.snapshot()) == document
    assert written.contacts.index_snapshot() == checked.contacts.index_snapshot()
    assert written.contacts.subscribers(APP_UUID) == checked.contacts.subscribers(APP_UUID) > 0
    assert written.contacts.find("email", "U7@X.IO") is None  # deleted_every: 7
    assert written.contacts.find("email", "U8@X.IO").id == 8


def test_contacts_that_would_not_come_back_as_written_are_not_taken_as_written():
    data = orjson.loads(dumps(World(scenario(3)).snapshot()))
    data["contacts"][1]["tokens"] = {APP_UUID: []}  # dropped on restore: the answer must be written afresh
    assert World(scenario(0)).restore(data, written=True) is False


@pytest.mark.parametrize(
    "old, new, reason",
    [
        (b'"stamp":3}', b'"stamp":-3}', "contacts[2].stamp"),
        (b'"id":2,', b'"id":"2",', "contacts[1].id"),
        (b'"id":3,', b'"id":2,', "contacts[2].id: duplicate contact id 2"),
    ],
)
async def test_a_damaged_copy_of_a_written_document_is_checked_and_refused(old, new, reason):
    emulator = Emulator(scenario(5))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(emulator)), base_url="http://mock") as client:
        document = (await client.get("/_mock/state")).content
        damaged = document.replace(old, new, 1)
        assert damaged != document and not emulator.wrote(damaged)
        put = await client.put("/_mock/state", content=damaged, headers=JSON)
        assert put.status_code == 400 and reason in put.json()["error"], put.text
        assert (await client.get("/_mock/state")).content == document


def test_a_part_that_changed_since_it_was_written_makes_the_answer_written_afresh():
    world = World(scenario(3))
    document = b"".join(state_pieces(world))
    data = orjson.loads(document)
    noted: list[bytes] = []
    assert restored_response(world, noted.append, document, data).body == document
    data["telegram"]["default_chat_state"] = "blocked"  # as if the world wrote it otherwise now
    answer = restored_response(world, noted.append, document, data)
    assert not hasattr(answer, "body") and len(noted) == 1  # streamed afresh, and its digest noted


def test_the_emulator_remembers_the_last_documents_it_wrote():
    emulator = Emulator(scenario(1))
    documents = [b"{%d}" % n for n in range(WRITTEN_KEPT + 1)]
    for document in documents:
        emulator.note_written(hashlib.sha256(document).digest())
    assert not emulator.wrote(documents[0]) and all(emulator.wrote(d) for d in documents[1:])


def test_rebuilding_freezes_a_large_new_world_and_leaves_the_collector_as_it_was():
    frozen = gc.get_freeze_count()
    try:
        with memory.rebuilding(lambda: memory.LARGE):
            with memory.rebuilding(lambda: 0):  # nested: only the outermost acts
                assert not gc.isenabled()
            assert not gc.isenabled()
            kept = [[n] for n in range(100)]
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(kept)
        with memory.rebuilding(lambda: memory.LARGE - 1):
            pass
        assert gc.isenabled()
    finally:
        gc.unfreeze()
