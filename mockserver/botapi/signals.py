"""Wake-ups for whoever waits on a bot's updates: long polls and the webhook sender.

The world calls ``notify(app_uuid)`` when a bot's queue changes; waiters hold the event
that was current when they looked and wake when it is set. Each getUpdates call takes a
ticket, so a newer call can end an older one as Telegram does (409 "terminated by other
getUpdates request").
"""

from __future__ import annotations

import asyncio

from ..waiting import WaitingRoom


class UpdateSignals:
    def __init__(self, room: WaitingRoom | None = None) -> None:
        self.room = room or WaitingRoom()  # shared with the control plane's waits
        self._events: dict[str, asyncio.Event] = {}
        self._any: asyncio.Event | None = None
        self._tickets: dict[str, int] = {}
        self.closed = False  # the server is stopping: a poll answers at once with what it has

    def close(self) -> None:
        """Wake every waiter for good: the server is stopping."""
        self.closed = True
        for app_uuid in list(self._events):
            self.notify(app_uuid)
        if self._any is not None:
            self._any.set()
            self._any = None

    def reopen(self) -> None:
        self.closed = False

    def notify(self, app_uuid: str) -> None:
        event = self._events.pop(app_uuid, None)
        if event is not None:
            event.set()
        if self._any is not None:
            self._any.set()
            self._any = None

    def event(self, app_uuid: str) -> asyncio.Event:
        event = self._events.get(app_uuid)
        if event is None:
            event = self._events[app_uuid] = asyncio.Event()
        return event

    def any_event(self) -> asyncio.Event:
        """Set on the next change of any bot's updates (the webhook sender waits on it)."""
        if self._any is None:
            self._any = asyncio.Event()
        return self._any

    def take_ticket(self, app_uuid: str) -> int:
        """Start a getUpdates call; an older one still waiting will find its ticket outdated."""
        ticket = self._tickets.get(app_uuid, 0) + 1
        self._tickets[app_uuid] = ticket
        self.notify(app_uuid)
        return ticket

    def current(self, app_uuid: str, ticket: int) -> bool:
        return self._tickets.get(app_uuid) == ticket
