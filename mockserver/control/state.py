"""The world as the control plane shows it: the snapshot, which PUT /_mock/state takes back as is.

At 100,000 contacts the document is about 40 MB. It is written as a list of pieces, each
of up to ``ROWS_PER_PIECE`` contacts (or deliveries) at a time, so that neither the whole
snapshot as Python objects nor a second copy of the bytes is ever held, and the pieces
go out as a streaming response. All pieces are written before the first is sent, with no
pause between them, so the document is the world at one moment even if requests come in
while it is being sent. The bytes are exactly those of ``dumps(world.snapshot())``.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable

from starlette.responses import Response, StreamingResponse

from ..domain.contacts.generate import collector_paused
from ..domain.snapshot.core import Rows, stream
from ..domain.world import World
from ..responses import JSON, dumps

ROWS_PER_PIECE = 2000


def render_state(world: World) -> dict:
    return world.snapshot()


def state_pieces(world: World) -> list[bytes]:
    """The snapshot document as consecutive pieces of JSON (joined, the whole document)."""
    pieces = []
    opening = b"{"
    # The pieces free what they build at once; pausing the collector saves it scanning a
    # large world again and again for cycles there are none of.
    with collector_paused():
        for key, value in stream(world):
            head = opening + dumps(key) + b":"
            opening = b","
            if not isinstance(value, Rows):
                pieces.append(head + dumps(value))
                continue
            pieces.append(head + b"[")
            batch: list = []
            first = True
            for row in value:
                batch.append(row)
                if len(batch) == ROWS_PER_PIECE:
                    pieces.append(_rows(batch, first))
                    batch.clear()
                    first = False
            if batch:
                pieces.append(_rows(batch, first))
            pieces.append(b"]")
    pieces.append(b"}")
    return pieces


def _rows(batch: list, first: bool) -> bytes:
    inner = dumps(batch)[1:-1]
    return inner if first else b"," + inner


def state_response(world: World, written: Callable[[bytes], None]) -> StreamingResponse:
    """The document as a streaming response; ``written`` is told its SHA-256 (``Emulator.wrote``)."""
    pieces = state_pieces(world)
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    written(digest.digest())

    async def send() -> AsyncIterator[bytes]:
        while pieces:
            yield pieces.pop(0)  # what was sent is let go of

    return StreamingResponse(send(), media_type=JSON)


def restored_response(world: World, written: Callable[[bytes], None], document: bytes, data: dict) -> Response:
    """The answer to a PUT of a document this emulator wrote and the world took as written.

    The world then writes the same contacts, the bulk of the document, so only the other parts
    are written afresh and compared with the document's (they may depend on the time: a mute
    that expired meanwhile, retries that ran): when all are the same, the answer is the document
    itself; otherwise it is written in full.
    """
    for key, value in stream(world):
        if key == "contacts":
            continue
        fresh = list(value) if isinstance(value, Rows) else value
        if key not in data or dumps(fresh) != dumps(data[key]):
            return state_response(world, written)
    return Response(document, media_type=JSON)
