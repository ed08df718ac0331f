"""The pytest plugin: one emulator per session on a real port, reset before every test.

    def test_something(mockserver):             # a ControlClient; mockserver.url is the base URL
        ...

    @pytest.mark.mockserver_scenario("scenarios/blocked_user.yaml")
    def test_blocked(mockserver): ...

The scenario may also come from the ``mockserver_scenario`` fixture (override it, or
parametrize it indirectly). Relative paths are tried against the rootdir, then the
test file's folder, then the directory pytest was started in. Opt out with ``-p no:mockserver``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

MARKER = "mockserver_scenario"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(path): load this scenario file into the mockserver fixture before the test"
    )


@pytest.fixture(scope="session")
def mockserver_session():
    """The emulator's thread, started once; stopped (within a bounded time) at the end of the session.

    With ``MOCKSERVER_CONTROL_TOKEN`` set it requires that token on /_mock, as the command does,
    and the ``mockserver`` fixture's client sends it.
    """
    import os

    from .access import TOKEN_ENV
    from .app import Emulator
    from .scenario import normalize_scenario
    from .threaded import ThreadedServer

    token = os.environ.get(TOKEN_ENV) or None
    server = ThreadedServer(Emulator(normalize_scenario({}), control_token=token)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mockserver_scenario(request: pytest.FixtureRequest) -> str | None:
    """The scenario for this test: the marker's, else an indirect parameter, else none (an empty world)."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        return marker.args[0] if marker.args else marker.kwargs["path"]
    return getattr(request, "param", None)


def _find(request: pytest.FixtureRequest, name: str) -> Path:
    path = Path(name)
    if path.is_absolute():
        return path
    # The invocation directory too: a test file kept outside the project (its rootdir is then
    # the file's own folder) still finds the project's scenarios when run from the project.
    bases = (request.config.rootpath, Path(request.node.path).parent, request.config.invocation_params.dir)
    for base in bases:
        if (base / path).is_file():
            return base / path
    from .scenario import find_scenario

    shipped = find_scenario(name)
    if shipped.is_file():
        return shipped
    raise pytest.UsageError(
        f"mockserver scenario {name} not found under the rootdir, the test's folder, the current directory "
        "or the shipped scenarios "
        f"({', '.join(map(str, dict.fromkeys(bases)))})"
    )


@pytest.fixture
def mockserver(mockserver_session, mockserver_scenario, request: pytest.FixtureRequest):
    """A control-plane client for a freshly reset emulator holding the chosen scenario."""
    from .client import ControlClient

    client = ControlClient(mockserver_session.url, token=mockserver_session.emulator.control_token or "")
    if mockserver_scenario is None:
        client.load_scenario({})
    else:
        client.load_scenario(_find(request, mockserver_scenario))
    yield client
