"""Reading request bodies that the front middleware has already collected."""

from __future__ import annotations

import orjson
from starlette.requests import Request


class BodyError(Exception):
    """A body that cannot be used; ``status`` is 400 or 415."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def raw_body(request: Request) -> bytes:
    return request.scope.get("mockserver.body", b"")


def media_type(request: Request) -> str:
    # Read from the raw scope: building request.headers costs more than the whole lookup.
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def json_body(request: Request) -> object:
    """The JSON document of a request that must send one (Content-Type application/json)."""
    body = raw_body(request)
    kind = media_type(request)
    if kind != "application/json" and not kind.endswith("+json"):
        if not kind:
            raise BodyError(415, "Content-Type is missing: send the body as application/json")
        raise BodyError(415, f"Content-Type {kind} is not supported: send the body as application/json")
    if not body.strip():
        raise BodyError(400, "Request body is empty: a JSON document is expected")
    return parse_json(body)


def parse_json(body: bytes) -> object:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        reason = str(exc)
        lowered = reason.lower()
        if "byte order mark" in lowered:
            raise BodyError(400, "Request body starts with a byte order mark: send JSON without one") from None
        if "utf-8" in lowered:
            raise BodyError(400, "Request body is not valid UTF-8") from None
        if "surrogate" in lowered:
            raise BodyError(400, f"Request body has an unpaired UTF-16 surrogate escape: {reason}") from None
        if "recursion" in lowered or "depth limit" in lowered:
            raise BodyError(400, "Request body is nested too deeply") from None
        raise BodyError(400, f"Request body is not valid JSON: {reason}") from None
