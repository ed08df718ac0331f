"""--state-file: saved atomically on shutdown and on POST /_mock/snapshot, loaded at start."""

from __future__ import annotations

import argparse

import httpx
import orjson

from mockserver.cli import build_emulator, serve_parser
from mockserver.statefile import read_state, save_state
from mockserver.threaded import ThreadedServer
from tests.conftest import APP_UUID, SCENARIOS, basic


def emulator_for(state_file, scenario="blocked_user.yaml"):
    args: argparse.Namespace = serve_parser().parse_args(["--scenario", str(SCENARIOS / scenario), "--state-file", str(state_file)])
    return build_emulator(args)


def test_state_survives_a_restart(tmp_path):
    state_file = tmp_path / "world.json"
    with ThreadedServer(emulator_for(state_file)) as server:
        r = httpx.post(f"{server.url}/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "9", "email": "n@example.com"}]}, headers=basic())
        assert r.status_code == 200
        before = httpx.get(f"{server.url}/_mock/state").json()
    assert state_file.exists()  # written on shutdown
    with ThreadedServer(emulator_for(state_file)) as server:
        assert httpx.get(f"{server.url}/_mock/state").json() == before


def test_snapshot_endpoint_saves_now(tmp_path):
    state_file = tmp_path / "world.json"
    emulator = emulator_for(state_file)
    with ThreadedServer(emulator) as server:
        r = httpx.post(f"{server.url}/_mock/snapshot")
        assert r.json() == {"status": "saved", "path": str(state_file)}
        assert read_state(state_file) == orjson.loads(orjson.dumps(emulator.world.snapshot()))
    assert [p.name for p in tmp_path.iterdir()] == ["world.json"]  # no temporary file left behind


def test_snapshot_without_state_file_is_409():
    from mockserver import Emulator
    from mockserver.scenario import load_scenario

    with ThreadedServer(Emulator(load_scenario(SCENARIOS / "blocked_user.yaml"))) as server:
        r = httpx.post(f"{server.url}/_mock/snapshot")
    assert r.status_code == 409 and r.json()["error"] == "no state file"


def test_save_replaces_whole_file_atomically(tmp_path):
    path = tmp_path / "s.json"
    save_state(path, {"a": 1})
    save_state(path, {"b": 2})
    assert read_state(path) == {"b": 2} and len(list(tmp_path.iterdir())) == 1
    assert read_state(tmp_path / "absent.json") is None


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    import os

    import pytest

    path = tmp_path / "s.json"
    save_state(path, {"old": 1})

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_state(path, {"new": 2})
    assert read_state(path) == {"old": 1} and [p.name for p in tmp_path.iterdir()] == ["s.json"]


def test_snapshot_that_cannot_be_written_is_507(tmp_path):
    state_file = tmp_path / "missing-dir" / "world.json"
    with ThreadedServer(emulator_for(state_file)) as server:
        r = httpx.post(f"{server.url}/_mock/snapshot")
        assert r.status_code == 507 and r.json()["error"] == "state file not saved"
        state_file.parent.mkdir()  # so that the save on shutdown succeeds
    assert state_file.exists()
