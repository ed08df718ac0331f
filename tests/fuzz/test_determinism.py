"""The fuzzing gives the same outcome per operation whatever ran before it.

A handful of cheap operations, among them two that change global behaviour (reset, the clock),
run in a subprocess twice: in collection order and reversed (``MOCKSERVER_FUZZ_ORDER``, see
conftest.py). The whole folder is checked the same way by hand (README, "Install and run the tests").
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

# Only these paths are collected (MOCKSERVER_FUZZ_PATHS), and of them only the per-operation tests run.
PATHS = "reset|clock|version"


def outcomes(tmp_path: Path, order: str) -> list[tuple[str, str]]:
    """(test name, outcome) in the order the items ran."""
    report = tmp_path / f"{order or 'collected'}.xml"
    env = {**os.environ, "MOCKSERVER_FUZZ_ORDER": order, "MOCKSERVER_FUZZ_PATHS": PATHS}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    command += ["tests/fuzz/test_contract.py", "-k", "test_operation", f"--junitxml={report}"]
    subprocess.run(command, cwd=ROOT, env=env, capture_output=True, timeout=1800)
    ran = []
    for case in ET.parse(report).iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        ran.append((case.get("name", ""), "skipped" if case.find("skipped") is not None else "failed" if failed else "passed"))
    return ran


def test_reversed_order_gives_the_same_outcomes(tmp_path):
    first = outcomes(tmp_path, "")
    reversed_run = outcomes(tmp_path, "reverse")
    assert len(first) >= 4
    assert [name for name, _ in reversed_run] == [name for name, _ in reversed(first)]
    assert sorted(reversed_run) == sorted(first)
