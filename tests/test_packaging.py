"""What a new user meets first: the README's two commands, .ci/run running exactly the test one,
and the package metadata they rely on."""

from __future__ import annotations

import re
import tomllib

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
CI_RUN = (ROOT / ".ci" / "run").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
VENV = "python3 -m venv .venv && . .venv/bin/activate && "


def readme_commands() -> list[str]:
    """The indented command lines before the README's first section."""
    head = README.split("\n## ", 1)[0]
    return [line.strip() for line in head.splitlines() if line.startswith("    ")]


def test_the_readme_opens_with_the_start_and_the_test_command():
    start, test = readme_commands()[:2]
    assert start.startswith(VENV) and start.endswith("mockserver --scenario scenarios/blocked_user.yaml")
    assert "pip install" in start and (ROOT / "scenarios" / "blocked_user.yaml").is_file()
    assert test.startswith(VENV) and "pip install" in test and "'.[test]'" in test and test.endswith("python -m pytest -q -n auto")


def test_ci_run_runs_exactly_the_readme_test_command_in_a_fresh_venv():
    test = readme_commands()[1]
    assert "rm -rf .venv" in CI_RUN and "python3 -m venv .venv" in CI_RUN and ". .venv/bin/activate" in CI_RUN
    assert test[len(VENV):] in CI_RUN.splitlines()
    assert re.search(r'if \[ "\$status" -eq 5 \]; then', CI_RUN)  # "no tests collected" fails CI


def test_package_metadata():
    project = PYPROJECT["project"]
    assert project["name"] == "esputnik-mockserver" and project["requires-python"] == ">=3.11"
    assert project["scripts"] == {"mockserver": "mockserver.cli:main"}
    assert (ROOT / "mockserver" / "__main__.py").is_file()
    names = {re.split(r"[<>=\[ ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    assert {"starlette", "uvicorn", "pyyaml", "httpx"} <= names
    assert any(d.startswith("uvicorn[standard]") for d in project["dependencies"])
    test_extra = {re.split(r"[<>= ]", d, maxsplit=1)[0].lower() for d in project["optional-dependencies"]["test"]}
    assert {"pytest", "hypothesis", "schemathesis", "pytest-xdist"} <= test_extra


def test_every_subpackage_and_the_shipped_scenarios_are_in_the_wheel():
    """The package list is written out (the scenarios need a package-dir mapping, which rules out
    automatic discovery), so a new subpackage must be added there: this test says so."""
    setuptools = PYPROJECT["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "mockserver").rglob("__init__.py")}
    assert set(setuptools["packages"]) == found | {"mockserver.shipped"}
    assert setuptools["package-dir"] == {"mockserver.shipped": "scenarios"}
    assert setuptools["package-data"]["mockserver.shipped"] == ["*.yaml"]


def test_the_dashboard_files_travel_in_the_wheel():
    """mockserver/ui is data, not a package: package-data must name every kind of file in it."""
    import fnmatch

    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["mockserver"]
    files = [p.relative_to(ROOT / "mockserver").as_posix() for p in (ROOT / "mockserver" / "ui").iterdir()]
    assert files and all(any(fnmatch.fnmatch(name, pattern) for pattern in patterns) for name in files)
    test_extra = {re.split(r"[<>= ]", d, maxsplit=1)[0].lower() for d in PYPROJECT["project"]["optional-dependencies"]["test"]}
    assert "playwright" in test_extra
    assert "apt-get install -y -q chromium" in CI_RUN and "MOCKSERVER_REQUIRE_BROWSER=1" in CI_RUN
