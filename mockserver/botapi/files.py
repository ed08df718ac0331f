"""The Bot API's file methods (sendPhoto, sendDocument, sendMediaGroup, getFile) and the file server.

A send is checked whole before anything changes: its parameters, then each file (an upload,
a URL, a file id of this bot), then the store's room, then the chat (the same refusals as
sendMessage: blocked, deactivated, unknown, 429); only then are new files kept and the
messages delivered. ``GET /file/bot{token}/{file_path}`` serves the bytes getFile points at.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..domain.contacts.apps import BOT_TOKEN
from ..domain.telegram.chats import TelegramError
from ..domain.telegram.files import DOCUMENT, PHOTO, StoredFile
from ..domain.telegram.keyboards import ReplyMarkup
from ..domain.telegram.media import InputMedia, caption_fields, check_album, parse_caption, parse_input_media
from ..mime import guess_mime_type
from ..responses import bot_error
from .keyboards import reply_markup, shown
from .methods import Answer, Call, Method, chat_id_of
from .multipart import Upload
from .params import bad_request

NO_FILE = {PHOTO: "there is no photo in the request", DOCUMENT: "there is no document in the request"}


def mime_type(upload: Upload) -> str:
    """The part's own type when it names one, else a guess from the file name's extension."""
    return guess_mime_type(upload.filename, upload.content_type)


def input_file(call: Call, kind: str, ref: str, attached: bool = False) -> StoredFile | None:
    """The file a parameter names: an uploaded part (``attach://`` or its own field), a URL or a file id."""
    store = call.world.files
    if attached:
        upload = call.args.files.get(ref)
        if upload is None:
            return None
        return store.upload(call.app, kind, upload.data, upload.filename, mime_type(upload))
    return store.resolve(call.app, kind, ref)


def named_file(call: Call, kind: str) -> StoredFile:
    """The file of sendPhoto's ``photo`` / sendDocument's ``document``, as Telegram's get_input_file reads it."""
    value = call.args.text(kind) or ""
    if value.startswith("attach://"):
        found = input_file(call, kind, value[len("attach://"):], attached=True)
    elif value:
        found = input_file(call, kind, value)
    else:
        found = input_file(call, kind, kind, attached=True)
    if found is None:
        raise bad_request(NO_FILE[kind])
    return found


def caption(call: Call) -> tuple[str, list[dict]]:
    args = call.args
    try:
        entities = args.json("caption_entities")
    except TelegramError:  # Telegram ignores caption_entities it cannot parse
        entities = None
    return parse_caption(args.text("caption"), args.text("parse_mode"), entities)


def deliver(call: Call, chat_id: str, contents: list[tuple[StoredFile, dict]], markup: ReplyMarkup | None) -> list[dict]:
    """Keep the new files and post one message per file to the chat, or change nothing.

    Several files make an album: their messages share a ``media_group_id`` (a numeric string,
    as Telegram's are, made of the date, the chat and the first message's id).
    """
    store, bots = call.world.files, call.world.bots
    files = [file for file, _ in contents]
    store.make_room(files)
    chat = bots.reachable(chat_id)
    store.commit(files)
    group = f"{bots.now()}{chat.id.removeprefix('-')}{len(chat.messages) + 1}" if len(contents) > 1 else None
    messages = []
    for file, extra in contents:
        if group is not None:
            extra = {"media_group_id": group, **extra}
        messages.append(bots.post(call.app, chat, {**extra, **file.content()}, markup.inline if markup else None))
    shown(call, chat.id, markup)
    return messages


def sent_flags(call: Call) -> dict:
    """Options every file method takes: checked, and protect_content shown as Telegram shows it."""
    call.args.boolean("disable_notification")
    return {"has_protected_content": True} if call.args.boolean("protect_content") else {}


async def send_photo(call: Call) -> Answer:
    args = call.args
    photo = named_file(call, PHOTO)
    text, entities = caption(call)
    extra = caption_fields(text, entities, args.boolean("show_caption_above_media"), args.boolean("has_spoiler"))
    extra.update(sent_flags(call))
    markup = reply_markup(call)
    [message] = deliver(call, chat_id_of(call), [(photo, extra)], markup)
    return Answer(message)


async def send_document(call: Call) -> Answer:
    document = named_file(call, DOCUMENT)
    text, entities = caption(call)
    extra = {**caption_fields(text, entities), **sent_flags(call)}
    call.args.boolean("disable_content_type_detection")
    markup = reply_markup(call)
    [message] = deliver(call, chat_id_of(call), [(document, extra)], markup)
    return Answer(message)


async def send_media_group(call: Call) -> Answer:
    """Telegram takes 1 to 10 items (the docs say 2-10; its server sends one item without a group id)."""
    args = call.args
    if not args.params.get("media"):
        raise bad_request('parameter "media" is required')
    try:
        value = args.json("media")
    except TelegramError:
        raise bad_request("can't parse media JSON object") from None
    items = parse_input_media(value, set(args.files))
    flags = sent_flags(call)
    chat_id = chat_id_of(call)
    if not items:
        raise bad_request("there are no messages to send")
    files = [file_of(call, item) for item in items]
    check_album(items)
    contents = [
        (file, {**caption_fields(item.caption, item.entities, item.show_caption_above_media, item.has_spoiler), **flags})
        for file, item in zip(files, items, strict=True)
    ]
    return Answer(deliver(call, chat_id, contents, None))


def file_of(call: Call, item: InputMedia) -> StoredFile:
    found = input_file(call, item.kind, item.media, item.attached)
    assert found is not None  # parse_input_media checked that attached parts exist
    return found


async def get_file(call: Call) -> Answer:
    return Answer(call.world.files.get_file(call.app, (call.args.text("file_id") or "").strip()))


# Lower-cased method name -> handler, served by the door beside ``methods.METHODS``.
METHODS: dict[str, Method] = {
    "sendphoto": send_photo,
    "senddocument": send_document,
    "sendmediagroup": send_media_group,
    "getfile": get_file,
}


async def download(request: Request) -> Response:
    """Telegram's file server: the bytes at a getFile ``file_path``; 404 for anything else."""
    world = request.app.state.emulator.world
    token = request.path_params["token"]
    app = world.apps.by_token(token) if BOT_TOKEN.match(token) else None
    data = None if app is None else world.files.download(app, request.path_params["file_path"])
    if data is None:
        return bot_error(404, "Not Found")
    return Response(data, 200, media_type="application/octet-stream")
