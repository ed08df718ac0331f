"""Every file under broken/ is refused with the file:line:column and reason its first line promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.cli import main
from mockserver.scenario import ScenarioError, load_scenario

BROKEN = sorted((Path(__file__).parent / "broken").glob("*.yaml"))


def promise(path: Path) -> tuple[str, str]:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: ")
    place, reason = first[len("# expect: "):].split(": ", 1)
    return place, reason


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_refused_with_place_and_reason(path):
    place, reason = promise(path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    lines = str(caught.value).splitlines()
    assert any(line.startswith(f"{path}:{place}: ") and reason in line for line in lines), lines


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_check_command_exits_2_without_traceback(path, capsys):
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:") and "Traceback" not in err


def test_serving_a_broken_file_exits_2_with_its_place_and_no_traceback():
    """The real command line, as a user runs it: ``mockserver --scenario broken.yaml``."""
    path = BROKEN[0]
    place, reason = promise(path)
    run = subprocess.run([sys.executable, "-m", "mockserver", "--scenario", str(path), "--port", "0"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert f"{path}:{place}: " in run.stderr and reason in run.stderr


def test_several_problems_are_all_reported_in_file_order(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text("contacts:\n  - id: x\n  - {id: 2, color: red}\nextra: 1\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert [line.split(": ")[0] for line in caught.value.lines] == [f"{path}:2:9", f"{path}:3:13", f"{path}:4:1"]


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(tmp_path / "nope.yaml")


def test_unsafe_yaml_tags_are_refused(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(ScenarioError, match=r":1:7: invalid YAML"):
        load_scenario(path)
