"""The control plane (``/_mock``): reset, inspect and steer the world. JSON in, JSON out."""

from __future__ import annotations

from starlette.routing import Route

from . import (
    clock,
    core,
    events,
    faults,
    journal,
    orders,
    outbox,
    scenario,
    stream,
    telegram_chats,
    telegram_files,
    telegram_users,
    ui,
    views,
)


def routes() -> list[Route]:
    return [
        *core.routes,
        *journal.routes,
        *faults.routes,
        *clock.routes,
        *scenario.routes,
        *telegram_chats.routes,
        *telegram_users.routes,
        *outbox.routes,
        *telegram_files.routes,
        *events.routes,
        *orders.routes,
        *stream.routes,
        *views.routes,
        *ui.routes,
    ]
