"""``POST /v1/contacts/upload``: a bulk update whose contacts come in a CSV file given by link.

The emulator never fetches a URL (the domain does no I/O), so the file can come inside the
request as a ``data:`` URL (``data:text/csv;base64,...`` or percent-encoded text); it is then
read and applied exactly as ``POST /v1/contacts`` applies its contacts (``bulk.run_bulk``),
and the answer names the import session. An ``http(s)`` link is answered ``valid: false``
saying so, and changes nothing. The file's first row names the columns.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from ..errors import InvalidInput
from .bulk import BulkRequest, parse_bulk

DEDUPE_ON = ("email", "sms", "email_or_sms", "id")
MAX_LINK = 2048  # an http(s) link; a data: URL is bounded by the request body limit
TEXT_COLUMNS = ("firstName", "lastName", "externalCustomerId", "contactKey", "languageCode", "timeZone")
ADDRESS_COLUMNS = ("region", "town", "address", "postcode")
CHANNEL_COLUMNS = {"email": "email", "sms": "sms", "phone": "sms"}
COLUMNS = ("id", *CHANNEL_COLUMNS, *TEXT_COLUMNS, *ADDRESS_COLUMNS)


@dataclass
class UploadRequest:
    bulk: BulkRequest
    link: str


@dataclass
class FileCheck:
    """What the file said: the contacts it holds, or why it cannot be used."""

    file_id: str
    contacts: list[dict] | None
    problem: str | None = None


def parse_upload(body: object, *, limit: int) -> UploadRequest:
    """The request's fields, checked as ``POST /v1/contacts`` checks its own (the file is read later)."""
    if not isinstance(body, dict):
        raise InvalidInput("Request body must be a JSON object with 'dedupeOn' and 'link'")
    dedupe_on = body.get("dedupeOn")
    if dedupe_on is None:
        raise InvalidInput("Field 'dedupeOn' is required")
    if dedupe_on not in DEDUPE_ON:
        raise InvalidInput(f"Field 'dedupeOn' must be one of {', '.join(DEDUPE_ON)}")
    link = body.get("link")
    if not isinstance(link, str):
        raise InvalidInput("Field 'link' is required: the file's URL (http, https, or a data: URL holding the file)")
    scheme = link.split(":", 1)[0].lower() if ":" in link else ""
    if scheme not in ("http", "https", "data"):
        raise InvalidInput("Field 'link' must be an http(s) URL or a data: URL holding the file")
    if scheme != "data" and len(link) > MAX_LINK:
        raise InvalidInput(f"Field 'link' is longer than {MAX_LINK} characters")
    shared = {key: body.get(key) for key in ("groupNames", "groupNamesExclude", "restoreDeleted", "eventKeyForNewContacts")}
    bulk = parse_bulk({"contacts": [None], "dedupeOn": dedupe_on, **shared}, limit=limit)  # contacts come from the file
    return UploadRequest(bulk, link)


def read_file(link: str, *, limit: int) -> FileCheck:
    """The contacts of a data: URL's CSV; any other link is not read."""
    if not link[:5].lower() == "data:":
        return FileCheck(_file_id(link.encode()), None, "The emulator does not download files: give the file in the link as a data: URL (data:text/csv;base64,...)")
    header, _, payload = link[5:].partition(",")
    try:
        raw = base64.b64decode(payload, validate=True) if header.lower().endswith(";base64") else unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return FileCheck(_file_id(link.encode()), None, "The data: URL is not valid base64")
    file_id = _file_id(raw)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return FileCheck(file_id, None, "The file is not UTF-8 text")
    rows = list(csv.reader(text.splitlines(keepends=True)))  # line ends kept: a quoted cell may span lines
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return FileCheck(file_id, None, "The file is empty: its first row names the columns")
    names = [cell.strip() for cell in rows[0]]
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        return FileCheck(file_id, None, f"Unknown column {unknown[0]!r}; known: {', '.join(COLUMNS)}")
    if len(set(names)) != len(names):
        return FileCheck(file_id, None, "A column is named twice in the first row")
    if len(rows) == 1:
        return FileCheck(file_id, None, "The file holds no contacts: only the row of column names")
    if len(rows) - 1 > limit:
        return FileCheck(file_id, None, f"Too many contacts: {len(rows) - 1} (at most {limit} per file)")
    long = next((i for i, row in enumerate(rows[1:], start=2) if len(row) > len(names)), None)
    if long is not None:
        return FileCheck(file_id, None, f"Row {long} has more cells than the first row names columns")
    return FileCheck(file_id, [_contact(names, row) for row in rows[1:]])


def _contact(names: list[str], row: list[str]) -> dict:
    """One CSV row as a contact object of the bulk API (empty cells are left out)."""
    contact: dict = {}
    channels, address = [], {}
    for name, cell in zip(names, row, strict=False):  # a short row leaves its last columns empty
        value = cell.strip()
        if not value:
            continue
        if name in CHANNEL_COLUMNS:
            channels.append({"type": CHANNEL_COLUMNS[name], "value": value})
        elif name in ADDRESS_COLUMNS:
            address[name] = value
        elif name == "id":
            contact["id"] = int(value) if value.isascii() and value.lstrip("-").isdigit() and len(value) <= 19 else value
        else:
            contact[name] = value
    if channels:
        contact["channels"] = channels
    if address:
        contact["address"] = address
    return contact


def _file_id(data: bytes) -> str:
    """The same file always gets the same id."""
    return hashlib.sha256(data).hexdigest()[:32]
