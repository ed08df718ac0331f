"""Address books (``GET /v1/addressbooks``): the catalogs of additional contact fields.

A scenario may list them (``address_books``); otherwise there is one catalog whose fields are
the field ids the scenario's contacts use, so an integration that maps field ids by reading
the catalog finds every one it will meet. The world keeps them (``Account.address_books``),
so ``/_mock/state`` carries them.
"""

from __future__ import annotations

DEFAULT_BOOK_ID = 1
DEFAULT_BOOK_NAME = "Contacts"
# The types of an additional field (a field's ``description.type``): the scenario schema, the
# snapshot's check and openapi.yaml's KeptAddressBook all take this one list.
FIELD_TYPES = ("TEXTFIELD", "COMBOBOX", "CHECKBOXLIST", "TEXTAREA", "DATE", "NUMBER", "DATETIME", "DECIMAL", "TAGS")
# How long each list of the catalogs may be, in a scenario and in a PUT /_mock/state alike.
MAX_BOOKS = 1000  # address books
MAX_GROUPS = 1000  # field groups of one book
MAX_FIELDS = 10_000  # fields of one group; the default catalog lists the lowest this many field ids
MAX_VALUES = 1000  # a field's allowedValues.possibleValues


def address_books(spec: dict) -> list[dict]:
    if "address_books" in spec:
        return [dict(book) for book in spec["address_books"]]
    ids = sorted({f["id"] for contact in spec.get("contacts", []) for f in contact.get("fields", [])})[:MAX_FIELDS]
    fields = [
        {"id": i, "name": f"Field {i}", "fieldKey": f"field{i}", "description": {"type": "TEXTFIELD", "required": False, "readonly": False}}
        for i in ids
    ]
    groups = [{"name": "Additional fields", "fields": fields}] if fields else []
    return [{"addressBookId": DEFAULT_BOOK_ID, "name": DEFAULT_BOOK_NAME, "fieldGroups": groups}]
