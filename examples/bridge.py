"""An example bridge between a Telegram bot and eSputnik, runnable against the emulator.

It long-polls the bot's updates. When a user presses Start from a deep link
``t.me/<bot>?start=<payload>``, it maps the payload to a contact identifier and
registers the user's chat id as that contact's token with eSputnik
(``POST /api/v1/apps/{app_uuid}/tokens``). A plain Start (no payload) gets a reply
keyboard asking for the phone (``request_contact``); the contact the user shares
registers the chat id with that phone, which eSputnik matches to the contact
holding it. It notes blocks (``my_chat_member`` with
status ``kicked``); eSputnik itself drops the token on its next failed send.

    python examples/bridge.py --telegram http://127.0.0.1:8080 --esputnik http://127.0.0.1:8080 \\
        --token 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1 --app 3fa85f64-5717-4562-b3fc-2c963f66afa6 --key test-key
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

log = logging.getLogger("bridge")


def payload_is_customer_id(payload: str) -> dict:
    """The simplest mapping: the deep-link payload is the shop's externalCustomerId."""
    return {"externalCustomerId": payload}


@dataclass
class Bridge:
    telegram: str  # base URL of the Bot API, e.g. https://api.telegram.org
    esputnik: str  # base URL of eSputnik, e.g. https://esputnik.com
    bot_token: str
    app_uuid: str
    api_key: str
    identify: Callable[[str], dict] = payload_is_customer_id
    poll_timeout: int = 10
    offset: int = 0
    registered: dict[int, dict] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=self.poll_timeout + 10) as client:
            while True:
                await self.step(client)

    async def step(self, client: httpx.AsyncClient) -> None:
        """Fetch one batch of updates, handle each, and confirm them with the next offset."""
        r = await client.get(
            f"{self.telegram}/bot{self.bot_token}/getUpdates",
            params={"offset": self.offset, "timeout": self.poll_timeout},
        )
        body = r.json()
        if not body.get("ok"):
            log.warning("getUpdates failed: %s", body.get("description"))
            await asyncio.sleep(1)
            return
        for update in body["result"]:
            await self.handle(client, update)
            self.offset = update["update_id"] + 1

    async def handle(self, client: httpx.AsyncClient, update: dict) -> None:
        message = update.get("message")
        if message and message.get("text", "").startswith("/start "):
            payload = message["text"].split(maxsplit=1)[1]
            await self.register(client, message["chat"]["id"], self.identify(payload))
        elif message and message.get("text") == "/start":
            await self.ask_phone(client, message["chat"]["id"])
        elif message and "contact" in message:
            contact = message["contact"]
            if contact.get("user_id") == message["from"]["id"]:  # their own phone, not a contact they forwarded
                await self.register(client, message["chat"]["id"], {"phone": contact["phone_number"]})
                await self.say(client, message["chat"]["id"], "Thank you!", {"remove_keyboard": True})
        member = update.get("my_chat_member")
        if member:
            chat_id = member["chat"]["id"]
            status = member["new_chat_member"]["status"]
            log.info("chat %s: the bot is now %s", chat_id, status)
            if status == "kicked":
                self.blocked.add(chat_id)
            else:
                self.blocked.discard(chat_id)

    async def ask_phone(self, client: httpx.AsyncClient, chat_id: int) -> None:
        keyboard = {"keyboard": [[{"text": "Share my phone number", "request_contact": True}]],
                    "one_time_keyboard": True, "resize_keyboard": True}
        await self.say(client, chat_id, "Please share your phone number to get our news here.", keyboard)

    async def say(self, client: httpx.AsyncClient, chat_id: int, text: str, markup: dict) -> None:
        r = await client.post(
            f"{self.telegram}/bot{self.bot_token}/sendMessage",
            json={"chat_id": chat_id, "text": text, "reply_markup": markup},
        )
        if not r.json().get("ok"):
            log.warning("sendMessage to %s failed: %s", chat_id, r.json().get("description"))

    async def register(self, client: httpx.AsyncClient, chat_id: int, identifiers: dict) -> None:
        token = {"token": str(chat_id), **identifiers}
        r = await client.post(
            f"{self.esputnik}/api/v1/apps/{self.app_uuid}/tokens",
            json={"tokens": [token]},
            auth=("bridge", self.api_key),
        )
        if r.status_code == 200:
            log.info("registered chat %s as %s", chat_id, token)
            self.registered[chat_id] = token
        else:
            log.warning("eSputnik refused token %s: %s %s", token, r.status_code, r.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--telegram", required=True)
    parser.add_argument("--esputnik", required=True)
    parser.add_argument("--token", required=True, help="the bot token")
    parser.add_argument("--app", required=True, help="the eSputnik app_uuid of the bot")
    parser.add_argument("--key", required=True, help="the eSputnik API key")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    asyncio.run(Bridge(args.telegram, args.esputnik, args.token, args.app, args.key).run())


if __name__ == "__main__":
    main()
