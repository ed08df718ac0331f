"""The eSputnik door (``/api``): real paths, real bodies, real quirks."""

from __future__ import annotations

from starlette.routing import Route

from . import (
    account,
    broadcasts,
    contacts,
    generic,
    groups,
    messages,
    mutes,
    subscriptions,
    templates,
    token_lookups,
    tokens,
)


def routes() -> list[Route]:
    return [
        *tokens.routes, *mutes.routes, *account.routes, *subscriptions.routes, *token_lookups.routes,
        *groups.routes, *contacts.routes, *templates.routes, *messages.routes, *broadcasts.routes, *generic.routes,
    ]
