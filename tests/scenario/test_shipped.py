"""Each shipped scenario: it passes ``mockserver check``, starts with ``mockserver --scenario``, and does its job."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.cli import main
from mockserver.domain.telegram.chats import TelegramError
from mockserver.expect import verify
from mockserver.scenario import find_scenario, load_scenario
from tests.conftest import APP_UUID, SCENARIOS, basic

SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
TOKENS = f"/api/v1/apps/{APP_UUID}/tokens"


def test_all_seven_are_shipped():
    assert {p.stem for p in SHIPPED} >= {
        "blocked_user", "happy_path", "identifier_collisions", "dead_chats", "flaky_network", "rate_limited", "large_audience",
    }


def test_check_accepts_every_shipped_scenario(capsys):
    assert main(["check", *map(str, SHIPPED)]) == 0
    assert capsys.readouterr().out.count(": ok (") == len(SHIPPED)


@pytest.mark.slow  # a server process per scenario
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_starts_with_mockserver_scenario(path):
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--scenario", str(path), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("mockserver listening on http://"), (line, process.stderr.read() if process.poll() is not None else "")
        url = line.split()[-1]
        assert httpx.get(f"{url}/_mock/health").json() == {"status": "ok"}
        # large_audience's state is 100,000 contacts: on a busy machine that takes longer than httpx's 5 s default.
        assert httpx.get(f"{url}/_mock/state", timeout=120).json()["settings"]["name"] == path.stem
    finally:
        process.terminate()
        process.wait(60)  # a large world takes a while to let go of on a busy machine


def client_for(name: str) -> tuple[Emulator, httpx.AsyncClient]:
    emulator = Emulator(load_scenario(SCENARIOS / f"{name}.yaml"))
    transport = httpx.ASGITransport(app=create_app(emulator))
    return emulator, httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic())


def test_happy_path_expectations_hold_and_chats_are_active():
    emulator, _ = client_for("happy_path")
    assert verify(emulator.world, emulator.journal, emulator.scenario["expect"])["passed"]
    assert emulator.world.telegram.check_reachable("111").username == "taras_s"
    taras = emulator.world.contacts.get(1001)
    assert taras.address == {"town": "Kyiv", "postcode": "01001"} and taras.groups == [{"id": 1, "name": "customers", "type": "Static"}]
    assert [c["type"] for c in taras.channels] == ["email", "sms", "viber", "mobilepush"] and taras.contact_key == "taras-1001"


@pytest.mark.anyio
async def test_identifier_collisions_resolve_to_the_most_recent_contact():
    emulator, client = client_for("identifier_collisions")
    async with client:
        r = await client.post(TOKENS, json={"tokens": [
            {"token": "t1", "email": "SHARED@example.com"},
            {"token": "t2", "phone": "38-050-123-45-67"},
            {"token": "t3", "email": "ghost@example.com"},
        ]})
        assert r.status_code == 200
        outcomes = (await client.get("/_mock/requests")).json()["requests"][0]["outcomes"]
    assert [(o["outcome"], o["contactId"]) for o in outcomes] == [("added", 2002), ("added", 2006), ("created", 2007)]


def test_dead_chats_answer_as_telegram_does():
    emulator, _ = client_for("dead_chats")
    telegram = emulator.world.telegram
    answers = {}
    for chat_id in ("302", "303", "999"):
        with pytest.raises(TelegramError) as caught:
            telegram.check_reachable(chat_id)
        answers[chat_id] = (caught.value.error_code, caught.value.description)
    assert answers == {
        "302": (403, "Forbidden: user is deactivated"),
        "303": (400, "Bad Request: chat not found"),
        "999": (400, "Bad Request: chat not found"),
    }
    assert telegram.check_reachable("301").state == "active"


@pytest.mark.anyio
async def test_flaky_network_fails_twice_then_works_and_is_repeatable():
    body = {"tokens": [{"token": "1", "email": "a@example.com"}]}
    runs = []
    for _ in range(2):
        _, client = client_for("flaky_network")
        async with client:
            tokens = [(await client.post(TOKENS, json=body)).status_code for _ in range(3)]
            bots = [(await client.get("/bot1:x/getMe")).status_code for _ in range(20)]
        runs.append((tokens, bots))
    assert runs[0] == runs[1]
    tokens, bots = runs[0]
    assert tokens == [503, 503, 200] and 502 in bots and set(bots) <= {502, 404}


@pytest.mark.anyio
async def test_rate_limited_api_and_chat():
    emulator, client = client_for("rate_limited")
    body = {"tokens": [{"token": "1", "email": "a@example.com"}]}
    async with client:
        first = await client.post(TOKENS, json=body)
        second = await client.post(TOKENS, json=body)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "2") and second.status_code == 200
    refusals = []
    for _ in range(4):
        try:
            emulator.world.telegram.check_reachable("501")
            refusals.append(None)
        except TelegramError as exc:
            refusals.append(exc.retry_after)
    assert refusals == [5, 5, 5, None]


def test_blocked_user_chat_is_blocked():
    emulator, _ = client_for("blocked_user")
    with pytest.raises(TelegramError, match="bot was blocked by the user"):
        emulator.world.telegram.check_reachable("222")


@pytest.mark.slow  # builds 100,000 contacts
def test_large_audience_has_100k_generated_contacts():
    emulator, _ = client_for("large_audience")
    world = emulator.world
    assert len(world.contacts) == 100_000 and world.contacts.next_id == 100_001
    assert verify(world, emulator.journal, emulator.scenario["expect"])["passed"]
    contact = world.contacts.find("phone", "+380500012345")
    assert contact.id == 12345 and contact.external_customer_id == "CUST-012345"
    again = Emulator(load_scenario(SCENARIOS / "large_audience.yaml")).world.contacts.get(777)
    assert (again.first_name, again.last_name) == (world.contacts.get(777).first_name, world.contacts.get(777).last_name)


def test_a_shipped_scenario_is_found_by_name_from_anywhere(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert find_scenario("blocked_user") == find_scenario("blocked_user.yaml") == SCENARIOS.resolve() / "blocked_user.yaml"
    assert main(["check", "blocked_user", "large_audience.yaml"]) == 0
    assert capsys.readouterr().out.count(": ok (") == 2


def test_a_local_file_wins_over_a_shipped_name_and_a_path_is_never_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "blocked_user").write_text("name: mine\n")
    assert find_scenario("blocked_user") == Path("blocked_user")
    assert load_scenario("blocked_user")["name"] == "mine"
    assert find_scenario("./happy_path") == Path("happy_path")  # a path, even when it does not exist


def test_an_unknown_name_lists_the_shipped_ones(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "no_such_scenario"]) == 2
    err = capsys.readouterr().err
    assert "no such scenario file" in err and "blocked_user" in err and "rate_limited" in err
