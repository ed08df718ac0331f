"""What the contract fuzzing covers, checked without running it, so that a check or phase switched
off, an operation left out of openapi.yaml, or a missing link fails here in a second.

(The budget and the fuzzing itself are in ``test_contract``; this file only reads its set-up.)
"""

from __future__ import annotations

import re

import pytest

from mockserver import tracking
from mockserver.api import routes as api_routes
from mockserver.botapi import routes as bot_routes
from mockserver.botapi.bot_settings import METHODS as SETTINGS_METHODS
from mockserver.botapi.editing import METHODS as EDITING_METHODS
from mockserver.botapi.files import METHODS as FILE_METHODS
from mockserver.botapi.methods import METHODS
from mockserver.control import routes as control_routes
from tests.conftest import contract
from tests.fuzz.test_contract import CHAINED, EXAMPLES, LIGHT, LIGHT_EXAMPLES, PUT_STATE_SHARE, schema

OPENAPI = contract()
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
CHECKS = (
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
    "response_headers_conformance", "negative_data_rejection", "positive_data_acceptance", "use_after_free",
    "ensure_resource_availability", "ignored_auth", "missing_required_header", "unsupported_method",
    "allow_header_conformance",
)
PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Chains leave these out (test_contract says why); they are still fuzzed one example at a time.
UNCHAINED = {"reset", "addFault", "loadScenario", "botLogOut", "botLogOutGet"}


def shape(path: str) -> str:
    """Parameter names aside; Bot API method names are case-insensitive, as Telegram's are."""
    path = re.sub(r"\{[^}]+\}", "{}", path)
    return path.lower() if path.startswith("/bot") else path


def documented() -> set[tuple[str, str]]:
    return {(shape(path), method.upper()) for path, item in OPENAPI["paths"].items() for method in item if method != "parameters"}


def served() -> set[tuple[str, str]]:
    found = set()
    file_server = [route for route in bot_routes() if route.path.startswith("/file/")]
    for route in [*api_routes(), *control_routes(), *tracking.routes, *file_server]:
        found |= {(shape(route.path.replace(":path}", "}")), m) for m in route.methods if m != "HEAD"}
    for name in [*METHODS, *FILE_METHODS, *EDITING_METHODS, *SETTINGS_METHODS]:
        found |= {(f"/bot{{}}/{name}", "GET"), (f"/bot{{}}/{name}", "POST")}
    return found


def test_every_served_operation_is_in_openapi_and_nothing_else_is():
    assert served() == documented()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[o.label for o in OPERATIONS])
def test_every_check_and_phase_is_on(operation):
    checks = schema.config.checks_config_for(operation=operation, phase=None)
    assert [name for name in CHECKS if not getattr(checks, name).enabled] == []
    phases = schema.config.phases_for(operation=operation)
    assert [name for name in PHASES if not getattr(phases, name).enabled] == []


def test_every_operation_gets_the_budget_and_put_state_its_share():
    budgets = {
        o.label: schema.config.get_hypothesis_settings(operation=o, phase="fuzzing").max_examples for o in OPERATIONS
    }
    assert budgets.pop("PUT /_mock/state") == max(EXAMPLES // PUT_STATE_SHARE, 10)
    light = {o.label for o in OPERATIONS if o.definition.raw.get("operationId") in LIGHT}
    assert light and {budgets.pop(label) for label in light} == {LIGHT_EXAMPLES}
    assert set(budgets.values()) == {EXAMPLES}


def test_operations_that_change_global_behaviour_stay_in_the_fuzzing():
    ids = {o.definition.raw.get("operationId") for o in OPERATIONS}
    assert {"reset", "addFault", "clearFaults", "deleteFault", "setClock", "loadScenario", "putState"} <= ids
    assert any(o.path.startswith("/_mock/") for o in OPERATIONS)
    chained = {r.ok().definition.raw.get("operationId") for r in CHAINED.get_all_operations()}
    assert ids - chained == UNCHAINED


def links_from(operation_id: str) -> set[str]:
    for item in OPENAPI["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return {
                    link["operationId"]
                    for response in operation["responses"].values()
                    for link in response.get("links", {}).values()
                }
    raise AssertionError(f"no operation {operation_id}")


@pytest.mark.parametrize(
    "source, targets",
    [
        ("addAppTokens", {"getState"}),
        ("addContact", {"getContact", "updateContact", "deleteContact"}),
        ("addTelegramMessage", {"smartSendMessage"}),
        ("smartSendMessage", {"getMessageStatus"}),
    ],
)
def test_stateful_chains_have_their_links(source, targets):
    assert targets <= links_from(source)


def test_api_operations_declare_basic_auth():
    for operation in OPERATIONS:
        security = operation.definition.raw.get("security", OPENAPI.get("security", []))
        if operation.path.startswith("/api/"):
            assert {"basicAuth": []} in security, operation.label


# Answered from the scenario's account settings alone (not generic: their answers are built, not drawn).
READ_ONLY = {"getVersion", "getVersionV2", "getAccountInfo", "getBalance", "getAddressBooks"}


def test_stateful_operations_are_marked_and_generic_ones_are_not():
    """``x-mock-stateful: true`` says an operation reads or changes the world; the generic ones answer
    from their schema and the scenario's vendor_data alone."""
    unmarked, wrongly = [], []
    for path, item in OPENAPI["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or not path.startswith("/api/"):
                continue
            generic = "generic" in operation.get("tags", [])
            marked = operation.get("x-mock-stateful") is True
            if generic and marked:
                wrongly.append(operation["operationId"])
            if not generic and not marked and operation["operationId"] not in READ_ONLY:
                unmarked.append(operation["operationId"])
    assert (unmarked, wrongly) == ([], [])
