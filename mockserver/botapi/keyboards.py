"""``reply_markup`` for every sending method: one parser (``domain.telegram.keyboards``), and what a sent
message's markup leaves in the user's chat (a reply keyboard shown or removed, a force reply pending)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..domain.telegram.keyboards import ReplyMarkup, parse_reply_markup

if TYPE_CHECKING:
    from .methods import Call


def reply_markup(call: "Call") -> ReplyMarkup | None:
    """The call's checked ``reply_markup`` (Telegram reads it as JSON text in any encoding of the call)."""
    value = call.args.json("reply_markup", "can't parse reply keyboard markup JSON object")
    return None if value is None else parse_reply_markup(value)


def shown(call: "Call", chat_id: str, markup: ReplyMarkup | None) -> None:
    """After a successful send: the user's chat now shows what ``markup`` asks for."""
    call.world.bot_settings.keyboards.apply(call.app.app_uuid, chat_id, markup)
