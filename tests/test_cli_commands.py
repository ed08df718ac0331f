"""The commands: schema, check, verify; state-file refusals at start."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from mockserver import Emulator
from mockserver.cli import main
from mockserver.scenario import load_scenario
from mockserver.threaded import ThreadedServer
from tests.conftest import SCENARIOS


def test_schema_is_a_valid_json_schema_that_accepts_every_shipped_scenario(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in SCENARIOS.glob("*.yaml"):
        jsonschema.validate(yaml.safe_load(path.read_text()), schema)


def test_check_reports_good_and_bad_files(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: 1\n")
    assert main(["check", str(SCENARIOS / "happy_path.yaml"), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "happy_path.yaml: ok (happy_path)" in out
    assert err.strip() == f"{bad}:1:7: name: 1 is not of type 'string'"


def test_verify_against_a_running_server(capsys):
    path = SCENARIOS / "happy_path.yaml"
    with ThreadedServer(Emulator(load_scenario(path))) as server:
        assert main(["verify", str(path), "--url", server.url]) == 0
        assert "passed (3 checked, 0 failed)" in capsys.readouterr().out
        server.emulator.world.contacts.soft_delete(server.emulator.world.contacts.get(1003))
        assert main(["verify", str(path), "--url", server.url]) == 1
        out = capsys.readouterr().out
    assert "FAIL expect[2]: 2 live contacts, expected 3" in out


def test_verify_unreachable_server_is_exit_2(capsys):
    assert main(["verify", str(SCENARIOS / "happy_path.yaml"), "--url", "http://127.0.0.1:9", "--timeout", "2"]) == 2
    assert "cannot reach" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content, reason",
    [(b"{not json", "is damaged (not JSON"), (b"[1]", "is damaged (not a snapshot object)"), (b'{"version": 2}', "is damaged (state: missing keys"), (b'{"version": 1}', "is damaged (version: must be 2")],
)
def test_damaged_state_file_is_refused_and_kept(tmp_path, capsys, content, reason):
    state = tmp_path / "state.json"
    state.write_bytes(content)
    assert main(["--state-file", str(state), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert reason in err and "Traceback" not in err
    assert state.read_bytes() == content


def test_watch_needs_a_scenario(capsys):
    assert main(["--watch", "--port", "0"]) == 2
    assert "--watch needs --scenario" in capsys.readouterr().err


def test_schema_into_a_closed_pipe_is_quiet():
    """``mockserver schema | head -1``: the reader leaves early, and no traceback follows."""
    process = subprocess.Popen([sys.executable, "-m", "mockserver", "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()
    _, err = process.communicate(timeout=30)
    assert b"Traceback" not in err and process.returncode == 1, err


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(capsys, port):
    with pytest.raises(SystemExit) as stopped:
        main(["--port", port])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "argument --port: invalid port" in err and "0 to 65535" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: p.mkdir(), "is a directory, not a scenario file"),
        (lambda p: p.write_bytes(b"\xff\xfe bots: []\n"), "cannot read the scenario file"),
    ],
    ids=["directory", "not-utf8"],
)
def test_an_unreadable_scenario_is_one_line_and_exit_2(tmp_path, capsys, make, reason):
    path = tmp_path / "scenario.yaml"
    make(path)
    assert main(["--scenario", str(path), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(f"mockserver: {path}") and reason in err
