"""What every handler of the eSputnik door shares: refusals in plain text, wrapper lists, journal notes."""

from __future__ import annotations

from starlette.responses import Response

from ..bodies import BodyError
from ..domain.errors import DomainError
from ..responses import api_error, api_json, refusal_status


def refusal(exc: DomainError | BodyError) -> Response:
    """A refusal as eSputnik words it: the status and a plain-text sentence."""
    return api_error(refusal_status(exc), exc.message)


def wrapper_list(items: list, world) -> object:
    """eSputnik renders a one-element wrapper list (``results`` …) as the bare element.

    ``world.assumptions["single_item_lists"] == "array"`` keeps it a list for clients that want one.
    """
    if len(items) == 1 and world.assumptions.get("single_item_lists") != "array":
        return items[0]
    return items


def note(request, key: str, value) -> None:
    """Attach what a handler wants tests to see to this request's journal entry."""
    entry = request.scope.get("mockserver.entry")
    if entry is not None:
        entry.notes[key] = value


# The two ways a bodyless success can go out (``assumptions.empty_answers``): the vendor
# document types these 200s as a JSON string, so by default the body is ``""`` under
# esputnik.com's JSON content type; ``empty`` sends no body and no Content-Type.
EMPTY_JSON = api_json("")
EMPTY = Response(status_code=200)  # immutable once built, so one serves every success


def empty_answer(request) -> Response:
    world = request.app.state.emulator.world
    return EMPTY if world.assumptions.get("empty_answers") == "empty" else EMPTY_JSON


def with_total(body: list, total: int) -> Response:
    """A page of a listing with the ``TotalCount`` header, spelled exactly so (Guzzle clients index
    headers case-sensitively); Starlette would lower-case a name passed through ``headers=``."""
    response = api_json(body)
    response.raw_headers.append((b"TotalCount", str(total).encode()))
    return response
