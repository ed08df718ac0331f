"""A Bot API call's parameters, from the query string and a JSON, urlencoded or multipart body.

Telegram's server turns every parameter into a string (a JSON body's numbers and objects
included) and parses each one where a method reads it; so do we, which makes the four ways
of sending parameters behave alike.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request

from ..bodies import media_type, raw_body
from ..domain.numbers import INT32_MAX, INT32_MIN
from ..domain.telegram.chats import bad_request
from .multipart import MultipartError, Upload, split_form


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return orjson.dumps(value).decode()


async def read_params(request: Request) -> tuple[dict[str, str], dict[str, type], dict[str, Upload]]:
    """The call's parameters as strings, the JSON type of those that came in a JSON body, and uploaded files."""
    params = {k: v for k, v in parse_qsl(request.url.query, keep_blank_values=True)}
    json_types: dict[str, type] = {}
    files: dict[str, Upload] = {}
    body = raw_body(request)
    if not body:
        return params, json_types, files
    kind = media_type(request)
    if kind == "application/json" or kind.endswith("+json"):
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise bad_request("can't parse JSON object") from None
        if not isinstance(data, dict):
            raise bad_request("JSON object expected as the request body")
        for key, value in data.items():
            text = _as_text(value)
            if text is not None:
                params[key] = text
                json_types[key] = type(value)
    elif kind == "application/x-www-form-urlencoded":
        try:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise bad_request("request body is not valid UTF-8") from None
    elif kind == "multipart/form-data":
        try:
            fields, files = split_form(content_type(request), body)
        except MultipartError as exc:
            raise bad_request(f"can't parse multipart form: {exc}") from None
        params.update(fields)
    return params, json_types, files


def content_type(request: Request) -> str:
    for name, value in request.scope["headers"]:
        if name == b"content-type":
            return value.decode("latin-1")
    return ""


class Args:
    """Typed access to one call's string parameters, refusing bad values with Telegram-style texts."""

    def __init__(
        self, params: dict[str, str], json_types: dict[str, type] | None = None, files: dict[str, Upload] | None = None
    ) -> None:
        self.params = params
        # In a JSON body a value's own type must fit (forms and query strings carry only text).
        self.json_types = json_types or {}
        self.files = files or {}  # multipart parts with a filename, by field name

    def _expect(self, name: str, *kinds: type, what: str) -> None:
        kind = self.json_types.get(name)
        if kind is not None and kind not in kinds:
            raise bad_request(f'parameter "{name}" must be {what}')

    def text(self, name: str, *, numbers: bool = False) -> str | None:
        if numbers:
            self._expect(name, str, int, what="a String or an Integer")
        else:
            self._expect(name, str, what="a String")
        return self.params.get(name)

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """An integer clamped into [low, high], as Telegram treats limit and timeout."""
        self._expect(name, int, what="a Number")
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f'parameter "{name}" must be a Number') from None
        if not INT32_MIN <= value <= INT32_MAX:  # Telegram's server reads these parameters as int32
            raise bad_request(f'parameter "{name}" must be a 32-bit Number')
        return max(low, min(high, value))

    def boolean(self, name: str) -> bool:
        self._expect(name, bool, int, what="a Boolean")
        raw = self.params.get(name)
        if raw is None:
            return False
        lowered = raw.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise bad_request(f'parameter "{name}" must be a Boolean')

    def json(self, name: str, unreadable: str | None = None) -> object | None:
        """A JSON parameter, None when absent or empty; ``unreadable`` is Telegram's text for bad JSON
        where it names the object rather than the parameter."""
        self._expect(name, dict, list, str, what="a JSON-serialized object")
        raw = self.params.get(name)
        if raw is None or raw == "":
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise bad_request(unreadable or f'can\'t parse "{name}" JSON object') from None

    def string_list(self, name: str) -> list[str] | None:
        value = self.json(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad_request(f'parameter "{name}" must be an Array of String')
        return value
