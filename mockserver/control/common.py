"""What every control-plane handler shares: reading JSON bodies and query numbers, refusing in one shape.

Every handler is wrapped by ``handler`` and refuses by raising: a ``Refusal`` of its own, or a
``DomainError`` or ``BodyError`` from below, all answered as ``{"error", "detail"}``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..bodies import BodyError, json_body
from ..domain.errors import DomainError
from ..domain.numbers import INT64_MAX
from ..journal import RequestFilter
from ..responses import control_error, refusal_status


class Refusal(Exception):
    """A control-plane request that cannot be served: status, error and detail of the answer."""

    def __init__(self, status: int, error: str, detail: object = None) -> None:
        super().__init__(error)
        self.status, self.error, self.detail = status, error, detail

    @classmethod
    def of(cls, exc: DomainError | BodyError) -> Refusal:
        """A domain refusal or an unreadable body, its sentence as the error."""
        return cls(refusal_status(exc), exc.message)

    def response(self) -> Response:
        return control_error(self.status, self.error, self.detail)


def body(request: Request) -> object:
    try:
        return json_body(request)
    except BodyError as exc:
        raise Refusal.of(exc) from None


def number(request: Request, name: str, *, kind=int, default=None, low=None, high=None):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise Refusal(400, f"query parameter {name} must be {'an integer' if kind is int else 'a number'}", raw) from None
    if value != value or (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
        raise Refusal(400, f"query parameter {name} must be within {bounds}", raw)
    return value


def request_filter(request: Request) -> RequestFilter:
    """The journal filters shared by /requests, /requests/count and /requests/wait."""
    method = request.query_params.get("method")
    path = request.query_params.get("path")
    return RequestFilter(
        method=method.upper() if method else None,
        path=path or None,
        status=answer_status(request),
        since=number(request, "since", low=0, high=INT64_MAX),
    )


def answer_status(request: Request) -> int | None:
    """The ``status`` filter: an HTTP status, or 0 for entries never answered (a dropped
    connection, a request still in flight), which have no status of their own to select by."""
    status = number(request, "status", low=0, high=599)
    if status is not None and 0 < status < 100:
        raise Refusal(400, "query parameter status must be 0 or within 100..599", request.query_params["status"])
    return status


def handler(function):
    """Turn Refusals, domain refusals and body errors raised anywhere in a handler into ``{"error", "detail"}`` answers."""

    async def wrapped(request: Request) -> Response:
        try:
            return await function(request)
        except Refusal as exc:
            return exc.response()
        except (DomainError, BodyError) as exc:
            return Refusal.of(exc).response()

    wrapped.__name__ = function.__name__
    wrapped.__doc__ = function.__doc__
    return wrapped
