"""The whole API as one hypothesis state machine, with the world's invariants checked after every step.

Rules talk HTTP to an in-process app (httpx over ASGI); invariants read the emulator's domain
objects and the control plane, and must hold whatever sequence of calls came before:

- every ContactBook index agrees with a full scan of the live contacts;
- each app's subscriber count equals the distinct tokens of that app on live contacts,
  in the book and in ``/_mock/state``;
- no token sits on a deleted contact;
- the journal never holds more than its bound, and what it dropped plus what it holds is
  exactly the number of ``/api`` calls since the last reset.

Adding an operation (how to extend this machine):

1. Write a ``@rule(...)`` method. Send requests with ``self.call(method, path, ...)``; it counts
   journaled calls for you. Assert the status and body the operation must answer.
2. If the call is a refusal that must change nothing, wrap it: ``with self.unchanged(): ...``.
3. If it creates things later rules can use (contact ids, message ids), ``return`` them from a
   rule with ``target=some_bundle`` (see ``contact_ids``), or add them to ``self.seen_*``.
4. New cross-cutting truths go in an ``@invariant()`` method; keep each one a full-scan
   re-derivation that needs no model of how the state was reached.
5. Sends (issue 6): ``send_message`` smartsends or broadcasts after ``change_chat`` blocked,
   deactivated or unblocked chats; a 403 must have removed the token everywhere at once.
6. Deletes: once contacts can be deleted, add the rule; ``no_token_on_deleted_contact`` and
   ``subscribers_match_live_tokens`` then start to bite.
"""

from __future__ import annotations

import contextlib
from functools import partial

import httpx
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

from mockserver import Emulator, create_app
from mockserver.domain.contacts import scan_index
from mockserver.scenario import normalize_scenario
from tests.conftest import KEY, basic

SHOP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
NEWS = "9b2f2c4e-1d7a-4c53-9a51-2f7e0c1b8a10"
JOURNAL_SIZE = 5

SCENARIO = normalize_scenario(
    {
        "account": {"api_keys": [KEY]},
        "bots": [
            {"app_uuid": SHOP, "token": "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", "username": "shop_bot"},
            {"app_uuid": NEWS, "token": "987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2", "username": "news_bot"},
        ],
        "contacts": [
            {"id": 1001, "email": "taras@example.com", "phone": "+380501112233", "externalCustomerId": "C-1",
             "tokens": {"shop_bot": ["111"]}},
            {"id": 1002, "email": "olena@example.com", "externalCustomerId": "C-2",
             "tokens": {"shop_bot": ["222"], "news_bot": ["222"]}},
            {"id": 1003, "phone": "+380671234567"},
        ],
    }
)

# Small pools, so that items keep colliding with each other and with the seeded contacts.
tokens = st.sampled_from(["111", "222", "333", "444", "555", "666"])
items = st.fixed_dictionaries(
    {"token": tokens},
    optional={
        "contactId": st.sampled_from([1001, 1002, 1003, 1004, 1005, 1006, 5000]),
        "externalCustomerId": st.sampled_from(["C-1", "C-2", "X-1", "X-2"]),
        "phone": st.sampled_from(["+380501112233", "38 (050) 111-22-33", "+380671234567", "0991234567"]),
        "email": st.sampled_from(["taras@example.com", " TARAS@Example.com", "new@example.com", "NEW@example.com "]),
    },
).filter(lambda item: len(item) > 1)
batches = st.lists(items, min_size=1, max_size=4)

# Ways to spoil one item of an otherwise valid batch; each must refuse the whole batch.
SPOILERS = {
    "no token": lambda item: {k: v for k, v in item.items() if k != "token"},
    "empty token": lambda item: {**item, "token": ""},
    "blank token": lambda item: {**item, "token": " \t"},
    "numeric token": lambda item: {**item, "token": 333},
    "no identifier": lambda item: {"token": item["token"]},
    "contactId as text": lambda item: {**item, "contactId": "1001"},
    "contactId as bool": lambda item: {**item, "contactId": True},
    "contactId above int64": lambda item: {**item, "contactId": 2**63},
    "phone without digits": lambda item: {**item, "phone": "call me"},
    "email as number": lambda item: {**item, "email": 5},
    "long external id": lambda item: {**item, "externalCustomerId": "x" * 256},
    "item not an object": lambda item: [item],
}


class Http:
    """A blocking face on httpx's async client over ASGI, for hypothesis's synchronous rules."""

    def __init__(self, app) -> None:
        self._portal_cm = start_blocking_portal(backend="asyncio")
        self._portal = self._portal_cm.__enter__()
        transport = httpx.ASGITransport(app=app)
        self._client = httpx.AsyncClient(transport=transport, base_url="http://mock")

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        return self._portal.call(partial(self._client.request, method, path, **kwargs))

    def close(self) -> None:
        self._portal.call(self._client.aclose)
        self._portal_cm.__exit__(None, None, None)


class WorldMachine(RuleBasedStateMachine):
    contact_ids = Bundle("contact_ids")

    def __init__(self) -> None:
        super().__init__()
        self.emulator = Emulator(SCENARIO, journal_size=JOURNAL_SIZE)
        self.http = Http(create_app(self.emulator))
        self.initial_state = self.state()
        self.api_calls = 0  # journaled calls since the last reset

    def teardown(self) -> None:
        self.http.close()

    # -- helpers -------------------------------------------------------------

    def call(self, method: str, path: str, **kwargs) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        if not path.startswith("/_mock"):
            self.api_calls += 1
        return response

    def state(self) -> dict:
        response = self.http.request("GET", "/_mock/state")
        assert response.status_code == 200
        return response.json()

    @contextlib.contextmanager
    def unchanged(self):
        before = self.state()
        yield
        assert self.state() == before

    def last_outcomes(self) -> list[dict]:
        journal = self.http.request("GET", "/_mock/requests").json()
        return journal["requests"][-1]["outcomes"]

    # -- rules ---------------------------------------------------------------

    @rule(target=contact_ids, app=st.sampled_from([SHOP, NEWS]), batch=batches)
    def register_tokens(self, app: str, batch: list[dict]):
        response = self.call("POST", f"/api/v1/apps/{app}/tokens", json={"tokens": batch}, headers=basic())
        assert response.status_code == 200, response.text
        assert response.content == b""
        outcomes = self.last_outcomes()
        assert [o["index"] for o in outcomes] == list(range(len(batch)))
        live = {c["id"]: c for c in self.state()["contacts"] if not c["deleted"]}
        for outcome, item in zip(outcomes, batch):
            assert outcome["token"] == item["token"]
            assert item["token"] in live[outcome["contactId"]]["tokens"][app]
        return multiple(*{o["contactId"] for o in outcomes})

    @rule(app=st.sampled_from([SHOP, NEWS]), batch=batches, data=st.data(), spoil=st.sampled_from(sorted(SPOILERS)))
    def register_spoiled_batch(self, app: str, batch: list[dict], data, spoil: str):
        position = data.draw(st.integers(0, len(batch) - 1), label="position")
        batch = [*batch[:position], SPOILERS[spoil](batch[position]), *batch[position + 1 :]]
        with self.unchanged():
            response = self.call("POST", f"/api/v1/apps/{app}/tokens", json={"tokens": batch}, headers=basic())
        assert response.status_code == 400, (spoil, response.text)
        assert f"tokens[{position}]" in response.text

    @rule(
        problem=st.sampled_from(["bad uuid", "unknown app", "no auth", "wrong key", "not json", "empty list"]),
        batch=batches,
    )
    def register_refused(self, problem: str, batch: list[dict]):
        path, headers, kwargs = f"/api/v1/apps/{SHOP}/tokens", basic(), {"json": {"tokens": batch}}
        expected = {"bad uuid": 400, "unknown app": 404, "no auth": 401, "wrong key": 401, "not json": 400,
                    "empty list": 400}[problem]
        if problem == "bad uuid":
            path = "/api/v1/apps/not-a-uuid/tokens"
        elif problem == "unknown app":
            path = "/api/v1/apps/00000000-0000-0000-0000-000000000001/tokens"
        elif problem == "no auth":
            headers = {}
        elif problem == "wrong key":
            headers = basic(key="not-a-key")
        elif problem == "not json":
            kwargs = {"content": b'{"tokens": [', "headers": {"Content-Type": "application/json"}}
        else:
            kwargs = {"json": {"tokens": []}}
        with self.unchanged():
            response = self.call("POST", path, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)
        assert response.status_code == expected, (problem, response.text)

    @rule(contact_id=contact_ids, token=tokens, app=st.sampled_from([SHOP, NEWS]))
    def add_token_by_contact_id(self, contact_id: int, token: str, app: str):
        """A token registered by a known contact's id always lands on that very contact."""
        live = {c["id"] for c in self.state()["contacts"] if not c["deleted"]}
        response = self.call(
            "POST", f"/api/v1/apps/{app}/tokens", json={"tokens": [{"token": token, "contactId": contact_id}]},
            headers=basic(),
        )
        assert response.status_code == 200
        if contact_id in live:
            assert self.last_outcomes()[0]["contactId"] == contact_id

    @rule(token=tokens, state=st.sampled_from(["block", "deactivate", "unblock"]))
    def change_chat(self, token: str, state: str):
        assert self.call("POST", f"/_mock/telegram/chats/{token}/{state}").status_code == 200

    @rule(contact_id=contact_ids, via=st.sampled_from(["contactId", "broadcast"]), app=st.sampled_from([SHOP, NEWS]))
    def send_message(self, contact_id: int, via: str, app: str):
        created = self.call("POST", "/api/v1/messages/telegram", json={"name": "m", "text": "hi"}, headers=basic())
        assert created.status_code == 200, created.text
        message_id = created.json()["id"]
        if via == "contactId":
            body = {"recipients": [{"contactId": contact_id}]}
            response = self.call("POST", f"/api/v1/message/{message_id}/smartsend", json=body, headers=basic())
        else:
            body = {"messageId": message_id, "appId": app}
            response = self.call("POST", "/api/v1/broadcast", json=body, headers=basic())
        assert response.status_code == 200, response.text
        live = list(self.emulator.world.contacts.live())
        for delivery in self.last_deliveries():
            holders = [c.id for c in live if delivery["chat_id"] in c.tokens.get(delivery["app_uuid"], ())]
            if delivery["error_code"] == 403:
                assert holders == [] and delivery["status"] == "FAILED", delivery
            else:
                assert delivery["status"] in ("SENT", "FAILED") and delivery["token_removed_from"] == []

    def last_deliveries(self) -> list[dict]:
        journal = self.http.request("GET", "/_mock/requests").json()
        return journal["requests"][-1].get("deliveries", [])

    @rule()
    def reset(self):
        response = self.call("POST", "/_mock/reset")
        assert response.status_code == 200
        self.api_calls = 0
        assert self.state() == self.initial_state

    @rule()
    def read_requests(self):
        journal = self.call("GET", "/_mock/requests").json()
        assert journal["size"] == JOURNAL_SIZE
        ids = [entry["id"] for entry in journal["requests"]]
        assert ids == sorted(ids)

    # -- invariants ----------------------------------------------------------

    @invariant()
    def indexes_agree_with_scan(self):
        book = self.emulator.world.contacts
        scanned = {name: {k: v for k, v in index.items() if v} for name, index in scan_index(book).items()}
        assert book.index_snapshot() == scanned

    @invariant()
    def subscribers_match_live_tokens(self):
        world = self.emulator.world
        shown = {app["app_uuid"]: app["subscribers"] for app in self.state()["apps"]}
        for app in world.apps:
            distinct = {t for c in world.contacts.live() for t in c.tokens.get(app.app_uuid, ())}
            assert world.contacts.subscribers(app.app_uuid) == len(distinct)
            assert shown[app.app_uuid] == len(distinct)

    @invariant()
    def no_token_on_deleted_contact(self):
        for contact in self.state()["contacts"]:
            if contact["deleted"]:
                assert not any(contact["tokens"].values()), contact

    @invariant()
    def journal_within_bound(self):
        journal = self.emulator.journal
        assert len(journal.entries) <= JOURNAL_SIZE
        assert journal.dropped + len(journal.entries) == self.api_calls


TestWorldMachine = WorldMachine.TestCase
TestWorldMachine.settings = settings(
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
