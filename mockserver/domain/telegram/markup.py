"""What a bot's message says: text checks, HTML entities and inline keyboards, with Telegram's texts."""

from __future__ import annotations

from html.parser import HTMLParser

from ..text import is_blank
from .chats import MAX_TEXT, bad_request

PARSE_MODES = {"html": "HTML", "markdown": "Markdown", "markdownv2": "MarkdownV2"}
MAX_CALLBACK_DATA = 64
HTML_ENTITY_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
    "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "code": "code", "pre": "pre",
    "a": "text_link", "tg-spoiler": "spoiler", "blockquote": "blockquote",
}


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class _Html(HTMLParser):
    """Telegram's HTML subset: plain text plus entities, or the reason it cannot be parsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[dict] = []
        self.open: list[tuple[str, int, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in HTML_ENTITY_TAGS and tag != "span":
            raise bad_request(f'can\'t parse entities: Unsupported start tag "{tag}"')
        entity = {"type": HTML_ENTITY_TAGS.get(tag, "spoiler")}
        if tag == "a":
            href = dict(attrs).get("href")
            if not href:
                raise bad_request('can\'t parse entities: Tag "a" must have attribute "href"')
            entity["url"] = href
        self.open.append((tag, utf16_len(self.text), entity))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            raise bad_request(f'can\'t parse entities: Unmatched end tag "{tag}"')
        _, start, entity = self.open.pop()
        length = utf16_len(self.text) - start
        if length:
            self.entities.append({**entity, "offset": start, "length": length})

    def handle_data(self, data: str) -> None:
        self.text += data


def parse_text(text: str | None, parse_mode: str | None) -> tuple[str, list[dict]]:
    """The text a message shows and its entities, checked as sendMessage checks them."""
    if text is None or is_blank(text):
        raise bad_request("message text is empty")
    entities: list[dict] = []
    if parse_mode is not None and parse_mode != "":
        mode = PARSE_MODES.get(parse_mode.lower())
        if mode is None:
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        if mode == "HTML":
            parser = _Html()
            parser.feed(text)
            parser.close()
            if parser.open:
                raise bad_request(f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{parser.open[-1][0]}"')
            text, entities = parser.text, sorted(parser.entities, key=lambda e: e["offset"])
    if is_blank(text):
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT:
        raise bad_request("message is too long")
    return text, entities


def command_entities(text: str) -> list[dict]:
    """The bot_command entity Telegram marks on a message that starts with ``/command``."""
    if not text.startswith("/"):
        return []
    word = text.split(maxsplit=1)[0]
    return [{"offset": 0, "length": utf16_len(word), "type": "bot_command"}] if len(word) > 1 else []


def check_inline_keyboard(markup: object) -> dict:
    """An InlineKeyboardMarkup whose buttons each carry exactly one of ``url`` / ``callback_data``."""
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    clean_rows = []
    for row in rows:
        clean_row = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
            has_url, has_data = "url" in button, "callback_data" in button
            url, data = button.get("url"), button.get("callback_data")
            if not has_url and not has_data:
                raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
            if has_url and has_data:
                raise bad_request("can't parse inline keyboard button: a button must have exactly one of url and callback_data")
            if has_url:
                if not isinstance(url, str) or is_blank(url):
                    raise bad_request("BUTTON_URL_INVALID")
                clean_row.append({"text": button["text"], "url": url})
            else:
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
                clean_row.append({"text": button["text"], "callback_data": data})
        clean_rows.append(clean_row)
    return {"inline_keyboard": clean_rows}
