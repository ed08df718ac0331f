"""The real ``mockserver`` command in a subprocess: start, serve over TCP, stop cleanly, refuse bad files."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import APP_UUID, ROOT, basic

START_TIMEOUT = 20.0


def mockserver(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "mockserver", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_lines(proc: subprocess.Popen, count: int, timeout: float) -> list[str]:
    """The first ``count`` lines the server prints, or fail if it takes longer than ``timeout``.

    A thread reads, because a pipe's buffered reader may hold several lines that a
    select() on the descriptor would no longer announce.
    """
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    got: list[str] = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        try:
            got.append(lines.get(timeout=max(0.0, deadline - time.monotonic())).rstrip("\n"))
        except queue.Empty:
            pytest.fail(f"mockserver printed {got!r} and then nothing for {timeout}s (exit status {proc.poll()})")
    return got


@pytest.fixture
def server():
    proc = mockserver("--scenario", "scenarios/blocked_user.yaml", "--port", "0")
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serves_registers_and_stops_cleanly_on_a_signal(server, stop):
    listening, bot_line, dashboard = read_lines(server, 3, START_TIMEOUT)
    found = re.fullmatch(r"mockserver listening on (http://127\.0\.0\.1:(\d+))", listening)
    assert found, listening
    base_url = found.group(1)
    assert int(found.group(2)) > 0
    assert f"app_uuid {APP_UUID}" in bot_line and "@demo_shop_bot" in bot_line
    assert bot_line.endswith(f"{base_url}/api/v1/apps/{APP_UUID}/tokens")
    assert dashboard == f"dashboard: {base_url}/_mock/ui"

    with httpx.Client(base_url=base_url, timeout=10) as http:
        assert http.get("/_mock/health").status_code == 200
        r = http.post(
            f"/api/v1/apps/{APP_UUID}/tokens",
            json={"tokens": [{"token": "555", "email": "cli@example.com"}]},
            headers=basic(),
        )
        assert (r.status_code, r.content) == (200, b'""')  # the JSON string the vendor types it
        assert http.post(f"/api/v1/apps/{APP_UUID}/tokens", json={"tokens": []}).status_code == 401
        search = http.get("/api/v1/contacts", params={"email": "cli@example.com"}, headers=basic())
        # Spelled as esputnik.com spells it on the wire, for clients that look it up case-sensitively.
        assert (b"TotalCount", b"1") in search.headers.raw
        state = http.get("/_mock/state").json()
    created = [c for c in state["contacts"] if c["email"] == "cli@example.com"]
    assert [(c["id"], c["tokens"]) for c in created] == [(1004, {APP_UUID: ["555"]})]
    assert state["apps"][0]["subscribers"] == 3

    server.send_signal(stop)
    assert server.wait(timeout=15) == 0
    assert "Traceback" not in server.stderr.read()


@pytest.mark.parametrize(
    "content, reason",
    [
        (None, "no such scenario file"),
        ("bots: [\n  {app_uuid: 1\n", "invalid YAML"),
        ("limits: {token_batches: 5}\n", "limits.token_batches: unknown limit"),
        ("contact_id_base: many\n", "contact_id_base: must be a positive integer"),
    ],
)
def test_unusable_scenario_is_refused_with_one_line(tmp_path: Path, content: str | None, reason: str):
    path = tmp_path / "scenario.yaml"
    if content is not None:
        path.write_text(content)
    proc = mockserver("--scenario", str(path), "--port", "0")
    try:
        out, err = proc.communicate(timeout=START_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith("mockserver: ") and str(path) in err and reason in err
    assert "Traceback" not in err


def test_one_line_per_bot_and_the_limits_from_the_command_line():
    proc = mockserver("--scenario", "scenarios/happy_path.yaml", "--port", "0", "--body-limit", "64", "--journal-size", "2")
    try:
        listening, *bots = read_lines(proc, 3, START_TIMEOUT)
        base_url = listening.rsplit(" ", 1)[1]
        assert sorted(line.split(":", 1)[0] for line in bots) == ["bot @demo_news_bot", "bot @demo_shop_bot"]
        with httpx.Client(base_url=base_url, timeout=10, headers=basic()) as http:
            url = f"/api/v1/apps/{APP_UUID}/tokens"
            r = http.post(url, json={"tokens": [{"token": "1", "email": "x" * 64}]})
            assert r.status_code == 413 and "limit of 64 bytes" in r.text
            for _ in range(3):
                assert http.post(url, json={"tokens": [{"token": "1", "contactId": 1001}]}).status_code == 200
            journal = http.get("/_mock/requests").json()
        # The journaled 413 and three registrations in a journal of two: the 413 and one 200 fell off.
        assert (journal["size"], len(journal["requests"]), journal["dropped"]) == (2, 2, 2)
        assert [e["status"] for e in journal["requests"]] == [200, 200]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
