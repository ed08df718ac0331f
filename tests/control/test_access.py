"""The control token: /_mock needs ``Authorization: Bearer TOKEN`` once one is set; /api and /bot
keep their own auth; /_mock/health stays open. Refusals go through a real socket too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import httpx
import pytest

from mockserver import Emulator, create_app
from mockserver.access import control_refusal, exposure_warning, is_loopback
from mockserver.client import ControlClient, ControlError
from mockserver.scenario import load_scenario
from mockserver.threaded import ThreadedServer
from tests.conftest import ROOT, SCENARIOS, basic
from tests.test_cli import mockserver, read_lines

TOKEN = "s3cret-token"
BOT = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


@pytest.fixture
def locked():
    return Emulator(load_scenario(SCENARIOS / "blocked_user.yaml"), control_token=TOKEN)


@pytest.fixture
async def plain(locked):
    transport = httpx.ASGITransport(app=create_app(locked))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as c:
        yield c


@pytest.mark.anyio
@pytest.mark.parametrize(
    "headers, reason",
    [
        ({}, "needs Authorization: Bearer"),
        ({"Authorization": "Bearer wrong"}, "does not match"),
        ({"Authorization": f"Basic {TOKEN}"}, "no other scheme"),
    ],
)
async def test_without_the_token_the_control_plane_answers_401_and_changes_nothing(plain, locked, headers, reason):
    r = await plain.post("/_mock/reset", headers=headers)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert r.json()["error"] == "Unauthorized" and reason in r.json()["detail"]
    before = locked.world.snapshot()
    r = await plain.put("/_mock/state", json={"contacts": []}, headers=headers)
    assert r.status_code == 401
    assert locked.world.snapshot() == before


@pytest.mark.anyio
async def test_with_the_token_it_works_and_health_stays_open(plain):
    assert (await plain.get("/_mock/health")).status_code == 200
    assert (await plain.get("/_mock/state", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 200
    assert (await plain.get("/_mock/state", headers={"Authorization": f"bearer  {TOKEN} "})).status_code == 200


@pytest.mark.anyio
async def test_api_and_bot_keep_their_own_auth(plain):
    assert (await plain.get("/api/v1/version", headers=basic())).status_code == 200
    assert (await plain.get("/api/v1/version", headers={"Authorization": f"Bearer {TOKEN}"})).status_code == 401
    assert (await plain.get(f"/bot{BOT}/getMe")).json()["ok"] is True


def test_over_a_socket_a_large_unauthorised_put_reads_its_401_and_the_client_passes_the_token(locked):
    with ThreadedServer(locked) as server:
        # 8 MB, refused before the body is read: nobody without the token makes it buffer a world.
        body = b'{"contacts": [' + b" " * (8 << 20) + b"]}"
        request = urllib.request.Request(server.url + "/_mock/state", body, {"Content-Type": "application/json"}, method="PUT")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=15)
        assert refused.value.code == 401
        assert json.loads(refused.value.read())["error"] == "Unauthorized"
        with pytest.raises(ControlError) as caught:
            ControlClient(server.url, token="").state()
        assert caught.value.status == 401
        assert ControlClient(server.url, token=TOKEN).state()["bots"]


def test_the_refusal_rules():
    headers = [(b"authorization", f"Bearer {TOKEN}".encode())]
    assert control_refusal(None, "/_mock/state", []) is None
    assert control_refusal(TOKEN, "/_mock/health", []) is None
    assert control_refusal(TOKEN, "/_mock/state", headers) is None
    assert control_refusal(TOKEN + "x", "/_mock/state", headers) == "the control token does not match"


def test_only_loopback_addresses_count_as_private():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.3.4.5")
    assert not is_loopback("0.0.0.0") and not is_loopback("::") and not is_loopback("10.0.0.7")
    assert not is_loopback("example.com")
    warning = exposure_warning("0.0.0.0", 8080)
    assert "0.0.0.0:8080" in warning and "replace the whole world" in warning and "--control-token" in warning


def test_the_command_takes_the_token_from_the_environment():
    env = {**os.environ, "MOCKSERVER_CONTROL_TOKEN": TOKEN}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "--port", "0"], cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = read_lines(proc, 1, 20.0)[0].split()[-1]
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "/_mock/state", timeout=10)
        assert refused.value.code == 401
        ok = urllib.request.Request(url + "/_mock/state", headers={"Authorization": f"Bearer {TOKEN}"})
        assert "contacts" in json.loads(urllib.request.urlopen(ok, timeout=10).read())
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "warning" not in err  # 127.0.0.1 with a token: nothing to warn about


def test_no_warning_on_loopback_without_a_token():
    proc = mockserver("--port", "0")
    try:
        read_lines(proc, 1, 20.0)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    assert "warning" not in err


def test_verify_passes_the_token(locked, tmp_path):
    with ThreadedServer(locked) as server:
        scenario = tmp_path / "expect.yaml"
        scenario.write_text("expect:\n  - {contact_count: 3}\n")
        env = {k: v for k, v in os.environ.items() if k != "MOCKSERVER_CONTROL_TOKEN"}
        run = [sys.executable, "-m", "mockserver", "verify", str(scenario), "--url", server.url]
        refused = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
        assert refused.returncode == 2 and "(401)" in refused.stderr
        allowed = subprocess.run(run + ["--control-token", TOKEN], capture_output=True, text=True, env=env, timeout=60)
        assert allowed.returncode in (0, 1), allowed.stderr
        assert "checked" in allowed.stdout


INNER = '''
def test_the_fixture_client_sends_the_token(mockserver):
    assert mockserver.state()["contacts"] == []
    import urllib.error, urllib.request
    try:
        urllib.request.urlopen(mockserver.url + "/_mock/state")
    except urllib.error.HTTPError as exc:
        assert exc.code == 401
    else:
        raise AssertionError("the session emulator should require the token")
'''


def test_the_pytest_plugin_honours_the_environment_token(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(INNER)
    env = {**os.environ, "MOCKSERVER_CONTROL_TOKEN": TOKEN}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


