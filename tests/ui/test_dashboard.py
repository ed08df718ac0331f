"""The dashboard (GET /_mock/ui) in a real browser: each view shows the world, each action works
through its /_mock call, changes arrive live through the stream, and nothing logs an error."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
import yaml

from mockserver import Emulator
from mockserver.scenario import normalize_scenario
from mockserver.threaded import ThreadedServer
from tests.conftest import SCENARIOS

pytestmark = pytest.mark.slow

APP_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
BOT = "/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
NEWS_BOT = "/bot987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2"
BASIC = {"Authorization": "Basic dXNlcjp0ZXN0LWtleQ=="}  # user:test-key
SCENARIO = normalize_scenario(
    {
        **yaml.safe_load((SCENARIOS / "happy_path.yaml").read_text()),
        # enough contacts for two pages
        "generate": [{"count": 120, "id_base": 5001, "email": "crowd{n}@example.com", "firstName": "Crowd{n}"}],
    }
)
WAIT = 5000  # ms: how long a view may take to show a change


@pytest.fixture(scope="module")
def server():
    with ThreadedServer(Emulator(SCENARIO)) as running:
        yield running


def call(server, method: str, path: str, body: object = None, headers: dict | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        server.url + path, data, {"Content-Type": "application/json", **(headers or {})}, method=method
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


@pytest.fixture
def page(browser, server):
    server.emulator.load(SCENARIO)  # every test starts from the same world (no request is in flight here)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(f"{message.type}: {message.text}") if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    tab.problems = problems
    yield tab
    context.close()
    assert problems == [], "the page logged errors"


def open_view(page, server, route: str) -> None:
    page.goto(f"{server.url}/_mock/ui#/{route}")
    loaded(page)
    page.wait_for_selector("#live[data-state=live]")


def loaded(page) -> None:
    page.wait_for_selector(".region[aria-busy=false][data-loaded]")


def done(page, action: str) -> None:
    """Wait until an action form says its call succeeded."""
    page.get_by_role("form", name=action, exact=True).locator("output", has_text="Done").wait_for(timeout=WAIT)


def eventually(check, seconds: float = WAIT / 1000):
    """``check()``'s first truthy answer, asked again until ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def region(page):
    return page.locator(".region")


def test_the_overview_shows_the_world_and_follows_it_live(page, server):
    open_view(page, server, "overview")
    assert page.locator("h1").inner_text() == "Overview"
    assert page.locator("#scenario").inner_text() == "happy_path"
    bots = page.get_by_role("table", name="Bots and their subscribers")
    assert bots.locator("tbody tr").count() == 2
    assert bots.locator("tr", has_text="@demo_shop_bot").locator("td").nth(2).inner_text() == "2"
    contacts = page.locator("section", has=page.get_by_role("heading", name="Contacts"))
    assert "Live\n123" in contacts.inner_text() and "Deleted\n0" in contacts.inner_text()
    assert "No fault rules." in page.locator("section", has_text="Faults active").inner_text()
    # A token registered by an integrator shows up without a reload.
    call(server, "POST", f"/api/v1/apps/{APP_UUID}/tokens", {"tokens": [{"token": "333", "contactId": 1003}]}, BASIC)
    page.wait_for_function(
        """() => [...document.querySelectorAll('table tr')].some(r => r.textContent.includes('@demo_shop_bot') && r.cells[2].textContent === '3')""",
        timeout=WAIT,
    )
    call(server, "POST", "/_mock/clock", {"freeze": True})
    page.locator("section", has_text="Clock").get_by_text("yes").wait_for(timeout=WAIT)
    assert int(page.locator("#live").get_attribute("data-events")) >= 3


def test_contacts_page_search_and_open_a_card(page, server):
    open_view(page, server, "contacts")
    table = page.get_by_role("table", name="Contacts")
    assert table.locator("tbody tr").count() == 50
    assert page.locator(".pager p").inner_text() == "Showing 1–50 of 123"
    page.get_by_role("button", name="Next").click()
    page.wait_for_url(re.compile(r"offset=50"))
    loaded(page)
    assert page.locator(".pager p").inner_text() == "Showing 51–100 of 123"
    page.get_by_label("Search contacts").fill("C-2")
    page.get_by_label("Search contacts").press("Enter")
    page.wait_for_url(re.compile(r"query=C-2"))
    loaded(page)
    rows = table.locator("tbody tr")
    assert rows.count() == 1 and "olena@example.com" in rows.inner_text()
    # A search by token, then the card.
    page.goto(f"{server.url}/_mock/ui#/contacts?query=111")
    loaded(page)
    page.get_by_role("link", name="1001", exact=True).click()
    page.wait_for_url(re.compile(r"#/contacts/1001$"))
    loaded(page)
    assert page.locator("h1").inner_text() == "Contact 1001"
    assert "taras@example.com" in page.get_by_role("table", name="Channels").inner_text()
    tokens = page.get_by_role("table", name="Tokens per bot").inner_text()
    assert "@demo_shop_bot" in tokens and "@demo_news_bot" in tokens and "111" in tokens
    # The card's history grows as the contact's tokens change.
    call(server, "POST", f"/api/v1/apps/{APP_UUID}/tokens", {"tokens": [{"token": "777", "contactId": 1001}]}, BASIC)
    history = page.get_by_role("table", name="What happened to this contact")
    history.get_by_text("token added").wait_for(timeout=WAIT)
    assert "777" in history.inner_text()


def test_a_conversation_with_keyboards_and_the_users_actions(page, server):
    open_view(page, server, "telegram")
    page.get_by_text("New simulated user").click()
    page.get_by_label("User id").fill("555")
    page.get_by_label("First name").fill("Ann")
    page.get_by_role("button", name="Create user").click()
    page.get_by_role("link", name="555").wait_for(timeout=WAIT)
    assert "unknown" in page.get_by_role("table", name="Users and chats").locator("tr", has_text="555").inner_text()
    page.get_by_role("link", name="555").click()
    loaded(page)
    assert page.locator("h1").inner_text() == "Chat 555"
    page.get_by_label("Payload").fill("promo")
    page.get_by_role("button", name="Start").click()
    conversation = page.get_by_role("list", name="Messages of chat 555")
    conversation.locator("p.text", has_text="/start promo").wait_for(timeout=WAIT)
    assert page.locator(".chat-state").inner_text() == "State: active"
    # The bot answers with an inline keyboard and a reply keyboard; both arrive live.
    markup = {"inline_keyboard": [[{"text": "Like", "callback_data": "like:1"}, {"text": "Site", "url": "https://shop.example"}]]}
    call(server, "POST", f"{BOT}/sendMessage", {"chat_id": 555, "text": "Welcome, Ann!", "reply_markup": markup})
    liked = page.get_by_role("button", name="Like")
    liked.wait_for(timeout=WAIT)
    assert "Site (https://shop.example)" in conversation.inner_text()
    liked.click()
    pressed = eventually(lambda: [u["callback_query"]["data"] for u in call(server, "GET", f"{BOT}/getUpdates")["result"] if "callback_query" in u])
    assert pressed == ["like:1"]
    page.get_by_role("textbox", name="Message").fill("hello bot")
    page.get_by_role("button", name="Send").click()
    conversation.locator("p.text", has_text="hello bot").wait_for(timeout=WAIT)
    # Every field of a message stays readable, whatever it carries (edits, contacts...).
    conversation.locator("li").first.get_by_text("All fields").click()
    assert '"text": "/start promo"' in conversation.locator("li").first.locator("pre").inner_text()
    page.get_by_role("button", name="Block", exact=True).click()
    page.locator(".chat-state", has_text="blocked").wait_for(timeout=WAIT)
    page.get_by_role("button", name="Unblock").click()
    page.locator(".chat-state", has_text="active").wait_for(timeout=WAIT)
    # Towards the other bot (the URL names it).
    page.get_by_label("Acting as user towards").select_option("demo_news_bot")
    page.wait_for_url(re.compile(r"bot=demo_news_bot"))
    loaded(page)
    page.get_by_role("button", name="Start").click()
    page.wait_for_function("() => document.querySelectorAll('.conversation li').length === 4", timeout=WAIT)
    assert any("message" in u for u in call(server, "GET", f"{NEWS_BOT}/getUpdates")["result"])


def test_an_edited_message_and_a_reply_keyboard_render_generically(page, server):
    server.emulator.world.telegram.chat("111").messages.append(
        {"message_id": 1, "from": {"id": 1, "is_bot": True, "username": "demo_shop_bot"}, "date": 1700000000,
         "edit_date": 1700000060, "text": "Share your phone?",
         "reply_markup": {"keyboard": [[{"text": "Send my number", "request_contact": True}, {"text": "No"}]]}}
    )
    open_view(page, server, "telegram/111")
    message = page.locator(".conversation li").first
    assert "edited 2023-11-14T22:14:20Z" in message.inner_text()
    keyboard = page.get_by_role("group", name="Reply keyboard of message 1")
    assert keyboard.get_by_role("button").all_inner_texts() == ["Send my number", "No"]
    keyboard.get_by_role("button", name="No").click()  # a reply button sends its text as the user
    page.locator(".conversation li", has_text="No").last.wait_for(timeout=WAIT)
    assert page.locator(".conversation li").nth(1).inner_text().count("No") >= 1


def test_deliveries_by_campaign_with_statuses_and_reasons(page, server):
    template = call(server, "POST", "/api/v1/messages/telegram", {"name": "Spring sale", "text": "See https://shop.example/sale"}, BASIC)
    call(server, "POST", "/_mock/telegram/chats/222/block")
    open_view(page, server, "deliveries")
    assert "Nothing sent yet." in region(page).inner_text()
    recipients = [{"contactId": 1001}, {"contactId": 1002}]
    call(server, "POST", f"/api/v1/message/{template['id']}/smartsend", {"recipients": recipients}, BASIC)
    campaigns = page.get_by_role("table", name="Campaigns (one per send)")
    campaigns.locator("tbody tr").first.wait_for(timeout=WAIT)
    assert "Spring sale" in campaigns.inner_text() and "smartsend" in campaigns.inner_text()
    deliveries = page.get_by_role("table", name="Deliveries")
    failed = deliveries.locator("tr", has_text="FAILED")
    assert "Forbidden: bot was blocked by the user" in failed.inner_text() and "1002" in failed.inner_text()
    page.get_by_label("Status").select_option("FAILED")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"status=FAILED"))
    loaded(page)
    assert deliveries.locator("tbody tr").count() == 1


def test_the_journal_filters_and_shows_bodies_answers_and_token_outcomes(page, server):
    call(server, "POST", f"/api/v1/apps/{APP_UUID}/tokens",
         {"tokens": [{"token": "900", "email": "new@example.com"}, {"token": "111", "contactId": 1001}]}, BASIC)
    call(server, "GET", "/api/v1/version", headers=BASIC)
    open_view(page, server, "journal")
    entries = page.locator(".journal > li")
    assert entries.count() == 2
    page.get_by_label("Path").fill("/api/v1/apps/*")
    page.get_by_label("Method").fill("POST")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"path="))
    loaded(page)
    assert entries.count() == 1
    entries.first.locator("summary").click()
    outcomes = page.get_by_role("table", name="Each token item's outcome")
    assert outcomes.locator("tbody tr").all_inner_texts()[0].split("\t")[:3] == ["0", "900", "created"]
    assert "present" in outcomes.inner_text()
    assert '"email": "new@example.com"' in entries.first.locator("pre").first.inner_text()
    # A new matching request arrives live; one that does not match stays out.
    call(server, "GET", "/api/v1/version", headers=BASIC)
    call(server, "POST", f"/api/v1/apps/{APP_UUID}/tokens", {"tokens": [{"token": "901", "contactId": 1002}]}, BASIC)
    page.wait_for_function("() => document.querySelectorAll('.journal > li').length === 2", timeout=WAIT)


def test_control_clock_faults_scenarios_and_reset(page, server):
    open_view(page, server, "control")
    page.get_by_role("button", name="Freeze", exact=True).click()
    page.locator(".clock-now", has_text="yes").wait_for(timeout=WAIT)
    before = call(server, "GET", "/_mock/clock")["now"]
    page.get_by_label("Seconds").fill("3600")
    page.get_by_role("button", name="Advance", exact=True).click()
    done(page, "Advance")
    assert call(server, "GET", "/_mock/clock")["now"] == pytest.approx(before + 3600, abs=1)
    page.get_by_role("button", name="Add fault").click()
    faults = page.get_by_role("table", name="Active fault rules")
    faults.wait_for(timeout=WAIT)
    [rule] = call(server, "GET", "/_mock/faults")["faults"]
    assert rule["action"] == {"status": 500} and rule["id"] in faults.inner_text()
    page.get_by_role("button", name=f"Remove fault {rule['id']}").click()
    page.get_by_text("No fault rules.").wait_for(timeout=WAIT)
    assert call(server, "GET", "/_mock/faults")["faults"] == []
    page.get_by_label("Shipped scenario").select_option("blocked_user")
    page.get_by_role("button", name="Load scenario").click()
    page.locator("#scenario", has_text="blocked_user").wait_for(timeout=WAIT)
    assert call(server, "GET", "/_mock/overview")["scenario"] == "blocked_user"
    call(server, "POST", "/_mock/telegram/users", {"id": 42, "first_name": "Temp"})
    page.get_by_role("button", name="Reset", exact=True).click()
    done(page, "Reset")
    assert "42" not in server.emulator.world.telegram.chats


def test_keyboard_only_use_and_the_dark_scheme(browser, server):
    server.emulator.load(SCENARIO)
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    open_view(page, server, "overview")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 18, 18)"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Contacts"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"#/contacts$"))
    loaded(page)
    assert page.get_by_role("link", name="Contacts").get_attribute("aria-current") == "page"
    # Every input has a label.
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('input, select, textarea')].filter(e => !e.labels || !e.labels.length).map(e => e.outerHTML)"
    )
    assert unlabelled == []
    context.close()
    assert problems == []


def test_a_locked_control_plane_asks_for_the_token(browser):
    with ThreadedServer(Emulator(SCENARIO, control_token="s3cret")) as locked:
        context = browser.new_context()
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(f"{locked.url}/_mock/ui#/overview")
        dialog = page.get_by_role("dialog", name="Control token")
        dialog.wait_for()
        dialog.get_by_label("Token").fill("s3cret")
        dialog.get_by_role("button", name="Use token").click()
        page.wait_for_selector("#live[data-state=live]", timeout=WAIT)
        loaded(page)
        assert page.locator("#scenario").inner_text() == "happy_path"
        context.close()
        # The refused calls before the token was given, and nothing else.
        assert problems and all("401" in text for text in problems)
