"""The files bots sent, seen from the control plane: what the store holds, and any file's bytes.

A chat's messages (``GET /_mock/telegram/chats/{id}/messages``) name their files by
``file_id``; ``GET /_mock/telegram/files/{file_id}`` answers that file's bytes, whichever bot sent it.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..responses import control_json
from .common import Refusal, handler


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
