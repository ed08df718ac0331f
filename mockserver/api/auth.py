"""HTTP Basic auth for the eSputnik door: any username (even empty), the password is an API key."""

from __future__ import annotations

import base64
import binascii

from starlette.types import ASGIApp, Receive, Scope, Send

from ..responses import api_unauthorized

BAD_KEY = "Bad credentials: the password is not a known API key"


class BasicAuth:
    def __init__(self, app: ASGIApp, emulator) -> None:
        self.app = app
        self.emulator = emulator
        # The last Authorization value decoded and its password: clients send the same one
        # on every request, so the base64 work is done once (the key is still checked each time).
        self._last: tuple[bytes, str] = (b"", "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = self._problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
        else:
            await api_unauthorized(problem)(scope, receive, send)

    def _problem(self, scope: Scope) -> str | None:
        for name, value in scope["headers"]:  # noqa: B007 (value is read after the break)
            if name == b"authorization":
                break
        else:
            return "Authentication required: send HTTP Basic credentials with an API key as the password"
        if value == self._last[0]:
            password = self._last[1]
            return None if self.emulator.world.accepts_key(password) else BAD_KEY
        scheme, _, encoded = value.partition(b" ")
        if scheme.lower() != b"basic":
            return "Only HTTP Basic authentication is accepted"
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "Malformed Basic credentials"
        _, colon, password = decoded.partition(":")
        if not colon:
            return "Malformed Basic credentials: expected user:password"
        self._last = (value, password)
        if not self.emulator.world.accepts_key(password):
            return BAD_KEY
        return None
