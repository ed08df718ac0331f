"""A multipart/form-data body split into text fields and uploaded files, in memory.

Front has already read the whole body (within its limit), so the parts are cut out of it
directly; nothing is spooled to disk as Starlette's form parser would do above 1 MB. As in
Telegram's server, a part with a ``filename`` is a file, not a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass

from python_multipart.multipart import MultipartParser, parse_options_header

MAX_PARTS = 1000
MAX_FIELD_BYTES = 1 << 20  # a text parameter; files are limited by type where a method reads them


class MultipartError(Exception):
    """A body that cannot be read as multipart/form-data; the message says why."""


@dataclass
class Upload:
    """One uploaded file part: its field name's file, as the client named and typed it."""

    filename: str
    content_type: str | None
    data: bytes


def split_form(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, Upload]]:
    """(text fields, uploaded files) of a multipart body; a later part of the same name wins."""
    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if not boundary:
        raise MultipartError("the Content-Type names no boundary")
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    headers: dict[bytes, bytes] = {}
    name_buf = bytearray()
    value_buf = bytearray()
    chunks: list[bytes] = []
    count = 0

    def on_part_begin() -> None:
        nonlocal count
        count += 1
        if count > MAX_PARTS:
            raise MultipartError(f"more than {MAX_PARTS} parts")
        headers.clear()
        chunks.clear()

    def on_header_field(data: bytes, start: int, end: int) -> None:
        name_buf.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        value_buf.extend(data[start:end])

    def on_header_end() -> None:
        headers[bytes(name_buf).lower()] = bytes(value_buf)
        name_buf.clear()
        value_buf.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        chunks.append(data[start:end])

    def on_part_end() -> None:
        disposition, params = parse_options_header(headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in params:
            raise MultipartError("a part has no Content-Disposition: form-data with a name")
        name = params[b"name"].decode("utf-8", "replace")
        data = b"".join(chunks)
        if b"filename" in params:
            kind = headers.get(b"content-type")
            files[name] = Upload(
                params[b"filename"].decode("utf-8", "replace"),
                kind.decode("latin-1").strip() if kind else None,
                data,
            )
            return
        if len(data) > MAX_FIELD_BYTES:
            raise MultipartError(f"the field {name!r} is larger than {MAX_FIELD_BYTES} bytes")
        fields[name] = data.decode("utf-8", "replace")

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    try:
        parser.write(body)
        parser.finalize()
    except MultipartError:
        raise
    except Exception as exc:  # python-multipart raises several unrelated types on broken input
        raise MultipartError(str(exc) or type(exc).__name__) from None
    return fields, files
