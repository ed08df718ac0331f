"""The files bots sent, seen from the control plane: what the store holds, and any file's bytes.

A chat's messages (``GET /_mock/telegram/chats/{id}/messages``) name their files by
``file_id``; ``GET /_mock/telegram/files/{file_id}`` answers that file's bytes, whichever bot sent it.
"""

from __future__ import annotations

import base64
import binascii

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..domain.contacts.apps import App
from ..domain.errors import InvalidInput
from ..domain.telegram.chats import Chat
from ..domain.telegram.files import DOCUMENT, PHOTO
from ..domain.telegram.user_files import send_file
from ..mime import guess_mime_type
from ..responses import control_json
from .common import Refusal, handler


def user_sends_file(world, app: App, chat: Chat, body: dict) -> list[dict]:
    """``POST /_mock/telegram/users/{id}/send`` with ``photo`` or ``document``:
    ``{"data": base64, "file_name", "mime_type"}`` and an optional ``caption``."""
    kinds = [kind for kind in (PHOTO, DOCUMENT) if kind in body]
    if len(kinds) != 1 or "text" in body:
        raise InvalidInput("send one of 'text', 'photo' or 'document'")
    kind = kinds[0]
    spec = body[kind]
    if not isinstance(spec, dict) or not isinstance(spec.get("data"), str):
        raise InvalidInput(f"'{kind}' must be an object with 'data' (the file's bytes in base64)")
    try:
        data = base64.b64decode(spec["data"], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(f"'{kind}.data' is not valid base64") from None
    name, given = spec.get("file_name"), spec.get("mime_type")
    for key, value in (("file_name", name), ("mime_type", given)):
        if value is not None and (not isinstance(value, str) or not value):
            raise InvalidInput(f"'{kind}.{key}' must be a non-empty string")
    mime = guess_mime_type(name or "", given)
    return send_file(world.bots, world.files, app, chat, kind, data, name, mime, body.get("caption"))


def describe(file) -> dict:
    return {
        "file_id": file.file_id,
        "file_unique_id": file.file_unique_id,
        "kind": file.kind,
        "app_uuid": file.app_uuid,
        "size": file.size,
        "file_path": file.file_path,
        "file_name": file.file_name,
        "mime_type": file.mime_type,
        "url": file.url,
    }


@handler
async def list_files(request: Request) -> Response:
    store = request.app.state.emulator.world.files
    return control_json({**store.summary(), "items": [describe(f) for f in store.files]})


@handler
async def file_content(request: Request) -> Response:
    store = request.app.state.emulator.world.files
    file_id = request.path_params["file_id"]
    file = store.by_id.get(file_id)
    if file is None:
        raise Refusal(404, "no_such_file", f"no file has the file_id {file_id!r}")
    if file.data is None:
        raise Refusal(409, "no_bytes", f"file {file_id} was sent by URL ({file.url}); the emulator fetches nothing")
    return Response(file.data, 200, media_type="application/octet-stream")


routes = [
    Route("/_mock/telegram/files", list_files, methods=["GET"]),
    Route("/_mock/telegram/files/{file_id}", file_content, methods=["GET"]),
]
