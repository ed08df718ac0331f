"""The whole API as one hypothesis state machine, with the world's invariants checked after every step.

Rules talk HTTP to an in-process app (httpx over ASGI): tokens, contacts (one, bulk, deletes, search),
mutes, message templates, smartsend and broadcast, clicks, the clock, simulated Telegram
users, the Bot API, reset and the journal. Identifiers come from small pools so that calls
keep colliding. Every call goes through ``self.call``, which checks on the way that

- no answer is a 5xx;
- every 4xx left ``/_mock/state`` exactly as it was (snapshots around the call).

Invariants read the emulator's domain objects and the control plane, and must hold whatever
sequence of calls came before:

- every ContactBook index agrees with a full scan of the live contacts;
- each app's subscriber count equals the distinct tokens of that app on live contacts,
  in the book and in ``/_mock/state``;
- no token sits on a deleted contact;
- the journal never holds more than its bound, and what it dropped plus what it holds is
  exactly the number of journaled calls (``/api``, ``/bot``, ``/track``, bodies refused before
  their door included) since the last reset;
- every delivery's status agrees with its history: FAILED only with Telegram's code and reason,
  SENT/CLICKED only with the message in the chat, CLICKED only on a tracked link, PENDING only
  with a retry scheduled, token removals only on a 403.

The clock is frozen (so time moves only when ``advance_clock`` says, and snapshots compare
exactly); chats 444 and 555 are rate-limited so retries fire when the clock advances.

Adding an operation (how to extend this machine):

1. Write a ``@rule(...)`` method. Send requests with ``self.call(method, path, ...)``; it counts
   journaled calls, refuses 5xx and checks that a 4xx changed nothing. Assert the status and
   body the operation must answer.
2. A refusal that legitimately changes state (a Bot API 429 consumes one of the chat's limited
   refusals) passes ``refusal_may_change=True`` and says why.
3. If it creates things later rules can use (contact ids, message ids), ``return`` them from a
   rule with ``target=some_bundle`` (see ``contact_ids``, ``message_ids``).
4. New cross-cutting truths go in an ``@invariant()`` method; keep each one a full-scan
   re-derivation that needs no model of how the state was reached.
"""

from __future__ import annotations

from functools import partial

import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, precondition, rule

from mockserver import Emulator, create_app
from mockserver.domain.contacts.book import scan_index
from mockserver.domain.sending.delivery import CLICKED, FAILED, PENDING, SENT, TOKEN_REMOVING
from mockserver.scenario import normalize_scenario
from tests.conftest import KEY, basic

SHOP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
NEWS = "9b2f2c4e-1d7a-4c53-9a51-2f7e0c1b8a10"
BOT_TOKENS = {SHOP: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", NEWS: "987654321:BBHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw2"}
JOURNAL_SIZE = 5
SEND_ATTEMPTS = 3

SCENARIO = normalize_scenario(
    {
        "account": {"api_keys": [KEY]},
        "limits": {"send_attempts": SEND_ATTEMPTS},
        "bots": [
            {"app_uuid": SHOP, "token": BOT_TOKENS[SHOP], "username": "shop_bot"},
            {"app_uuid": NEWS, "token": BOT_TOKENS[NEWS], "username": "news_bot"},
        ],
        "contacts": [
            {"id": 1001, "email": "taras@example.com", "phone": "+380501112233", "externalCustomerId": "C-1",
             "tokens": {"shop_bot": ["111"]}},
            {"id": 1002, "email": "olena@example.com", "externalCustomerId": "C-2",
             "tokens": {"shop_bot": ["222"], "news_bot": ["222"]}},
            {"id": 1003, "phone": "+380671234567", "tokens": {"news_bot": ["444", "555"]}},
        ],
        "telegram": {
            "chats": {
                "444": {"state": "rate_limited", "retry_after": 5, "limited_sends": 1},  # answers after one 429
                "555": {"state": "rate_limited", "retry_after": 2},  # 429 forever: retries run out
                "666": "unknown",
            },
            "clicks": {"probability": 0.3, "seed": 7},
        },
    }
)

# Small pools, so that items keep colliding with each other and with the seeded contacts.
apps = st.sampled_from([SHOP, NEWS])
tokens = st.sampled_from(["111", "222", "333", "444", "555", "666"])
known_ids = st.sampled_from([1001, 1002, 1003, 1004, 1005, 1006, 5000])
external_ids = st.sampled_from(["C-1", "C-2", "X-1"])
emails = st.sampled_from(["taras@example.com", " TARAS@Example.com", "olena@example.com", "new@example.com"])
phones = st.sampled_from(["+380501112233", "38 (050) 111-22-33", "+380671234567", "0991234567"])
erase_values = st.sampled_from([None, "true", "false", "1", "0", "TRUE", "maybe"])

items = st.fixed_dictionaries(
    {"token": tokens},
    optional={"contactId": known_ids, "externalCustomerId": external_ids, "phone": phones, "email": emails},
).filter(lambda item: len(item) > 1)
batches = st.lists(items, min_size=1, max_size=4)

channels = st.lists(
    st.one_of(
        st.builds(lambda v: {"type": "email", "value": v}, emails),
        st.builds(lambda v: {"type": "sms", "value": v}, phones),
        st.builds(lambda v: {"type": "telegrambot", "value": v}, tokens),
        st.just({"type": "email", "value": "not an email"}),  # a refusal now and then
    ),
    min_size=1,
    max_size=3,
)
contact_bodies = st.fixed_dictionaries(
    {"channels": channels},
    optional={
        "firstName": st.sampled_from(["Taras", "Olena", "x" * 41]),
        "externalCustomerId": external_ids,
    },
)
bulk_contacts = st.lists(
    st.fixed_dictionaries({"channels": channels}, optional={"id": known_ids, "externalCustomerId": external_ids,
                                                            "lastName": st.sampled_from(["Shevchenko", "Kosach"])}),
    min_size=1,
    max_size=4,
)

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


def without_clock(state: dict) -> dict:
    return {k: v for k, v in state.items() if k != "clock"}


class WorldMachine(RuleBasedStateMachine):
    contact_ids = Bundle("contact_ids")
    message_ids = Bundle("message_ids")

    def __init__(self) -> None:
        super().__init__()
        self.emulator = Emulator(SCENARIO, journal_size=JOURNAL_SIZE)
        self.http = Http(create_app(self.emulator))
        self.freeze_clock()
        self.initial_state = self.state()
        self.api_calls = 0  # journal entries since the last reset: API calls and retry runs

    def teardown(self) -> None:
        self.http.close()

    # -- helpers -------------------------------------------------------------

    def call(self, method: str, path: str, *, refusal_may_change: bool = False, **kwargs) -> httpx.Response:
        """One request: never a 5xx, and a 4xx must leave the whole state as it was."""
        before = self.state()  # runs any due retries, so this request finds none
        response = self.http.request(method, path, **kwargs)
        if not path.startswith("/_mock"):
            self.api_calls += 1
        assert response.status_code < 500, (method, path, response.status_code, response.text)
        if 400 <= response.status_code < 500 and not refusal_may_change:
            assert self.state() == before, (method, path, response.status_code, response.text)
        return response

    def state(self) -> dict:
        world = self.emulator.world
        now = world.clock.now()
        due = any(d.status == PENDING and d.next_attempt_at is not None and d.next_attempt_at <= now for d in world.deliveries)
        response = self.http.request("GET", "/_mock/state")
        assert response.status_code == 200
        if due:
            self.api_calls += 1  # reading the state ran the due retries: one journal entry for the run
        return response.json()

    def freeze_clock(self) -> None:
        assert self.http.request("POST", "/_mock/clock", json={"freeze": True}).status_code == 200

    def last_outcomes(self) -> list[dict]:
        journal = self.http.request("GET", "/_mock/requests").json()
        return journal["requests"][-1]["outcomes"]

    def last_deliveries(self) -> list[dict]:
        journal = self.http.request("GET", "/_mock/requests").json()
        return journal["requests"][-1].get("deliveries", [])

    def live_ids(self) -> set[int]:
        return {c.id for c in self.emulator.world.contacts.live()}

    # -- rules: tokens -------------------------------------------------------

    @rule(target=contact_ids, app=apps, batch=batches)
    def register_tokens(self, app: str, batch: list[dict]):
        response = self.call("POST", f"/api/v1/apps/{app}/tokens", json={"tokens": batch}, headers=basic())
        assert response.status_code == 200, response.text
        assert response.content == b'""'
        outcomes = self.last_outcomes()
        assert [o["index"] for o in outcomes] == list(range(len(batch)))
        live = {c["id"]: c for c in self.state()["contacts"] if not c["deleted"]}
        for outcome, item in zip(outcomes, batch, strict=True):
            assert outcome["token"] == item["token"]
            assert item["token"] in live[outcome["contactId"]]["tokens"][app]
        return multiple(*{o["contactId"] for o in outcomes})

    @rule(app=apps, batch=batches, data=st.data(), spoil=st.sampled_from(sorted(SPOILERS)))
    def register_spoiled_batch(self, app: str, batch: list[dict], data, spoil: str):
        position = data.draw(st.integers(0, len(batch) - 1), label="position")
        batch = [*batch[:position], SPOILERS[spoil](batch[position]), *batch[position + 1 :]]
        response = self.call("POST", f"/api/v1/apps/{app}/tokens", json={"tokens": batch}, headers=basic())
        assert response.status_code == 400, (spoil, response.text)
        assert f"tokens[{position}]" in response.text

    @rule(
        problem=st.sampled_from(
            ["bad uuid", "unknown app", "no auth", "wrong key", "not json", "empty list", "too large", "bad length"]
        ),
        batch=batches,
    )
    def register_refused(self, problem: str, batch: list[dict]):
        path, headers, kwargs = f"/api/v1/apps/{SHOP}/tokens", basic(), {"json": {"tokens": batch}}
        expected = {"bad uuid": 400, "unknown app": 404, "no auth": 401, "wrong key": 401, "not json": 400,
                    "empty list": 400, "too large": 413, "bad length": 400}[problem]
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
        elif problem == "too large":  # refused by Front before the door, and journaled all the same
            kwargs = {"content": b" " * (self.emulator.body_limit + 1), "headers": {"Content-Type": "application/json"}}
        elif problem == "bad length":
            kwargs = {"content": b"{}", "headers": {"Content-Type": "application/json", "Content-Length": "ten"}}
        else:
            kwargs = {"json": {"tokens": []}}
        response = self.call("POST", path, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)
        assert response.status_code == expected, (problem, response.text)

    @rule(contact_id=contact_ids, token=tokens, app=apps)
    def add_token_by_contact_id(self, contact_id: int, token: str, app: str):
        """A token registered by a known contact's id always lands on that very contact."""
        live = self.live_ids()
        response = self.call(
            "POST", f"/api/v1/apps/{app}/tokens", json={"tokens": [{"token": token, "contactId": contact_id}]},
            headers=basic(),
        )
        assert response.status_code == 200
        if contact_id in live:
            assert self.last_outcomes()[0]["contactId"] == contact_id

    @rule(app=apps, token=tokens, duration=st.sampled_from([None, 5, 60, 3600, 4, 31_536_001]), mute=st.booleans())
    def mute_or_unmute(self, app: str, token: str, duration: int | None, mute: bool):
        body = {"token": token} if duration is None or not mute else {"token": token, "duration": duration}
        response = self.call("POST", f"/api/v1/apps/{app}/token/{'mute' if mute else 'unmute'}", json=body, headers=basic())
        valid = not mute or duration is None or 5 <= duration <= 31_536_000
        assert response.status_code == (200 if valid else 400), response.text
        muted = self.emulator.world.apps.get(app).is_muted(token, self.emulator.world.clock.now())
        if valid:
            assert muted == mute

    # -- rules: contacts -----------------------------------------------------

    @rule(target=contact_ids, body=contact_bodies)
    def upsert_contact(self, body: dict):
        response = self.call("POST", "/api/v1/contact", json=body, headers=basic())
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            return multiple()
        contact_id = response.json()["id"]
        shown = self.call("GET", f"/api/v1/contact/{contact_id}", headers=basic())
        assert shown.status_code == 200 and shown.json()["id"] == contact_id
        return contact_id

    @rule(contact_id=st.one_of(contact_ids, known_ids), body=contact_bodies)
    def put_contact(self, contact_id: int, body: dict):
        """Updating a soft-deleted contact restores it; an erased or unknown one is 404."""
        response = self.call("PUT", f"/api/v1/contact/{contact_id}", json=body, headers=basic())
        assert response.status_code in (200, 400, 404), response.text
        if response.status_code == 200:
            assert response.text == f"Contact with id='{contact_id}' has been updated"
            assert contact_id in self.live_ids()

    @rule(contact_id=st.one_of(contact_ids, known_ids), erase=erase_values)
    def delete_contact(self, contact_id: int, erase: str | None):
        book = self.emulator.world.contacts
        was_live = contact_id in self.live_ids()
        existed = book.get(contact_id, include_deleted=True) is not None
        params = {} if erase is None else {"erase": erase}
        response = self.call("DELETE", f"/api/v1/contact/{contact_id}", params=params, headers=basic())
        if erase == "maybe":
            assert response.status_code == 400, response.text
            return
        erasing = erase is not None and erase.lower() in ("true", "1")
        if was_live or (erasing and existed):
            assert response.status_code == 200, response.text
            assert response.text == f"Contact with id='{contact_id}' has been deleted"
            assert contact_id not in self.live_ids()
            assert (book.get(contact_id, include_deleted=True) is None) == erasing
        else:
            assert response.status_code == 404, response.text

    @rule(external_id=external_ids, erase=erase_values)
    def delete_by_external_id(self, external_id: str, erase: str | None):
        """Deletes every contact with that id (erase: deleted ones too); 404 when there is none."""
        erasing = erase is not None and erase.lower() in ("true", "1")
        book = self.emulator.world.contacts

        def holders():
            return [c.id for c in (book if erasing else book.live()) if c.external_customer_id == external_id]

        found = holders()
        params = {"externalCustomerId": external_id} | ({} if erase is None else {"erase": erase})
        response = self.call("DELETE", "/api/v1/contact", params=params, headers=basic())
        if erase == "maybe":
            assert response.status_code == 400, response.text
            return
        assert response.status_code == (200 if found else 404), response.text
        assert holders() == []

    @rule(
        condition=st.one_of(
            st.just({}),
            st.builds(lambda v: {"email": v}, emails),
            st.builds(lambda v: {"sms": v}, phones),
            st.builds(lambda v: {"externalCustomerId": v}, external_ids),
        ),
        sort=st.booleans(),
    )
    def search_contacts(self, condition: dict, sort: bool):
        """A search finds exactly the live contacts holding the value (a full scan says which), each
        shown as GET /v1/contact/{id} shows it, its tokens as telegrambot channels."""
        params = condition | ({"sortBy": "contactId"} if sort else {})
        response = self.call("GET", "/api/v1/contacts", params=params, headers=basic())
        assert response.status_code == 200, response.text
        [(name, value)] = condition.items() or [(None, None)]
        wanted = {
            None: lambda c: True,
            "email": lambda c: value.strip().lower() in [e.lower() for e in c.emails],
            "sms": lambda c: "".join(filter(str.isdigit, value)) in ["".join(filter(str.isdigit, p)) for p in c.phones],
            "externalCustomerId": lambda c: c.external_customer_id == value,
        }[name]
        expected = {c.id for c in self.emulator.world.contacts.live() if wanted(c)}
        found = response.json()
        assert {c["id"] for c in found} == expected and response.headers["TotalCount"] == str(len(expected))
        if sort:
            assert [c["id"] for c in found] == sorted(expected)
        for shown in found:
            assert self.call("GET", f"/api/v1/contact/{shown['id']}", headers=basic()).json() == shown
            card = self.emulator.world.contacts.get(shown["id"])
            telegram = [c["value"] for c in shown["channels"] if c["type"] == "telegrambot"]
            assert telegram == [t for tokens in card.tokens.values() for t in tokens]

    @rule(
        target=contact_ids,
        contacts=bulk_contacts,
        dedupe_on=st.sampled_from(["email", "sms", "id", "externalCustomerId", "email_or_sms", "nonsense"]),
        restore=st.sampled_from([None, True, False]),
    )
    def bulk_contacts(self, contacts: list[dict], dedupe_on: str, restore: bool | None):
        body: dict = {"contacts": contacts, "dedupeOn": dedupe_on}
        if restore is not None:
            body["restoreDeleted"] = restore
        response = self.call("POST", "/api/v1/contacts", json=body, headers=basic())
        if dedupe_on == "nonsense":
            assert response.status_code == 400, response.text
            return multiple()
        assert response.status_code == 200, response.text
        session_id = response.json()["asyncSessionId"]
        status = self.call("GET", f"/api/v1/importstatus/{session_id}", headers=basic())
        assert status.status_code == 200, status.text
        ids = {m["contactId"] for m in status.json()["mapping"]}
        assert ids <= self.live_ids()
        return multiple(*ids)

    # -- rules: messages, sends and clicks -----------------------------------

    @rule(target=message_ids, with_button=st.booleans())
    def create_template(self, with_button: bool):
        body: dict = {"name": "m", "text": "Sale at https://shop.example/sale for $!data.get('name')"}
        if with_button:
            body["buttons"] = [{"text": "Open", "link": "https://shop.example/open"}]
        response = self.call("POST", "/api/v1/messages/telegram", json=body, headers=basic())
        assert response.status_code == 200, response.text
        return response.json()["id"]

    @rule(message_id=message_ids)
    def delete_template(self, message_id: int):
        existed = any(m.id == message_id for m in self.emulator.world.messages)
        response = self.call("DELETE", f"/api/v1/messages/telegram/{message_id}", headers=basic())
        assert response.status_code == (200 if existed else 404), response.text

    @rule(
        message_id=message_ids,
        recipient=st.one_of(
            st.builds(lambda v: {"locator": v}, tokens),
            st.builds(lambda v: {"contactId": v}, known_ids),
            st.builds(lambda v: {"externalCustomerId": v}, external_ids),
        ),
    )
    def smartsend(self, message_id: int, recipient: dict):
        exists = any(m.id == message_id for m in self.emulator.world.messages)
        body = {"recipients": [{**recipient, "jsonParam": '{"name": "Taras"}'}]}
        response = self.call("POST", f"/api/v1/message/{message_id}/smartsend", json=body, headers=basic())
        assert response.status_code == (200 if exists else 404), response.text
        self.check_new_deliveries()

    @rule(message_id=message_ids, app=apps)
    def broadcast(self, message_id: int, app: str):
        exists = any(m.id == message_id for m in self.emulator.world.messages)
        response = self.call("POST", "/api/v1/broadcast", json={"messageId": message_id, "appId": app}, headers=basic())
        assert response.status_code == (200 if exists else 404), response.text
        self.check_new_deliveries()

    @rule(contact_id=contact_ids, via=st.sampled_from(["contactId", "broadcast"]), app=apps)
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
        self.check_new_deliveries()

    def check_new_deliveries(self) -> None:
        """A 403 took the token off every live contact at once; nothing else removed one."""
        live = list(self.emulator.world.contacts.live())
        for delivery in self.last_deliveries():
            holders = [c.id for c in live if delivery["chat_id"] in c.tokens.get(delivery["app_uuid"], ())]
            if delivery["error_code"] == 403:
                assert holders == [] and delivery["status"] == FAILED, delivery
            else:
                assert delivery["token_removed_from"] == [], delivery

    @rule(data=st.data())
    def follow_tracked_link(self, data):
        deliveries = [d for d in self.emulator.world.deliveries if d.links]
        if not deliveries:
            response = self.call("GET", "/track/no-such-link")
            assert response.status_code == 404
            return
        delivery = data.draw(st.sampled_from(deliveries), label="delivery")
        link = data.draw(st.sampled_from(sorted(delivery.links)), label="link")
        was = delivery.status
        response = self.call("GET", f"/track/{link}")
        assert response.status_code == 302 and response.headers["location"] == delivery.links[link]
        assert delivery.status == (CLICKED if was in (SENT, CLICKED) else was)

    @rule(token=tokens)
    def click_in_chat(self, token: str):
        response = self.call("POST", f"/_mock/telegram/chats/{token}/click")
        assert response.status_code in (200, 404), response.text
        if response.status_code == 200:
            assert response.json()["status"] == CLICKED

    @rule(token=tokens, state=st.sampled_from(["block", "deactivate", "unblock"]))
    def change_chat(self, token: str, state: str):
        assert self.call("POST", f"/_mock/telegram/chats/{token}/{state}").status_code == 200

    @rule(seconds=st.sampled_from([1, 2, 5, 30, 3600]))
    def advance_clock(self, seconds: int):
        """Time moves: rate-limited deliveries retry, mutes run out."""
        response = self.call("POST", "/_mock/clock", json={"advance": seconds})
        assert response.status_code == 200, response.text
        self.state()  # reading the state runs the retries that fell due
        now = self.emulator.world.clock.now()
        for delivery in self.emulator.world.deliveries:
            assert delivery.status != PENDING or delivery.next_attempt_at > now, delivery

    # -- rules: simulated Telegram users and the Bot API ---------------------

    @rule(token=tokens)
    def create_user(self, token: str):
        response = self.call("POST", "/_mock/telegram/users", json={"id": int(token), "first_name": "U"})
        assert response.status_code == 200, response.text

    @rule(token=tokens, action=st.sampled_from(["start", "block", "unblock"]), app=apps)
    def user_acts(self, token: str, action: str, app: str):
        chat = self.emulator.world.telegram.chats.get(token)
        before = chat.state if chat else None
        response = self.call("POST", f"/_mock/telegram/users/{token}/{action}", json={"bot": app})
        if chat is None:
            assert response.status_code == 404, response.text
        elif before == "deactivated":
            assert response.status_code == 409, response.text
        else:
            assert response.status_code == 200, response.text
            lifted = "active" if before in ("blocked", "unknown") else before
            expected = {"start": lifted, "block": "blocked", "unblock": "active" if before == "blocked" else before}
            assert response.json()["user"]["state"] == expected[action]

    @rule(app=apps, token=tokens)
    def bot_sends(self, app: str, token: str):
        """A 429 consumes one of the chat's limited refusals: the one refusal that may change state."""
        response = self.call(
            "POST", f"/bot{BOT_TOKENS[app]}/sendMessage", json={"chat_id": token, "text": "hello"},
            refusal_may_change=True,
        )
        body = response.json()
        assert response.status_code in (200, 400, 403, 429), response.text
        assert body["ok"] == (response.status_code == 200)
        if response.status_code != 429:
            assert not body["ok"] or body["result"]["chat"]["id"] == int(token)

    @rule(app=apps, confirm=st.booleans())
    def bot_gets_updates(self, app: str, confirm: bool):
        inbox = self.emulator.world.bots.inbox(self.emulator.world.apps.get(app))
        params = {"timeout": 0}
        if confirm:
            pending = inbox.peek(100)
            params["offset"] = pending[-1]["update_id"] + 1 if pending else 0
        response = self.call("GET", f"/bot{BOT_TOKENS[app]}/getUpdates", params=params)
        assert response.status_code == 200, response.text
        ids = [u["update_id"] for u in response.json()["result"]]
        assert ids == sorted(ids) and (not confirm or ids == [])

    # -- rules: control plane ------------------------------------------------

    @precondition(lambda self: self.api_calls >= 8)  # let state build up before wiping it
    @rule()
    def reset(self):
        response = self.call("POST", "/_mock/reset")
        assert response.status_code == 200
        self.api_calls = 0
        self.freeze_clock()
        assert without_clock(self.state()) == without_clock(self.initial_state)

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
        for contact in self.emulator.world.contacts:
            if contact.deleted:
                assert not any(contact.tokens.values()), contact

    @invariant()
    def journal_within_bound(self):
        journal = self.emulator.journal
        assert len(journal.entries) <= JOURNAL_SIZE
        assert journal.dropped + len(journal.entries) == self.api_calls

    @invariant()
    def deliveries_agree_with_their_history(self):
        world = self.emulator.world
        shown = {d["requestId"]: d["status"] for d in self.state()["deliveries"]}
        assert shown == {d.request_id: d.status for d in world.deliveries}
        for d in world.deliveries:
            statuses = [h["status"] for h in d.history if "status" in h]
            assert statuses in ([], [SENT], [FAILED], [SENT, CLICKED]), d
            assert (statuses[-1] if statuses else PENDING) == d.status, d
            assert 1 <= d.attempts <= SEND_ATTEMPTS or (d.status == PENDING and d.attempts == 0), d
            if d.status == FAILED:
                assert d.error_code in (400, 403, 429) and d.reason and d.history[-1]["reason"] == d.reason, d
                assert d.error_code != 429 or d.attempts == SEND_ATTEMPTS, d
            else:
                assert d.error_code is None and d.reason is None, d
            if d.token_removed_from:
                assert d.status == FAILED and d.reason in TOKEN_REMOVING, d
            if d.status == PENDING:
                assert d.next_attempt_at is not None, d
            if d.status in (SENT, CLICKED):
                chat = world.telegram.chats[d.chat_id]
                assert [m for m in chat.messages if m.get("requestId") == d.request_id], d
            if d.status == CLICKED:
                assert d.clicked_link in d.links.values(), d


TestWorldMachine = WorldMachine.TestCase
TestWorldMachine.pytestmark = [pytest.mark.slow]
TestWorldMachine.settings = settings(
    max_examples=80,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
