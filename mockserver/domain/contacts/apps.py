"""Connected Telegram bots ("applications" in eSputnik's words) and token mutes."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

BOT_TOKEN = re.compile(r"^(\d+):[A-Za-z0-9_-]{35}$")

# eSputnik's "forever": muted until 9999-12-31 23:59:59 UTC.
MUTED_FOREVER = 253402300799.0
MUTE_MIN_SECONDS = 5
MUTE_MAX_SECONDS = 31_536_000


def parse_app_uuid(value: str) -> str | None:
    """The canonical form of an app uuid, or None when it is not a UUID."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        return None


# A UUID as a URL path spells it (openapi.yaml's ``format: uuid``): 8-4-4-4-12 hex digits, any case.
# uuid.UUID alone also takes braces, "urn:uuid:" and hyphens anywhere, which made such paths register.
PATH_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def parse_path_uuid(value: str) -> str | None:
    """The canonical form of an app uuid taken from a path, or None when it is not spelled as one."""
    return parse_app_uuid(value) if PATH_UUID.fullmatch(value) else None


@dataclass
class App:
    app_uuid: str
    token: str
    username: str
    first_name: str | None = None
    # token (chat id) -> muted until (epoch seconds).
    mutes: dict[str, float] = field(default_factory=dict)

    @property
    def bot_id(self) -> int:
        return int(self.token.split(":", 1)[0])

    def is_muted(self, token: str, now: float) -> bool:
        until = self.mutes.get(token)
        return until is not None and until > now


class Apps:
    """The bots of the account, found by app_uuid, by bot token or by username."""

    def __init__(self, apps: list[App] | None = None) -> None:
        self._by_uuid: dict[str, App] = {}
        self._by_token: dict[str, App] = {}
        self._by_username: dict[str, App] = {}
        for app in apps or ():
            self.add(app)

    def add(self, app: App) -> None:
        self._by_uuid[app.app_uuid] = app
        self._by_token[app.token] = app
        self._by_username[app.username.lower()] = app

    def __iter__(self):
        return iter(self._by_uuid.values())

    def __len__(self) -> int:
        return len(self._by_uuid)

    def get(self, app_uuid: str) -> App | None:
        return self._by_uuid.get(app_uuid)

    def by_token(self, token: str) -> App | None:
        return self._by_token.get(token)

    def resolve(self, ref: str) -> App | None:
        """A bot named by app_uuid or username (scenario files may use either)."""
        canonical = parse_app_uuid(ref)
        if canonical is not None and canonical in self._by_uuid:
            return self._by_uuid[canonical]
        return self._by_username.get(ref.lstrip("@").lower())
