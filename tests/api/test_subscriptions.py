"""contact/subscribe, a contact's subscription categories, the categories, and the unsubscribed emails
(an email send to one is recorded as UNSUBSCRIBED and never delivered)."""

from __future__ import annotations

import pytest

from tests.api.audience_helpers import audience_client

pytestmark = pytest.mark.anyio

EMAIL = {"from": "shop@example.com", "subject": "Hi", "htmlText": "<p>Hi</p>"}


def subscribe_body(*channels: tuple[str, str], **extra) -> dict:
    return {"contact": {"channels": [{"type": t, "value": v} for t, v in channels]}, **extra}


async def test_subscribe_creates_a_contact_with_groups_and_categories():
    async with audience_client() as client:
        r = await client.post("/api/v1/contact/subscribe", json=subscribe_body(
            ("email", "new@example.com"), groups=["VIP", "Spring"], subscriptions=["promo"], formType="footer"))
        assert r.status_code == 200
        assert r.json() == {"id": 4, "emailStatus": "NEED_CONFIRMATION", "new": True}
        card = (await client.get("/api/v1/contact/4")).json()
        assert card["channels"] == [{"type": "email", "value": "new@example.com"}]
        assert card["groups"] == [{"id": 10, "name": "VIP", "type": "Static"}, {"id": 12, "name": "Spring", "type": "Static"}]
        assert (await client.get("/api/v1/contact/4/subscriptions")).json() == {"id": 2, "key": "promo", "name": "promo"}


async def test_subscribe_again_updates_the_same_contact_and_says_so():
    async with audience_client() as client:
        r = await client.post("/api/v1/contact/subscribe", json=subscribe_body(("email", "ANN@example.com"), subscriptions=["promo"]))
        assert r.json() == {"id": 1, "emailStatus": "ALREADY_SUBSCRIBED", "new": False}
        keys = [c["key"] for c in (await client.get("/api/v1/contact/1/subscriptions")).json()]
        assert keys == ["news", "promo"]  # added to, not replaced


async def test_subscribe_by_phone_adding_an_email_is_subscribed_and_without_email_has_no_status():
    async with audience_client() as client:
        r = await client.post("/api/v1/contact/subscribe", json=subscribe_body(("sms", "+380671234567"), ("email", "ivan@example.com")))
        assert r.json() == {"id": 3, "emailStatus": "SUBSCRIBED", "new": False}
        r = await client.post("/api/v1/contact/subscribe", json=subscribe_body(("sms", "+380671234567")))
        assert r.json() == {"id": 3, "new": False}


async def test_subscribing_an_unsubscribed_email_is_blacklisted():
    async with audience_client() as client:
        r = await client.post("/api/v1/contact/subscribe", json=subscribe_body(("email", "Gone@example.com")))
        assert r.json() == {"id": 2, "emailStatus": "BLACKLISTED", "new": False}


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({}, 400, "Field 'contact' is required"),
        ({"contact": {}}, 400, "contact.channels is required"),
        (subscribe_body(("email", "not-an-email")), 400, "contact.channels[0].value 'not-an-email' is not a valid email address"),
        (subscribe_body(("email", "a@example.com"), groups=[" "]), 400, "groups must be an array of group names"),
        (subscribe_body(("email", "a@example.com"), formType=5), 400, "formType must be a string"),
        (subscribe_body(("email", "a@example.com"), subscriptions=[1]), 400, "subscriptions must be an array of subscription category keys"),
        (subscribe_body(("email", "a@example.com"), subscriptions={}), 400, "subscriptions must be an array of subscription category keys"),
        (subscribe_body(("email", "a@example.com"), groups={}), 400, "groups must be an array of group names"),
        (subscribe_body(("email", "a@example.com"), subscriptions=["weekly"]), 404, "subscriptions[0]: unknown subscription category 'weekly' (known: news, promo)"),
    ],
)
async def test_subscribe_refusals_name_the_field_and_change_nothing(body, status, message):
    async with audience_client() as client:
        before = (await client.get("/_mock/state")).json()
        r = await client.post("/api/v1/contact/subscribe", json=body)
        assert r.status_code == status and message in r.text, r.text
        assert (await client.get("/_mock/state")).json() == before


async def test_a_contacts_subscriptions_are_replaced_and_listed_with_counts():
    async with audience_client() as client:
        assert (await client.get("/api/v1/contact/1/subscriptions")).json() == {"id": 1, "key": "news", "groupId": 10, "name": "News"}
        assert (await client.get("/api/v1/contact/2/subscriptions")).json() == []
        r = await client.put("/api/v1/contact/2/subscriptions", json={"subscriptions": ["promo", "news", "promo"]})
        assert (r.status_code, r.json()) == (200, "")
        assert [c["key"] for c in (await client.get("/api/v1/contact/2/subscriptions")).json()] == ["promo", "news"]
        categories = (await client.get("/api/v1/subscriptions")).json()
        assert [(c["key"], c["contactsCount"]) for c in categories] == [("news", 2), ("promo", 1)]
        assert categories[0]["name"] == "News" and categories[0]["groupId"] == 10 and "groupId" not in categories[1]
        assert categories[0]["createdDate"].startswith("20")
        await client.put("/api/v1/contact/1/subscriptions", json={"subscriptions": []})
        assert (await client.get("/api/v1/contact/1/subscriptions")).json() == []


@pytest.mark.parametrize(
    "method, path, body, status, message",
    [
        ("PUT", "/api/v1/contact/1/subscriptions", {}, 400, "Field 'subscriptions' is required"),
        ("PUT", "/api/v1/contact/1/subscriptions", {"subscriptions": "news"}, 400, "subscriptions must be an array"),
        ("PUT", "/api/v1/contact/1/subscriptions", {"subscriptions": ["nope"]}, 404, "unknown subscription category 'nope'"),
        ("PUT", "/api/v1/contact/99/subscriptions", {"subscriptions": []}, 404, "Contact with id='99' not found"),
        ("GET", "/api/v1/contact/99/subscriptions", None, 404, "Contact with id='99' not found"),
        ("GET", "/api/v1/contact/x/subscriptions", None, 400, "Contact id must be an integer"),
    ],
)
async def test_contact_subscription_refusals(method, path, body, status, message):
    async with audience_client() as client:
        r = await client.request(method, path, json=body)
        assert r.status_code == status and message in r.text, r.text
        assert [c["key"] for c in [(await client.get("/api/v1/contact/1/subscriptions")).json()]] == ["news"]


async def test_an_erased_contact_takes_its_subscriptions_with_it():
    async with audience_client() as client:
        await client.delete("/api/v1/contact/1", params={"erase": "true"})
        assert (await client.get("/_mock/state")).json()["subscriptions"]["contacts"] == {}


async def test_email_sends_to_an_unsubscribed_address_are_recorded_but_not_delivered():
    async with audience_client(webhooks={"url": "http://receiver.example/hook"}) as client:
        r = await client.post("/api/v1/emails/unsubscribed/add", json={"emails": ["ANN@example.com"]})
        assert (r.status_code, r.json()) == (200, "")
        sent = (await client.post("/api/v1/message/email", json={**EMAIL, "emails": ["ann@example.com", "new@example.com"]})).json()
        first, second = (s["requestId"] for s in sent["results"])
        status = (await client.get("/api/v1/message/status", params={"ids": f"{first},{second}"})).json()["results"]
        assert [(s["status"], s["delivered"], s["failed"]) for s in status] == [("UNSUBSCRIBED", False, True), ("DELIVERED", True, False)]
        outbox = (await client.get("/_mock/outbox", params={"channel": "email"})).json()["messages"]
        assert [m["status"] for m in outbox] == ["UNSUBSCRIBED", "DELIVERED"]
        assert [e.get("email") for e in client.emulator.world.outbox.pending] == ["new@example.com"]  # no activity for the refused one


async def test_deleting_from_unsubscribed_lets_sends_through_again():
    async with audience_client() as client:
        r = await client.post("/api/v1/emails/unsubscribed/delete", json={"emails": ["gone@example.com", "never@example.com"]})
        assert (r.status_code, r.json()) == (200, "")
        assert (await client.get("/_mock/state")).json()["subscriptions"]["unsubscribed_emails"] == []
        await client.post("/api/v1/message/email", json={**EMAIL, "emails": ["gone@example.com"]})
        assert [m["status"] for m in (await client.get("/_mock/outbox")).json()["messages"]] == ["DELIVERED"]


@pytest.mark.parametrize("path", ["/api/v1/emails/unsubscribed/add", "/api/v1/emails/unsubscribed/delete"])
@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "Field 'emails' is required"),
        ({"emails": []}, "Field 'emails' must not be empty"),
        ({"emails": ["a@example.com", 5]}, "emails[1] must be a string"),
        ({"emails": ["a@example.com", "nope"]}, "emails[1] is not a valid email address: 'nope'"),
        ({"emails": ["a@example.com"] * 3001}, "Too many emails: 3001 (at most 3000 per request)"),
    ],
)
async def test_unsubscribed_refusals_name_the_field_and_change_nothing(path, body, message):
    async with audience_client() as client:
        r = await client.post(path, json=body)
        assert (r.status_code, r.text) == (400, message)
        assert (await client.get("/_mock/state")).json()["subscriptions"]["unsubscribed_emails"] == ["gone@example.com"]
