"""Templates of every channel share one store: CRUD, search, translations and refusals per channel."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

# The smallest valid body of each channel, as the vendor document requires its fields.
MINIMAL = {
    "email": {"name": "Welcome", "from": "Shop <shop@example.com>", "subject": "Hi", "htmlText": "<p>Hi</p>"},
    "sms": {"name": "Code", "from": "Shop", "text": "Your code is 1234"},
    "viber": {"name": "Promo", "from": "Shop", "text": "Sale today", "ttlSec": 3600, "smsFallback": True},
    "mobilepush": {"name": "Push", "title": "Sale", "text": "Today only",
                   "buttons": [{"actionId": "open", "label": "Open"}], "badgeCount": 3},
    "appinbox": {"name": "Inbox", "title": "News", "text": "We have news", "ttlSec": 60},
    "telegram": {"name": "Hello", "text": "Hello there"},
}
# A field each channel requires (besides name), with the refusal naming it.
REQUIRED = {
    "email": ("subject", "subject is required for a Email message"),
    "sms": ("from", "from is required for a SMS message"),
    "viber": ("text", "text is required for a Viber message"),
    "mobilepush": ("title", "title is required for a Mobile push message"),
    "appinbox": ("text", "text is required for a App Inbox message"),
}


async def state(client):
    return (await client.get("/_mock/state")).json()


@pytest.mark.parametrize("channel", list(MINIMAL))
async def test_create_read_update_delete(client, channel):
    base = f"/api/v1/messages/{channel}"
    r = await client.post(base, json={**MINIMAL[channel], "tags": ["t1"]})
    assert r.status_code == 200
    template_id = r.json()["id"]
    got = (await client.get(f"{base}/{template_id}")).json()
    assert got == {"id": template_id, **MINIMAL[channel], "tags": ["t1"], **({"buttons": []} if channel == "telegram" else {})}
    listed = await client.get(base, params={"search": "t1"})
    assert [t["id"] for t in listed.json()] == [template_id] and listed.headers["TotalCount"] == "1"
    r = await client.put(f"{base}/{template_id}", json={**MINIMAL[channel], "name": "Renamed"})
    assert (r.status_code, r.json()) == (200, "")
    assert (await client.get(f"{base}/{template_id}")).json()["name"] == "Renamed"
    assert (await client.delete(f"{base}/{template_id}")).status_code == 200
    gone = await client.get(f"{base}/{template_id}")
    assert gone.status_code == 404 and "not found" in gone.text


async def test_one_id_sequence_and_each_channel_sees_only_its_own(client):
    ids = {ch: (await client.post(f"/api/v1/messages/{ch}", json=body)).json()["id"] for ch, body in MINIMAL.items()}
    assert sorted(ids.values()) == list(range(min(ids.values()), min(ids.values()) + len(ids)))
    r = await client.get(f"/api/v1/messages/sms/{ids['email']}")
    assert (r.status_code, r.text) == (404, f"SMS message {ids['email']} not found")
    assert [t["id"] for t in (await client.get("/api/v1/messages/viber")).json()] == [ids["viber"]]
    templates = (await state(client))["messages"]["templates"]
    assert {t["channel"] for t in templates} == set(MINIMAL)


@pytest.mark.parametrize("channel", list(REQUIRED))
async def test_a_missing_required_field_is_named_and_nothing_changes(client, channel):
    key, message = REQUIRED[channel]
    before = await state(client)
    body = {k: v for k, v in MINIMAL[channel].items() if k != key}
    r = await client.post(f"/api/v1/messages/{channel}", json=body)
    assert (r.status_code, r.text) == (400, message)
    assert await state(client) == before


@pytest.mark.parametrize(
    "channel, patch, message",
    [
        ("viber", {"ttlSec": "long"}, "ttlSec must be an integer from -2147483648 to 2147483647"),
        ("sms", {"trackUrls": "yes"}, "trackUrls must be true or false"),
        ("mobilepush", {"buttons": [{"label": "x"}]}, "buttons[0].actionId is required"),
        ("email", {"tags": [1]}, "tags must be an array of strings"),
        ("appinbox", {"name": " "}, "name must be a non-empty string"),
    ],
)
async def test_bad_fields_are_named(client, channel, patch, message):
    r = await client.post(f"/api/v1/messages/{channel}", json={**MINIMAL[channel], **patch})
    assert (r.status_code, r.text) == (400, message)


async def test_translations_are_added_shown_and_removed(client):
    base = "/api/v1/messages/email"
    template_id = (await client.post(base, json=MINIMAL["email"])).json()["id"]
    german = {**MINIMAL["email"], "name": "Willkommen", "subject": "Hallo"}
    r = await client.put(f"{base}/{template_id}/de", json=german)
    assert (r.status_code, r.json()) == (200, "")
    got = (await client.get(f"{base}/{template_id}")).json()
    assert got["languages"] == ["de"]
    assert got["translations"] == [{"id": template_id, **german, "tags": [], "languageCode": "de"}]
    assert (await client.delete(f"{base}/{template_id}/de")).status_code == 200
    assert "translations" not in (await client.get(f"{base}/{template_id}")).json()
    again = await client.delete(f"{base}/{template_id}/de")
    assert (again.status_code, again.text) == (404, f"Email message {template_id} has no de version")


async def test_translation_refusals(client):
    base = "/api/v1/messages/sms"
    template_id = (await client.post(base, json=MINIMAL["sms"])).json()["id"]
    r = await client.put(f"{base}/{template_id}/not a language", json=MINIMAL["sms"])
    assert r.status_code == 400 and "language must be a language code" in r.text
    r = await client.put(f"{base}/{template_id}/en", json={"name": "x"})
    assert (r.status_code, r.text) == (400, "from is required for a SMS message")
    r = await client.put(f"{base}/999/en", json=MINIMAL["sms"])
    assert (r.status_code, r.text) == (404, "SMS message 999 not found")


async def test_a_telegram_translation_is_what_a_recipient_of_that_language_receives(client):
    base = "/api/v1/messages/telegram"
    template_id = (await client.post(base, json={"name": "Hi", "text": "Hello"})).json()["id"]
    await client.put(f"{base}/{template_id}/uk", json={"name": "Привіт", "text": "Вітаю"})
    r = await client.post(f"/api/v1/message/{template_id}/smartsend",
                          json={"recipients": [{"locator": "111", "languageCode": "uk"}, {"locator": "333"}]})
    assert r.status_code == 200
    texts = [m["text"] for m in (await client.get("/_mock/telegram/chats/111/messages")).json()["messages"]]
    assert texts == ["Вітаю"]


async def test_email_view_link_points_at_the_html(client):
    template_id = (await client.post("/api/v1/messages/email", json=MINIMAL["email"])).json()["id"]
    link = (await client.get(f"/api/v1/messages/email/{template_id}/viewLink")).json()["link"]
    page = await client.get(link)
    assert (page.status_code, page.text) == (200, "<p>Hi</p>")
    assert page.headers["content-type"].startswith("text/html")
    missing = await client.get("/api/v1/messages/email/5/viewLink")
    assert (missing.status_code, missing.text) == (404, "Email message 5 not found")


async def test_templates_of_every_channel_survive_the_state_round_trip(client):
    for channel, body in MINIMAL.items():
        template_id = (await client.post(f"/api/v1/messages/{channel}", json=body)).json()["id"]
        await client.put(f"/api/v1/messages/{channel}/{template_id}/en", json={**body, "name": f"{channel} en"})
    saved = await state(client)
    await client.post("/_mock/reset")
    assert (await client.put("/_mock/state", json=saved)).status_code == 200
    assert await state(client) == saved
    nxt = (await client.post("/api/v1/messages/sms", json=MINIMAL["sms"])).json()["id"]
    assert nxt == saved["messages"]["next_id"]
    broken = {**saved, "messages": {**saved["messages"], "templates": [{**saved["messages"]["templates"][0], "subject": 5}]}}
    r = await client.put("/_mock/state", json=broken)
    assert r.status_code == 400 and "messages.templates[0].subject must be a string" in str(r.json())
