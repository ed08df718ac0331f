"""The eSputnik door (``/api``): real paths, real bodies, real quirks."""

from __future__ import annotations

from starlette.routing import Route

from . import account, broadcasts, contacts, generic, messages, mutes, templates, tokens


def routes() -> list[Route]:
    return [*tokens.routes, *mutes.routes, *account.routes, *contacts.routes, *templates.routes, *messages.routes, *broadcasts.routes, *generic.routes]
