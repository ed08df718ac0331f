"""The eSputnik door (``/api``): real paths, real bodies, real quirks."""

from __future__ import annotations

from starlette.routing import Route

from . import messages, tokens


def routes() -> list[Route]:
    return [*tokens.routes, *messages.routes]
