"""The README's screenshots of the dashboard: docs/ui-<view>.png, one per view, over a world with
something in every view (tokens registered, a campaign with a blocked chat, a conversation with
a keyboard, a fault rule, a frozen clock), plus the overview in the dark scheme.

    python docs/screenshots.py [--out docs]

Debian's chromium through Playwright, as in tests/ui.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mockserver import Emulator  # noqa: E402
from mockserver.threaded import ThreadedServer  # noqa: E402
from tests.ui.conftest import ARGS, CHROMIUM  # noqa: E402
from tests.ui.test_dashboard import APP_UUID, BASIC, BOT, SCENARIO  # noqa: E402

VIEWS = {
    "overview": "overview",
    "contacts": "contacts",
    "contact": "contacts/1002",
    "telegram": "telegram/555",
    "chats": "telegram",
    "deliveries": "deliveries",
    "journal": "journal?id=1",
    "control": "control",
}


def call(url: str, method: str, path: str, body: object = None, headers: dict | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data, {"Content-Type": "application/json", **(headers or {})}, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def populate(url: str) -> None:
    tokens = [{"token": "333", "phone": "+380671234567"}, {"token": "444", "email": "new@example.com"}, {"token": "111", "contactId": 1001}]
    call(url, "POST", f"/api/v1/apps/{APP_UUID}/tokens", {"tokens": tokens}, BASIC)
    template = call(url, "POST", "/api/v1/messages/telegram", {"name": "Spring sale", "text": "Spring sale: see https://shop.example/sale"}, BASIC)
    call(url, "POST", "/_mock/telegram/chats/222/block")
    recipients = [{"contactId": 1001}, {"contactId": 1002}, {"contactId": 1003}]
    call(url, "POST", f"/api/v1/message/{template['id']}/smartsend", {"recipients": recipients}, BASIC)
    call(url, "POST", "/_mock/telegram/users", {"id": 555, "first_name": "Ann", "username": "ann"})
    call(url, "POST", "/_mock/telegram/users/555/start", {"payload": "C-5", "bot": "demo_shop_bot"})
    markup = {"inline_keyboard": [[{"text": "Yes, link my account", "callback_data": "link:C-5"}, {"text": "Privacy", "url": "https://shop.example/privacy"}]]}
    call(url, "POST", f"{BOT}/sendMessage", {"chat_id": 555, "text": "Hi Ann! Link your shop account?", "reply_markup": markup})
    call(url, "POST", "/_mock/telegram/users/555/press", {"message_id": 2, "callback_data": "link:C-5", "bot": "demo_shop_bot"})
    call(url, "POST", "/_mock/telegram/users/555/send", {"text": "thanks!", "bot": "demo_shop_bot"})
    call(url, "POST", "/_mock/faults", {"match": {"method": "POST", "path": "/api/v1/apps/*/tokens"}, "action": {"status": 500}, "times": 3})
    call(url, "POST", "/_mock/clock", {"freeze": True})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with ThreadedServer(Emulator(SCENARIO)) as server, sync_playwright() as playwright:
        populate(server.url)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        shots = [(name, route, "light") for name, route in VIEWS.items()] + [("overview-dark", "overview", "dark")]
        for name, route, scheme in shots:
            context = browser.new_context(viewport={"width": 1200, "height": 800}, color_scheme=scheme)
            page = context.new_page()
            page.goto(f"{server.url}/_mock/ui#/{route}")
            page.wait_for_selector(".region[aria-busy=false][data-loaded]")
            page.wait_for_selector("#live[data-state=live]")
            page.screenshot(path=str(out / f"ui-{name}.png"), full_page=True)
            print(out / f"ui-{name}.png")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
