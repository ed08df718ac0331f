"""A simulated user answers a bot's reply keyboard: presses one of its buttons, or shares their phone.

Pressing a plain button sends its text, as a Telegram client does; pressing a ``request_contact``
button (or sharing one's own contact from the attachment menu) sends a message with ``contact``
holding the user's phone, first name and user id. A one-time keyboard hides once used.
"""

from __future__ import annotations

from ..errors import Conflict, InvalidInput, NotFound
from .bots import BotSide, check_phone
from .chats import Chat
from .keyboards import DIALOGS, Keyboards


def press_key(bots: BotSide, keyboards: Keyboards, app, chat: Chat, text: object) -> list[dict]:
    """The user presses the button labelled ``text`` of the reply keyboard ``app`` left in the chat."""
    if not isinstance(text, str) or not text:
        raise InvalidInput("'text' must be the label of a button of the reply keyboard in force")
    keyboard = keyboards.of(app.app_uuid, chat.id)
    if keyboard is None:
        raise NotFound(f"@{app.username} has no reply keyboard in force in chat {chat.id}")
    button = keyboard.button(text)
    if button is None:
        labels = ", ".join(repr(b["text"]) for b in keyboard.buttons())
        raise NotFound(f"the reply keyboard of @{app.username} in chat {chat.id} has no button {text!r} (it has {labels})")
    if button.get("request_contact"):
        return share_contact(bots, keyboards, app, chat, None)
    if button.get("request_location"):
        raise InvalidInput(f"button {text!r} asks for the user's location, which simulated users cannot share")
    if any(name in button for name in DIALOGS):
        raise InvalidInput(f"button {text!r} opens a dialog in the client and sends nothing the emulator can simulate")
    updates = say(bots, keyboards, app, chat, text)
    keyboard.used()
    return updates


def say(bots: BotSide, keyboards: Keyboards, app, chat: Chat, text: object) -> list[dict]:
    """The user writes ``text``; a typed answer ends a force reply the bot asked for."""
    updates = bots.say(app, chat, text)
    keyboards.user_wrote(app.app_uuid, chat.id)
    return updates


def share_contact(bots: BotSide, keyboards: Keyboards, app, chat: Chat, phone: object) -> list[dict]:
    """The user shares their own contact with the bot; ``phone`` overrides the one they were created with."""
    number = check_phone(phone) if phone is not None else chat.phone_number
    if number is None:
        raise Conflict(
            f"user {chat.id} has no phone_number: give one in the body or when creating the user"
        )
    bots.can_write(app, chat, "share their contact")
    profile = chat.profile()
    contact = {"phone_number": number, "first_name": profile["first_name"]}
    if chat.last_name is not None:
        contact["last_name"] = chat.last_name
    contact["user_id"] = profile["id"]
    update = bots.user_message(app, chat, {"contact": contact})
    keyboard = keyboards.of(app.app_uuid, chat.id)
    if keyboard is not None and any(b.get("request_contact") for b in keyboard.buttons()):
        keyboard.used()
    keyboards.user_wrote(app.app_uuid, chat.id)
    return [update] if update else []
