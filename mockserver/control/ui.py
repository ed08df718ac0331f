"""``GET /_mock/ui``: the dashboard, a hand-written page served from the package (``mockserver/ui/``).

Three files and nothing from elsewhere (no CDN, fonts or build step), so it works offline. The
page is only a shell: everything it shows comes from documented ``/_mock`` calls, which keep
the control token; the shell itself holds no data, so it opens without one (``access.OPEN_PATHS``)
and asks for the token when a call is refused.
"""

from __future__ import annotations

import functools
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .common import Refusal, handler

FOLDER = Path(__file__).resolve().parent.parent / "ui"
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
# The page may load nothing but its own files and call nothing but this server.
POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def asset(name: str) -> Response:
    headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if name == "index.html":
        headers["Content-Security-Policy"] = POLICY
    return Response(_content(name), 200, media_type=ASSETS[name], headers=headers)


@functools.cache
def _content(name: str) -> bytes:
    """An asset's bytes, read once: they ship inside the package and do not change while it runs."""
    return (FOLDER / name).read_bytes()


@handler
async def page(request: Request) -> Response:
    return asset("index.html")


@handler
async def file(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in ASSETS or name == "index.html":
        raise Refusal(404, "no_such_file", f"the dashboard has no file {name!r}; it has app.js and app.css")
    return asset(name)


routes = [
    Route("/_mock/ui", page, methods=["GET"]),
    Route("/_mock/ui/{name}", file, methods=["GET"]),
]
