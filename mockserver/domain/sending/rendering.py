"""What a template becomes in one chat: jsonParam values filled in, every link replaced by a tracked one."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..telegram.markup import parse_text
from .messages import TelegramMessage

URL = re.compile(r"https?://[^\s<>\"')\]]+")
# Velocity forms eSputnik templates use for jsonParam values: $!data.get('x'), $data.x, ${data.x}, $!{data.x}.
PLACEHOLDER = re.compile(r"\$(!?)(?:\{data\.(\w+)\}|data\.get\('(\w+)'\)|data\.(\w+))")


def render_text(text: str, params: dict) -> str:
    """Substitute jsonParam values; a missing value renders empty after ``$!`` and stays literal after ``$``."""

    def value(match: re.Match) -> str:
        quiet, *names = match.groups()
        name = next(n for n in names if n)
        if name in params and params[name] is not None:
            found = params[name]
            return found if isinstance(found, str) else json.dumps(found, ensure_ascii=False)
        return "" if quiet else match.group(0)

    return PLACEHOLDER.sub(value, text)


@dataclass
class Rendered:
    """A delivery's text and buttons, and its tracked links: link token -> original URL, in order of appearance."""

    text: str
    buttons: list[dict]
    links: dict[str, str]


def render(message: TelegramMessage, params: dict, request_id: str, base_url: str) -> Rendered:
    """The message for one delivery; link tokens are ``{request_id}-{n}``, counted through text then buttons."""
    links: dict[str, str] = {}

    def track(url: str) -> str:
        token = f"{request_id}-{len(links) + 1}"
        links[token] = url
        return f"{base_url}/track/{token}"

    text = URL.sub(lambda m: track(m.group(0)), render_text(message.text, params))
    buttons = [
        {"text": render_text(b.text, params), "url": track(b.link) if URL.fullmatch(b.link) else b.link}
        for b in message.buttons
    ]
    return Rendered(text, buttons, links)


def check_text(text: str, image_source: str | None) -> None:
    """Telegram refuses a blank text, or one over 4096 characters once jsonParam and tracked links
    are in (400, token kept); a message with an image is a photo, whose text is an optional caption."""
    if image_source is None:
        parse_text(text, None)
