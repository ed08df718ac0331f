"""The Telegram Bot API door (``/bot{token}/{method}``): Telegram's envelope, methods and update delivery."""

from __future__ import annotations

from starlette.routing import Route

from .door import call_method
from .files import download


def routes() -> list[Route]:
    return [
        Route("/bot{token}/{method}", call_method, methods=["GET", "POST"]),
        Route("/file/bot{token}/{file_path:path}", download, methods=["GET"]),
    ]
