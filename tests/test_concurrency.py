"""Racing clients over real HTTP: a real uvicorn server, a hundred registrations at once."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from mockserver import Emulator, create_app
from tests.conftest import APP_UUID, basic

pytestmark = pytest.mark.anyio

CLIENTS = 100


@pytest.fixture
def server(scenario) -> Iterator[tuple[str, Emulator]]:
    """uvicorn on a pre-bound free port in a daemon thread, stopped with a bounded wait."""
    emulator = Emulator(scenario)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(emulator), log_level="warning", access_log=False, lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", emulator
    finally:
        instance.should_exit = True
        thread.join(10)
        if thread.is_alive():
            instance.force_exit = True
            thread.join(5)
        sock.close()


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
