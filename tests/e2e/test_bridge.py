"""The whole loop offline, over a real socket: Start with a payload → the bridge registers the token →
a campaign is delivered → a click → the user blocks the bot → the next send fails and the token is gone."""

from __future__ import annotations

import asyncio
import sys

import httpx
import pytest

from tests.botapi.conftest import TOKEN
from tests.conftest import APP_UUID, KEY, ROOT, basic

sys.path.insert(0, str(ROOT / "examples"))
from bridge import Bridge  # noqa: E402

from tests.live import live_server  # noqa: E402

pytestmark = pytest.mark.anyio

IVAN, IVAN_CHAT = 1003, 555  # scenarios/blocked_user.yaml: Ivan (externalCustomerId C-3) has no token yet


async def eventually(check, timeout: float = 5.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (result := await check()) and loop.time() < deadline:
        await asyncio.sleep(0.05)
    return result


def as_list(results) -> list:
    """esputnik.com renders a one-element wrapper list as a bare object (the scenario keeps that quirk)."""
    return results if isinstance(results, list) else [results]


class Shop:
    """The integrator's view: eSputnik's API and the emulator's control plane, over HTTP."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def state(self) -> dict:
        return (await self.client.get("/_mock/state")).json()

    async def subscribers(self) -> int:
        return next(a["subscribers"] for a in (await self.state())["apps"] if a["app_uuid"] == APP_UUID)

    async def telegram_channels(self, contact_id: int) -> list[str]:
        r = await self.client.get(f"/api/v1/contact/{contact_id}", headers=basic())
        assert r.status_code == 200, r.text
        return [c["value"] for c in r.json().get("channels", []) if c["type"] == "telegrambot"]

    async def smartsend(self, message_id: int, *contact_ids: int) -> list[str]:
        recipients = [{"contactId": contact_id} for contact_id in contact_ids]
        r = await self.client.post(
            f"/api/v1/message/{message_id}/smartsend", json={"recipients": recipients}, headers=basic()
        )
        assert r.status_code == 200, r.text
        results = as_list(r.json()["results"])
        assert [x["status"] for x in results] == ["OK"] * len(contact_ids)
        return [x["requestId"] for x in results]

    async def status(self, request_id: str) -> dict:
        r = await self.client.get("/api/v1/message/status", params={"ids": request_id}, headers=basic())
        assert r.status_code == 200, r.text
        [result] = as_list(r.json()["results"])
        return result

    async def chat(self, chat_id: int) -> list[dict]:
        r = await self.client.get(f"/_mock/telegram/chats/{chat_id}/messages")
        assert r.status_code == 200, r.text
        return r.json()["messages"]


async def test_the_whole_loop(emulator):
    async with live_server(emulator) as url, httpx.AsyncClient(base_url=url) as client:
        shop = Shop(client)
        bridge = Bridge(url, url, TOKEN, APP_UUID, KEY, poll_timeout=1)
        running = asyncio.create_task(bridge.run())
        try:
            assert await shop.subscribers() == 2  # Taras (111) and Olena (222)

            # 1. Ivan opens t.me/demo_shop_bot?start=C-3 and presses Start.
            await client.post("/_mock/telegram/users", json={"id": IVAN_CHAT, "first_name": "Ivan"})
            r = await client.post(f"/_mock/telegram/users/{IVAN_CHAT}/start", json={"payload": "C-3"})
            assert r.status_code == 200, r.text

            # 2. The bridge reads /start C-3 and registers chat 555 as contact C-3's token.
            async def ivan_channels():
                return await shop.telegram_channels(IVAN)

            assert await eventually(ivan_channels) == [str(IVAN_CHAT)]
            assert bridge.registered == {IVAN_CHAT: {"token": str(IVAN_CHAT), "externalCustomerId": "C-3"}}

            # 3. The contact holds the token, in the API and in the emulator's state; one more subscriber.
            ivan = next(c for c in (await shop.state())["contacts"] if c["id"] == IVAN)
            assert ivan["tokens"] == {APP_UUID: [str(IVAN_CHAT)]}
            assert await shop.subscribers() == 3

            # 4. A campaign: a Telegram template with a tracked link, sent to Taras and Ivan.
            template = {"name": "Spring sale", "text": "Sale today: https://shop.example/sale",
                        "buttons": [{"text": "Open", "link": "https://shop.example/open"}]}
            r = await client.post("/api/v1/messages/telegram", json=template, headers=basic())
            assert r.status_code == 200, r.text
            message_id = r.json()["id"]
            taras_request, ivan_request = await shop.smartsend(message_id, 1001, IVAN)

            # 5. It lands in Ivan's chat, after his /start, with the link rewritten to the tracker.
            history = await shop.chat(IVAN_CHAT)
            assert [m["text"].split(":")[0] for m in history] == ["/start C-3", "Sale today"]
            received = history[-1]
            assert received["requestId"] == ivan_request
            tracked = received["text"].split(": ", 1)[1]
            assert tracked.startswith(f"{url}/track/")
            assert [(await shop.status(r))["status"] for r in (taras_request, ivan_request)] == ["DELIVERED"] * 2

            # 6. Ivan opens the link: the tracker sends him on, and the delivery is CLICKED.
            r = await client.get(tracked)
            assert (r.status_code, r.headers["location"]) == (302, "https://shop.example/sale")
            assert (await shop.status(ivan_request))["status"] == "CLICKED"

            # 7. Ivan blocks the bot: the bridge hears my_chat_member (kicked).
            r = await client.post(f"/_mock/telegram/users/{IVAN_CHAT}/block")
            assert r.status_code == 200, r.text

            async def bridge_saw_block():
                return IVAN_CHAT in bridge.blocked

            assert await eventually(bridge_saw_block)

            # 8. The next send fails with Telegram's Forbidden; eSputnik drops the token at once.
            [failed_request] = await shop.smartsend(message_id, IVAN)
            failed = await shop.status(failed_request)
            assert failed["status"] == "BOT_SEND_ERROR"
            assert await shop.telegram_channels(IVAN) == []
            assert await shop.subscribers() == 2
            removal = (await shop.state())["token_removals"][-1]
            assert (removal["token"], removal["contactIds"]) == (str(IVAN_CHAT), [IVAN])
            assert removal["reason"] == "Forbidden: bot was blocked by the user"
            assert len(await shop.chat(IVAN_CHAT)) == 2  # nothing new reached him

            # 9. The bot itself gets the same answer from the Bot API (one world, one chat state).
            r = await client.post(f"/bot{TOKEN}/sendMessage", json={"chat_id": IVAN_CHAT, "text": "Come back?"})
            assert (r.status_code, r.json()["description"]) == (403, "Forbidden: bot was blocked by the user")
        finally:
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running


async def test_phone_sharing_registers_the_token_on_the_contact_holding_that_phone(emulator):
    """A plain Start → the bridge asks for the phone with a request_contact keyboard → the user shares it →
    the bridge registers the chat id with that phone → eSputnik puts the token on Ivan, who holds it."""
    async with live_server(emulator) as url, httpx.AsyncClient(base_url=url) as client:
        shop = Shop(client)
        bridge = Bridge(url, url, TOKEN, APP_UUID, KEY, poll_timeout=1)
        running = asyncio.create_task(bridge.run())
        try:
            # Telegram shares a phone as digits, without the "+" the shop stored (+380671234567).
            r = await client.post("/_mock/telegram/users", json={"id": IVAN_CHAT, "first_name": "Ivan", "phone_number": "380671234567"})
            assert r.status_code == 200, r.text
            assert (await client.post(f"/_mock/telegram/users/{IVAN_CHAT}/start")).status_code == 200

            async def keyboard_shown():
                r = await client.get(f"/_mock/telegram/chats/{IVAN_CHAT}/messages")
                return r.json()["keyboards"].get("demo_shop_bot", {}).get("keyboard")

            shown = await eventually(keyboard_shown)
            assert shown["markup"]["keyboard"] == [[{"text": "Share my phone number", "request_contact": True}]]
            asked = (await shop.chat(IVAN_CHAT))[-1]
            assert asked["text"].startswith("Please share your phone number") and "reply_markup" not in asked

            r = await client.post(f"/_mock/telegram/users/{IVAN_CHAT}/press_key", json={"text": "Share my phone number"})
            assert r.status_code == 200, r.text
            assert r.json()["updates"][0]["message"]["contact"]["user_id"] == IVAN_CHAT

            async def ivan_channels():
                return await shop.telegram_channels(IVAN)

            async def bridge_registered():
                return bridge.registered

            assert await eventually(bridge_registered) == {IVAN_CHAT: {"token": str(IVAN_CHAT), "phone": "380671234567"}}
            assert await ivan_channels() == [str(IVAN_CHAT)]
            ivan = next(c for c in (await shop.state())["contacts"] if c["id"] == IVAN)
            assert ivan["tokens"] == {APP_UUID: [str(IVAN_CHAT)]} and ivan["phone"] == "+380671234567"
            assert await shop.subscribers() == 3

            # The bridge thanks Ivan and takes the keyboard away.
            async def keyboard_gone():
                r = await client.get(f"/_mock/telegram/chats/{IVAN_CHAT}/messages")
                return r.json()["keyboards"] == {}

            assert await eventually(keyboard_gone)
            assert (await shop.chat(IVAN_CHAT))[-1]["text"] == "Thank you!"
        finally:
            running.cancel()
            with pytest.raises(asyncio.CancelledError):
                await running
