"""The eSputnik door (``/api``): real paths, real bodies, real quirks."""

from __future__ import annotations

from starlette.routing import Route

from . import (
    account,
    broadcasts,
    contacts,
    events,
    generic,
    groups,
    messages,
    mutes,
    orders,
    subscriptions,
    templates,
    token_lookups,
    tokens,
)


def routes() -> list[Route]:
    return [
        *tokens.routes, *mutes.routes, *account.routes, *subscriptions.routes, *token_lookups.routes,
        *groups.routes, *contacts.routes, *templates.routes, *messages.routes, *broadcasts.routes,
        *events.routes, *orders.routes, *generic.routes,
    ]
