"""The contacts API: add/update, read, update, delete, search, bulk and import status.

Contacts live in the one ContactBook the tokens API uses, so a contact made here is found by
token registration and the other way round. Rendering follows the real service: absent
fields are left out, PUT/DELETE answer plain text under a JSON content type.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import BodyError, json_body
from ..domain.contacts.book import Contact
from ..domain.contacts.bulk import Failure, ImportSession
from ..domain.contacts.search import MAX_ROWS, Criteria
from ..domain.contacts.updates import TELEGRAM, is_blank
from ..domain.errors import DomainError, InvalidInput, NotFound
from ..domain.numbers import INT64_MAX, INT64_MIN
from ..domain.text import is_ascii_digits
from ..responses import api_json, api_text
from .common import note, refusal, with_total, wrapper_list

ERASE_VALUES = {"true": True, "1": True, "false": False, "0": False}  # case-insensitive


def render_contact(contact: Contact) -> dict:
    """A contact as GET /v1/contact/{id} shows it; each Telegram token is a ``telegrambot`` channel."""
    channels = [{"type": c["type"], "value": c["value"]} for c in contact.channels]
    for tokens in contact.tokens.values():
        channels.extend({"type": TELEGRAM, "value": token} for token in tokens)
    data: dict = {"id": contact.id}
    optional = {
        "firstName": contact.first_name,
        "lastName": contact.last_name,
        "channels": channels,
        "address": contact.address or None,
        "fields": contact.fields or None,
        "groups": contact.groups or None,
        "externalCustomerId": contact.external_customer_id,
        "contactKey": contact.contact_key,
        "languageCode": contact.language_code,
        "timeZone": contact.time_zone,
    }
    data.update((k, v) for k, v in optional.items() if v is not None)
    return data


def render_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


def render_failure(failure: Failure) -> dict:
    base = dict(failure.contact) if isinstance(failure.contact, dict) else {}
    base["error"] = failure.error
    return base


def render_session(session: ImportSession) -> dict:
    data: dict = {"status": session.status, "timestamp": render_time(session.timestamp)}
    if session.description:
        data["description"] = session.description
    data["mapping"] = [{"dedupeValue": value, "contactId": cid} for value, cid in session.mapping]
    return data


# -- parsing the URL ------------------------------------------------------------------


def contact_id(request: Request) -> int:
    raw = request.path_params["id"]
    text = raw[1:] if raw.startswith("-") else raw
    if not is_ascii_digits(text) or len(text) > 20:
        raise InvalidInput(f"Contact id must be an integer, got {raw!r}")
    value = int(raw)
    if not INT64_MIN <= value <= INT64_MAX:
        raise InvalidInput(f"Contact id {raw} is out of the int64 range")
    return value


def erase_flag(request: Request) -> bool:
    raw = request.query_params.get("erase")
    if raw is None:
        return False
    value = ERASE_VALUES.get(raw.lower())
    if value is None:
        raise InvalidInput(f"Parameter erase must be true, false, 1 or 0, got {raw!r}")
    return value


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    text = raw[1:] if raw.startswith(("-", "+")) else raw
    if not is_ascii_digits(text) or len(text) > 20 or not low <= int(raw) <= high:
        raise InvalidInput(f"Parameter {name} must be an integer from {low} to {high}, got {raw!r}")
    return int(raw)


def _text_param(request: Request, name: str) -> str | None:
    raw = request.query_params.get(name)
    if raw is not None and is_blank(raw):
        raise InvalidInput(f"Parameter {name} must not be empty")
    return raw


def criteria(request: Request) -> Criteria:
    sms = _text_param(request, "sms")
    if sms is not None and not any("0" <= ch <= "9" for ch in sms):
        raise InvalidInput("Parameter sms must contain digits")
    sort_by = request.query_params.get("sortBy")
    if sort_by is not None and sort_by != "contactId":
        raise InvalidInput(f"Parameter sortBy must be contactId, got {sort_by!r}")
    return Criteria(
        email=_text_param(request, "email"),
        sms=sms,
        external_customer_id=_text_param(request, "externalCustomerId"),
        first_name=_text_param(request, "firstname"),
        last_name=_text_param(request, "lastname"),
        sort_by_id=sort_by == "contactId",
    )


# -- handlers -----------------------------------------------------------------------


async def contact_root(request: Request) -> Response:
    """POST adds or updates one contact; DELETE removes the contacts with an externalCustomerId."""
    world = request.app.state.emulator.world
    try:
        if request.method == "POST":
            contact, created = world.add_contact(json_body(request))
            note(request, "contactId", contact.id)
            note(request, "created", created)
            return api_json({"id": contact.id})
        external_id = request.query_params.get("externalCustomerId")
        if external_id is None or is_blank(external_id):
            raise InvalidInput("Parameter externalCustomerId must be specified")
        erase = erase_flag(request)
        found = world.contacts_by_external_id(external_id, include_deleted=erase)
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    for contact in found:
        world.delete_contact(contact, erase=erase)
    note(request, "contactIds", [c.id for c in found])
    note(request, "erase", erase)
    return api_text(f"Contact with externalCustomerId='{external_id}' has been deleted")


# Paths under /v1/contact/ that are another operation, not a contact id: their other methods are
# 405 (Starlette would otherwise hand them here, where "subscribe" is no id, a 400).
OTHER_OPERATIONS = {"subscribe": "POST"}


async def contact_by_id(request: Request) -> Response:
    world = request.app.state.emulator.world
    if request.path_params["id"] in OTHER_OPERATIONS:
        raise HTTPException(405, headers={"Allow": OTHER_OPERATIONS[request.path_params["id"]]})
    try:
        cid = contact_id(request)
        if request.method == "GET":
            return api_json(render_contact(world.contact(cid)))
        if request.method == "PUT":
            world.update_contact(cid, json_body(request))
            return api_text(f"Contact with id='{cid}' has been updated")
        erase = erase_flag(request)
        contact = world.contact(cid, include_deleted=erase)
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    world.delete_contact(contact, erase=erase)
    note(request, "erase", erase)
    return api_text(f"Contact with id='{cid}' has been deleted")


async def contacts_root(request: Request) -> Response:
    """GET searches (total in ``TotalCount``); POST adds or updates in bulk."""
    world = request.app.state.emulator.world
    try:
        if request.method == "GET":
            wanted = criteria(request)
            start = _int_param(request, "startindex", 1, 1, 2**31 - 1)
            rows = _int_param(request, "maxrows", MAX_ROWS, 1, MAX_ROWS)
            found = world.search_contacts(wanted)
            page = [render_contact(c) for c in found[start - 1 : start - 1 + rows]]
            return with_total(page, len(found))
        session, failures = world.bulk_update(json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    note(request, "asyncSessionId", session.id)
    note(request, "failed", [f.index for f in failures])
    body: dict = {
        "id": 0,
        "asyncSessionId": session.id,
        "failedContacts": wrapper_list([render_failure(f) for f in failures], world),
    }
    if failures:
        body["errorMessage"] = session.description
    return api_json(body)


async def import_status(request: Request) -> Response:
    world = request.app.state.emulator.world
    session_id = request.path_params["session_id"]
    session = world.imports.get(session_id)
    if session is None:
        return refusal(NotFound(f"Import session '{session_id}' not found"))
    return api_json(render_session(session))


MAX_EMAIL_IDS = 500  # GET /v1/contacts/email: ids per request


def id_list(request: Request) -> list[int]:
    """``ids=1,2,3``: contact ids (at most 18 digits each), comma-separated, spaces allowed around them,
    at least one and at most MAX_EMAIL_IDS (openapi.yaml's pattern says the same)."""
    raw = request.query_params.get("ids")
    if raw is None:
        raise InvalidInput("Parameter ids is required: contact ids, comma-separated")
    parts = [p.strip(" ") for p in raw.split(",")]
    if len(parts) > MAX_EMAIL_IDS:
        raise InvalidInput(f"Parameter ids holds {len(parts)} ids; at most {MAX_EMAIL_IDS}")
    ids = []
    for part in parts:
        text = part[1:] if part.startswith("-") else part
        if not is_ascii_digits(text) or len(text) > 18:
            raise InvalidInput(f"Parameter ids must be contact ids (integers of at most 18 digits) separated by commas, got {part[:40]!r}")
        ids.append(int(part))
    return ids


async def contact_emails(request: Request) -> Response:
    """The emails of the live contacts named (unknown ids are left out)."""
    world = request.app.state.emulator.world
    try:
        found = world.contact_emails(id_list(request))
    except DomainError as exc:
        return refusal(exc)
    return api_json({"results": wrapper_list([{"contactId": cid, "email": email} for cid, email in found], world)})


async def upload(request: Request) -> Response:
    """A bulk update from a file: applied when the file is in the link (a data: URL), else ``valid: false``."""
    world = request.app.state.emulator.world
    try:
        check, session, failures = world.upload_contacts(json_body(request))
    except (BodyError, DomainError) as exc:
        return refusal(exc)
    if session is None:
        return api_json({"message": check.problem, "fileId": check.file_id, "valid": False})
    note(request, "asyncSessionId", session.id)
    note(request, "failed", [f.index for f in failures])
    message = session.description or f"{len(session.mapping)} contacts imported"
    return api_json({"message": message, "importId": session.id, "fileId": check.file_id, "valid": True})


routes = [
    Route("/api/v1/contacts/email", contact_emails, methods=["GET"]),
    Route("/api/v1/contacts/upload", upload, methods=["POST"]),
    Route("/api/v1/contact", contact_root, methods=["POST", "DELETE"]),
    Route("/api/v1/contact/{id}", contact_by_id, methods=["GET", "PUT", "DELETE"]),
    Route("/api/v1/contacts", contacts_root, methods=["GET", "POST"]),
    Route("/api/v1/importstatus/{session_id}", import_status, methods=["GET"]),
]
