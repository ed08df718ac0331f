"""ruff and mypy, with the configuration in pyproject.toml, find nothing: the test command keeps it so.

Both come with the ``test`` extra; a missing one fails here rather than letting the rules lapse.
"""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *arguments], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = run("ruff", "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = run("mypy")  # the package, as [tool.mypy] files says
    assert result.returncode == 0, result.stdout + result.stderr
