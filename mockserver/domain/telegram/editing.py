"""What a bot does with messages already in a chat: edit, delete, forward, copy; and chat actions.

Checked in the official server's order and answered in its words (tdlib/telegram-bot-api
``Client.cpp``: ``check_message``, ``check_chat_access``, ``get_chat_action``; tdlib's own texts
for what cannot be edited or deleted). The emulator keeps one chat per user that every bot
writes to, so a bot finds only its own messages and the user's there: another bot's message
lives, for Telegram, in another chat and is "not found".

Where a method looks at the chat: an unknown chat is "chat not found" for all of them; a
deactivated user refuses edits, deletions and sends (Telegram checks write access for those)
but a forward or copy *from* that chat still reads it; a block refuses sends (forward, copy,
sendChatAction) and leaves edits and deletions alone, as the bot's side of the chat is still there.
"""

from __future__ import annotations

from ..contacts.apps import App
from .bots import BotSide
from .chats import BLOCKED, DEACTIVATED, DEAD_CHAT_ERRORS, MAX_CHATS, UNKNOWN, Chat, TelegramError, bad_request
from .history import INTERNAL, deleted, edited, find, replace, set_action
from .media import caption_fields

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
# Telegram lets a bot delete a message in a private chat for 48 hours after it was sent.
MAX_DELETE_AGE = 48 * 3600
MEDIA_KEYS = ("photo", "document", "video", "audio", "animation", "voice")
CAPTION_KEYS = ("caption", "caption_entities", "show_caption_above_media")
# What says where, when and by whom a message was sent rather than what it says: a forward or a
# copy gets its own (deliveries' requestId is the emulator's, and stays with the original).
ENVELOPE_KEYS = frozenset({
    "message_id", "from", "chat", "date", "edit_date", "reply_markup", "media_group_id", "has_protected_content",
    "requestId", "forward_origin", "forward_from", "forward_date", *INTERNAL,
})


def open_chat(bots: BotSide, chat_id: str, *, write: bool) -> Chat | None:
    """The chat as Telegram's check_chat finds it (None: nobody described it, so it holds nothing)."""
    chat = bots.telegram.chats.get(chat_id)
    state = chat.state if chat is not None else bots.telegram.default_state
    if state == UNKNOWN:
        raise TelegramError(*DEAD_CHAT_ERRORS[UNKNOWN])
    if write and state == DEACTIVATED:
        raise TelegramError(*DEAD_CHAT_ERRORS[DEACTIVATED])
    return chat


def sees(app: App, message: dict) -> bool:
    """Whether the bot's side of the chat holds this message: its own, or one the user sent."""
    sender = message.get("from")
    if not isinstance(sender, dict):
        return False
    return sender.get("id") == app.bot_id or sender.get("is_bot") is False


def message_in(bots: BotSide, app: App, chat_id: str, message_id: int, what: str, *, write: bool) -> tuple[Chat, dict]:
    chat = open_chat(bots, chat_id, write=write)
    message = find(chat, message_id)
    if chat is None or message is None or not sees(app, message):
        raise bad_request(f"{what} not found")
    return chat, message


# -- edits ----------------------------------------------------------------------------------------


def _editable(bots: BotSide, app: App, chat_id: str, message_id: int) -> tuple[Chat, dict]:
    chat, message = message_in(bots, app, chat_id, message_id, "message to edit", write=True)
    if message["from"].get("id") != app.bot_id:
        raise bad_request("message can't be edited")
    markup = message.get("reply_markup")
    if isinstance(markup, dict) and "inline_keyboard" not in markup:
        # Telegram edits only messages without a keyboard or with an inline one, not those sent with
        # a reply keyboard, its removal or a forced reply.
        raise bad_request("message can't be edited")
    return chat, message


def _apply(bots: BotSide, chat: Chat, message: dict, changes: dict) -> dict:
    if all(message.get(key) == value for key, value in changes.items()):
        raise TelegramError(400, NOT_MODIFIED)
    return replace(chat, message, edited(message, changes, bots.now()))


def has_media(message: dict) -> bool:
    return "text" not in message and any(key in message for key in MEDIA_KEYS)


def edit_text(
    bots: BotSide, app: App, chat_id: str, message_id: int, text: str, entities: list[dict], markup: dict | None
) -> dict:
    """editMessageText: the new text; an edit without reply_markup removes the keyboard, as Telegram's does."""
    chat, message = _editable(bots, app, chat_id, message_id)
    if "text" not in message:
        raise bad_request("there is no text in the message to edit")
    return _apply(bots, chat, message, {"text": text, "entities": entities or None, "reply_markup": markup})


def edit_caption(
    bots: BotSide, app: App, chat_id: str, message_id: int, caption: str, entities: list[dict], above: bool,
    markup: dict | None,
) -> dict:
    """editMessageCaption: an empty caption removes it; only a photo, document ... has one."""
    chat, message = _editable(bots, app, chat_id, message_id)
    if not has_media(message):
        raise bad_request("there is no caption in the message to edit")
    changes = {
        "caption": caption or None, "caption_entities": (entities or None) if caption else None,
        "show_caption_above_media": True if above else None, "reply_markup": markup,
    }
    return _apply(bots, chat, message, changes)


def edit_markup(bots: BotSide, app: App, chat_id: str, message_id: int, markup: dict | None) -> dict:
    """editMessageReplyMarkup: the new inline keyboard, or none."""
    chat, message = _editable(bots, app, chat_id, message_id)
    return _apply(bots, chat, message, {"reply_markup": markup})


# -- deletions --------------------------------------------------------------------------------------


def delete(bots: BotSide, app: App, chat_id: str, message_ids: list[int], *, skip_missing: bool) -> None:
    """deleteMessage (``skip_missing`` False) and deleteMessages: all of them or, refused, none.

    deleteMessages skips what is already gone, as Telegram does; a message sent more than 48 hours
    ago cannot be deleted, and refuses the whole call.
    """
    chat = open_chat(bots, chat_id, write=True)
    found: dict[int, dict] = {}
    for message_id in message_ids:
        message = find(chat, message_id)
        if message is None or not sees(app, message):
            if not skip_missing:
                raise bad_request("message to delete not found")
            continue
        found[message_id] = message
    now = bots.now()
    for message in found.values():
        sent = message.get("date")
        if isinstance(sent, (int, float)) and not isinstance(sent, bool) and now - sent >= MAX_DELETE_AGE:
            raise bad_request("message can't be deleted")
    assert chat is not None or not found
    for message in found.values():
        replace(chat, message, deleted(message, now))  # type: ignore[arg-type]


# -- forwards and copies ----------------------------------------------------------------------------


def content_of(message: dict) -> dict:
    """What a message says (text, entities, file, caption ...), without where and when it was sent."""
    return {key: value for key, value in message.items() if key not in ENVELOPE_KEYS}


def source(bots: BotSide, app: App, from_chat_id: str, message_id: int, what: str) -> dict:
    """The message a forward or copy takes (``what``: "message to forward" / "message to copy").

    Telegram looks it up before it looks at the chat the copy goes to.
    """
    return message_in(bots, app, from_chat_id, message_id, what, write=False)[1]


def forward(bots: BotSide, app: App, message: dict, chat_id: str, protect: bool) -> dict:
    """forwardMessage: a new message that names the original's sender (the bot, for its own) and date."""
    if message.get("has_protected_content"):
        raise bad_request("message has protected content and can't be forwarded")
    origin = message.get("forward_origin")  # a forward of a forward names the first sender
    if not isinstance(origin, dict):
        origin = {"type": "user", "sender_user": message["from"], "date": message.get("date")}
    fields: dict = {"forward_origin": origin}
    if origin.get("type") == "user":
        fields["forward_from"] = origin.get("sender_user")
    fields["forward_date"] = origin.get("date")
    if protect:
        fields["has_protected_content"] = True
    target = bots.reachable(chat_id)
    return bots.post(app, target, {**fields, **content_of(message)})


def copy(
    bots: BotSide, app: App, message: dict, chat_id: str,
    caption: tuple[str, list[dict], bool] | None, markup: dict | None, protect: bool,
) -> dict:
    """copyMessage: the same content with no link to the original; ``caption`` replaces a media caption."""
    content = content_of(message)
    if caption is not None and has_media(content):
        content = {key: value for key, value in content.items() if key not in CAPTION_KEYS}
        content.update(caption_fields(*caption))
    if protect:
        content["has_protected_content"] = True
    target = bots.reachable(chat_id)
    return bots.post(app, target, content, markup)


# -- chat actions -----------------------------------------------------------------------------------


def chat_action(bots: BotSide, app: App, chat_id: str, action: str) -> None:
    """sendChatAction: the user sees the action for 5 s or until the bot's next message (``history``)."""
    telegram = bots.telegram
    chat = open_chat(bots, chat_id, write=True)
    state = chat.state if chat is not None else telegram.default_state
    if state == BLOCKED:
        raise TelegramError(*DEAD_CHAT_ERRORS[BLOCKED])
    if chat is None:
        if len(telegram.chats) >= MAX_CHATS:
            raise TelegramError(*DEAD_CHAT_ERRORS[UNKNOWN])
        chat = telegram.chat(chat_id)
    set_action(chat, app.bot_id, action, bots.clock.now())

