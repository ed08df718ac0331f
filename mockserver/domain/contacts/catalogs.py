"""Address books (``GET /v1/addressbooks``): the catalogs of additional contact fields.

A scenario may list them (``address_books``); otherwise there is one catalog whose fields are
the field ids the scenario's contacts use, so an integration that maps field ids by reading
the catalog finds every one it will meet.
"""

from __future__ import annotations

DEFAULT_BOOK_ID = 1
DEFAULT_BOOK_NAME = "Contacts"


def address_books(spec: dict) -> list[dict]:
    if "address_books" in spec:
        return [dict(book) for book in spec["address_books"]]
    ids = sorted({f["id"] for contact in spec.get("contacts", []) for f in contact.get("fields", [])})
    fields = [
        {"id": i, "name": f"Field {i}", "fieldKey": f"field{i}", "description": {"type": "TEXTFIELD", "required": False, "readonly": False}}
        for i in ids
    ]
    groups = [{"name": "Additional fields", "fields": fields}] if fields else []
    return [{"addressBookId": DEFAULT_BOOK_ID, "name": DEFAULT_BOOK_NAME, "fieldGroups": groups}]
