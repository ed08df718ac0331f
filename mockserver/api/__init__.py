"""The eSputnik door (``/api``): real paths, real bodies, real quirks."""

from __future__ import annotations

from starlette.routing import Route

from . import account, broadcasts, contacts, events, generic, messages, mutes, orders, templates, tokens


def routes() -> list[Route]:
    return [
        *tokens.routes, *mutes.routes, *account.routes, *contacts.routes, *templates.routes, *messages.routes,
        *broadcasts.routes, *events.routes, *orders.routes, *generic.routes,
    ]
