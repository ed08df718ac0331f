"""A simulated user sends the bot a photo or a document, as Telegram delivers one: a message whose
file the receiving bot can getFile and download like any other (the file id is that bot's)."""

from __future__ import annotations

from ..contacts.apps import App
from ..errors import Conflict, InvalidInput
from .bots import BotSide, private_chat
from .chats import ACTIVE, BLOCKED, DEACTIVATED, UNKNOWN, Chat, TelegramError
from .files import PHOTO, FileStore
from .media import MAX_CAPTION


def send_file(
    bots: BotSide, store: FileStore, app: App, chat: Chat, kind: str, data: bytes,
    file_name: str | None, mime_type: str | None, caption: object,
) -> list[dict]:
    """The user's message with the file (and caption); the store's rules hold as for a bot's upload."""
    if caption is not None and (not isinstance(caption, str) or len(caption) > MAX_CAPTION):
        raise InvalidInput(f"'caption' must be a string of at most {MAX_CAPTION} characters")
    if chat.state == DEACTIVATED:
        raise Conflict(f"user {chat.id} is deactivated and cannot send files")
    if chat.state == BLOCKED:
        raise Conflict(f"user {chat.id} has blocked the bot; unblock it or press Start first")
    try:
        file = store.upload(app, kind, data, file_name, None if kind == PHOTO else mime_type)
        store.make_room([file])
    except TelegramError as exc:  # the same limits as Telegram's, told to the control plane
        raise InvalidInput(f"Telegram would not take this {kind}: {exc.description}") from None
    store.commit([file])
    if chat.state == UNKNOWN:
        chat.state = ACTIVE
    message: dict = {"message_id": 0, "from": chat.profile(), "chat": private_chat(chat), "date": bots.now(), **file.content()}
    if caption:
        message["caption"] = caption
    bots.telegram.deliver(chat, message)
    update = bots.inbox(app).push("message", message)
    return [update] if update else []
