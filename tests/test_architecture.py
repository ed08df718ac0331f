"""Design rules that no behaviour test would notice breaking: the domain stays pure Python and does
no I/O or scheduling, no door imports another, and every middleware is pure ASGI (one
BaseHTTPMiddleware costs about 0.3x in throughput)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from mockserver import Emulator, create_app
from tests.conftest import ROOT

PACKAGE = ROOT / "mockserver"
DOMAIN = PACKAGE / "domain"
DOORS = ("api", "botapi", "control")
# Standard-library modules that touch files, sockets, processes, the environment or an event loop,
# or that schedule work: the domain computes, and the doors and background.py do the rest.
IO_OR_SCHEDULING = {
    "asyncio", "threading", "_thread", "multiprocessing", "concurrent", "subprocess", "signal", "sched",
    "socket", "socketserver", "selectors", "select", "ssl", "http", "urllib", "ftplib", "smtplib", "email",
    "os", "io", "shutil", "tempfile", "pathlib", "glob", "fileinput", "mmap", "sqlite3", "dbm", "shelve",
    "logging", "sys", "webbrowser", "queue",
}
# Pure parts of those packages: string parsing only (a file's URL in the Bot API's file store).
PURE_SUBMODULES = {"urllib.parse"}
# Builtins and attributes with the same effect that no import would show.
IO_CALLS = {"open", "print", "input", "breakpoint", "exec", "eval", "__import__"}
BLOCKING_ATTRIBUTES = {"sleep"}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(relative level, module) of every import in a file, TYPE_CHECKING blocks included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(0, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.level, node.module or ""))
    return found


def test_the_domain_imports_only_the_standard_library_and_itself():
    offenders = []
    for path in sorted(DOMAIN.rglob("*.py")):
        depth = len(path.relative_to(DOMAIN).parts)  # 1 in mockserver.domain, 2 in a subpackage
        for level, module in imported_modules(path):
            if 1 <= level <= depth:
                continue  # mockserver.domain itself or one of its subpackages
            if level == 0 and module.split(".")[0] in sys.stdlib_module_names:
                continue
            offenders.append(f"{path.name}: {'.' * level}{module}")
    assert offenders == []


def test_the_domain_does_no_io_and_schedules_nothing():
    offenders = []
    for path in sorted(DOMAIN.rglob("*.py")):
        where = path.relative_to(PACKAGE)
        for level, module in imported_modules(path):
            if level == 0 and module.split(".")[0] in IO_OR_SCHEDULING and module not in PURE_SUBMODULES:
                offenders.append(f"{where}: import {module}")
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in IO_CALLS:
                offenders.append(f"{where}:{node.lineno}: {node.func.id}()")
            elif isinstance(node, ast.Attribute) and node.attr in BLOCKING_ATTRIBUTES:
                offenders.append(f"{where}:{node.lineno}: .{node.attr}")
            elif isinstance(node, ast.ImportFrom) and any(a.name in BLOCKING_ATTRIBUTES for a in node.names):
                offenders.append(f"{where}:{node.lineno}: from {node.module} import sleep")
    assert offenders == []


def door_of(path: Path) -> str | None:
    """The door a module belongs to (``api``, ``botapi``, ``control``), or None outside the doors."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 and parts[0] in DOORS else None


def imported_door(path: Path, level: int, module: str) -> str | None:
    """The door an import reaches, relative imports resolved from ``path``'s package."""
    if level == 0:
        names = module.split(".")
        return names[1] if len(names) > 1 and names[0] == "mockserver" and names[1] in DOORS else None
    package = list(path.relative_to(PACKAGE).parent.parts)
    if level > 1:
        package = package[: len(package) - (level - 1)]
    names = package + (module.split(".") if module else [])
    return names[0] if names and names[0] in DOORS else None


def test_no_door_imports_another():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        door = door_of(path)
        if door is None:
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                reached = [imported_door(path, node.level, node.module or "")]
                if node.module is None:  # from .. import api
                    reached += [imported_door(path, node.level, alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                reached = [imported_door(path, 0, alias.name) for alias in node.names]
            else:
                continue
            offenders += [f"{path.relative_to(PACKAGE)}: {door} imports {other}" for other in reached if other not in (None, door)]
    assert offenders == []


def test_the_door_rule_sees_an_import_across_doors():
    """The resolution above is what the rule stands on: check it on the import forms it must catch."""
    api_module = PACKAGE / "api" / "tokens.py"
    assert imported_door(api_module, 2, "control.common") == "control"
    assert imported_door(api_module, 2, "botapi") == "botapi"
    assert imported_door(api_module, 1, "common") == "api"
    assert imported_door(api_module, 0, "mockserver.botapi.params") == "botapi"
    assert imported_door(api_module, 2, "domain.errors") is None
    assert imported_door(PACKAGE / "app.py", 1, "botapi.signals") == "botapi" and door_of(PACKAGE / "app.py") is None


def test_no_base_http_middleware_anywhere():
    for path in sorted(PACKAGE.rglob("*.py")):
        for _, module in imported_modules(path):
            assert module != "starlette.middleware.base", path
        assert "BaseHTTPMiddleware" not in path.read_text(), path


def test_no_starlette_door_carries_middleware(scenario):
    """The chain in front of the doors is plain ASGI classes; the Starlette doors add none of their own."""
    app = create_app(Emulator(scenario))
    seen = []
    stack = [app]
    while stack:
        node = stack.pop()
        if id(node) in {id(s) for s in seen}:
            continue
        seen.append(node)
        assert not getattr(node, "user_middleware", []), node
        for name in ("app", "api", "bot", "control", "track", "door", "faulted"):
            child = getattr(node, name, None)
            if child is not None and callable(child):
                stack.append(child)
    assert any(type(n).__name__ == "Starlette" for n in seen)
