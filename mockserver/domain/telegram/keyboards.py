"""``reply_markup`` as Telegram's Bot API server reads it, and the reply keyboard a user has in force.

The four kinds of markup come from one JSON object, in the official server's order: a non-empty
``keyboard`` wins, then a non-empty ``inline_keyboard``, then ``remove_keyboard`` (or its old name
``hide_keyboard``), then ``force_reply``; an object with none of them (or only empty rows) sends the
message without markup. Every boolean field is type-checked whichever kind wins (Telegram checks
``resize_keyboard``, ``one_time_keyboard`` and ``is_persistent`` only beside a non-empty keyboard). Refusal texts are
Telegram's, with its lower-cased first letter. A reply keyboard is not part of the ``Message`` the
bot gets back (Bot API messages carry only inline keyboards); it changes what the user sees.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .chats import TelegramError
from .markup import check_inline_keyboard

# A placeholder's documented length; longer ones are refused (Telegram's own text is not known).
MAX_PLACEHOLDER = 64
# Telegram keeps at most 12 buttons a row and 300 a keyboard, dropping the rest without a word.
ROW_BUTTONS, TOTAL_BUTTONS = 12, 300
INLINE, KEYBOARD, REMOVE, FORCE_REPLY = "inline_keyboard", "keyboard", "remove_keyboard", "force_reply"
BOOLEAN_FIELDS = ("hide_keyboard", "remove_keyboard", "personal_keyboard", "selective", "force_reply_keyboard", "force_reply")
KEYBOARD_FLAGS = ("resize_keyboard", "one_time_keyboard", "is_persistent")
REQUESTS = ("request_contact", "request_location")
DIALOGS = ("request_poll", "web_app", "request_users", "request_chat")  # buttons that open a dialog in the client


def bad_request(reason: str) -> TelegramError:
    """Telegram's 400: the reason after "Bad Request: ", its first letter lowered unless it starts a CODE."""
    if len(reason) >= 2 and not (reason[1] == "_" or reason[1].isupper()):
        reason = reason[0].lower() + reason[1:]
    return TelegramError(400, f"Bad Request: {reason}")


class FieldError(Exception):
    """A field of a JSON object that Telegram cannot read; the caller says where it was."""


@dataclass(frozen=True)
class ReplyMarkup:
    """Checked markup: its kind and the object the Bot API (inline) or the user's client (the rest) shows."""

    kind: str
    data: dict

    @property
    def inline(self) -> dict | None:
        """What a sent ``Message`` carries as ``reply_markup``: only an inline keyboard."""
        return self.data if self.kind == INLINE else None


def parse_reply_markup(value: object) -> ReplyMarkup | None:
    """The markup of a send's decoded ``reply_markup`` parameter, or None for none."""
    if not isinstance(value, dict):
        raise bad_request("object expected as reply markup")
    keyboard = _keyboard_rows(value)
    inline = _array(value, INLINE)
    inline_markup = check_inline_keyboard({INLINE: inline}) if inline is not None else None
    flags = {name: _boolean(value, name) for name in BOOLEAN_FIELDS}
    placeholder = _placeholder(value)
    selective = flags["personal_keyboard"] or flags["selective"]
    # Telegram reads these three only beside a non-empty keyboard; a wrong type is refused here always
    # (a bot sending one is wrong either way, and one rule keeps the contract simple).
    keyboard_flags = {name: _boolean(value, name) for name in KEYBOARD_FLAGS}
    if keyboard:
        buttons = _kept(keyboard)
        if not buttons:
            return None  # rows of empty buttons: Telegram sends the message without markup
        data: dict = {KEYBOARD: buttons}
        data.update({name: True for name, on in keyboard_flags.items() if on})
        return ReplyMarkup(KEYBOARD, _extras(data, placeholder, selective))
    if inline_markup is not None and inline:
        return ReplyMarkup(INLINE, inline_markup)
    if flags["hide_keyboard"] or flags["remove_keyboard"]:
        return ReplyMarkup(REMOVE, _extras({REMOVE: True}, None, selective))
    if flags["force_reply"] or flags["force_reply_keyboard"]:
        return ReplyMarkup(FORCE_REPLY, _extras({FORCE_REPLY: True}, placeholder, selective))
    return None


def _keyboard_rows(value: dict) -> list[list[dict]]:
    keyboard = []
    for row in _array(value, KEYBOARD) or []:  # row by row, as Telegram reads them
        if not isinstance(row, list):
            raise bad_request('field "keyboard" must be an Array of Arrays')
        keyboard.append([_keyboard_button(button) for button in row])
    return keyboard


def _array(value: dict, name: str) -> list | None:
    if name not in value:
        return None
    rows = value[name]
    if not isinstance(rows, list):
        raise bad_request(f'field "{name}" must be of type Array')
    return rows


def _boolean(value: dict, name: str) -> bool:
    if name not in value:
        return False
    flag = value[name]
    if not isinstance(flag, bool):
        raise bad_request(f'field "{name}" must be of type Boolean')
    return flag


def _string(value: dict, name: str) -> str | None:
    """A string field as Telegram reads one: a JSON number is taken as its text."""
    if name not in value:
        return None
    text = value[name]
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return json.dumps(text)
    if not isinstance(text, str):
        raise FieldError(f'Field "{name}" must be of type String')
    return text


def _placeholder(value: dict) -> str | None:
    try:
        placeholder = _string(value, "input_field_placeholder")
    except FieldError as exc:
        raise bad_request(str(exc)) from None
    if placeholder is not None and len(placeholder) > MAX_PLACEHOLDER:
        raise bad_request(f"input_field_placeholder must be at most {MAX_PLACEHOLDER} characters")
    return placeholder or None  # an empty placeholder shows none


def _keyboard_button(button: object) -> dict:
    """A KeyboardButton: a string is a text button; an object has ``text`` and at most one request."""
    if isinstance(button, str):
        return {"text": button}
    if not isinstance(button, dict):
        raise bad_request("can't parse keyboard button: KeyboardButton must be a String or an Object")
    try:
        if "text" not in button:
            raise FieldError('Can\'t find field "text"')
        return {"text": _string(button, "text"), **_button_request(button)}
    except FieldError as exc:
        raise bad_request(f"can't parse keyboard button: {exc}") from None


def _button_request(button: dict) -> dict:
    """What pressing the button asks for, if anything: the phone, the location or a dialog."""
    for name in ("request_phone_number", *REQUESTS):
        if name in button and not isinstance(button[name], bool):
            raise FieldError(f'Field "{name}" must be of type Boolean')
    dialogs = [name for name in DIALOGS if name in button]
    for name in dialogs:  # Telegram reads only the first; all are checked here, as the contract says
        if not isinstance(button[name], dict):
            raise FieldError(f'Field "{name}" must be of type Object')
    if button.get("request_contact") or button.get("request_phone_number"):
        return {"request_contact": True}
    if button.get("request_location"):
        return {"request_location": True}
    return {dialogs[0]: dict(button[dialogs[0]])} if dialogs else {}


def _kept(rows: list[list[dict]]) -> list[list[dict]]:
    """The rows Telegram keeps: buttons with text, 12 a row, 300 in all, and no empty rows."""
    kept, total = [], 0
    for row in rows:
        buttons = []
        for button in row:
            if not button["text"]:
                continue
            buttons.append(button)
            total += 1
            if len(buttons) >= ROW_BUTTONS or total >= TOTAL_BUTTONS:
                break
        if buttons:
            kept.append(buttons)
        if total >= TOTAL_BUTTONS:
            break
    return kept


def _extras(data: dict, placeholder: str | None, selective: bool) -> dict:
    if placeholder is not None:
        data["input_field_placeholder"] = placeholder
    if selective:
        data["selective"] = True
    return data


@dataclass
class KeyboardInForce:
    """The reply keyboard one bot left in one chat; a one-time keyboard hides once used, yet stays."""

    markup: dict
    hidden: bool = False

    def buttons(self) -> list[dict]:
        return [button for row in self.markup[KEYBOARD] for button in row]

    def button(self, text: str) -> dict | None:
        return next((b for b in self.buttons() if b["text"] == text), None)

    def used(self) -> None:
        if self.markup.get("one_time_keyboard"):
            self.hidden = True

    def view(self) -> dict:
        return {"markup": self.markup, "hidden": self.hidden}


class Keyboards:
    """Reply keyboards in force and pending force replies, by chat id and then by the bot's app_uuid."""

    def __init__(self) -> None:
        self.shown: dict[str, dict[str, KeyboardInForce]] = {}
        self.force_reply: dict[str, dict[str, dict]] = {}

    def apply(self, app_uuid: str, chat_id: str, markup: ReplyMarkup | None) -> None:
        """What a bot's message with ``markup`` changes in the user's chat."""
        if markup is None or markup.kind == INLINE:
            return
        if markup.kind == KEYBOARD:
            self.shown.setdefault(chat_id, {})[app_uuid] = KeyboardInForce(markup.data)
        elif markup.kind == REMOVE:
            self._drop(self.shown, chat_id, app_uuid)
        else:
            self.force_reply.setdefault(chat_id, {})[app_uuid] = markup.data

    def of(self, app_uuid: str, chat_id: str) -> KeyboardInForce | None:
        return self.shown.get(chat_id, {}).get(app_uuid)

    def user_wrote(self, app_uuid: str, chat_id: str) -> None:
        """A message from the user answers a pending force reply."""
        self._drop(self.force_reply, chat_id, app_uuid)

    def views(self, chat_id: str) -> dict[str, dict]:
        """By app_uuid: what the chat's user sees from each bot."""
        seen: dict[str, dict] = {}
        for app_uuid, keyboard in self.shown.get(chat_id, {}).items():
            seen.setdefault(app_uuid, {})["keyboard"] = keyboard.view()
        for app_uuid, reply in self.force_reply.get(chat_id, {}).items():
            seen.setdefault(app_uuid, {})["force_reply"] = reply
        return seen

    @staticmethod
    def _drop(table: dict[str, dict], chat_id: str, app_uuid: str) -> None:
        held = table.get(chat_id)
        if held is not None:
            held.pop(app_uuid, None)
            if not held:
                del table[chat_id]
