"""Racing clients over real HTTP: a real uvicorn server, a hundred registrations at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from mockserver import Emulator
from mockserver.threaded import ThreadedServer
from tests.conftest import APP_UUID, basic

pytestmark = pytest.mark.anyio

CLIENTS = 100


@pytest.fixture
def server(scenario) -> Iterator[tuple[str, Emulator]]:
    """The emulator as shipped (uvicorn with the emulator's own HTTP protocol) on a free port."""
    with ThreadedServer(Emulator(scenario)) as running:
        yield running.url, running.emulator


async def test_concurrent_registrations_of_one_new_identifier_make_one_contact(server):
    base_url, emulator = server
    tokens = [str(700_000 + n) for n in range(CLIENTS)]
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base_url, headers=basic(), limits=limits, timeout=30) as client:

        async def register(token: str) -> httpx.Response:
            body = {"tokens": [{"token": token, "externalCustomerId": "RACE-1", "email": "race@example.com"}]}
            return await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json=body)

        responses = await asyncio.gather(*(register(t) for t in tokens))
        assert [r.status_code for r in responses] == [200] * CLIENTS
        state = (await client.get("/_mock/state")).json()

    holders = [c for c in state["contacts"] if set(c["tokens"].get(APP_UUID, [])) & set(tokens)]
    assert len(holders) == 1
    (contact,) = holders
    assert contact["externalCustomerId"] == "RACE-1" and contact["email"] == "race@example.com"
    assert sorted(contact["tokens"][APP_UUID]) == sorted(tokens)
    outcomes = [e.notes["outcomes"][0]["outcome"] for e in emulator.journal.entries if e.path.endswith("/tokens")]
    assert sorted(outcomes) == ["added"] * (CLIENTS - 1) + ["created"]
    assert next(a for a in state["apps"] if a["app_uuid"] == APP_UUID)["subscribers"] == 2 + CLIENTS
