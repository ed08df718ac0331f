"""The resolution rules held against a small reference model, by a hypothesis state machine.

The model below is written from SPEC §4 alone: plain lists, linear scans, its own
normalization and its own validation. Random batches, drawn from small pools of
identifiers so that collisions and duplicates are frequent, go to the real domain and
to the model; after every step both must hold the same contacts and must have given
the same answer for every item.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from mockserver.domain.contacts.book import scan_index
from mockserver.domain.errors import InvalidInput
from mockserver.domain.world import World
from mockserver.scenario import normalize_scenario

APP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
OTHER_APP = "9b2c1e7a-0000-4000-8000-000000000002"
APPS = (APP, OTHER_APP)
BOTS = [
    {"app_uuid": APP, "token": "123456789:" + "A" * 35, "username": "shop_bot"},
    {"app_uuid": OTHER_APP, "token": "987654321:" + "B" * 35, "username": "news_bot"},
]
ID_BASE = 100
BATCH_LIMIT = 6
KEY_ORDER = ("contactId", "externalCustomerId", "phone", "email")

# -- small pools, so that the same person shows up again and again --------------------------------

EMAILS = ["ann@example.com", "bob@example.com", "cat@example.org"]
EMAIL_VARIANTS = sorted({v for e in EMAILS for v in (e, e.upper(), "  " + e.title(), e + "\t", " " + e.capitalize() + " ")})
PHONES = ["380501112233", "380671234567", "380931234567"]


def phone_variants(digits: str) -> list[str]:
    cc, op, a, b, c = digits[:2], digits[2:5], digits[5:8], digits[8:10], digits[10:]
    return [digits, "+" + digits, f"+{cc} ({op}) {a}-{b}-{c}", f" {cc}-{op}-{a}{b}{c} ", f"{cc}.{op}.{a}.{b}.{c}"]


PHONE_VARIANTS = [v for p in PHONES for v in phone_variants(p)]
EXTERNAL_IDS = ["C-1", "C-2", "c-1", " C-1"]
TOKENS = ["111", "222", "333", "444"]
KNOWN_IDS = list(range(ID_BASE, ID_BASE + 10))
UNKNOWN_IDS = [0, -5, 999_999, 2**62]


# -- the reference model ---------------------------------------------------------------------------


def model_email(value: str) -> str:
    return re.sub(r"^\s+|\s+$", "", value).lower()


def model_digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value)


def model_text_ok(value: object) -> bool:
    return isinstance(value, str) and value.strip() != "" and len(value) <= 255


def model_item_ok(item: object) -> bool:
    if type(item) is not dict:
        return False
    if not model_text_ok(item.get("token")):
        return False
    contact_id = item.get("contactId")
    if contact_id is not None and (type(contact_id) is not int or not -(2**63) <= contact_id < 2**63):
        return False
    for name in ("externalCustomerId", "phone", "email"):
        value = item.get(name)
        if value is not None and not model_text_ok(value):
            return False
    phone = item.get("phone")
    if phone is not None and model_digits(phone) == "":
        return False
    return any(item.get(name) is not None for name in KEY_ORDER)


@dataclass
class ModelContact:
    id: int
    external_id: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    tokens: dict[str, list[str]] = field(default_factory=dict)
    deleted: bool = False
    updated: int = 0


class Model:
    """SPEC §4 read literally, with no index: every lookup scans every contact."""

    def __init__(self, seeds: list[dict], reject_unknown_ids: bool) -> None:
        self.contacts: list[ModelContact] = []
        self.reject_unknown_ids = reject_unknown_ids
        self.clock = 0
        self.next_id = ID_BASE
        for seed in seeds:
            contact = ModelContact(
                id=seed["id"],
                external_id=seed.get("externalCustomerId"),
                phones=[seed["phone"]] if "phone" in seed else [],
                emails=[seed["email"]] if "email" in seed else [],
                tokens={APP: list(dict.fromkeys(seed["tokens"]["shop_bot"]))}
                if seed.get("tokens") and not seed.get("deleted")
                else {},
                deleted=seed.get("deleted", False),
            )
            self.touch(contact)
            self.contacts.append(contact)
            self.next_id = max(self.next_id, contact.id + 1)

    def touch(self, contact: ModelContact) -> None:
        self.clock += 1
        contact.updated = self.clock

    def holders(self, name: str, value) -> list[ModelContact]:
        live = [c for c in self.contacts if not c.deleted]
        if name == "contactId":
            return [c for c in live if c.id == value]
        if name == "externalCustomerId":
            return [c for c in live if c.external_id == value]
        if name == "phone":
            return [c for c in live if any(model_digits(p) == model_digits(value) != "" for p in c.phones)]
        return [c for c in live if any(model_email(e) == model_email(value) != "" for e in c.emails)]

    def match(self, name: str, value) -> ModelContact | None:
        found = self.holders(name, value)
        if not found:
            return None
        best = found[0]
        for c in found[1:]:
            if c.updated > best.updated or (c.updated == best.updated and c.id > best.id):
                best = c
        return best

    def send(self, app: str, body: object) -> tuple[str, object]:
        """("refused", index of the bad item or None) or ("ok", [(outcome, contact id), ...])."""
        if type(body) is not dict or type(body.get("tokens")) is not list:
            return "refused", None
        items = body["tokens"]
        if len(items) == 0 or len(items) > BATCH_LIMIT:
            return "refused", None
        for index, item in enumerate(items):
            if not model_item_ok(item):
                return "refused", index
        before = copy.deepcopy((self.contacts, self.clock, self.next_id))
        outcomes = []
        for index, item in enumerate(items):
            name = next(n for n in KEY_ORDER if item.get(n) is not None)
            contact = self.match(name, item[name])
            token = item["token"]
            if contact is None:
                if name == "contactId" and self.reject_unknown_ids:
                    self.contacts, self.clock, self.next_id = before
                    return "refused", index
                contact = ModelContact(id=self.next_id)
                external_id, phone, email = item.get("externalCustomerId"), item.get("phone"), item.get("email")
                if external_id is not None and not self.holders("externalCustomerId", external_id):
                    contact.external_id = external_id
                if phone is not None and not self.holders("phone", phone):
                    contact.phones.append(phone.strip())
                if email is not None and not self.holders("email", email):
                    contact.emails.append(email.strip())
                contact.tokens[app] = [token]
                self.touch(contact)
                self.contacts.append(contact)
                self.next_id += 1
                outcomes.append(("created", contact.id))
            elif token in contact.tokens.get(app, []):
                outcomes.append(("present", contact.id))
            else:
                contact.tokens.setdefault(app, []).append(token)
                self.touch(contact)
                outcomes.append(("added", contact.id))
        return "ok", outcomes

    def set_deleted(self, contact_id: int, deleted: bool) -> None:
        for contact in self.contacts:
            if contact.id == contact_id and contact.deleted != deleted:
                contact.deleted = deleted
                if deleted:
                    contact.tokens = {}  # a deleted card holds no tokens, and restoring does not bring them back
                self.touch(contact)

    def view(self) -> list[tuple]:
        return sorted(
            (c.id, c.external_id, c.phones, c.emails, {a: t for a, t in c.tokens.items() if t}, c.deleted)
            for c in self.contacts
        )

    def subscribers(self, app: str) -> int:
        tokens = []
        for contact in self.contacts:
            if not contact.deleted:
                for token in contact.tokens.get(app, []):
                    if token not in tokens:
                        tokens.append(token)
        return len(tokens)


# -- what the machine sends ------------------------------------------------------------------------

contact_ids = st.sampled_from(KNOWN_IDS + UNKNOWN_IDS)
IDENTIFIER_VALUES = {
    "contactId": contact_ids,
    "externalCustomerId": st.sampled_from(EXTERNAL_IDS),
    "phone": st.sampled_from(PHONE_VARIANTS),
    "email": st.sampled_from(EMAIL_VARIANTS),
}


@st.composite
def valid_items(draw) -> dict:
    names = draw(st.lists(st.sampled_from(KEY_ORDER), min_size=1, max_size=4, unique=True))
    item = {"token": draw(st.sampled_from(TOKENS))}
    for name in names:
        item[name] = draw(IDENTIFIER_VALUES[name])
    # An explicit null is the same as an absent identifier.
    if draw(st.booleans()) and len(names) < 4:
        item[draw(st.sampled_from([n for n in KEY_ORDER if n not in names]))] = None
    return item


BAD_VALUES = {
    "token": [None, "", "   ", 7, ["111"], "9" * 256],
    "contactId": ["101", True, 1.5, 2**63, -(2**63) - 1, {"id": 1}],
    "externalCustomerId": ["", "  ", 5, "x" * 256],
    "phone": ["call me", "---", "", 380501112233],
    "email": [" ", 3, ["a@b.c"], "e" * 256],
}


@st.composite
def invalid_items(draw) -> object:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["111", None, 5, ["111"]]))
    item = draw(valid_items())
    if draw(st.integers(0, 4)) == 0:
        return {"token": item["token"]}  # no identifier at all
    name = draw(st.sampled_from(sorted(BAD_VALUES)))
    item[name] = draw(st.sampled_from(BAD_VALUES[name]))
    if name == "token" and item[name] is None:
        del item["token"]
    return item


MALFORMED_BODIES = [None, [], "tokens", {}, {"tokens": None}, {"tokens": {}}, {"tokens": "111"}, {"tokens": []}, {"token": []}]


@st.composite
def seeds(draw) -> list[dict]:
    ids = draw(st.lists(st.sampled_from(KNOWN_IDS[:8]), max_size=5, unique=True))
    result = []
    for contact_id in ids:
        seed: dict = {"id": contact_id}
        for name in ("externalCustomerId", "phone", "email"):
            if draw(st.booleans()):
                seed[name] = draw(IDENTIFIER_VALUES[name])
        if draw(st.integers(0, 4)) == 0:
            seed["deleted"] = True
        tokens = draw(st.lists(st.sampled_from(TOKENS), max_size=2))
        if tokens:
            seed["tokens"] = {"shop_bot": tokens}
        result.append(seed)
    return result


def refused_index(exc: InvalidInput) -> int | None:
    found = re.match(r"tokens\[(\d+)\]", exc.message)
    return int(found.group(1)) if found else None


class TokensMachine(RuleBasedStateMachine):
    """The real World and the model receive the same requests and must stay equal."""

    @initialize(contacts=seeds(), reject=st.booleans())
    def start(self, contacts: list[dict], reject: bool) -> None:
        scenario = {
            "account": {"api_keys": ["k"]},
            "bots": BOTS,
            "contacts": copy.deepcopy(contacts),
            "contact_id_base": ID_BASE,
            "limits": {"token_batch": BATCH_LIMIT},
            "assumptions": {"unknown_contact_id": "reject" if reject else "create"},
        }
        self.world = World(normalize_scenario(scenario))
        self.model = Model(contacts, reject)

    def both(self, app: str, body: object) -> None:
        expected = self.model.send(app, copy.deepcopy(body))
        try:
            outcomes = self.world.register_tokens(app, copy.deepcopy(body))
        except InvalidInput as exc:
            actual: tuple[str, object] = ("refused", refused_index(exc))
        else:
            assert [o.index for o in outcomes] == list(range(len(outcomes)))
            assert [o.token for o in outcomes] == [item["token"] for item in body["tokens"]]
            actual = ("ok", [(o.outcome, o.contact_id) for o in outcomes])
        assert actual == expected, body

    @rule(app=st.sampled_from(APPS), items=st.lists(valid_items(), min_size=1, max_size=BATCH_LIMIT))
    def send_valid_batch(self, app: str, items: list[dict]) -> None:
        self.both(app, {"tokens": items})

    @rule(
        app=st.sampled_from(APPS),
        items=st.lists(st.one_of(valid_items(), valid_items(), invalid_items()), min_size=1, max_size=BATCH_LIMIT + 1),
    )
    def send_mixed_batch(self, app: str, items: list) -> None:
        self.both(app, {"tokens": items})

    @rule(body=st.sampled_from(MALFORMED_BODIES))
    def send_malformed_body(self, body: object) -> None:
        self.both(APP, body)

    @rule(contact_id=st.sampled_from(KNOWN_IDS), deleted=st.booleans())
    def soft_delete_or_restore(self, contact_id: int, deleted: bool) -> None:
        contact = self.world.contacts.get(contact_id, include_deleted=True)
        if contact is not None:
            if deleted:
                self.world.contacts.soft_delete(contact)
            else:
                self.world.contacts.restore(contact)
        self.model.set_deleted(contact_id, deleted)

    @invariant()
    def same_contacts(self) -> None:
        actual = sorted(
            (c.id, c.external_customer_id, c.phones, c.emails, {a: list(t) for a, t in c.tokens.items() if t}, c.deleted)
            for c in self.world.contacts
        )
        assert actual == self.model.view()
        assert self.world.contacts.next_id == self.model.next_id

    @invariant()
    def indexes_agree_with_a_full_scan(self) -> None:
        book = self.world.contacts
        assert book.index_snapshot() == scan_index(book)
        for app in APPS:
            scanned = {t for c in book if not c.deleted for t in c.tokens.get(app, ())}
            assert book.subscribers(app) == len(scanned) == self.model.subscribers(app)


TestTokensModel = TokensMachine.TestCase
TestTokensModel.pytestmark = [pytest.mark.slow]
TestTokensModel.settings = settings(
    max_examples=500,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
