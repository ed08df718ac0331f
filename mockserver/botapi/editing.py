"""The Bot API methods that change or re-send messages already in a chat, and sendChatAction.

editMessageText, editMessageCaption, editMessageReplyMarkup, deleteMessage, deleteMessages,
forwardMessage, copyMessage, sendChatAction: each reads its parameters in the order Telegram's
server reads them (so the first problem is the one named) and leaves the rest to
``domain.telegram.editing``. Inline messages (``inline_message_id``) come only from inline
mode, which the emulator does not serve, so every such id is refused as Telegram refuses an
invalid one.
"""

from __future__ import annotations

import orjson

from ..domain.numbers import INT32_MAX
from ..domain.telegram import editing
from ..domain.telegram.history import CANCEL, CHAT_ACTIONS, for_bot
from ..domain.telegram.markup import check_inline_keyboard, parse_text
from .files import caption
from .keyboards import reply_markup, shown
from .methods import Answer, Call, Method, chat_id_of, parse_chat_id
from .params import Args, bad_request

MAX_DELETE = 100
OTHER_KEYBOARDS = ("keyboard", "remove_keyboard", "force_reply")


def message_id_of(args: Args) -> int:
    """``message_id`` as Telegram's server reads it: anything but a positive 32-bit number is 0 (none)."""
    raw = (args.params.get("message_id") or "").strip()
    try:
        value = int(raw)
    except ValueError:
        return 0
    return value if 0 < value <= INT32_MAX else 0


def message_ids_of(args: Args) -> list[int]:
    """deleteMessages' ``message_ids``: a JSON array of 1 to 100 positive 32-bit numbers."""
    raw = args.params.get("message_ids") or ""
    if not raw:
        raise bad_request("message identifiers are not specified")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise bad_request("can't parse message_ids JSON object") from None
    if not isinstance(value, list):
        raise bad_request("expected an Array of message identifiers")
    if len(value) > MAX_DELETE:
        raise bad_request("too many message identifiers specified")
    ids = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float, str)):
            raise bad_request("message identifier must be a Number")
        try:
            number = int(item) if isinstance(item, int) else int(str(item).strip())
        except ValueError:
            raise bad_request("can't parse message identifier as a Number") from None
        if number > INT32_MAX or number < -INT32_MAX - 1:
            raise bad_request("can't parse message identifier as a Number")
        if number <= 0:
            raise bad_request("invalid message identifier specified")
        ids.append(number)
    if not ids:
        raise bad_request("message identifiers are not specified")
    return ids


def from_chat_id_of(call: Call) -> str:
    raw = (call.args.text("from_chat_id", numbers=True) or "").strip()
    if not raw:
        raise bad_request('parameter "from_chat_id" is required')
    return parse_chat_id(raw)  # read as chat_id is


def inline_markup(call: Call) -> dict | None:
    """An edit's reply_markup: only an inline keyboard (or none, which removes it)."""
    markup = call.args.json("reply_markup")
    if markup is None:
        return None
    if isinstance(markup, dict) and "inline_keyboard" not in markup and any(k in markup for k in OTHER_KEYBOARDS):
        raise bad_request("inline keyboard expected")
    return check_inline_keyboard(markup)


def edited_chat(call: Call) -> tuple[str, int]:
    """The chat and message an edit names; an inline message (no chat_id, no message_id) is refused."""
    message_id = message_id_of(call.args)
    if not (call.args.params.get("chat_id") or "").strip() and message_id == 0:
        if not call.args.text("inline_message_id"):
            raise bad_request("message identifier is not specified")
        raise bad_request("invalid inline message identifier specified")
    return chat_id_of(call), message_id


async def edit_message_text(call: Call) -> Answer:
    text, entities = parse_text(call.args.text("text"), call.args.text("parse_mode"))
    markup = inline_markup(call)
    chat_id, message_id = edited_chat(call)
    return Answer(for_bot(editing.edit_text(call.world.bots, call.app, chat_id, message_id, text, entities, markup)))


async def edit_message_caption(call: Call) -> Answer:
    markup = inline_markup(call)
    text, entities = caption(call)
    above = call.args.boolean("show_caption_above_media")
    chat_id, message_id = edited_chat(call)
    message = editing.edit_caption(call.world.bots, call.app, chat_id, message_id, text, entities, above, markup)
    return Answer(for_bot(message))


async def edit_message_reply_markup(call: Call) -> Answer:
    markup = inline_markup(call)
    chat_id, message_id = edited_chat(call)
    return Answer(for_bot(editing.edit_markup(call.world.bots, call.app, chat_id, message_id, markup)))


async def delete_message(call: Call) -> Answer:
    if not (call.args.text("chat_id", numbers=True) or "").strip():
        raise bad_request("chat identifier is not specified")
    message_id = message_id_of(call.args)
    if message_id == 0:
        raise bad_request("message identifier is not specified")
    editing.delete(call.world.bots, call.app, chat_id_of(call), [message_id], skip_missing=False)
    return Answer(True)


async def delete_messages(call: Call) -> Answer:
    """True even when some (or all) of the messages are gone already, as Telegram answers."""
    ids = message_ids_of(call.args)
    editing.delete(call.world.bots, call.app, chat_id_of(call), ids, skip_missing=True)
    return Answer(True)


def send_flags(call: Call) -> bool:
    """disable_notification is checked and has no effect here; protect_content is kept on the new message."""
    call.args.boolean("disable_notification")
    return call.args.boolean("protect_content")


async def forward_message(call: Call) -> Answer:
    from_chat = from_chat_id_of(call)
    message_id = message_id_of(call.args)
    protect = send_flags(call)
    bots = call.world.bots
    original = editing.source(bots, call.app, from_chat, message_id, "message to forward")
    return Answer(for_bot(editing.forward(bots, call.app, original, chat_id_of(call), protect)))


async def copy_message(call: Call) -> Answer:
    """The copy's id (a MessageId), as Telegram answers; ``caption``, when given, replaces a media caption."""
    args = call.args
    from_chat = from_chat_id_of(call)
    message_id = message_id_of(args)
    new_caption = None
    if "caption" in args.params:
        text, entities = caption(call)
        new_caption = (text, entities, args.boolean("show_caption_above_media"))
    protect = send_flags(call)
    bots = call.world.bots
    original = editing.source(bots, call.app, from_chat, message_id, "message to copy")
    markup = reply_markup(call)
    target = chat_id_of(call)
    copied = editing.copy(bots, call.app, original, target, new_caption, markup.inline if markup else None, protect)
    shown(call, target, markup)  # a reply keyboard the copy carries is the user's keyboard now
    return Answer({"message_id": copied["message_id"]})


async def send_chat_action(call: Call) -> Answer:
    raw = (call.args.text("action") or "").lower()
    action = CANCEL if raw == CANCEL else CHAT_ACTIONS.get(raw)
    if action is None:
        raise bad_request("wrong parameter action in request")
    editing.chat_action(call.world.bots, call.app, chat_id_of(call), action)
    return Answer(True)


# Lower-cased method name -> handler, served by the door beside ``methods.METHODS``.
METHODS: dict[str, Method] = {
    "editmessagetext": edit_message_text,
    "editmessagecaption": edit_message_caption,
    "editmessagereplymarkup": edit_message_reply_markup,
    "deletemessage": delete_message,
    "deletemessages": delete_messages,
    "forwardmessage": forward_message,
    "copymessage": copy_message,
    "sendchataction": send_chat_action,
}
