"""Shared fixtures: an in-process emulator for each test, reached over httpx's ASGI transport."""

from __future__ import annotations

import base64
import functools
from pathlib import Path

import httpx
import pytest
import yaml
from hypothesis import settings

from mockserver import Emulator, create_app
from mockserver.scenario import load_scenario, normalize_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
APP_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
KEY = "test-key"



@functools.cache
def contract() -> dict:
    """openapi.yaml, parsed once per process and by libyaml (pure-Python PyYAML takes over a second)."""
    return yaml.load((ROOT / "openapi.yaml").read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


settings.register_profile("ci", settings(settings.get_profile("ci"), deadline=None))
settings.register_profile("dev", settings(deadline=None))
settings.register_profile("long", settings(deadline=None, max_examples=5000))


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (marked ``pytest.mark.anyio``) run on asyncio only."""
    return "asyncio"


def basic(key: str = KEY, user: str = "user") -> dict:
    token = base64.b64encode(f"{user}:{key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def scenario() -> dict:
    return load_scenario(SCENARIOS / "blocked_user.yaml")


@pytest.fixture
def emulator(scenario) -> Emulator:
    return Emulator(scenario)


@pytest.fixture
async def client(emulator):
    transport = httpx.ASGITransport(app=create_app(emulator))
    async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=basic()) as c:
        yield c


def empty_scenario(**extra) -> dict:
    return normalize_scenario({"account": {"api_keys": [KEY]}, **extra})
