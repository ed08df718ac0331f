"""The pytest plugin, run in a separate pytest process as a user would, and the README's copy of the example."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SCENARIOS

INNER = '''
import httpx
import pytest

from mockserver.client import ControlError

APP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


@pytest.mark.mockserver_scenario("blocked_user.yaml")
def test_one_writes(mockserver):
    r = httpx.post(f"{mockserver.url}/api/v1/apps/{APP}/tokens", auth=("", "test-key"),
                   json={"tokens": [{"token": "9", "email": "x@example.com"}]})
    assert r.status_code == 200
    assert mockserver.wait(1, timeout=2, status=200) == 1
    mockserver.freeze()
    mockserver.add_fault({"status": 500})


@pytest.mark.mockserver_scenario("blocked_user.yaml")
def test_two_sees_a_fresh_world(mockserver):
    assert len(mockserver.contacts()) == 3 and mockserver.count() == 0
    assert mockserver.faults() == [] and mockserver.clock()["frozen"] is False


@pytest.mark.parametrize("mockserver_scenario", ["blocked_user.yaml", None], indirect=True)
def test_indirect_parameter(mockserver, mockserver_scenario):
    assert len(mockserver.state()["apps"]) == (1 if mockserver_scenario else 0)


@pytest.mark.mockserver_scenario("rate_limited")
def test_a_shipped_scenario_by_name(mockserver):
    assert mockserver.state()["settings"]["name"] == "rate_limited"


def test_wait_times_out(mockserver):
    with pytest.raises(ControlError) as caught:
        mockserver.wait(1, timeout=0.1)
    assert caught.value.status == 408
'''


@pytest.mark.slow  # a pytest in a subprocess
def test_plugin_in_a_user_project(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "blocked_user.yaml").write_text((SCENARIOS / "blocked_user.yaml").read_text())
    (tmp_path / "test_inner.py").write_text(INNER)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "6 passed" in run.stdout


@pytest.mark.slow  # a pytest in a subprocess
def test_marker_is_registered(tmp_path):
    run = subprocess.run([sys.executable, "-m", "pytest", "--markers"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert "@pytest.mark.mockserver_scenario(path)" in run.stdout


def test_readme_shows_the_example_exactly():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```python\n(# The README's pytest example.*?)```", readme, re.S)
    assert block is not None
    assert block.group(1) == (Path(__file__).parent / "test_readme_example.py").read_text()


@pytest.mark.slow  # a pytest in a subprocess
def test_readme_example_runs_as_written_from_a_copy_outside_the_project(tmp_path):
    """A copy of the example in another folder, run from the project: its scenario is found from there."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "test_copy.py").write_text((Path(__file__).parent / "test_readme_example.py").read_text())
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(elsewhere / "test_copy.py")],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
