"""``GET /api/v1/account/info`` (the "test your connection" call), ``GET /api/v1|v2/version``, and the
balance and address books the world's account holds (set by the scenario's ``balance`` and
``address_books``, or by ``PUT /_mock/state``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..responses import api_json
from .common import wrapper_list

PROTOCOL_VERSION = "1.0"


async def account_info(request: Request) -> Response:
    account = request.app.state.emulator.world.account
    return api_json(
        {"userEmail": account.user_email, "organisationName": account.organisation_name, "orgId": account.org_id}
    )


async def version(request: Request) -> Response:
    import mockserver  # the package is fully loaded by the time a request arrives

    return api_json({"version": mockserver.__version__, "protocolVersion": PROTOCOL_VERSION})


async def account_balance(request: Request) -> Response:
    return api_json(request.app.state.emulator.world.account.balance)


async def catalogs(request: Request) -> Response:
    """One catalog (or field group) is a bare object, as esputnik.com writes its wrapper lists."""
    emulator = request.app.state.emulator
    books = [
        {**book, "fieldGroups": wrapper_list(book.get("fieldGroups", []), emulator.world)}
        for book in emulator.world.account.address_books
    ]
    return api_json({"addressBook": wrapper_list(books, emulator.world)})


routes = [
    Route("/api/v1/balance", account_balance, methods=["GET"]),
    Route("/api/v1/addressbooks", catalogs, methods=["GET"]),
    Route("/api/v1/account/info", account_info, methods=["GET"]),
    Route("/api/v1/version", version, methods=["GET"]),
    Route("/api/v2/version", version, methods=["GET"]),
]
