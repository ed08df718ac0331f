"""Broadcasts that were sent (``/v1/broadcasts``, ``/v1/broadcast/{id}``): what each targeted and sent.

A broadcast keeps the requestIds of what it sent, so cancelling one (``DELETE``) can stop
the deliveries that have not gone yet (a ``startDate`` in the future, a retry waiting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import InvalidInput, NotFound
from ..text import is_ascii_digits

MAX_ROWS = 500


@dataclass
class Broadcast:
    id: int
    message_id: int
    channel: str
    created_at: float
    title: str | None = None
    groups: list[int] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    start_at: float | None = None
    batch_size: int | None = None
    batch_interval_unit: str | None = None
    app_uuid: str | None = None
    request_ids: list[str] = field(default_factory=list)

    def view(self) -> dict:
        """The vendor's BroadcastView: ids as strings, startDate a date-time (UTC), groupId the
        targeted groups comma-joined (left out when the whole audience was targeted)."""
        data: dict = {"broadcastId": str(self.id), "messageId": str(self.message_id)}
        if self.title is not None:
            data["title"] = self.title
        if self.groups:
            data["groupId"] = ",".join(str(g) for g in self.groups)
        data["startDate"] = date_time(self.start_at if self.start_at is not None else self.created_at)
        if self.batch_size is not None:
            data["batchSize"] = self.batch_size
        if self.batch_interval_unit is not None:
            data["batchIntervalUnit"] = self.batch_interval_unit
        return data

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "messageId": self.message_id,
            "channel": self.channel,
            "created_at": self.created_at,
            "title": self.title,
            "groups": list(self.groups),
            "excludedGroups": list(self.excluded),
            "start_at": self.start_at,
            "batchSize": self.batch_size,
            "batchIntervalUnit": self.batch_interval_unit,
            "appId": self.app_uuid,
            "requestIds": list(self.request_ids),
        }


def date_time(moment: float) -> str:
    """An RFC 3339 date-time in UTC, to the second."""
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_broadcast_id(raw: str) -> int:
    if not is_ascii_digits(raw) or len(raw) > 18:
        raise InvalidInput(f"broadcast_id must be a positive integer, got {raw!r}")
    return int(raw)


class Broadcasts:
    """The broadcasts of the world by id (the ids are the sends' ids, shared with smartsend)."""

    def __init__(self) -> None:
        self._by_id: dict[int, Broadcast] = {}

    def __iter__(self):
        return iter(self._by_id.values())

    def add(self, broadcast: Broadcast) -> None:
        self._by_id[broadcast.id] = broadcast

    def get(self, broadcast_id: int) -> Broadcast:
        found = self._by_id.get(broadcast_id)
        if found is None:
            raise NotFound(f"Broadcast {broadcast_id} not found")
        return found

    def remove(self, broadcast_id: int) -> Broadcast:
        found = self.get(broadcast_id)
        del self._by_id[broadcast_id]
        return found

    def page(self, start_index: int, max_rows: int) -> list[Broadcast]:
        """Oldest first; start_index counts from 1."""
        return list(self._by_id.values())[start_index - 1 : start_index - 1 + max_rows]
