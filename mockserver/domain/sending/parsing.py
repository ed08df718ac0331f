"""The bodies of smartsend and broadcast, checked whole before anything is sent."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from ..errors import InvalidInput, required_array
from ..numbers import INT32_MAX, INT64_MAX, INT64_MIN, is_int
from ..text import is_blank

MAX_RECIPIENTS = 1000


@dataclass
class Recipient:
    """One smartsend recipient; ``kind`` is which identifier names it (locator wins, then contactId)."""

    kind: str
    value: str | int
    params: dict
    external_request_id: str | None = None
    language: str | None = None  # picks the template's translation, when it has one

    @property
    def label(self) -> str:
        return str(self.value)


@dataclass
class BroadcastRequest:
    message_id: str
    app_uuid: str | None
    title: str | None
    groups: list[int]
    excluded: list[int]
    start_at: float | None
    start_text: str | None
    batch_size: int | None = None
    batch_interval_unit: str | None = None


BATCH_UNITS = ("MINUTE", "HOUR", "DAY", "MONTH")


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
    external, language = item.get("externalRequestId"), item.get("languageCode")
    if item.get("locator") is not None:
        return Recipient("locator", item["locator"], params, external, language)
    if contact_id is not None:
        return Recipient("contactId", contact_id, params, external, language)
    if item.get("externalCustomerId") is not None:
        return Recipient("externalCustomerId", item["externalCustomerId"], params, external, language)
    raise InvalidInput(f"{where} has no locator, contactId or externalCustomerId")


def _group_ids(body: dict, name: str) -> list[int]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(_is_whole(g) for g in value):
        raise InvalidInput(f"{name} must be an array of group ids (integers)")
    if not all(INT64_MIN <= g <= INT64_MAX for g in value):
        raise InvalidInput(f"{name} holds a group id outside the int64 range")
    return list(dict.fromkeys(int(g) for g in value))


def _is_whole(value: object) -> bool:
    """An integer, or a JSON number written with a zero fraction (``3.0``), as JSON Schema counts them."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def parse_broadcast(body: object) -> BroadcastRequest:
    """A broadcast: ``messageId`` names a template (the vendor types it a string: any text is taken,
    and one that names no template is a 404 later); groups narrow the audience; ``appId`` picks the bot."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object")
    raw_id = body.get("messageId")
    if raw_id is None:
        raise InvalidInput("messageId is required")
    if isinstance(raw_id, bool) or not isinstance(raw_id, (int, str)) or (isinstance(raw_id, str) and is_blank(raw_id)):
        raise InvalidInput("messageId must be the id of a message (a string or an integer)")
    app_uuid = body.get("appId")
    if app_uuid is not None and not isinstance(app_uuid, str):
        raise InvalidInput("appId must be a string")
    for key in ("title", "domain"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise InvalidInput(f"{key} must be a string")
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
    size = body.get("batchSize")
    if size is not None and (not is_int(size) or not 1 <= size <= INT32_MAX):
        raise InvalidInput("batchSize must be a positive integer (int32)")
    unit = body.get("batchIntervalUnit")
    if unit is not None and unit not in BATCH_UNITS:
        raise InvalidInput(f"batchIntervalUnit must be one of {', '.join(BATCH_UNITS)}")
    return BroadcastRequest(
        str(raw_id).strip(), app_uuid, body.get("title"), _group_ids(body, "groups"),
        _group_ids(body, "excludedGroups"), start_at, start_text, size, unit,
    )
