"""HTTP Basic auth for the eSputnik door: any username (even empty), the password is an API key."""

from __future__ import annotations

import base64
import binascii

from starlette.types import ASGIApp, Receive, Scope, Send

from ..responses import api_unauthorized


class BasicAuth:
    def __init__(self, app: ASGIApp, emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = self._problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
        else:
            await api_unauthorized(problem)(scope, receive, send)

    def _problem(self, scope: Scope) -> str | None:
        for name, value in scope["headers"]:
            if name == b"authorization":
                break
        else:
            return "Authentication required: send HTTP Basic credentials with an API key as the password"
        scheme, _, encoded = value.partition(b" ")
        if scheme.lower() != b"basic":
            return "Only HTTP Basic authentication is accepted"
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "Malformed Basic credentials"
        _, colon, password = decoded.partition(":")
        if not colon or not self.emulator.world.accepts_key(password):
            return "Bad credentials: the password is not a known API key"
        return None
