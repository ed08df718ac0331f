"""Files that bots send: kept in memory under explicit limits, with ids that look like Telegram's.

A file belongs to the bot that sent it, as a Telegram ``file_id`` does (another bot cannot use
it); ``file_unique_id`` names the file itself. Both are derived from the file's number in the
store and its content, so a run repeats exactly and a restored world carries on with the
same ids. Files sent by URL are recorded, never fetched: they have no bytes here.

Telegram's limits and texts (official Bot API server, tdlib/telegram-bot-api ``Client.cpp``, and
tdlib ``FileLoaderUtils.cpp`` / ``FileManager.cpp`` / ``base64.cpp``): uploads of photos up to
10 MB and of other files up to 50 MB, downloads through ``getFile`` up to 20 MB.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..contacts.apps import App
from .chats import TelegramError, bad_request
from .images import image_size

PHOTO = "photo"
DOCUMENT = "document"
KINDS = (PHOTO, DOCUMENT)
# The first byte of Telegram's file ids names the type (2 photo, 5 document: "AgAC…", "BQAC…").
KIND_CODES = {PHOTO: 2, DOCUMENT: 5}
KIND_OF_CODE = {code: kind for kind, code in KIND_CODES.items()}
TYPE_NAMES = {PHOTO: "Photo", DOCUMENT: "Document"}
FOLDERS = {PHOTO: "photos", DOCUMENT: "documents"}
ID_VERSION = 4  # the last byte of a file id, as in tdlib's persistent ids
ID_MARK = b"\x00\x02\x02"  # after the kind byte, so ids begin as Telegram's do ("AgACAg…")
UNIQUE_MARK = b"\x01\x00\x03"  # so unique ids begin "AQAD…", as Telegram's do
ID_LAYOUT = struct.Struct(">B3sqI8sB")  # kind, mark, bot id, number, content digest, version

MB = 1 << 20
MAX_PHOTO_BYTES = 10 * MB
MAX_UPLOAD_BYTES = 50 * MB
MAX_DOWNLOAD_BYTES = 20 * MB
DEFAULT_STORE_BYTES = 256 * MB
MAX_PHOTO_SIDES = 10_000  # width + height
MAX_PHOTO_RATIO = 20
B64URL = re.compile(r"^[A-Za-z0-9_-]*$")
SAFE_EXTENSION = re.compile(r"^\.[A-Za-z0-9]{1,10}$")

TOO_LARGE = "Request Entity Too Large"
WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
INVALID_FILE_ID = "Bad Request: invalid file_id"
UNAVAILABLE = "Bad Request: wrong file_id or the file is temporarily unavailable"


@dataclass
class StoredFile:
    """One file of the store. ``number`` is -1 until the store takes it (see ``FileStore.commit``)."""

    kind: str
    app_uuid: str
    bot_id: int
    data: bytes | None
    url: str | None = None
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    number: int = -1

    @property
    def size(self) -> int:
        return 0 if self.data is None else len(self.data)

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.data if self.data is not None else (self.url or "").encode()).digest()

    @property
    def file_id(self) -> str:
        raw = ID_LAYOUT.pack(KIND_CODES[self.kind], ID_MARK, self.bot_id, self.number, self.digest[:8], ID_VERSION)
        return _b64(raw)

    @property
    def file_unique_id(self) -> str:
        return _b64(UNIQUE_MARK + struct.pack(">BI", KIND_CODES[self.kind], self.number) + self.digest[:5])

    @property
    def file_path(self) -> str | None:
        """Where getFile says the bytes are; None for a file sent by URL (nothing to download)."""
        if self.data is None:
            return None
        extension = ".jpg"  # Telegram stores photos as JPEG
        if self.kind != PHOTO:
            name = self.file_name or ""
            dot = name.rfind(".")
            extension = name[dot:] if dot > 0 and SAFE_EXTENSION.match(name[dot:]) else ""
        return f"{FOLDERS[self.kind]}/file_{self.number}{extension}"

    def _file(self) -> dict:
        data: dict = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.data is not None:
            data["file_size"] = self.size
        return data

    def photo_sizes(self) -> list[dict]:
        """Telegram's PhotoSize array; the emulator keeps one size, the photo as sent."""
        return [{**self._file(), "width": self.width, "height": self.height}]

    def document(self) -> dict:
        data: dict = {}
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return {**data, **self._file()}

    def content(self) -> dict:
        """What a message carrying this file holds under its kind's key."""
        return {PHOTO: self.photo_sizes()} if self.kind == PHOTO else {DOCUMENT: self.document()}

    def file_object(self) -> dict:
        """getFile's File: with ``file_path`` when there are bytes to download."""
        data = self._file()
        if self.file_path is not None:
            data["file_path"] = self.file_path
        return data


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_file_id(text: str) -> bytes:
    """The bytes of a file id, refused in tdlib's words when it is not base64url."""
    stripped = text.rstrip("=")
    padding = len(text) - len(stripped)
    if padding >= 3:
        raise _wrong_remote("Wrong string padding")
    if padding and len(text) % 4:
        raise _wrong_remote("Wrong padding length")
    if len(stripped) % 4 == 1:
        raise _wrong_remote("Wrong string length")
    if not B64URL.match(stripped):
        raise _wrong_remote("Wrong character in the string")
    raw = base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4))
    if _b64(raw) != stripped:
        raise _wrong_remote("Wrong padding in the string")
    if not raw:
        raise bad_request("remote file identifier must be non-empty")
    return raw


def _wrong_remote(reason: str) -> TelegramError:
    return bad_request(f"wrong remote file identifier specified: {reason}")


def check_url(url: str) -> str:
    """A URL Telegram would take as a file to fetch (it is only recorded here); refused in its words."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    reason = None
    if parts.scheme.lower() not in ("http", "https"):
        reason = "Unsupported URL protocol"
    elif not parts.hostname:
        reason = "URL host is empty"
    else:
        try:
            _ = parts.port  # urlsplit checks the port only when asked
        except ValueError:
            reason = "Wrong port number specified in the URL"
    if reason:
        raise bad_request(f"invalid file HTTP URL specified: {reason}")
    return url


def url_file_name(url: str) -> str | None:
    path = urlsplit(url if "://" in url else f"http://{url}").path
    name = path.rsplit("/", 1)[-1]
    return name or None


class FileStore:
    """Every file of the world, in memory, holding at most ``capacity`` bytes in all."""

    def __init__(self, capacity: int = DEFAULT_STORE_BYTES) -> None:
        self.capacity = capacity
        self.files: list[StoredFile] = []
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self.used = 0

    def __len__(self) -> int:
        return len(self.files)

    # -- what a send may name: an upload, a URL, a file id ------------------------------------

    def upload(self, app: App, kind: str, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        """A new file from uploaded bytes (not yet in the store), checked as Telegram checks it."""
        if not data:
            raise bad_request("file must be non-empty")
        if len(data) > MAX_UPLOAD_BYTES:
            raise TelegramError(413, TOO_LARGE)
        file = StoredFile(kind, app.app_uuid, app.bot_id, data, file_name=file_name or None, mime_type=mime_type)
        if kind == PHOTO:
            if len(data) > MAX_PHOTO_BYTES:
                raise bad_request(
                    f"file of size {len(data)} bytes is too big for a photo; the maximum size is {MAX_PHOTO_BYTES} bytes"
                )
            size = image_size(data)
            if size is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = size
            if width <= 0 or height <= 0 or width + height > MAX_PHOTO_SIDES or max(width, height) > MAX_PHOTO_RATIO * min(width, height):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
            file.width, file.height = width, height
            file.file_name = file.mime_type = None  # a photo keeps neither
        return file

    def resolve(self, app: App, kind: str, ref: str) -> StoredFile:
        """The file a send names by a string: a URL (a new file, recorded only) or a file id of this bot."""
        if "." in ref:  # as tdlib reads it: a remote id never holds a dot, a URL does
            url = check_url(ref)
            name = url_file_name(url) if kind == DOCUMENT else None
            return StoredFile(kind, app.app_uuid, app.bot_id, None, url=url, file_name=name)
        raw = decode_file_id(ref)
        if raw[-1] != ID_VERSION:
            raise _wrong_remote("can't unserialize it. Wrong last symbol")
        if len(raw) != ID_LAYOUT.size or raw[0] not in KIND_OF_CODE or raw[1:4] != ID_MARK:
            raise _wrong_remote("can't unserialize it")
        their_kind = KIND_OF_CODE[raw[0]]
        if their_kind != kind:
            raise bad_request(f"can't use file of type {TYPE_NAMES[their_kind]} as {TYPE_NAMES[kind]}")
        file = self.by_id.get(ref.rstrip("="))
        if file is None or file.app_uuid != app.app_uuid:
            raise TelegramError(400, WRONG_FILE)
        return file

    # -- taking new files -----------------------------------------------------------------------

    def make_room(self, files: list[StoredFile]) -> None:
        """Refuse, before anything changes, new files that would take the store over its capacity."""
        needed = sum(f.size for f in files if f.number < 0)
        if self.used + needed > self.capacity:
            raise TelegramError(
                413,
                f"{TOO_LARGE}: the emulator's file store is full ({self.used} of {self.capacity} bytes held, "
                f"{needed} more needed); raise limits.file_store_bytes or --file-store-bytes",
            )

    def commit(self, files: list[StoredFile]) -> None:
        """Take the new ones of ``files`` (checked by ``make_room``), numbering them in order."""
        for file in files:
            if file.number < 0:
                file.number = len(self.files)
                self.add(file)

    def add(self, file: StoredFile) -> None:
        """Index a numbered file (also how a snapshot's files come back)."""
        self.files.append(file)
        self.by_id[file.file_id] = file
        if file.file_path is not None:
            self.by_path[file.file_path] = file
        self.used += file.size

    # -- reading --------------------------------------------------------------------------------

    def get_file(self, app: App, file_id: str) -> dict:
        """getFile: the File object, refused as the official server refuses."""
        if not file_id:
            raise bad_request("file_id not specified")
        try:
            raw = decode_file_id(file_id)
        except TelegramError:
            raise TelegramError(400, INVALID_FILE_ID) from None
        if len(raw) != ID_LAYOUT.size or raw[-1] != ID_VERSION or raw[0] not in KIND_OF_CODE or raw[1:4] != ID_MARK:
            raise TelegramError(400, INVALID_FILE_ID)
        file = self.by_id.get(file_id.rstrip("="))
        if file is None or file.app_uuid != app.app_uuid or file.data is None:
            raise TelegramError(400, UNAVAILABLE)
        if file.size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return file.file_object()

    def download(self, app: App, file_path: str) -> bytes | None:
        """The bytes at a getFile path of this bot (None: Telegram's file server answers 404)."""
        file = self.by_path.get(file_path)
        if file is None or file.app_uuid != app.app_uuid or file.size > MAX_DOWNLOAD_BYTES:
            return None
        return file.data

    def summary(self) -> dict:
        return {"files": len(self.files), "bytes_held": self.used, "capacity": self.capacity}
