"""The Bot API methods about the bot itself and its private chats: commands, the menu button,
getChat, getChatMember, logOut and close. Parameters are read in the official server's order and
refused with its texts (``tdlib/telegram-bot-api`` and TDLib): a parse error names the object
("can't parse BotCommandScope: ..."), then TDLib's checks, then the Telegram server's codes
(``BOT_COMMAND_INVALID``, ``BOT_COMMANDS_TOO_MUCH``).

The emulator has private chats only, so a scope or chat id that is not a user the bot can see is
"chat not found", and the per-chat scopes other than ``chat`` are refused as in any private chat.
"""

from __future__ import annotations

import orjson

from ..domain.telegram.bot_settings import (
    COMMAND,
    DEFAULT_MENU,
    LANGUAGE,
    MAX_COMMAND,
    MAX_COMMANDS,
    MAX_DESCRIPTION,
    CommandsKey,
)
from ..domain.telegram.bots import bot_user, is_user_id
from ..domain.telegram.chats import UNKNOWN, Chat
from ..domain.telegram.keyboards import FieldError, bad_request
from ..domain.text import is_ascii_digits
from .methods import Answer, Call, Method, chat_id_of

SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators")
CHAT_SCOPES = ("chat", "chat_administrators", "chat_member")


def field_text(data: dict, name: str) -> str:
    """A required string field as Telegram reads one (a number is taken as its text)."""
    if name not in data:
        raise FieldError(f'Can\'t find field "{name}"')
    value = data[name]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return orjson.dumps(value).decode()
    if not isinstance(value, str):
        raise FieldError(f'Field "{name}" must be of type String')
    return value


def field_long(data: dict, name: str) -> int:
    if name not in data:
        raise FieldError(f'Can\'t find field "{name}"')
    value = data[name]
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise FieldError(f'Field "{name}" must be a Number')
    text = str(value)
    if not is_ascii_digits(text.removeprefix("-")) or not -(2**63) <= int(text) < 2**63:
        raise FieldError(f'Field "{name}" must be a valid Number')
    return int(text)


def visible_chat(call: Call, chat_id: str) -> Chat | None:
    """The private chat ``chat_id`` names if the bot can see its user (not an unknown one), read without
    creating it: a chat nobody described answers as the world's default state says."""
    if not is_user_id(chat_id):
        return None
    telegram = call.world.telegram
    chat = telegram.chats.get(chat_id)
    state = chat.state if chat is not None else telegram.default_state
    if state == UNKNOWN:
        return None
    return chat if chat is not None else Chat(id=chat_id, state=state)


def number_text(raw: str) -> str | None:
    """A chat id in the form the world keys it, or None when it is no integer."""
    raw = raw.strip()
    return str(int(raw)) if is_ascii_digits(raw.removeprefix("-")) and raw.removeprefix("-") else None


# -- commands ---------------------------------------------------------------------------------------


def command_scope(call: Call) -> tuple[str, int | None]:
    """``scope`` as (type, chat id or None): parsed, then its chat checked as the server checks it."""
    value = call.args.json("scope", "can't parse BotCommandScope JSON object")
    if value is None:
        return "default", None
    try:
        if not isinstance(value, dict):
            raise FieldError("BotCommandScope must be an Object")
        kind = field_text(value, "type")
        if kind in SCOPES:
            return kind, None
        if kind not in CHAT_SCOPES:
            raise FieldError("Unsupported type specified")
        raw_chat = field_text(value, "chat_id")
        if not raw_chat:
            raise FieldError("Empty chat_id specified")
        user_id = None
        if kind == "chat_member":
            user_id = field_long(value, "user_id")
            if user_id <= 0:
                raise FieldError("Invalid user_id specified")
    except FieldError as exc:
        raise bad_request(f"can't parse BotCommandScope: {exc}") from None
    chat_id = number_text(raw_chat)
    chat = visible_chat(call, chat_id) if chat_id is not None else None
    if chat is None:
        raise bad_request("chat not found")
    if user_id is not None and visible_chat(call, str(user_id)) is None and user_id != call.app.bot_id:
        raise bad_request("user not found")
    if kind != "chat":
        raise bad_request("can't use specified scope in private chats")
    return kind, int(chat.id)


def language_code(call: Call) -> str:
    code = call.args.text("language_code") or ""
    if code and not LANGUAGE.match(code):
        raise bad_request("invalid language code specified")
    return code


def commands_key(call: Call) -> CommandsKey:
    kind, chat_id = command_scope(call)
    return kind, chat_id, language_code(call)


def bot_commands(call: Call) -> list[tuple[str, str]]:
    value = call.args.json("commands", "can't parse commands JSON object")
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request("expected an Array of BotCommand")
    read = []
    for item in value:
        try:
            if not isinstance(item, dict):
                raise FieldError("expected an Object")
            read.append((field_text(item, "command"), field_text(item, "description")))
        except FieldError as exc:
            raise bad_request(f"can't parse BotCommand: {exc}") from None
    return read


def checked_commands(read: list[tuple[str, str]]) -> list[dict]:
    """TDLib's checks (trimmed, a leading "/" dropped, lengths in characters), then the server's."""
    commands = []
    for command, description in read:
        command = command.strip()
        command = command.removeprefix("/")
        if not command:
            raise bad_request("command must be non-empty")
        if len(command) > MAX_COMMAND:
            raise bad_request(f"command length must not exceed {MAX_COMMAND}")
        description = description.strip()
        if not description:
            raise bad_request("command description must be non-empty")
        if len(description) > MAX_DESCRIPTION:
            raise bad_request(f"command description length must not exceed {MAX_DESCRIPTION}")
        commands.append({"command": command, "description": description})
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    if any(not COMMAND.match(c["command"]) for c in commands):
        raise bad_request("BOT_COMMAND_INVALID")
    return commands


async def set_my_commands(call: Call) -> Answer:
    read = bot_commands(call)
    key = commands_key(call)
    call.world.bot_settings.set_commands(call.app.app_uuid, key, checked_commands(read))
    return Answer(True)


async def get_my_commands(call: Call) -> Answer:
    return Answer(call.world.bot_settings.commands(call.app.app_uuid, commands_key(call)))


async def delete_my_commands(call: Call) -> Answer:
    call.world.bot_settings.set_commands(call.app.app_uuid, commands_key(call), [])
    return Answer(True)


# -- the menu button ----------------------------------------------------------------------------------


def menu_user(call: Call) -> str | None:
    """setChatMenuButton's / getChatMenuButton's ``chat_id``: a user the bot knows, or the bot's default."""
    if "chat_id" not in call.args.params:
        return None
    raw = (call.args.text("chat_id", numbers=True) or "").strip()
    user_id = int(raw) if is_ascii_digits(raw) and raw else 0
    if user_id <= 0:
        raise bad_request("invalid chat_id specified")
    if visible_chat(call, str(user_id)) is None:
        raise bad_request("user not found")
    return str(user_id)


def menu_button(call: Call) -> dict:
    value = call.args.json("menu_button", "can't parse menu button JSON object")
    if value is None:
        return dict(DEFAULT_MENU)
    try:
        if not isinstance(value, dict):
            raise FieldError("MenuButton must be an Object")
        kind = field_text(value, "type")
        if kind in ("default", "commands"):
            return {"type": kind}
        if kind != "web_app":
            raise FieldError("MenuButton has unsupported type")
        text = field_text(value, "text")
        if "web_app" not in value:
            raise FieldError('Can\'t find field "web_app"')
        if not isinstance(value["web_app"], dict):
            raise FieldError('Field "web_app" must be of type Object')
        url = field_text(value["web_app"], "url")
    except FieldError as exc:
        raise bad_request(f"can't parse menu button: {exc}") from None
    if not text:
        raise bad_request("menu button text must be non-empty")
    parts = url.split("://", 1)
    if len(parts) != 2 or parts[0].lower() != "https":
        raise bad_request(f"menu button Web App URL '{url}' is invalid: Only HTTPS links are allowed")
    if not parts[1].split("/", 1)[0].split("?", 1)[0]:
        raise bad_request(f"menu button Web App URL '{url}' is invalid: URL host is empty")
    return {"type": "web_app", "text": text, "web_app": {"url": url}}


async def set_chat_menu_button(call: Call) -> Answer:
    button = menu_button(call)
    call.world.bot_settings.set_menu(call.app.app_uuid, menu_user(call), button)
    return Answer(True)


async def get_chat_menu_button(call: Call) -> Answer:
    return Answer(call.world.bot_settings.menu(call.app.app_uuid, menu_user(call)))


# -- getChat, getChatMember ---------------------------------------------------------------------------


def read_chat(call: Call) -> Chat:
    chat = visible_chat(call, chat_id_of(call))
    if chat is None:
        raise bad_request("chat not found")
    return chat


def full_info(chat: Chat) -> dict:
    """A private chat's ChatFullInfo as the official server writes it for a user with no photo or bio."""
    profile = chat.profile()
    data: dict = {"id": profile["id"], "first_name": profile["first_name"]}
    for name in ("last_name", "username"):
        if name in profile:
            data[name] = profile[name]
    data.update(type="private", can_send_gift=True)
    if "username" in profile:
        data["active_usernames"] = [profile["username"]]
    data["accepted_gift_types"] = {
        "unlimited_gifts": True, "limited_gifts": True, "unique_gifts": True,
        "premium_subscription": True, "gifts_from_channels": True,
    }
    data["max_reaction_count"] = 11
    data["accent_color_id"] = int(chat.id) % 7  # a user's colour when they chose none
    return data


async def get_chat(call: Call) -> Answer:
    return Answer(full_info(read_chat(call)))


async def get_chat_member(call: Call) -> Answer:
    """In a private chat both sides are members, whatever the chat's state: a block shows only in
    ``my_chat_member`` updates and in the refusals of sends, not here (TDLib's private_member)."""
    chat = read_chat(call)
    raw = (call.args.text("user_id", numbers=True) or "").strip()
    user_id = int(raw) if is_ascii_digits(raw) and raw else 0
    if user_id <= 0:
        raise bad_request("invalid user_id specified")
    if user_id == int(chat.id):
        return Answer({"user": chat.profile(), "status": "member"})
    if user_id == call.app.bot_id:
        return Answer({"user": bot_user(call.app), "status": "member"})
    raise bad_request("member not found")


# -- logOut, close ------------------------------------------------------------------------------------


async def log_out(call: Call) -> Answer:
    """The bot leaves the cloud server: its pending updates are dropped and its calls answer "Logged out"."""
    call.world.bot_settings.log_out(call.app.app_uuid, call.world.clock.now())
    call.inbox.confirm(call.inbox.next_update_id)
    return Answer(True)


async def close(call: Call) -> Answer:
    call.world.bot_settings.close(call.app.app_uuid, call.world.clock.now())
    return Answer(True)


# Lower-cased method name -> handler, added to ``methods.METHODS``.
METHODS: dict[str, Method] = {
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "setchatmenubutton": set_chat_menu_button,
    "getchatmenubutton": get_chat_menu_button,
    "getchat": get_chat,
    "getchatmember": get_chat_member,
    "logout": log_out,
    "close": close,
}
