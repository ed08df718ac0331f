"""Who may use the control plane: anyone on a loopback address by default, only the holders of
the control token once one is set (``--control-token`` or ``MOCKSERVER_CONTROL_TOKEN``).

The control plane can read and replace the whole world, so on a shared host it needs a
lock; ``/api`` and ``/bot`` keep their own auth (API keys, bot tokens) as the real services
do. ``/_mock/health`` stays open: it says only that the server is up, and readiness probes
and start-up waits should not need the secret; so do the dashboard's three static files.
"""

from __future__ import annotations

import hmac
import ipaddress

TOKEN_ENV = "MOCKSERVER_CONTROL_TOKEN"
# The dashboard's shell (mockserver/control/ui.py) holds no data, and a browser cannot send a
# Bearer header when it opens a page: it opens freely and sends the token on every call it makes.
OPEN_PATHS = frozenset({"/_mock/health", "/_mock/ui", "/_mock/ui/app.js", "/_mock/ui/app.css"})
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="mockserver control plane"'}


def control_refusal(token: str | None, path: str, headers: list[tuple[bytes, bytes]]) -> str | None:
    """Why this request may not use the control plane, or None when it may."""
    if token is None or path in OPEN_PATHS:
        return None
    value = next((v for name, v in headers if name == b"authorization"), None)
    if value is None:
        return "this emulator's control plane needs Authorization: Bearer <control token>"
    scheme, _, sent = value.partition(b" ")
    if scheme.lower() != b"bearer":
        return "the control plane takes Authorization: Bearer <control token>, no other scheme"
    if not hmac.compare_digest(sent.strip(), token.encode("utf-8")):
        return "the control token does not match"
    return None


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server to this machine (a name other than localhost: no)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str:
    return (
        f"mockserver: warning: listening on {host}:{port} without a control token: anyone who can reach "
        "this port can read and replace the whole world through /_mock (state, scenario, faults, clock). "
        f"Set --control-token TOKEN or {TOKEN_ENV}."
    )
