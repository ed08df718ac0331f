"""A chat's history as edits and deletions leave it, and the chat actions bots show in it.

A chat keeps every message it received in ``Chat.messages``, in order, so message ids keep
counting from the list's length. An edit or a deletion replaces a message's dict by a new one
(the old dict may still sit in an update a bot has not read, which must not change under it):
an edited message carries Telegram's ``edit_date`` and, for the user's view only, ``edits``, the
versions it replaced; a deleted one carries ``deleted_date`` and is shown to nobody but a
control-plane caller who asks for it.
"""

from __future__ import annotations

import math

from ..numbers import is_int
from .chats import Chat

# Keys of a stored message that are the emulator's bookkeeping, never part of Telegram's Message.
EDITS = "edits"
DELETED = "deleted_date"
INTERNAL = (EDITS, DELETED)
# Versions an edited message keeps for the user's view: the latest ones, the oldest dropped first.
MAX_EDITS = 100
# Telegram shows a chat action for 5 seconds, or until the bot's next message arrives.
ACTION_SECONDS = 5.0
# sendChatAction's actions, with the older spellings Telegram's server still takes.
CHAT_ACTIONS = {
    "typing": "typing", "upload_photo": "upload_photo", "record_video": "record_video",
    "upload_video": "upload_video", "record_voice": "record_voice", "record_audio": "record_voice",
    "upload_voice": "upload_voice", "upload_audio": "upload_voice", "upload_document": "upload_document",
    "choose_sticker": "choose_sticker", "find_location": "find_location", "pick_up_location": "find_location",
    "record_video_note": "record_video_note", "upload_video_note": "upload_video_note",
}
CANCEL = "cancel"  # Telegram's server also takes this: the action ends at once


def position(chat: Chat, message_id: int) -> int | None:
    """Where a message lives in its chat's list (ids count from 1, so it is usually id - 1)."""
    messages = chat.messages
    guess = message_id - 1
    if 0 <= guess < len(messages) and messages[guess].get("message_id") == message_id:
        return guess
    return next((i for i, m in enumerate(messages) if m.get("message_id") == message_id), None)


def find(chat: Chat | None, message_id: int) -> dict | None:
    """A message the chat still shows, or None (never sent, or deleted)."""
    if chat is None or message_id <= 0:
        return None
    index = position(chat, message_id)
    if index is None or DELETED in chat.messages[index]:
        return None
    return chat.messages[index]


def shown(chat: Chat, *, deleted: bool = False) -> list[dict]:
    """The messages the user sees (and, with ``deleted``, the deleted ones too), oldest first."""
    return [m for m in chat.messages if deleted or DELETED not in m]


def for_bot(message: dict) -> dict:
    """A stored message as the Bot API shows it: without the emulator's bookkeeping."""
    if not any(key in message for key in INTERNAL):
        return message
    return {key: value for key, value in message.items() if key not in INTERNAL}


def replace(chat: Chat, message: dict, new: dict) -> dict:
    """Put ``new`` where ``message`` was (a new dict: readers of the old one keep what they saw)."""
    index = position(chat, message["message_id"])
    assert index is not None
    chat.messages[index] = new
    return new


def edited(message: dict, changes: dict, now: int) -> dict:
    """The message after an edit that sets ``changes`` (a None value removes the key).

    The version replaced joins ``edits``: the keys the edit touched, as they were, and the
    ``edit_date`` at which they stopped being shown.
    """
    before = {key: message[key] for key in changes if key in message}
    history = [*message.get(EDITS, []), {**before, "edit_date": now}][-MAX_EDITS:]
    new = {key: value for key, value in message.items() if key not in changes}
    new.update({key: value for key, value in changes.items() if value is not None})
    new["edit_date"] = now
    new[EDITS] = history
    return new


def deleted(message: dict, now: int) -> dict:
    return {**message, DELETED: now}


# -- chat actions -------------------------------------------------------------------------------


def set_action(chat: Chat, bot_id: int, action: str, now: float) -> None:
    """Show (or, for ``cancel``, end) a bot's action in the chat; one action per bot at a time."""
    chat.actions = [a for a in chat.actions if a.get("bot_id") != bot_id]
    if action != CANCEL:
        chat.actions.append({"bot_id": bot_id, "action": action, "date": now, "after_message": len(chat.messages)})


def fresh_actions(chat: Chat, now: float) -> list[dict]:
    """The actions the user sees now: younger than 5 s, and no message of that bot came since."""
    shown_now = []
    for action in chat.actions:
        since = chat.messages[action["after_message"]:]
        if now - action["date"] >= ACTION_SECONDS or now < action["date"]:
            continue
        if any(isinstance(m.get("from"), dict) and m["from"].get("id") == action["bot_id"] for m in since):
            continue
        shown_now.append({**action, "until": action["date"] + ACTION_SECONDS})
    return shown_now


def check_history(messages: list[dict], actions: object, where: str) -> str | None:
    """What is wrong with a snapshot's edit, deletion and action bookkeeping of one chat, or None."""
    for index, message in enumerate(messages):
        edits = message.get(EDITS, [])
        if not isinstance(edits, list) or not all(isinstance(e, dict) for e in edits):
            return f"{where}.messages[{index}].{EDITS}: must be a list of objects"
        if DELETED in message and not _number(message[DELETED]):
            return f"{where}.messages[{index}].{DELETED}: must be a number"
    if not isinstance(actions, list):
        return f"{where}.actions: must be a list"
    for index, action in enumerate(actions):
        spot = f"{where}.actions[{index}]"
        if not isinstance(action, dict) or set(action) != {"bot_id", "action", "date", "after_message"}:
            return f"{spot}: must be an object with bot_id, action, date and after_message"
        if not is_int(action["bot_id"]) or action["action"] not in CHAT_ACTIONS.values():
            return f"{spot}: bot_id must be an integer and action one of {', '.join(sorted(set(CHAT_ACTIONS.values())))}"
        if not _number(action["date"]) or not is_int(action["after_message"]) or action["after_message"] < 0:
            return f"{spot}: date must be a number and after_message a non-negative integer"
    return None


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
