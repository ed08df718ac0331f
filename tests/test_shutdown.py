"""Stopping the real ``mockserver`` process while requests wait: it exits at once, answers them, saves.

A bot bridge long-polls ``getUpdates`` all the time, so Ctrl-C or SIGTERM normally lands
while a 30 s poll is pending; a delayed fault and a ``/_mock/requests/wait`` may be pending
too. The exit bound below is loose on purpose (a correctness check, not a benchmark): it
only has to be well under the 30 s the poll would otherwise last.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import urllib.request

import pytest

from tests.conftest import basic
from tests.test_cli import mockserver, read_lines

BOT = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
WELL_BEFORE_THE_POLL_ENDS = 5.0


def call(url: str, results: dict, name: str, data: bytes | None = None, headers: dict | None = None) -> None:
    request = urllib.request.Request(url, data, headers or {}, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            results[name] = (response.status, response.read())
    except urllib.error.HTTPError as exc:
        results[name] = (exc.code, exc.read())
    except OSError as exc:
        results[name] = (0, repr(exc).encode())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_pending_long_poll_and_delayed_fault_do_not_hold_up_the_exit(tmp_path, sig):
    state = tmp_path / "state.json"
    proc = mockserver("--scenario", "scenarios/blocked_user.yaml", "--port", "0", "--state-file", str(state))
    try:
        url = read_lines(proc, 1, 20.0)[0].split()[-1]
        fault = json.dumps({"match": {"path": "/api/v1/version"}, "action": {"delay_ms": 30_000}}).encode()
        urllib.request.urlopen(urllib.request.Request(url + "/_mock/faults", fault, {"Content-Type": "application/json"}))
        results: dict = {}
        waiters = [
            threading.Thread(target=call, args=(f"{url}/bot{BOT}/getUpdates?timeout=30", results, "poll")),
            threading.Thread(target=call, args=(f"{url}/api/v1/version", results, "fault", None, basic())),
            threading.Thread(
                target=call, args=(f"{url}/_mock/requests/wait?count=3&timeout=30", results, "wait")
            ),
        ]
        for waiter in waiters:
            waiter.start()
        # Both journaled requests count from their arrival, so this says they are being served.
        urllib.request.urlopen(f"{url}/_mock/requests/wait?count=2&timeout=20").read()
        signalled = time.monotonic()
        proc.send_signal(sig)
        status = proc.wait(timeout=30)
        exited = time.monotonic() - signalled
        for waiter in waiters:
            waiter.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert status == 0, proc.stderr.read() if proc.stderr else ""
    assert exited < WELL_BEFORE_THE_POLL_ENDS
    assert results["poll"] == (200, b'{"ok":true,"result":[]}')
    assert results["fault"][0] == 200  # the delay ended early; the real answer went out
    assert results["wait"][0] == 503 and b"shutting down" in results["wait"][1]
    saved = json.loads(state.read_text())
    assert saved["bots"] and saved["contacts"]
