"""``GET /api/v1/account/info`` (the "test your connection" call) and ``GET /api/v1|v2/version``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..responses import api_json

PROTOCOL_VERSION = "1.0"


async def account_info(request: Request) -> Response:
    account = request.app.state.emulator.world.account
    return api_json(
        {"userEmail": account.user_email, "organisationName": account.organisation_name, "orgId": account.org_id}
    )


async def version(request: Request) -> Response:
    import mockserver  # the package is fully loaded by the time a request arrives

    return api_json({"version": mockserver.__version__, "protocolVersion": PROTOCOL_VERSION})


routes = [
    Route("/api/v1/account/info", account_info, methods=["GET"]),
    Route("/api/v1/version", version, methods=["GET"]),
    Route("/api/v2/version", version, methods=["GET"]),
]
