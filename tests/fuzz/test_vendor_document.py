"""The vendor's own OpenAPI document, run against the emulator: every operation is served, none
answers 5xx, and every success validates against the vendor's schema for it, apart from the
documented assumptions listed in ``ASSUMED`` below (each with its reason; README "Assumptions").

The document is reference material outside the repository (``../shared/reference/``); without
it this module is skipped. The emulator runs with the assumption switches that follow the
vendor document (``VENDOR_FORMS``), so only behaviour that cannot be switched is excused.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance
from starlette.routing import Match

from mockserver import Emulator, create_app
from mockserver.api import routes as api_routes
from mockserver.scenario import load_scenario
from tests.conftest import KEY, ROOT, SCENARIOS

CANDIDATES = [ROOT.parent / "shared" / "reference", ROOT.parent.parent / "shared" / "reference"]  # a checkout, a worktree
VENDOR = next((d / "esputnik-official-openapi.json" for d in CANDIDATES if (d / "esputnik-official-openapi.json").exists()), None)
if VENDOR is None:
    pytest.skip("the vendor's OpenAPI document is not in ../shared/reference/ (it is not shipped with the project)", allow_module_level=True)

DOCUMENT = json.loads(VENDOR.read_text())
EXAMPLES = int(os.environ.get("MOCKSERVER_VENDOR_EXAMPLES", 4))

# Successes whose body the vendor's schema does not describe, on purpose (README "Assumptions").
ASSUMED = {
    # A Telegram token shows on a contact card as a channel of type telegrambot, which the vendor's
    # Channel.type enum lacks: it is how a token is visible at all (SPEC §6).
    "getContact": "telegrambot channel type",
    "searchContacts": "telegrambot channel type",
    # esputnik.com answers these with plain text under a JSON content type (recorded; SPEC §6).
    "updateContact": "plain-text body recorded from esputnik.com",
    "deleteContact_1": "plain-text body recorded from esputnik.com",
    "deleteContact": "plain-text body like DELETE contact/{id}",
    # The vendor's schema is one category, but a contact is in any number of them: a list, with
    # one category as the bare object (esputnik.com's single-item quirk, which the vendor type shows).
    "getContactSubscriptionCategories": "a list of categories where the vendor types one",
}

# The assumption switches set to what the vendor document says.
VENDOR_FORMS = {"single_item_lists": "array", "message_status": "array", "empty_answers": "json"}
SCENARIO = load_scenario(SCENARIOS / "blocked_user.yaml")
SCENARIO["assumptions"] = {**SCENARIO.get("assumptions", {}), **VENDOR_FORMS}
ROUTE_MISSING = "Not Found: nothing is served at"


def operations() -> list[tuple[str, str, str]]:
    return [
        (op["operationId"], method.upper(), path)
        for path, item in DOCUMENT["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "delete", "patch")
    ]


def is_served(method: str, path: str) -> bool:
    concrete = path.replace("{", "").replace("}", "")  # every parameter as a plain segment
    scope = {"type": "http", "method": method, "path": concrete, "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in api_routes())


def test_every_vendor_operation_is_served():
    missing = sorted(op_id for op_id, method, path in operations() if not is_served(method, path))
    assert missing == []
    assert len(operations()) == 111


class FreshEmulator:
    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        self.app = create_app(Emulator(SCENARIO, journal_size=20))

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


APP = FreshEmulator()
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        # Now and then a contact the scenario has, so reads reach a real card rather than a 404.
        "dictionaries": {"contact_ids": {"values": [1001, 1002, 1003]}},
        "parameters": {"path.id": {"dictionary": "contact_ids", "probability": 0.5}},
        "generation": {"mode": "positive"},
        "output": {"sanitization": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.config.update(basic_auth=("vendor", KEY))
schema.app = APP


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=list(HealthCheck),
)
def test_vendor_operation(case) -> None:
    APP.renew()
    operation_id = case.operation.definition.raw.get("operationId")
    response = case.call()
    assert response.status_code < 500, response.text
    assert not (response.status_code in (404, 405) and response.text.startswith((ROUTE_MISSING, "Method "))), response.text
    if 200 <= response.status_code < 300 and operation_id not in ASSUMED:
        case.validate_response(response, checks=[response_schema_conformance, content_type_conformance])
