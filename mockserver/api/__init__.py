"""The eSputnik door (``/api``): real paths, real bodies, real quirks."""

from __future__ import annotations

from starlette.routing import Route

from . import tokens


def routes() -> list[Route]:
    return [*tokens.routes]
