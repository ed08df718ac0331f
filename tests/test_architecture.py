"""Two design rules that no behaviour test would notice breaking: the domain stays pure Python,
and every middleware is pure ASGI (one BaseHTTPMiddleware costs about 0.3x in throughput)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from mockserver import Emulator, create_app
from tests.conftest import ROOT

PACKAGE = ROOT / "mockserver"
DOMAIN = PACKAGE / "domain"


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
