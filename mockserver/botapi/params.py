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
from ..domain.telegram import TelegramError


def bad_request(reason: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {reason}")


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return orjson.dumps(value).decode()


async def read_params(request: Request) -> dict[str, str]:
    params = {k: v for k, v in parse_qsl(request.url.query, keep_blank_values=True)}
    body = raw_body(request)
    if not body:
        return params
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
    elif kind == "application/x-www-form-urlencoded":
        try:
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise bad_request("request body is not valid UTF-8") from None
    elif kind == "multipart/form-data":
        try:
            form = await request.form()
        except Exception as exc:  # python-multipart raises several unrelated types on broken input
            raise bad_request(f"can't parse multipart form: {exc}") from None
        for key, value in form.multi_items():
            if isinstance(value, str):
                params[key] = value
            else:
                params[key] = (await value.read()).decode("utf-8", "replace")
    return params


class Args:
    """Typed access to one call's string parameters, refusing bad values with Telegram-style texts."""

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params

    def text(self, name: str) -> str | None:
        return self.params.get(name)

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        """An integer clamped into [low, high], as Telegram treats limit and timeout."""
        raw = self.params.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f'parameter "{name}" must be a Number') from None
        return max(low, min(high, value))

    def boolean(self, name: str) -> bool:
        raw = self.params.get(name)
        if raw is None:
            return False
        lowered = raw.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise bad_request(f'parameter "{name}" must be a Boolean')

    def json(self, name: str) -> object | None:
        raw = self.params.get(name)
        if raw is None or raw == "":
            return None
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise bad_request(f'can\'t parse "{name}" JSON object') from None

    def string_list(self, name: str) -> list[str] | None:
        value = self.json(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad_request(f'parameter "{name}" must be an Array of String')
        return value
