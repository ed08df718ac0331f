"""The request journal: list, count and wait for requests, with the same filters everywhere."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..responses import control_json
from ..waiting import RoomFull
from .common import Refusal, handler, number, request_filter

MAX_WAIT = 60.0
MAX_COUNT = 1_000_000_000


@handler
async def requests(request: Request) -> Response:
    journal = request.app.state.emulator.journal
    limit = number(request, "limit", low=1, high=MAX_COUNT)
    items = number(request, "items", low=0, high=MAX_COUNT)
    entries = request_filter(request).select(journal)
    if limit is not None:
        entries = entries[-limit:]  # the newest: what a dashboard or a tail shows
    shown = [entry.as_dict() for entry in entries]
    if items is not None:
        shown = [cut_notes(data, entry.notes, items) for data, entry in zip(shown, entries, strict=True)]
    return control_json(
        {"size": journal.size, "max_bytes": journal.max_bytes, "bytes": journal.bytes, "dropped": journal.dropped, "requests": shown}
    )


def cut_notes(data: dict, notes: dict, items: int) -> dict:
    """``data`` with each list among the notes cut to its first ``items`` (a broadcast notes every
    delivery: 100,000 of them), and ``truncated`` giving the full length of each list cut."""
    cut = {key: len(value) for key, value in notes.items() if isinstance(value, list) and len(value) > items}
    if cut:
        data.update({key: notes[key][:items] for key in cut})
        data["truncated"] = cut
    return data


@handler
async def count(request: Request) -> Response:
    journal = request.app.state.emulator.journal
    return control_json({"count": request_filter(request).count(journal)})


@handler
async def wait(request: Request) -> Response:
    """Answer once ``count`` matching requests were seen; 408 at ``timeout`` seconds, 503 at shutdown."""
    emulator = request.app.state.emulator
    journal = emulator.journal
    query = request_filter(request)
    wanted = number(request, "count", default=1, low=1, high=MAX_COUNT)
    timeout = number(request, "timeout", kind=float, default=5.0, low=0, high=MAX_WAIT)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        seen = query.count(journal)
        if seen >= wanted:
            return control_json({"count": seen})
        if emulator.stopping:
            raise Refusal(503, "the emulator is shutting down", {"count": seen, "wanted": wanted})
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise Refusal(408, "timeout", {"count": seen, "wanted": wanted, "timeout": timeout})
        try:
            with emulator.waiting.seat():
                await asyncio.wait_for(journal.changed().wait(), remaining)
        except TimeoutError:
            pass
        except RoomFull as exc:
            raise Refusal(429, "too many waiting requests", str(exc)) from None


routes = [
    Route("/_mock/requests", requests, methods=["GET"]),
    Route("/_mock/requests/count", count, methods=["GET"]),
    Route("/_mock/requests/wait", wait, methods=["GET"]),
]
