"""What each bot set up about itself: command lists, menu buttons, its launch and log-out, and the reply
keyboards it left in users' chats. The Bot API door checks the parameters; this holds the outcome.

Launch and log-out follow the official server: a bot is launched by its first call (after an emulator
reset or a ``close``); ``close`` within ten minutes of the launch answers 429 with the seconds left;
after ``logOut`` every call answers 400 "Logged out" for ten minutes (the docs: the bot cannot log back
in to the cloud server for 10 minutes), after which it works again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .chats import TelegramError
from .keyboards import Keyboards

CLOSE_AFTER = 600  # seconds after a launch before close is allowed
LOGGED_OUT_FOR = 600  # seconds a logged-out bot stays out of the cloud server
LOGGED_OUT = "Logged out"
DEFAULT_MENU = {"type": "default"}
# Commands: Telegram's limits (TDLib checks the lengths, its server the alphabet and the count).
MAX_COMMANDS, MAX_COMMAND, MAX_DESCRIPTION = 100, 32, 256
COMMAND = re.compile(r"^[a-z0-9_]+$")
LANGUAGE = re.compile(r"^[a-z]{2}$")  # a command list's language_code, when not empty
# Lists and per-chat buttons a bot may keep (chat scopes and languages would otherwise grow without end).
MAX_COMMAND_LISTS = 10_000
MAX_CHAT_MENUS = 100_000

# A command list's address: scope type, the scope's chat id (or None) and the language code ("" for all).
CommandsKey = tuple[str, int | None, str]


@dataclass
class BotProfile:
    commands: dict[CommandsKey, list[dict]] = field(default_factory=dict)
    menu: dict = field(default_factory=lambda: dict(DEFAULT_MENU))  # the bot's default menu button
    chat_menus: dict[str, dict] = field(default_factory=dict)  # per private chat (= user id)
    launched_at: float | None = None
    logged_out_at: float | None = None


class BotSettings:
    """Profiles by app_uuid (made when first needed) and the reply keyboards in force."""

    def __init__(self) -> None:
        self.profiles: dict[str, BotProfile] = {}
        self.keyboards = Keyboards()

    def of(self, app_uuid: str) -> BotProfile:
        profile = self.profiles.get(app_uuid)
        if profile is None:
            profile = self.profiles[app_uuid] = BotProfile()
        return profile

    # -- launch, logOut, close ---------------------------------------------------------

    def admit(self, app_uuid: str, now: float) -> None:
        """Every call passes here first: a logged-out bot is refused; a bot not running is launched."""
        profile = self.of(app_uuid)
        if profile.logged_out_at is not None:
            if now < profile.logged_out_at + LOGGED_OUT_FOR:
                raise TelegramError(400, LOGGED_OUT)
            profile.logged_out_at = None
            profile.launched_at = None
        if profile.launched_at is None:
            profile.launched_at = now

    def log_out(self, app_uuid: str, now: float) -> None:
        profile = self.of(app_uuid)
        profile.logged_out_at = now

    def close(self, app_uuid: str, now: float) -> None:
        """Stop the bot's instance, or refuse within ten minutes of its launch (Telegram rounds down)."""
        profile = self.of(app_uuid)
        launched = now if profile.launched_at is None else profile.launched_at
        retry_after = int(CLOSE_AFTER - (now - launched))
        if retry_after > 0:
            raise TelegramError.too_many_requests(retry_after)
        profile.launched_at = None

    # -- commands and menu buttons --------------------------------------------------------

    def set_commands(self, app_uuid: str, key: CommandsKey, commands: list[dict]) -> None:
        """An empty list is no list (Telegram treats it as deleteMyCommands)."""
        profile = self.of(app_uuid)
        if commands:
            if key not in profile.commands and len(profile.commands) >= MAX_COMMAND_LISTS:
                raise TelegramError(400, f"Bad Request: the emulator keeps at most {MAX_COMMAND_LISTS} command lists per bot; delete some first")
            profile.commands[key] = commands
        else:
            profile.commands.pop(key, None)

    def commands(self, app_uuid: str, key: CommandsKey) -> list[dict]:
        return [dict(c) for c in self.of(app_uuid).commands.get(key, [])]

    def set_menu(self, app_uuid: str, chat_id: str | None, button: dict) -> None:
        profile = self.of(app_uuid)
        if chat_id is None:
            profile.menu = button
        elif button == DEFAULT_MENU:
            profile.chat_menus.pop(chat_id, None)  # the chat follows the bot's default again
        else:
            if chat_id not in profile.chat_menus and len(profile.chat_menus) >= MAX_CHAT_MENUS:
                raise TelegramError(400, f"Bad Request: the emulator keeps at most {MAX_CHAT_MENUS} per-chat menu buttons per bot; reset some to default first")
            profile.chat_menus[chat_id] = button

    def menu(self, app_uuid: str, chat_id: str | None) -> dict:
        profile = self.of(app_uuid)
        found = profile.chat_menus.get(chat_id) if chat_id is not None else None
        return dict(found if found is not None else profile.menu)
