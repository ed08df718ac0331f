"""What OpenAPI 3.0 cannot say about the eSputnik door, told to schemathesis in code.

- Plain-text success bodies under ``application/json;charset=UTF-8`` (PUT/DELETE contact), as
  esputnik.com sends them: openapi.yaml marks such media types ``x-plain-text: true`` and this
  deserializer hands their text to the string schema instead of failing to parse JSON.
- "At most two channels of one type" in a contact: 3.0 has no ``contains``, so generated cases
  beyond it are filtered out rather than reported as valid data refused.
- "An event names its contact" (a v1 ``keyValue`` or a param named contactId, email ...): no
  ``contains`` either, so events that name none are filtered out the same way.
"""

from __future__ import annotations

import schemathesis

from mockserver.domain.commerce.events import IDENTIFIERS  # the param names that identify an event's contact

MAX_SAME_TYPE = 2


@schemathesis.deserializer("application/json")
def esputnik_json(ctx, response):
    try:
        return response.json()
    except ValueError:
        responses = ctx.operation.definition.raw.get("responses", {})
        documented = responses.get(str(response.status_code), {}).get("content", {})
        if any(isinstance(media, dict) and media.get("x-plain-text") for media in documented.values()):
            return response.content.decode("utf-8")
        raise


def within_channel_limits(body: object) -> bool:
    """False when a contact in the body holds more than two distinct channels of one type."""
    if isinstance(body, dict) and "contacts" in body:
        contacts = body.get("contacts")
    elif isinstance(body, dict) and isinstance(body.get("contact"), dict):  # contact/subscribe
        contacts = [body["contact"]]
    else:
        contacts = [body]
    for contact in contacts if isinstance(contacts, list) else []:
        channels = contact.get("channels") if isinstance(contact, dict) else None
        if not isinstance(channels, list):
            continue
        seen: dict[str, set[str]] = {}
        for channel in channels:
            if isinstance(channel, dict) and channel.get("type") != "telegrambot":
                values = seen.setdefault(repr(channel.get("type")), set())
                values.add(repr(channel.get("value")))
                if len(values) > MAX_SAME_TYPE:
                    return False
    return True


EVENT_OPERATIONS = ("registerEvent", "registerEventV2")


def names_a_contact(operation_id: str | None, body: object) -> bool:
    """False for a v1 event without keyValue, or a v2 event, whose list of params names no contact."""
    if operation_id not in EVENT_OPERATIONS or not isinstance(body, dict):
        return True
    if operation_id == "registerEvent" and body.get("keyValue") is not None:
        return True
    params = body.get("params", [])
    if params is None:  # null counts as absent
        params = []
    if not isinstance(params, list):
        return True  # refused for its type anyway
    return any(isinstance(p, dict) and p.get("name") in IDENTIFIERS for p in params)


def install(schema) -> None:
    @schema.hook
    def filter_case(ctx, case) -> bool:
        operation_id = case.operation.definition.raw.get("operationId")
        return within_channel_limits(case.body) and names_a_contact(operation_id, case.body)
