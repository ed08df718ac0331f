"""What every handler of the eSputnik door shares: turning refusals into plain-text answers."""

from __future__ import annotations

from starlette.responses import Response

from ..bodies import BodyError
from ..domain.errors import DomainError
from ..responses import api_error

STATUS_OF = {"invalid": 400, "not_found": 404, "conflict": 409}


def refusal(exc: DomainError | BodyError) -> Response:
    if isinstance(exc, BodyError):
        return api_error(exc.status, exc.message)
    return api_error(STATUS_OF[exc.kind], exc.message)
