"""A world with groups, subscription categories, an unsubscribed email and a bot, for the contact-side tests."""

from __future__ import annotations

import contextlib

import httpx

from mockserver import Emulator, create_app
from tests.conftest import APP_UUID, basic, empty_scenario

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
BOT = {"app_uuid": APP_UUID, "token": TOKEN, "username": "shop_bot"}


def audience_scenario(**extra) -> dict:
    return empty_scenario(
        bots=[BOT],
        groups=[{"name": "VIP", "id": 10}, {"name": "Smart", "type": "Dynamic"}],
        subscriptions=[{"key": "news", "name": "News", "groupId": 10}, {"key": "promo"}],
        unsubscribed=["gone@example.com"],
        contacts=[
            {"id": 1, "email": "ann@example.com", "externalCustomerId": "C-1", "groups": ["VIP"],
             "subscriptions": ["news"], "tokens": {"shop_bot": ["111"]}},
            {"id": 2, "email": "gone@example.com", "phone": "+380501112233", "tokens": {"shop_bot": ["222"]}},
            {"id": 3, "phone": "+380671234567", "groups": ["Smart"]},
        ],
        **extra,
    )


@contextlib.asynccontextmanager
async def audience_client(**extra):
    emulator = Emulator(audience_scenario(**extra))
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as client:
        client.emulator = emulator  # type: ignore[attr-defined]
        yield client
