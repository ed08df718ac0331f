"""The emulator and its ASGI app: one world, three doors (``/api``, ``/bot…``, ``/_mock``)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections import deque
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import memory
from .background import Background
from .botapi.signals import UpdateSignals
from .domain.clock import Clock
from .domain.sending.delivery import Delivery
from .domain.world import World
from .faults import FaultBook
from .journal import DEFAULT_JOURNAL_BYTES, Journal
from .middleware import Front
from .responses import api_error, bot_error, control_error
from .statefile import save_state
from .stream import ChangeStream
from .waiting import WaitingRoom
from .watch import watch_scenario

DEFAULT_BODY_LIMIT = 1024 * 1024
DEFAULT_JOURNAL_SIZE = 10_000
RETRY_METHOD = "RETRY"  # the journal entry of a retry run (see Emulator.run_due_retries)
RETRY_PATH = "telegram:sendMessage"
# The digests of the last documents GET or PUT /_mock/state answered with (see Emulator.wrote).
WRITTEN_KEPT = 8


class Emulator:
    """The running emulator: the world, the journal, the fault rules and the limits that HTTP needs."""

    def __init__(
        self,
        scenario: dict,
        *,
        journal_size: int = DEFAULT_JOURNAL_SIZE,
        journal_bytes: int = DEFAULT_JOURNAL_BYTES,
        body_limit: int = DEFAULT_BODY_LIMIT,
        clock: Clock | None = None,
        state_file: Path | None = None,
        watch: Path | None = None,
        control_token: str | None = None,
        file_store_bytes: int | None = None,
    ) -> None:
        overrides = {"file_store_bytes": file_store_bytes} if file_store_bytes is not None else None
        self.world = World(scenario, clock=clock, limit_overrides=overrides)
        self.journal = Journal(journal_size, journal_bytes)
        self.faults = FaultBook()
        self.faults.reset(scenario.get("faults", []))
        self.body_limit = body_limit
        self.state_file = state_file
        self.watch = watch
        self.control_token = control_token or None  # /_mock needs it as a Bearer token when set
        self._tasks: list[asyncio.Task] = []
        self.background = Background(self)
        self.waiting = WaitingRoom()
        self.updates = UpdateSignals(self.waiting)
        self.world.update_listeners.append(self.updates.notify)
        self.changes = ChangeStream()
        self.journal.listener = self._journaled
        # Set once the server begins to stop: every wait that could outlast a shutdown ends then.
        self.stopping = False
        self._stop: asyncio.Event | None = None
        self._written: deque[bytes] = deque(maxlen=WRITTEN_KEPT)
        memory.settle(len(self.world.contacts))

    @property
    def scenario(self) -> dict:
        return self.world.scenario

    def reset(self) -> None:
        """Everything back to the scenario: world, clock, journal and fault rules."""
        self.world.reset()
        self.world.clock.reset()
        self.journal.clear()
        self.faults.reset(self.scenario.get("faults", []))
        memory.settle(len(self.world.contacts))

    def restore(self, data: object, written: bool = False) -> bool:
        """Become the world a snapshot describes (InvalidInput, and nothing changed, when it is bad).

        ``written``: ``data`` was parsed, for this restore alone, from a document that ``wrote`` knows;
        True when it was taken as written (``World.restore``).
        """
        return self.world.restore(data, written)

    def note_written(self, digest: bytes) -> None:
        """Remember the SHA-256 of a state document this emulator wrote (GET or PUT /_mock/state)."""
        self._written.append(digest)

    def wrote(self, document: bytes) -> bool:
        """Whether ``document`` is byte for byte one of the last state documents this emulator wrote.

        Such a document describes a world that was whole when it was written, which is what lets a
        restore skip re-checking its contacts (``World.restore``); any change to it, damage included,
        changes its digest, and it is checked in full.
        """
        return bool(self._written) and hashlib.sha256(document).digest() in self._written

    def load(self, scenario: dict) -> None:
        """Make ``scenario`` the one that resets go back to, and reset to it."""
        self.world.scenario = scenario
        self.reset()

    def run_due_retries(self) -> list[Delivery]:
        """Attempt the deliveries whose retry fell due on the world clock, and journal them.

        Whoever notices that time has moved (the background tick, an API call, a control-plane
        read) calls this, so every retry, with its FAILED reason or token removal, is in the
        journal however it was set off: one entry of its own (method ``RETRY``), not a note on
        the request that happened to trigger it.
        """
        now = self.world.clock.now()
        retried = self.world.deliveries.run_due(now)
        if retried:
            entry = self.journal.open(now, RETRY_METHOD, RETRY_PATH, "", b"")
            entry.status = 200
            entry.notes["retried"] = [delivery.as_dict() for delivery in retried]
            self.journal.closed(entry)
        return retried

    def _journaled(self, entry) -> None:
        self.changes.finished(entry.method, entry.path, entry.status, entry.id, self.change_context)

    def control_finished(self, method: str, path: str, status: int) -> None:
        """A control-plane call ended (they are not journaled): tell the change stream."""
        self.changes.finished(method, path, status, None, self.change_context)

    def change_context(self) -> dict:
        """What clock, reset and fault events carry: the clock, the scenario's name, the rules' count."""
        clock = self.world.clock
        return {"clock": {"now": clock.now(), "frozen": clock.frozen}, "scenario": self.world.name, "faults": len(self.faults.faults)}

    def save_state(self) -> Path:
        """Write the world to the state file (atomically); the caller checks that one is set."""
        assert self.state_file is not None
        save_state(self.state_file, self.world.snapshot())
        return self.state_file

    async def pause(self, seconds: float) -> None:
        """Sleep ``seconds`` (a delayed fault), or less if the server begins to stop meanwhile."""
        if self.stopping:
            return
        if self._stop is None:
            self._stop = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)

    async def begin_shutdown(self) -> None:
        """End at once everything that would keep a request open or hold the exit up.

        Called by the server before it waits for open connections: pending long polls answer
        (an empty result, as a poll that times out), ``/_mock/requests/wait`` answers, delayed
        faults stop waiting, and the background runner (retries, webhooks) is cancelled, so
        the lifespan shutdown that saves the state file comes within a fraction of a second.
        """
        self.stopping = True
        if self._stop is not None:
            self._stop.set()
        self.updates.close()
        self.changes.close()
        self.journal.wake()
        await self.background.stop()

    async def startup(self) -> None:
        """Start the work that runs beside requests: the background runner, and the scenario watcher."""
        self.stopping = False
        self._stop = None
        self.updates.reopen()
        self.changes.reopen()
        self.background.start()
        if self.watch is not None:
            self._tasks.append(asyncio.create_task(watch_scenario(self, self.watch)))

    async def shutdown(self) -> None:
        await self.background.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks.clear()
        if self.state_file is not None:
            self.save_state()


# (status, Starlette's short title such as "Not Found", a sentence naming the problem, headers)
ErrorRenderer = Callable[[int, str, str, dict | None], Response]


def explain(request: Request, exc: HTTPException) -> str:
    """A routing refusal in words that name what was wrong with the request."""
    path = request.url.path
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return f"Method {request.method} is not allowed on {path}; allowed: {allowed}"
    if exc.status_code == 404:
        return f"Not Found: nothing is served at {path}"
    return str(exc.detail)


def door(routes: list[Route], emulator: Emulator, render_error: ErrorRenderer) -> Starlette:
    """A Starlette app for one surface, whose 404/405 answers speak that surface's dialect."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers) if exc.headers else None
        return render_error(exc.status_code, exc.detail, explain(request, exc), headers)

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.emulator = emulator
    return app


class Doors:
    """Sends each request to its door by prefix and runs the emulator's lifespan."""

    def __init__(
        self, emulator: Emulator, api: ASGIApp, bot: ASGIApp, control: ASGIApp, track: ASGIApp | None = None
    ) -> None:
        self.emulator = emulator
        self.api = api
        self.bot = bot
        self.control = control
        self.track = track

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path = scope["path"]
        if path.startswith("/api/"):
            await self.api(scope, receive, send)
        elif path.startswith("/_mock"):
            await self.control(scope, receive, send)
        elif path.startswith("/bot") or path.startswith("/file/bot"):  # the Bot API and its file server
            await self.bot(scope, receive, send)
        elif path.startswith("/track/") and self.track is not None:
            await self.track(scope, receive, send)
        else:
            message = "Not Found: this emulator serves /api/..., /bot<token>/<method> and /_mock/..."
            await api_error(404, message)(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.emulator.startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await self.emulator.shutdown()
                except OSError as exc:
                    await send({"type": "lifespan.shutdown.failed", "message": f"state file not saved: {exc}"})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(emulator: Emulator) -> ASGIApp:
    from . import tracking
    from .api import routes as api_routes
    from .api.auth import BasicAuth
    from .api.tokens import TokensFastPath
    from .botapi import routes as bot_routes
    from .control import routes as control_routes

    api_door = door(api_routes(), emulator, lambda s, title, text, h: api_error(s, text, h))
    api = BasicAuth(TokensFastPath(api_door, emulator), emulator)
    control = door(control_routes(), emulator, lambda s, title, text, h: control_error(s, title, text, h))
    bot = door(bot_routes(), emulator, lambda s, title, text, h: bot_error(s, title, None, h))
    track = door(tracking.routes, emulator, lambda s, title, text, h: api_error(s, text, h))
    return Front(Doors(emulator, api, bot, control, track), emulator)
