"""Snapshot part of what bots set up: command lists, menu buttons, a log-out, and the reply keyboards
(and pending force replies) bots left in users' chats. Users' phone numbers travel with their chats.

Only bots that changed something are written. A bot's launch is not kept: a restore is a server
restart, after which each bot is launched again by its next call (which ``close`` counts from).
Keyboards are checked by parsing them again, so a restored one is exactly what a bot could send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ..contacts.apps import parse_app_uuid
from ..telegram.bot_settings import (
    COMMAND,
    DEFAULT_MENU,
    LANGUAGE,
    MAX_CHAT_MENUS,
    MAX_COMMAND,
    MAX_COMMAND_LISTS,
    MAX_COMMANDS,
    MAX_DESCRIPTION,
    BotProfile,
    BotSettings,
)
from ..telegram.bots import is_user_id
from ..telegram.chats import TelegramError
from ..telegram.keyboards import FORCE_REPLY, KEYBOARD, KeyboardInForce, parse_reply_markup
from .checks import Apply, mapping, need, number_or_null, objects, text

if TYPE_CHECKING:
    from ..world import World

NO_PART: Apply = lambda: None  # noqa: E731  (rebuilt by load_bot_settings, which needs the apps)
SCOPES = ("default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat")


def is_default(profile: BotProfile) -> bool:
    return not profile.commands and profile.menu == DEFAULT_MENU and not profile.chat_menus and profile.logged_out_at is None


def dump_profile(profile: BotProfile) -> dict:
    return {
        "commands": [
            {"scope": {"type": kind} if chat_id is None else {"type": kind, "chat_id": chat_id},
             "language_code": language, "commands": [dict(c) for c in commands]}
            for (kind, chat_id, language), commands in profile.commands.items()
        ],
        "menu_button": dict(profile.menu),
        "chat_menu_buttons": {chat_id: dict(button) for chat_id, button in profile.chat_menus.items()},
        "logged_out_at": profile.logged_out_at,
    }


def dump_bot_settings(world: "World") -> dict:
    settings = world.bot_settings
    keyboards = settings.keyboards
    return {
        "bots": {app_uuid: dump_profile(p) for app_uuid, p in settings.profiles.items() if not is_default(p)},
        "keyboards": {
            chat_id: {app_uuid: {"markup": k.markup, "hidden": k.hidden} for app_uuid, k in held.items()}
            for chat_id, held in keyboards.shown.items()
        },
        "force_replies": {chat_id: dict(held) for chat_id, held in keyboards.force_reply.items()},
    }


def reparsed(markup: object, kind: str, where: str) -> dict:
    """``markup`` if it is exactly what parsing it as a bot's reply_markup gives, of ``kind``."""
    need(isinstance(markup, dict), where, "must be an object")
    try:
        parsed = parse_reply_markup(markup)
    except TelegramError as exc:
        need(False, where, exc.description)
    need(parsed is not None and parsed.kind == kind and parsed.data == markup, where, f"must be a {kind} markup as a bot sends it")
    return markup  # type: ignore[return-value]


def load_menu(button: object, where: str) -> dict:
    button = mapping(button, where)
    if button.get("type") in ("default", "commands"):
        need(len(button) == 1, where, "a default or commands button has only its type")
        return {"type": button["type"]}
    need(button.get("type") == "web_app", f"{where}.type", "must be default, commands or web_app")
    url = mapping(button.get("web_app"), f"{where}.web_app")
    need(isinstance(button.get("text"), str) and button["text"] != "", f"{where}.text", "must be a non-empty string")
    need(text(url, "url", f"{where}.web_app").lower().startswith("https://"), f"{where}.web_app.url", "must be an https URL")
    return {"type": "web_app", "text": button["text"], "web_app": {"url": url["url"]}}


def load_profile(data: object, where: str) -> BotProfile:
    data = mapping(data, where)
    profile = BotProfile()
    for index, item in enumerate(objects(data.get("commands", []), f"{where}.commands")):
        at = f"{where}.commands[{index}]"
        scope = mapping(item.get("scope"), f"{at}.scope")
        kind, chat_id = scope.get("type"), scope.get("chat_id")
        need(kind in SCOPES, f"{at}.scope.type", f"must be one of {', '.join(SCOPES)}")
        need((kind == "chat") == (chat_id is not None), f"{at}.scope", "a chat scope, and only it, has a chat_id")
        need(chat_id is None or (isinstance(chat_id, int) and is_user_id(str(chat_id))), f"{at}.scope.chat_id", "must be a user id")
        language = item.get("language_code", "")
        need(isinstance(language, str) and (language == "" or bool(LANGUAGE.match(language))), f"{at}.language_code", "must be empty or two letters a-z")
        commands = objects(item.get("commands"), f"{at}.commands")
        need(0 < len(commands) <= MAX_COMMANDS, f"{at}.commands", f"must hold 1 to {MAX_COMMANDS} commands")
        for command in commands:
            need(set(command) == {"command", "description"}, f"{at}.commands", "each is {command, description}")
            name, description = command["command"], command["description"]
            need(isinstance(name, str) and len(name) <= MAX_COMMAND and bool(COMMAND.match(name)), f"{at}.commands", f"a command is 1-{MAX_COMMAND} of a-z, 0-9 and _")
            need(isinstance(description, str) and description.strip() == description and 0 < len(description) <= MAX_DESCRIPTION, f"{at}.commands", f"a description is 1-{MAX_DESCRIPTION} characters, trimmed")
        key = cast("tuple[str, int | None, str]", (kind, chat_id, language))  # each checked above
        need(key not in profile.commands, f"{at}", "a second list for the same scope and language")
        profile.commands[key] = [dict(c) for c in commands]
    profile.menu = load_menu(data.get("menu_button", DEFAULT_MENU), f"{where}.menu_button")
    for chat_id, button in mapping(data.get("chat_menu_buttons", {}), f"{where}.chat_menu_buttons").items():
        need(is_user_id(chat_id), f"{where}.chat_menu_buttons", f"{chat_id!r} is no user id")
        profile.chat_menus[chat_id] = load_menu(button, f"{where}.chat_menu_buttons.{chat_id}")
        need(profile.chat_menus[chat_id] != DEFAULT_MENU, f"{where}.chat_menu_buttons.{chat_id}", "a chat's default button is no entry")
    need(len(profile.commands) <= MAX_COMMAND_LISTS, f"{where}.commands", f"at most {MAX_COMMAND_LISTS} lists")
    need(len(profile.chat_menus) <= MAX_CHAT_MENUS, f"{where}.chat_menu_buttons", f"at most {MAX_CHAT_MENUS} chats")
    logged_out = number_or_null(data, "logged_out_at", where)
    profile.logged_out_at = None if logged_out is None else float(logged_out)
    return profile


def by_chat(data: object, where: str, uuids: set[str]) -> dict[str, dict]:
    table = mapping(data, where)
    for chat_id, held in table.items():
        need(is_user_id(chat_id), where, f"{chat_id!r} is no user id")
        held = mapping(held, f"{where}.{chat_id}")
        strangers = sorted(set(held) - uuids)
        need(not strangers and bool(held), f"{where}.{chat_id}", f"must map app_uuids of the snapshot's apps (not {', '.join(strangers) or 'nothing'})")
    return table


def load_bot_settings(world: "World", data: dict) -> Apply:
    part = mapping(data["bot_settings"], "bot_settings")
    uuids = {parse_app_uuid(str(a.get("app_uuid", ""))) for a in data["apps"]}  # checked by the apps part
    known = {u for u in uuids if u is not None}
    settings = BotSettings()
    for app_uuid, profile in mapping(part.get("bots", {}), "bot_settings.bots").items():
        need(app_uuid in known, "bot_settings.bots", f"no app has the app_uuid {app_uuid}")
        settings.profiles[app_uuid] = load_profile(profile, f"bot_settings.bots.{app_uuid}")
    for chat_id, held in by_chat(part.get("keyboards", {}), "bot_settings.keyboards", known).items():
        for app_uuid, shown in held.items():
            where = f"bot_settings.keyboards.{chat_id}.{app_uuid}"
            shown = mapping(shown, where)
            need(isinstance(shown.get("hidden", False), bool), f"{where}.hidden", "must be a boolean")
            markup = reparsed(shown.get("markup"), KEYBOARD, f"{where}.markup")
            settings.keyboards.shown.setdefault(chat_id, {})[app_uuid] = KeyboardInForce(markup, shown.get("hidden", False))
    for chat_id, held in by_chat(part.get("force_replies", {}), "bot_settings.force_replies", known).items():
        for app_uuid, reply in held.items():
            markup = reparsed(reply, FORCE_REPLY, f"bot_settings.force_replies.{chat_id}.{app_uuid}")
            settings.keyboards.force_reply.setdefault(chat_id, {})[app_uuid] = markup

    return lambda: world.adopt(bot_settings=settings)


PARTS = [("bot_settings", dump_bot_settings, lambda world, data: NO_PART)]
