"""Snapshot part of the files bots sent: every file with its bytes (base64), in store order.

``file_id``, ``file_unique_id``, ``file_path`` and ``size`` are derived from the rest and only
checked on restore, so a hand-edited snapshot cannot give a file ids that its content would not.
The store's capacity is a limit (``settings.limits.file_store_bytes``), restored with the settings.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from ..contacts.apps import parse_app_uuid
from ..telegram.files import KINDS, FileStore, StoredFile
from .checks import Apply, integer, mapping, need, objects, text, text_or_null

if TYPE_CHECKING:
    from ..world import World

NO_PART: Apply = lambda: None  # noqa: E731  (rebuilt by load_files, which needs the apps)


def dump_file(file: StoredFile) -> dict:
    return {
        "number": file.number,
        "kind": file.kind,
        "app_uuid": file.app_uuid,
        "file_id": file.file_id,  # derived
        "file_unique_id": file.file_unique_id,  # derived
        "file_path": file.file_path,  # derived
        "size": file.size,  # derived
        "file_name": file.file_name,
        "mime_type": file.mime_type,
        "width": file.width,
        "height": file.height,
        "url": file.url,
        "data": None if file.data is None else base64.b64encode(file.data).decode("ascii"),
    }


def dump_files(world: "World") -> list[dict]:
    return [dump_file(f) for f in world.files.files]


def load_file(item: dict, index: int, bot_ids: dict[str, int], where: str) -> StoredFile:
    need(item.get("number") == index, f"{where}.number", f"must be {index} (files are kept in the order they came)")
    kind = item.get("kind")
    need(kind in KINDS, f"{where}.kind", f"must be one of {', '.join(KINDS)}")
    assert isinstance(kind, str)
    app_uuid = parse_app_uuid(text(item, "app_uuid", where))
    need(app_uuid in bot_ids, f"{where}.app_uuid", "names no app of the snapshot")
    assert app_uuid is not None
    raw, url = item.get("data"), text_or_null(item, "url", where)
    need(raw is None or isinstance(raw, str), f"{where}.data", "must be base64 text or null")
    need((raw is None) != (url is None), where, "holds either data (an upload) or url (a file sent by URL)")
    data = None
    if raw is not None:
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            need(False, f"{where}.data", "is not valid base64")
        need(bool(data), f"{where}.data", "must not be empty")
    file = StoredFile(
        kind, app_uuid, bot_ids[app_uuid], data, url=url,
        file_name=text_or_null(item, "file_name", where), mime_type=text_or_null(item, "mime_type", where),
        width=integer(item, "width", where, default=0), height=integer(item, "height", where, default=0), number=index,
    )
    for key in ("file_id", "file_unique_id", "file_path", "size"):
        if key in item:
            need(item[key] == getattr(file, key), f"{where}.{key}", f"must be {getattr(file, key)!r}, as the file's content and number give")
    return file


def load_files(world: "World", data: dict) -> Apply:
    items = objects(data.get("files", []), "files")
    bot_ids = {}
    for app in data["apps"]:  # checked by the apps part
        app_uuid = parse_app_uuid(str(mapping(app, "apps[]").get("app_uuid", "")))
        token = str(app.get("token", ""))
        head = token.split(":", 1)[0]
        if app_uuid is not None and head.isascii() and head.isdigit():
            bot_ids[app_uuid] = int(head)
    store = FileStore()
    for index, item in enumerate(items):
        store.add(load_file(item, index, bot_ids, f"files[{index}]"))

    def apply() -> None:
        world.adopt(files=store)  # its capacity follows the restored limits (World.connect)

    return apply


PARTS = [("files", dump_files, lambda world, data: NO_PART)]
