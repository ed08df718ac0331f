"""Mute and unmute a bot's token (POST /v1/apps/{app_uuid}/token/mute|unmute), with the documented texts."""

from __future__ import annotations

from ..errors import InvalidInput
from .apps import MUTE_MAX_SECONDS, MUTE_MIN_SECONDS, MUTED_FOREVER, App
from .updates import is_blank, is_int

TOKEN_REQUIRED = "Token must be specified"
DURATION_INVALID = "Duration must be positive int"
MAX_TOKEN = 255


def _token(body: object) -> str:
    if not isinstance(body, dict):
        raise InvalidInput(TOKEN_REQUIRED)
    token = body.get("token")
    if not isinstance(token, str) or is_blank(token) or len(token) > MAX_TOKEN:
        raise InvalidInput(TOKEN_REQUIRED)
    return token


def mute(app: App, body: object, now: float) -> float:
    """Mute a token for ``duration`` seconds, or forever (until 9999-12-31 23:59:59) without one.

    Posting again replaces the previous mute. Returns the time the mute ends.
    """
    token = _token(body)
    duration = body.get("duration")  # type: ignore[union-attr]
    if duration is None:
        until = MUTED_FOREVER
    else:
        if not is_int(duration) or duration <= 0:
            raise InvalidInput(DURATION_INVALID)
        if not MUTE_MIN_SECONDS <= duration <= MUTE_MAX_SECONDS:
            raise InvalidInput(f"Duration must be between {MUTE_MIN_SECONDS} and {MUTE_MAX_SECONDS} seconds")
        until = min(now + duration, MUTED_FOREVER)
    app.mutes[token] = until
    return until


def unmute(app: App, body: object) -> bool:
    """Lift a token's mute; unmuting a token that is not muted changes nothing."""
    return app.mutes.pop(_token(body), None) is not None
