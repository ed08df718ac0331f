"""The bodies of smartsend and broadcast, checked whole before anything is sent."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ..errors import InvalidInput, required_array
from ..numbers import INT64_MAX, INT64_MIN, is_int
from ..text import is_ascii_digits, is_blank

MAX_RECIPIENTS = 1000


@dataclass
class Recipient:
    """One smartsend recipient; ``kind`` is which identifier names it (locator wins, then contactId)."""

    kind: str
    value: str | int
    params: dict
    external_request_id: str | None = None

    @property
    def label(self) -> str:
        return str(self.value)


@dataclass
class BroadcastRequest:
    message_id: int
    app_uuid: str
    title: str | None
    groups: set[int]
    excluded: set[int]
    start_at: float | None
    start_text: str | None


def parse_recipients(body: object, limit: int = MAX_RECIPIENTS) -> list[Recipient]:
    """The recipients of a smartsend body, all checked before anything is sent."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    items = required_array(body, "recipients", limit)
    seen: dict[str, int] = {}
    result = []
    for index, item in enumerate(items):
        where = f"recipients[{index}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where} must be an object")
        key = json.dumps(item, sort_keys=True)
        if key in seen:
            raise InvalidInput(f"{where} repeats recipients[{seen[key]}]; recipients must be unique")
        seen[key] = index
        result.append(_recipient(where, item))
    return result


def _recipient(where: str, item: dict) -> Recipient:
    for name in ("locator", "externalCustomerId", "externalRequestId", "languageCode", "jsonParam"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{where}.{name} must be a string")
    for name in ("locator", "externalCustomerId"):
        value = item.get(name)
        if value is not None and is_blank(value):
            raise InvalidInput(f"{where}.{name} must be a non-empty string")
    contact_id = item.get("contactId")
    if contact_id is not None:
        if not is_int(contact_id):
            raise InvalidInput(f"{where}.contactId must be an integer")
        if not INT64_MIN <= contact_id <= INT64_MAX:
            raise InvalidInput(f"{where}.contactId is out of the int64 range")
    params: dict = {}
    raw = item.get("jsonParam")
    if raw:
        try:
            params = json.loads(raw)
        except ValueError:
            raise InvalidInput(f"{where}.jsonParam is not valid JSON") from None
        if not isinstance(params, dict):
            raise InvalidInput(f"{where}.jsonParam must hold a JSON object")
    external = item.get("externalRequestId")
    if item.get("locator") is not None:
        return Recipient("locator", item["locator"], params, external)
    if contact_id is not None:
        return Recipient("contactId", contact_id, params, external)
    if item.get("externalCustomerId") is not None:
        return Recipient("externalCustomerId", item["externalCustomerId"], params, external)
    raise InvalidInput(f"{where} has no locator, contactId or externalCustomerId")


def _group_ids(body: dict, name: str) -> set[int]:
    value = body.get(name)
    if value is None:
        return set()
    if not isinstance(value, list) or not all(_is_whole(g) for g in value):
        raise InvalidInput(f"{name} must be an array of group ids (integers)")
    return {int(g) for g in value}


def _is_whole(value: object) -> bool:
    """An integer, or a JSON number written with a zero fraction (``3.0``), as JSON Schema counts them."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def parse_broadcast(body: object) -> BroadcastRequest:
    """A Telegram broadcast: ``messageId`` and ``appId`` (the bot) are required; groups narrow the audience."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    raw_id = body.get("messageId")
    if raw_id is None:
        raise InvalidInput("messageId is required")
    if isinstance(raw_id, str) and is_ascii_digits(raw_id) and len(raw_id) <= 18:
        raw_id = int(raw_id)
    if not is_int(raw_id):
        raise InvalidInput("messageId must be the id of a Telegram message (an integer)")
    app_uuid = body.get("appId")
    if app_uuid is None:
        raise InvalidInput("appId is required for Telegram: the app_uuid of the bot to send through")
    if not isinstance(app_uuid, str):
        raise InvalidInput("appId must be a string")
    title = body.get("title")
    if title is not None and not isinstance(title, str):
        raise InvalidInput("title must be a string")
    start_text = body.get("startDate")
    start_at = None
    if start_text is not None:
        if not isinstance(start_text, str):
            raise InvalidInput("startDate must be a string like 2023-10-28T14:00")
        try:
            moment = dt.datetime.strptime(start_text, "%Y-%m-%dT%H:%M")
        except ValueError:
            raise InvalidInput(f"startDate {start_text!r} is not in the form YYYY-MM-DDTHH:mm") from None
        start_at = moment.replace(tzinfo=dt.UTC).timestamp()
    return BroadcastRequest(
        raw_id, app_uuid, title, _group_ids(body, "groups"), _group_ids(body, "excludedGroups"), start_at, start_text
    )
