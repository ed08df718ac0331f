"""The control-plane client the pytest fixture hands out, against a real server: time and the simulated Telegram users."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Emulator
from mockserver.client import ControlClient, ControlError
from mockserver.scenario import load_scenario
from mockserver.threaded import ThreadedServer
from tests.conftest import APP_UUID, SCENARIOS, basic


@pytest.fixture(scope="module")
def server():
    with ThreadedServer(Emulator(load_scenario(SCENARIOS / "blocked_user.yaml"))) as server:
        yield server


@pytest.fixture
def mock(server) -> ControlClient:
    client = ControlClient(server.url)
    client.reset()
    return client


def test_the_clock_ends_a_mute(mock):
    mock.freeze()
    r = httpx.post(f"{mock.url}/api/v1/apps/{APP_UUID}/token/mute", json={"token": "111", "duration": 60}, headers=basic())
    assert r.status_code == 200
    until = mock.clock()["now"] + 60
    assert mock.state()["apps"][0]["mutes"] == {"111": until}
    mock.advance(59)
    assert mock.state()["apps"][0]["mutes"] == {"111": until}
    mock.advance(2)
    assert mock.state()["apps"][0]["mutes"] == {}


def test_a_simulated_user_starts_receives_clicks_and_blocks(mock):
    ivan = mock.telegram_user(555, first_name="Ivan")
    started = ivan.start("C-3")
    assert [u["message"]["text"] for u in started["updates"] if "message" in u] == ["/start C-3"]
    r = httpx.post(f"{mock.url}/api/v1/apps/{APP_UUID}/tokens", json={"tokens": [{"token": "555", "contactId": 1003}]}, headers=basic())
    assert r.status_code == 200
    template = httpx.post(f"{mock.url}/api/v1/messages/telegram", json={"name": "Sale", "text": "Sale: https://shop.example/s"}, headers=basic())
    sent = httpx.post(f"{mock.url}/api/v1/message/{template.json()['id']}/smartsend", json={"recipients": [{"contactId": 1003}]}, headers=basic())
    assert sent.status_code == 200
    chat = mock.chat_messages(555)
    assert [m["text"] for m in chat][0] == "/start C-3" and "/track/" in chat[-1]["text"]
    assert ivan.messages() == mock.chat_messages("555")
    assert ivan.info()["messages"] == ivan.messages()
    assert mock.click(555)["status"] == "CLICKED"
    blocked = ivan.block()
    assert blocked["user"]["state"] == "blocked" and blocked["updates"][0]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    assert mock.set_chat_state(555, "unblock")["state"] == "active"
    assert ivan.send("hello")["updates"][0]["message"]["text"] == "hello"


def test_refusals_come_back_as_control_errors(mock):
    with pytest.raises(ControlError) as caught:
        mock.telegram_user(556, first_name="")
    assert caught.value.status == 400 and "first_name" in str(caught.value.body)
    with pytest.raises(ControlError) as caught:
        mock.snapshot()  # started without --state-file
    assert caught.value.status == 409
    with pytest.raises(ValueError):
        mock.set_chat_state(555, "explode")


def test_the_outbox_shows_captured_email(mock):
    r = httpx.post(f"{mock.url}/api/v1/message/email", headers=basic(),
                   json={"from": "shop@example.com", "subject": "Hi", "htmlText": "<p/>", "emails": ["a@example.com"]})
    assert r.status_code == 200
    assert [(m["channel"], m["to"]) for m in mock.outbox(channel="email")] == [("email", "a@example.com")]
    assert mock.outbox(to="b@example.com") == []
    assert mock.clear_outbox() == 1 and mock.outbox() == []


def test_events_and_orders_are_read_back_and_cleared(mock):
    r = httpx.post(f"{mock.url}/api/v1/event", headers=basic(), json={"eventTypeKey": "cart", "keyValue": "taras@example.com"})
    assert r.status_code == 200
    r = httpx.post(f"{mock.url}/api/v1/past_events", headers=basic(), json={"events": [{"eventTypeKey": "old", "keyValue": "k"}]})
    assert r.status_code == 200
    assert [e["eventTypeKey"] for e in mock.events()] == ["cart", "old"]
    assert [e["eventTypeKey"] for e in mock.events(past=True)] == ["old"]
    assert [e["contactId"] for e in mock.events(event_type_key="cart")] == [1001]
    assert mock.events(key_value="nobody") == [] and len(mock.events(limit=1)) == 1
    order = {"externalOrderId": "O-1", "totalCost": 10, "status": "INITIALIZED", "date": "2024-01-01T10:00:00Z", "currency": "UAH", "externalCustomerId": "C-1"}
    r = httpx.post(f"{mock.url}/api/v1/orders", headers=basic(), json={"orders": [order]})
    assert r.json() == {"failedOrders": []}
    assert [o["order"]["externalOrderId"] for o in mock.orders(status="INITIALIZED", contact_id=1001)] == ["O-1"]
    assert mock.orders(status="DELIVERED") == [] and mock.orders(external_customer_id="C-1")[0]["contactId"] == 1001
    assert mock.clear_events() == 2 and mock.events() == []
    assert mock.clear_orders() == 1 and mock.orders() == []


def test_the_user_handle_sees_edits_deletions_and_chat_actions(mock):
    ann = mock.telegram_user(557, first_name="Ann")
    ann.start()
    bot = f"{mock.url}/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
    mock.freeze()
    sent = httpx.post(f"{bot}/sendMessage", json={"chat_id": 557, "text": "draft"}).json()["result"]
    httpx.post(f"{bot}/editMessageText", json={"chat_id": 557, "message_id": sent["message_id"], "text": "final"})
    [_, shown] = ann.messages()
    assert shown["text"] == "final" and shown["edits"][0]["text"] == "draft"
    httpx.post(f"{bot}/sendChatAction", json={"chat_id": 557, "action": "typing"})
    assert [a["action"] for a in ann.chat_actions()] == ["typing"] == [a["action"] for a in mock.chat_actions(557)]
    httpx.post(f"{bot}/deleteMessage", json={"chat_id": 557, "message_id": sent["message_id"]})
    assert [m["text"] for m in ann.messages()] == ["/start"]
    assert [m["text"] for m in ann.messages(deleted=True)] == ["/start", "final"]
    mock.advance(5)
    assert ann.chat_actions() == []
    mock.freeze(False)


def test_a_simulated_user_presses_reply_buttons_and_shares_their_phone(mock):
    ivan = mock.telegram_user(555, first_name="Ivan", phone_number="+380671234567")
    ivan.start()
    assert ivan.keyboard() is None
    keyboard = {"keyboard": [[{"text": "Phone", "request_contact": True}, "Later"]], "one_time_keyboard": True}
    r = httpx.post(f"{mock.url}/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1/sendMessage",
                   json={"chat_id": 555, "text": "Phone?", "reply_markup": keyboard})
    assert r.status_code == 200, r.text
    assert ivan.keyboard() == {"markup": {"keyboard": [[{"text": "Phone", "request_contact": True}, {"text": "Later"}]],
                                          "one_time_keyboard": True}, "hidden": False}
    assert mock.chat_keyboards(555)["demo_shop_bot"]["keyboard"] == ivan.keyboard()
    assert ivan.press_key("Later")["updates"][0]["message"]["text"] == "Later"
    assert ivan.keyboard()["hidden"] is True
    contact = ivan.press_key("Phone")["updates"][0]["message"]["contact"]
    assert contact == {"phone_number": "+380671234567", "first_name": "Ivan", "user_id": 555}
    assert ivan.share_contact("+15551234567")["updates"][0]["message"]["contact"]["phone_number"] == "+15551234567"
    assert ivan.info()["phone_number"] == "+380671234567"
    with pytest.raises(ControlError) as caught:
        ivan.press_key("Never")
    assert caught.value.status == 404 and "has no button 'Never'" in caught.value.body["error"]
