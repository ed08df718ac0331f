"""How each door speaks: eSputnik's plain text and JSON, Telegram's envelope, the control plane's JSON."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from .bodies import BodyError
from .domain.errors import DomainError

# esputnik.com labels every answer so, plain-text ones included (recorded on PUT contact).
ESPUTNIK_JSON = "application/json;charset=UTF-8"
PLAIN_TEXT = "text/plain; charset=UTF-8"
JSON = "application/json"

STATUS_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Request Entity Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
}


# The HTTP status of each kind of domain refusal (domain/errors.py), the same at every door.
REFUSAL_STATUS = {"invalid": 400, "not_found": 404, "conflict": 409}


def refusal_status(exc: DomainError | BodyError) -> int:
    """A body that could not be read carries its own status (400, 413, 415); a domain refusal's kind maps."""
    if isinstance(exc, BodyError):
        return exc.status
    return REFUSAL_STATUS[exc.kind]


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)


def api_json(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(data), status, headers, media_type=ESPUTNIK_JSON)


def api_text(text: str, status: int = 200) -> Response:
    """A plain-text success body under eSputnik's JSON content type, as the real service sends it."""
    return Response(text, status, media_type=ESPUTNIK_JSON)


def api_error(status: int, message: str, headers: dict | None = None) -> Response:
    return Response(message, status, headers, media_type=PLAIN_TEXT)


def api_unauthorized(message: str) -> Response:
    body = {"status": 401, "error": "Unauthorized", "message": message}
    return Response(dumps(body), 401, {"WWW-Authenticate": 'Basic realm="eSputnik"'}, media_type=JSON)


def control_json(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(dumps(data), status, headers, media_type=JSON)


def control_error(status: int, error: str, detail: Any = None, headers: dict | None = None) -> Response:
    return control_json({"error": error, "detail": detail}, status, headers)


def bot_error(
    error_code: int, description: str, parameters: dict | None = None, headers: dict | None = None
) -> Response:
    body: dict[str, Any] = {"ok": False, "error_code": error_code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Response(dumps(body), error_code, headers, media_type=JSON)


def error_for_path(path: str, status: int, message: str, headers: dict | None = None) -> Response:
    """An error in the dialect of the door that ``path`` belongs to."""
    if path.startswith("/_mock"):
        return control_error(status, message, None, headers)
    if path.startswith("/bot"):
        return bot_error(status, STATUS_TEXT.get(status, message) if status != 413 else message, None, headers)
    return api_error(status, message, headers)
