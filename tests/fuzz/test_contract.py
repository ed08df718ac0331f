"""Contract fuzzing: schemathesis drives every operation of openapi.yaml against the ASGI app.

Nothing here names an operation: ``schema.parametrize()`` makes one test per operation found
in openapi.yaml, and the state machine chains them through the ``links`` the file declares,
so an operation enters the fuzzing the day it enters the contract.

- Phases: examples, coverage and fuzzing (``test_operation``), stateful (``TestWorkflow``).
- Checks: every built-in check of schemathesis 4 is on (the defaults), auth ones included.
  Two are given 413 as an extra expected answer, see ``CONFIG``; none is switched off.
- Isolation: every example (and every stateful scenario) runs against a brand-new emulator,
  so operations that change global behaviour (reset, and later faults, clock, scenario
  loading, state replacement) stay in the fuzzing without leaking into the next example.

CI runs a small, derandomized budget. A longer local run with fresh random inputs:

    MOCKSERVER_FUZZ_EXAMPLES=2000 python -m pytest -q tests/fuzz

(``MOCKSERVER_FUZZ_SEED=N`` with it replays one random run.) ``MOCKSERVER_FUZZ_PATHS=REGEX``
fuzzes only the operations whose path it finds (``test_determinism`` uses it; collecting all
operations costs seconds even when ``-k`` then runs a few).
"""

from __future__ import annotations

import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from starlette.types import Receive, Scope, Send

from mockserver import Emulator, create_app
from mockserver.domain.commerce.events import IDENTIFIERS
from mockserver.scenario import load_scenario
from tests.conftest import APP_UUID, KEY, ROOT, SCENARIOS, contract
from tests.fuzz import dialect

pytestmark = pytest.mark.slow  # the quick loop leaves the fuzzing out (and tests/fuzz/conftest.py its collection)

SCENARIO = load_scenario(SCENARIOS / "blocked_user.yaml")
CI_EXAMPLES = 100
LONG_RUN = "MOCKSERVER_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("MOCKSERVER_FUZZ_EXAMPLES", CI_EXAMPLES))
SEED = os.environ.get("MOCKSERVER_FUZZ_SEED")
PATHS = os.environ.get("MOCKSERVER_FUZZ_PATHS")
PUT_STATE_SHARE = 4  # PUT /_mock/state gets 1/4 of the budget (see CONFIG)


class FreshEmulator:
    """The ASGI app schemathesis calls; ``renew()`` swaps in a new emulator built from the scenario."""

    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        # A small journal, so that fuzzing also runs into its bound.
        self.emulator = Emulator(SCENARIO, journal_size=20)
        self.app = create_app(self.emulator)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


APP = FreshEmulator()

# Values that exist in the scenario, drawn now and then so that fuzzing reaches the code
# behind a known app and known contacts rather than stopping at 404 / "created".
KNOWN = {
    "apps": [APP_UUID],
    "contact_ids": [1001, 1002, 1003],
    "emails": ["taras@example.com", " OLENA@example.com "],
    "phones": ["+380501112233", "38 (067) 123-45-67"],
    "external_ids": ["C-1", "C-2", "C-3"],
    # An event's contact identifiers (tests/fuzz/dialect.py filters out events that name none).
    "event_identifiers": list(IDENTIFIERS),
}

# Operations answered by code another operation shares at the full budget: the generic ones (one
# mechanism for all of them) and the templates of the channels other than Telegram (the Telegram
# ones run the same code). A small budget each keeps the whole suite within CI's time limit;
# every check and phase still runs on them (test_coverage checks it).
LIGHT_IDS = re.compile(r"^(search|add|get|update|delete|translate|deleteTranslated)(Email|Sms|Viber|MobilePush|AppInbox)Messages?$")
# The other half of a pair whose first half runs at the full budget through the same parsing and the same store.
LIGHT_PAIRS = {"deleteFromUnsubscribed", "detachContactsFromGroup"}
LIGHT_EXAMPLES = EXAMPLES if LONG_RUN else 10


def light_operation_ids() -> list[str]:
    """The operationIds of openapi.yaml that get the light budget."""
    document = contract()
    found = []
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            if "generic" in operation.get("tags", []) or LIGHT_IDS.match(operation["operationId"]) or operation["operationId"] in LIGHT_PAIRS:
                found.append(operation["operationId"])
    return found


LIGHT = light_operation_ids()

CONFIG = schemathesis.Config.from_dict(
    {
        # The budget lives here rather than in @settings, so that an operation can have its own.
        "generation": {"max-examples": EXAMPLES},
        "dictionaries": {name: {"values": values} for name, values in KNOWN.items()},
        "parameters": {
            "path.app_uuid": {"dictionary": "apps", "probability": 0.5},
            "path.id": {"dictionary": "contact_ids", "probability": 0.3},
            "body.tokens[*].contactId": {"dictionary": "contact_ids", "probability": 0.3},
            "body.tokens[*].email": {"dictionary": "emails", "probability": 0.3},
            "body.tokens[*].phone": {"dictionary": "phones", "probability": 0.3},
            "body.tokens[*].externalCustomerId": {"dictionary": "external_ids", "probability": 0.3},
        },
        # Chain calls only through the links openapi.yaml declares: an inferred link from
        # POST /_mock/telegram/users to /_mock/telegram/users/{chat_id} also spans a
        # /_mock/reset in between, after which the user is rightly gone (ST302 noise).
        "phases": {"stateful": {"inference": {"algorithms": []}}},
        # Show real bodies in failure reports: the scenario's key is not a secret.
        "output": {"sanitization": {"enabled": False}},
        "checks": {
            # A body above the configured limit is refused with 413 before it is parsed
            # (documented on every operation with a body). That is a rejection for invalid
            # data, and the right answer for valid data that is simply too large.
            # Everything else is schemathesis's default list.
            "negative_data_rejection": {
                "expected-statuses": [
                    "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx",
                ]
            },
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "413", "429", "5xx"]
            },
        },
        "operations": [
            {
                # Telegram answers 400 to a well-formed but unknown (or already answered) callback query id,
                # so a schema-valid id that no button press produced is rightly refused there.
                "include-operation-id": ["botAnswerCallbackQuery", "botAnswerCallbackQueryGet"],
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
                    }
                },
            },
            {
                # A schema-valid file_id that no upload produced, or bytes that are no image, are rightly
                # refused with 400 by the file methods, as Telegram refuses them.
                "include-operation-id": [
                    "botSendPhoto", "botSendPhotoGet", "botSendDocument", "botSendDocumentGet",
                    "botSendMediaGroup", "botSendMediaGroupGet", "botGetFile", "botGetFileGet",
                    # a simulated user's photo whose bytes are no image
                    "sendTelegramUserText",
                ],
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
                    }
                },
            },
            {
                # A schema-valid message_id that no send produced, a message of the user (which a bot cannot
                # edit) or one that is not modified by the edit is rightly refused with 400, as Telegram does.
                "include-operation-id": [
                    f"bot{name}{suffix}" for name in (
                        "EditMessageText", "EditMessageCaption", "EditMessageReplyMarkup", "DeleteMessage",
                        "DeleteMessages", "ForwardMessage", "CopyMessage", "SendChatAction",
                    ) for suffix in ("", "Get")
                ],
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
                    }
                },
            },
            {
                # The chats and users these methods name must be ones the bot can see (a random positive id
                # may be beyond a user id's 52 bits, a member id may be nobody in the chat), commands are
                # checked after trimming, and the scope's chat only as Telegram checks it: a schema-valid
                # call may rightly be refused with 400, with Telegram's text.
                "include-operation-id": [
                    f"bot{name}{get}" for name in (
                        "SetMyCommands", "GetMyCommands", "DeleteMyCommands", "SetChatMenuButton",
                        "GetChatMenuButton", "GetChat", "GetChatMember", "LogOut", "Close",
                    ) for get in ("", "Get")
                ],
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
                    }
                },
            },
            {
                # Scenarios, states and expectations are also checked beyond their schema (bots named in
                # tokens must exist, ids must be unique, a deleted card holds no tokens...). openapi.yaml
                # cannot say so, so a schema-valid body may rightly be refused with 400 here.
                "include-operation-id": ["loadScenario", "putState", "verify"],
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "413", "429", "5xx"]
                    }
                },
            },
            {
                # A whole world per example: each State body is a large nested document to draw, and
                # most are refused by the cross-checks, so one example costs about twenty times the
                # median operation (79 s of the folder's 227 s at the full budget). A quarter of the
                # budget, every phase and check still on; its coverage-phase cases are not counted in it.
                "include-operation-id": "putState",
                "generation": {"max-examples": max(EXAMPLES // PUT_STATE_SHARE, 10)},
            },
            {"include-operation-id": LIGHT, "generation": {"max-examples": LIGHT_EXAMPLES}},
            {
                # Most drawn events would name no contact and be filtered out (dialect.py): draw
                # identifier names now and then so that enough examples remain.
                "include-operation-id": ["registerEvent", "registerEventV2"],
                "parameters": {"body.params[*].name": {"dictionary": "event_identifiers", "probability": 0.5}},
            },
            {
                # The change stream lasts until its timeout (without one, until the client leaves, which an
                # in-process call never does): end it at once, after its ready event.
                "include-operation-id": "streamChanges",
                "parameters": {"timeout": 0.01},
            },
            {
                # Waiting for requests that never come lasts the whole timeout (up to 60 s): keep it short.
                # Its documented answer then is 408, for a perfectly valid request.
                "include-operation-id": "waitForRequests",
                "parameters": {"timeout": 0.01},
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "408", "409", "413", "429", "5xx"]
                    }
                },
            },
        ],
    }
)

schema = schemathesis.openapi.from_path(ROOT / "openapi.yaml", config=CONFIG)
# HTTP Basic for every operation that declares basicAuth: any user, an API key of the scenario.
schema.config.update(basic_auth=("fuzz", KEY))
schema.app = APP
dialect.install(schema)
FUZZED = schema if not PATHS else schema.exclude(func=lambda ctx: not re.search(PATHS, ctx.operation.path))


def budget(**extra) -> settings:
    return settings(
        deadline=None,
        derandomize=not LONG_RUN,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        **extra,
    )


@FUZZED.parametrize()
@budget()  # max_examples: CONFIG's "generation", per operation
def test_operation(case) -> None:
    APP.renew()
    case.call_and_validate()


# Fault rules make /api and /bot answer outside their contract on purpose (any status, no auth,
# delays of minutes), and a loaded scenario may carry such rules; after logOut every Bot API call
# answers 400 "Logged out" for ten minutes. All are fuzzed above, each example on a fresh emulator;
# the chains below leave them out so that they do not poison later steps.
CHAINED = schema.exclude(operation_id=["reset", "addFault", "loadScenario", "botLogOut", "botLogOutGet"])


class Workflow(CHAINED.as_state_machine()):
    """Chains of calls along openapi.yaml's links, each scenario on a new emulator.

    ``/_mock/reset`` stays out of the chains (``test_operation`` still fuzzes it): mid-chain it
    wipes what an earlier step created, which schemathesis then reports as "created resource
    not found" for every resource with an id (Telegram messages, contacts).
    """

    def setup(self) -> None:
        APP.renew()


TestWorkflow = Workflow.TestCase
TestWorkflow.settings = budget(max_examples=max(EXAMPLES // 2, 10), stateful_step_count=15)

if SEED is not None:
    from hypothesis import seed

    test_operation = seed(int(SEED))(test_operation)
    TestWorkflow = seed(int(SEED))(TestWorkflow)
