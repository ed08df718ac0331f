"""Every bound on what the emulator holds, each reached and answered with a clear error.

The bounds are module constants; tests lower them (monkeypatch) rather than fill a million
chats. The hostile documents (a "billion laughs" scenario) go through a real socket.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import urllib.error
import urllib.request

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.domain.telegram import bots, chats, editing, updates
from mockserver.journal import BODY_PREVIEW, ENTRY_OVERHEAD, Journal
from mockserver.scenario import ScenarioError, bounds, load_scenario, parse_scenario
from mockserver.threaded import ThreadedServer
from tests.conftest import ROOT, SCENARIOS, basic

BOT = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
APP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def laughs(levels: int = 9) -> str:
    """The classic alias bomb: each level aliases the one below ten times (10^levels strings)."""
    lines = ["name: lol", "description: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines.append("x-bomb:")
    for level in range(1, levels + 1):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


@pytest.fixture
async def mock(emulator):
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as c:
        yield c


# -- the journal: entries and bytes ----------------------------------------------------------


def test_the_journal_drops_the_oldest_to_stay_within_its_bytes():
    journal = Journal(size=1000, max_bytes=100_000)
    for n in range(50):
        entry = journal.open(0.0, "POST", f"/api/{n}", "", b"x" * 10_000)
        entry.response_body = b"y" * 5_000
        journal.closed(entry)
    assert journal.bytes <= 100_000
    kept = [e.path for e in journal.entries]
    assert kept == [f"/api/{n}" for n in range(50 - len(kept), 50)]  # the newest, in order
    assert journal.dropped == 50 - len(kept)
    assert journal.bytes == sum(e.size for e in journal.entries)


def test_bodies_count_up_to_the_preview_and_the_newest_entry_always_stays():
    journal = Journal(size=10, max_bytes=1)
    entry = journal.open(0.0, "POST", "/api/x", "", b"x" * (BODY_PREVIEW * 3))
    entry.response_body = b"y" * (BODY_PREVIEW * 2)
    entry.notes["outcomes"] = [{"token": "1"}]
    journal.closed(entry)
    assert list(journal.entries) == [entry]
    assert len(entry.request_body) == len(entry.response_body) == BODY_PREVIEW
    assert entry.size == ENTRY_OVERHEAD + 2 * BODY_PREVIEW + len(b'{"outcomes":[{"token":"1"}]}')
    journal.closed(journal.open(0.0, "GET", "/api/y", "", b""))
    assert [e.path for e in journal.entries] == ["/api/y"] and journal.dropped == 1


@pytest.mark.anyio
async def test_the_journal_reports_its_bytes(scenario):
    emulator = Emulator(scenario, journal_bytes=4000)
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        for _ in range(20):
            await client.get("/api/v1/version")
        journal = (await client.get("/_mock/requests")).json()
    assert journal["max_bytes"] == 4000 and 0 < journal["bytes"] <= 4000
    assert journal["dropped"] == 20 - len(journal["requests"]) > 0


def test_the_command_refuses_a_journal_of_no_bytes():
    run = subprocess.run([sys.executable, "-m", "mockserver", "--journal-bytes", "0"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "--journal-bytes" in run.stderr


# -- update queues, users and chats ----------------------------------------------------------


@pytest.mark.anyio
async def test_a_full_update_queue_refuses_the_users_action_and_changes_nothing(mock, emulator, monkeypatch):
    monkeypatch.setattr(updates, "MAX_PENDING_UPDATES", 2)
    monkeypatch.setattr(bots, "MAX_PENDING_UPDATES", 2)
    await mock.post("/_mock/telegram/users", json={"id": 555, "first_name": "Ivan"})
    assert (await mock.post("/_mock/telegram/users/555/start", json={})).status_code == 200
    assert (await mock.post("/_mock/telegram/users/555/send", json={"text": "one"})).status_code == 200
    refused = await mock.post("/_mock/telegram/users/555/send", json={"text": "hello"})
    assert refused.status_code == 409
    assert "already holds 2 pending updates" in refused.json()["error"] and "getUpdates" in refused.json()["error"]
    messages = (await mock.get("/_mock/telegram/chats/555/messages")).json()
    assert [m["text"] for m in messages["messages"]] == ["/start", "one"]
    assert (await mock.post("/_mock/telegram/chats/555/block")).status_code == 409
    assert emulator.world.telegram.chats["555"].state == "active"
    # Once the bridge confirms what it read, users may act again.
    polled = (await mock.get(f"/bot{BOT}/getUpdates")).json()["result"]
    await mock.get(f"/bot{BOT}/getUpdates", params={"offset": polled[-1]["update_id"] + 1})
    assert (await mock.post("/_mock/telegram/users/555/send", json={"text": "hello"})).status_code == 200


@pytest.mark.anyio
async def test_users_and_chats_stop_at_the_chat_bound(mock, emulator, monkeypatch):
    held = len(emulator.world.telegram.chats)
    monkeypatch.setattr(chats, "MAX_CHATS", held + 1)
    monkeypatch.setattr(bots, "MAX_CHATS", held + 1)
    assert (await mock.post("/_mock/telegram/users", json={"id": 901, "first_name": "A"})).status_code == 200
    refused = await mock.post("/_mock/telegram/users", json={"id": 902, "first_name": "B"})
    assert refused.status_code == 409 and f"at most {held + 1}" in refused.json()["error"]
    assert "902" not in emulator.world.telegram.chats
    # A bot writing to a chat nobody knows gets Telegram's answer for an unknown chat.
    sent = (await mock.post(f"/bot{BOT}/sendMessage", json={"chat_id": 903, "text": "hi"})).json()
    assert sent == {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    monkeypatch.setattr(editing, "MAX_CHATS", held + 1)
    action = (await mock.post(f"/bot{BOT}/sendChatAction", json={"chat_id": 903, "action": "typing"})).json()
    assert action == sent and "903" not in emulator.world.telegram.chats
    # A send to new chat ids past the bound is refused as a whole: no delivery is made.
    template = (await mock.post("/api/v1/messages/telegram", json={"name": "t", "text": "hi"})).json()["id"]
    tokens = [{"token": "904", "email": "a@example.com"}, {"token": "905", "email": "b@example.com"}]
    assert (await mock.post(f"/api/v1/apps/{APP}/tokens", json={"tokens": tokens})).status_code == 200
    assert "904" not in emulator.world.telegram.chats  # registering a token makes no chat; sending does
    before = len(emulator.world.deliveries)
    send = await mock.post(f"/api/v1/message/{template}/smartsend", json={"recipients": [{"locator": "904"}, {"locator": "905"}]})
    assert send.status_code == 409 and "Telegram chats" in send.text
    assert len(emulator.world.deliveries) == before


# -- fault rules ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_fault_rules_stop_at_their_count_and_size(mock, emulator, monkeypatch):
    import mockserver.faults as faults

    monkeypatch.setattr(faults, "MAX_FAULTS", len(emulator.faults.faults) + 1)
    rule = {"match": {"path": "/api/v1/version"}, "action": {"status": 503}}
    assert (await mock.post("/_mock/faults", json=rule)).status_code == 201
    refused = await mock.post("/_mock/faults", json=rule)
    assert refused.status_code == 409 and "remove some" in refused.json()["detail"]
    await mock.delete("/_mock/faults")
    huge = {"action": {"status": 200, "body": "x" * (faults.MAX_FAULT_BYTES + 1)}}
    refused = await mock.post("/_mock/faults", json=huge)
    assert refused.status_code == 400 and f"at most {faults.MAX_FAULT_BYTES} bytes" in refused.json()["detail"]


def test_a_scenario_holds_at_most_max_faults_rules():
    rules = "\n".join("  - {action: {status: 500}}" for _ in range(bounds.MAX_FAULTS + 1))
    with pytest.raises(ScenarioError) as refused:
        parse_scenario("faults:\n" + rules + "\n")
    assert "faults" in str(refused.value)


# -- requests waiting at once ------------------------------------------------------------------


@pytest.mark.anyio
async def test_past_the_waiting_bound_a_new_wait_is_refused_at_once(mock, emulator):
    emulator.waiting.limit = 1
    poll = asyncio.create_task(mock.get(f"/bot{BOT}/getUpdates", params={"timeout": 30}))
    while emulator.waiting.count < 1:
        await asyncio.sleep(0.01)
    waited = await mock.get("/_mock/requests/wait", params={"count": 99, "timeout": 30})
    assert waited.status_code == 429 and "already waiting" in waited.json()["detail"]
    emulator.updates.close()  # end the pending poll (what a shutdown does)
    assert (await poll).json() == {"ok": True, "result": []}
    emulator.updates.reopen()
    emulator.waiting.limit = 0
    refused = (await mock.get(f"/bot{BOT}/getUpdates", params={"timeout": 5})).json()
    assert refused["error_code"] == 429 and refused["parameters"] == {"retry_after": 1}


# -- scenario size, aliases and generate ----------------------------------------------------


def test_a_billion_laughs_over_a_real_socket_is_refused_not_expanded(emulator):
    with ThreadedServer(emulator) as server:
        request = urllib.request.Request(
            server.url + "/_mock/scenario", laughs().encode(), {"Content-Type": "application/yaml"}, method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 400
        assert b"aliases would expand the scenario by more than 1000000 nodes" in refused.value.read()
        assert emulator.world.scenario["name"] != "lol"  # nothing changed


def test_aliases_that_add_little_are_fine_and_a_document_holding_itself_is_not():
    scenario = parse_scenario(
        "name: anchors\ncontacts:\n  - &c {firstName: A, email: a@example.com}\n  - {<<: *c, email: b@example.com}\n"
    )
    assert [c["first_name"] for c in scenario["contacts"]] == ["A", "A"]
    with pytest.raises(ScenarioError) as refused:
        parse_scenario("name: &n [*n]\n")
    assert "contains it" in str(refused.value)


def test_the_command_refuses_a_billion_laughs_file(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(laughs())
    run = subprocess.run([sys.executable, "-m", "mockserver", "check", str(bomb)], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 2
    assert f"{bomb}:1:1: YAML aliases would expand" in run.stderr


def test_a_scenario_file_over_the_size_bound_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_SCENARIO_BYTES", 100)
    big = tmp_path / "big.yaml"
    big.write_text("name: big\ndescription: " + "x" * 200 + "\n")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(big)
    assert "the scenario is 224 bytes; at most 100 are read" in str(refused.value)
    with pytest.raises(ScenarioError):
        parse_scenario(big.read_text())
    monkeypatch.undo()
    assert load_scenario(SCENARIOS / "blocked_user.yaml")["name"]  # with the real bound, a scenario loads


def test_generate_counts_are_bounded_per_block_and_in_all():
    block = "  - {count: 1500000, email: 'u{n}@e.com'}\n"
    with pytest.raises(ScenarioError) as refused:
        parse_scenario("generate:\n" + block + block.replace("u{n}", "v{n}").replace("}", ", id_base: 9000000}"))
    assert "generate makes 3000000 contacts in all; at most 2000000" in str(refused.value)
    with pytest.raises(ScenarioError) as refused:
        parse_scenario("generate: {count: 2000001}\n")
    assert "generate.count: 2000001 is greater than the maximum of 2000000" in str(refused.value)
