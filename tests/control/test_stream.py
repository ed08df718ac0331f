"""GET /_mock/stream: an event per change, of the kind that changed, published where requests end;
bounded, behind the control token, and ended at once when the server stops."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.scenario import load_scenario
from mockserver.stream import MAX_QUEUED, ChangeStream, kinds_of
from mockserver.threaded import ThreadedServer
from tests.conftest import APP_UUID, SCENARIOS, basic

BOT = "/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


def parse(text: str) -> list[tuple[str, dict]]:
    """The (event, data) pairs of a stream's text; comments and the retry field are left out."""
    events = []
    for block in text.split("\n\n"):
        kind, data = None, None
        for line in block.splitlines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data = json.loads(line[6:])
        if kind is not None:
            events.append((kind, data))
    return events


async def listen_while(client, actions, seconds: float = 0.5) -> list[tuple[str, dict]]:
    """The events a stream of ``seconds`` saw while ``actions`` ran against the same emulator."""

    async def act():
        while not client.emulator.changes.subscribers:
            await asyncio.sleep(0.005)
        await actions()

    stream, _ = await asyncio.gather(client.get("/_mock/stream", params={"timeout": seconds}), act())
    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
    return parse(stream.text)


@pytest.fixture
async def client(emulator):
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as c:
        c.emulator = emulator
        yield c


@pytest.mark.anyio
async def test_each_change_is_an_event_of_its_kind(client):
    async def actions():
        await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "333", "externalCustomerId": "C-3"}]})
        await client.get("/api/v1/version")
        await client.post("/_mock/clock", json={"freeze": True})
        await client.post("/_mock/faults", json={"match": {"path": "/x"}, "action": {"status": 500}})
        await client.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ann"})
        await client.post("/_mock/telegram/users/555/start")
        await client.post(f"{BOT}/sendMessage", json={"chat_id": 555, "text": "hi"})
        await client.get("/_mock/overview")  # a read: no event
        await client.post("/_mock/reset")

    events = await listen_while(client, actions)
    kinds = [kind for kind, _ in events]
    assert kinds == [
        "ready", "request", "contact", "request", "clock", "fault", "chat", "contact", "chat", "contact",
        "request", "chat", "reset",
    ]
    ready, (_, tokens), (_, contact) = events[0][1], events[1], events[2]
    assert ready["scenario"] == "blocked_user" and ready["clock"]["frozen"] is False
    assert tokens == {"id": 1, "method": "POST", "path": f"/api/v1/apps/{APP_UUID}/tokens", "status": 200}
    assert contact == {"method": "POST", "path": f"/api/v1/apps/{APP_UUID}/tokens", "status": 200, "request": 1}
    clock = dict(events)["clock"]
    assert clock["clock"]["frozen"] is True and clock["request"] is None
    assert dict(events)["fault"]["faults"] == 1


@pytest.mark.anyio
async def test_refused_requests_change_nothing_and_say_so_only_as_requests(client):
    async def actions():
        await client.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": "nope"})
        await client.post("/_mock/clock", json={"freeze": "yes"})

    assert [(k, d.get("status")) for k, d in await listen_while(client, actions, 0.3)] == [("ready", None), ("request", 400)]


@pytest.mark.parametrize(
    "method, path, status, kinds",
    [
        ("POST", "/api/v1/message/5/smartsend", 200, ("delivery", "chat")),
        ("POST", "/api/v1/broadcast", 200, ("delivery", "chat")),
        ("PUT", "/api/v1/contact/5", 200, ("contact",)),
        ("GET", "/api/v1/contacts", 200, ()),
        ("GET", "/track/abc", 302, ("delivery",)),
        ("RETRY", "telegram:sendMessage", 200, ("delivery", "chat")),
        ("POST", "/bot1:x/getUpdates", 200, ()),
        ("POST", "/bot1:x/editMessageText", 200, ("chat",)),
        ("POST", "/_mock/telegram/chats/5/click", 200, ("chat", "delivery")),
        ("PUT", "/_mock/state", 200, ("reset",)),
        ("POST", "/_mock/scenario", 200, ("reset",)),
        ("POST", "/_mock/verify", 200, ()),
        ("POST", "/api/v1/contact", 500, ()),
    ],
)
def test_what_a_request_may_have_changed(method, path, status, kinds):
    assert kinds_of(method, path, status) == kinds


@pytest.mark.anyio
async def test_a_reader_that_falls_behind_gets_one_overflow_event_instead():
    changes = ChangeStream()
    subscriber = changes.subscribe()
    for i in range(MAX_QUEUED + 5):
        changes.publish("request", {"id": i})
    events = parse((await subscriber.next(0.1)).decode())
    assert events[0] == ("overflow", {"dropped": MAX_QUEUED}) and len(events) == 6
    assert await subscriber.next(0.01) == b""  # quiet: a keep-alive is due
    changes.close()
    assert await subscriber.next(1) is None


@pytest.mark.anyio
async def test_streams_are_bounded_and_refused_at_shutdown(client):
    client.emulator.changes.limit = 0
    r = await client.get("/_mock/stream", params={"timeout": 0})
    assert r.status_code == 429 and r.json()["error"] == "too many open streams"
    client.emulator.changes.limit = 5
    await client.emulator.begin_shutdown()
    r = await client.get("/_mock/stream", params={"timeout": 0})
    assert r.status_code == 503
    assert (await client.get("/_mock/stream", params={"timeout": -1})).status_code == 400


@pytest.mark.anyio
async def test_the_stream_needs_the_control_token():
    emulator = Emulator(load_scenario(SCENARIOS / "blocked_user.yaml"), control_token="secret")
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as plain:
        assert (await plain.get("/_mock/stream", params={"timeout": 0})).status_code == 401
        r = await plain.get("/_mock/stream", params={"timeout": 0}, headers={"Authorization": "Bearer secret"})
        assert r.status_code == 200 and parse(r.text)[0][0] == "ready"


@pytest.mark.slow
def test_an_open_stream_does_not_hold_up_the_shutdown():
    """A dashboard left open is a stream that never ends by itself; stopping must not wait for it."""
    server = ThreadedServer(Emulator(load_scenario(SCENARIOS / "blocked_user.yaml"))).start()
    seen: list[bytes] = []

    def read():
        with urllib.request.urlopen(f"{server.url}/_mock/stream", timeout=30) as response:
            seen.extend(iter(response.readline, b""))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 10
    while not server.emulator.changes.subscribers and time.monotonic() < deadline:
        time.sleep(0.01)
    urllib.request.urlopen(urllib.request.Request(f"{server.url}/_mock/reset", b"", method="POST")).read()
    started = time.monotonic()
    server.stop()
    stopped = time.monotonic() - started
    reader.join(5)
    assert not reader.is_alive(), "the stream did not end when the server stopped"
    assert stopped < 5.0  # a loose bound (no benchmark): the stream would otherwise last forever
    assert b"event: reset\n" in seen and b"event: ready\n" in seen
