"""The click tracker (``/track/{link}``): where delivered messages' links point.

Telegram tells a bot nothing when a user opens a URL button or a text link, so
the links are rewritten to this door, which records the click and redirects on.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from .domain.errors import NotFound
from .responses import api_error


async def follow(request: Request) -> Response:
    world = request.app.state.emulator.world
    try:
        delivery, url = world.deliveries.click(request.path_params["link"], world.clock.now())
    except NotFound as exc:
        return api_error(404, exc.message)
    entry = request.scope.get("mockserver.entry")
    if entry is not None:
        entry.notes["click"] = {"requestId": delivery.request_id, "status": delivery.status, "link": url}
    return RedirectResponse(url, status_code=302)


routes = [Route("/track/{link}", follow, methods=["GET"])]
