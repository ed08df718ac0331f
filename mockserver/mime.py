"""A file's MIME type from its name, the same on every machine: Python's built-in table only
(no /etc/mime.types), so a document's ``mime_type`` does not depend on where the emulator runs."""

from __future__ import annotations

import mimetypes

TABLE = mimetypes.MimeTypes(filenames=())
GENERIC = "application/octet-stream"


def guess_mime_type(file_name: str, given: str | None = None) -> str:
    """The type the sender named (unless it is the generic one), else a guess from the extension."""
    named = (given or "").split(";", 1)[0].strip().lower()
    if named and named != GENERIC:
        return named
    guessed, _ = TABLE.guess_type(file_name, strict=False)
    return guessed or GENERIC
