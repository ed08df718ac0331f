"""SPEC §4's resolution and matching rules, one test per rule, on the pure domain (no HTTP)."""

from __future__ import annotations

import pytest

from mockserver.domain.contacts.book import Contact, ContactBook
from mockserver.domain.contacts.tokens import TokenItem, register_tokens
from mockserver.domain.errors import InvalidInput
from mockserver.domain.world import World
from mockserver.scenario import normalize_scenario

APP = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
OTHER_APP = "9b2c1e7a-0000-4000-8000-000000000002"
BOTS = [
    {"app_uuid": APP, "token": "123456789:" + "A" * 35, "username": "shop_bot"},
    {"app_uuid": OTHER_APP, "token": "987654321:" + "B" * 35, "username": "news_bot"},
]


def make_world(*contacts: dict, **extra) -> World:
    return World(normalize_scenario({"account": {"api_keys": ["k"]}, "bots": BOTS, "contacts": list(contacts), **extra}))


def send(world: World, *items: dict, app: str = APP) -> list[tuple[str, int]]:
    """Register a batch and return each item's (outcome, contact id)."""
    return [(o.outcome, o.contact_id) for o in world.register_tokens(app, {"tokens": list(items)})]


def view(world: World) -> list[dict]:
    """Every contact's identity as the rules see it: id, identifiers, tokens, deletion."""
    return [
        {
            "id": c.id,
            "externalCustomerId": c.external_customer_id,
            "emails": c.emails,
            "phones": c.phones,
            "tokens": {app: list(t) for app, t in c.tokens.items()},
            "deleted": c.deleted,
        }
        for c in world.contacts
    ]


def contact(world: World, contact_id: int) -> Contact:
    found = world.contacts.get(contact_id, include_deleted=True)
    assert found is not None
    return found


TARAS = {"id": 10, "email": "taras@example.com", "phone": "+380501112233", "externalCustomerId": "C-1"}
OLENA = {"id": 20, "email": "olena@example.com", "externalCustomerId": "C-2"}
IVAN = {"id": 30, "phone": "+380671234567"}


# -- 1. the key: contactId -> externalCustomerId -> phone -> email ----------------------------------


def test_key_contact_id_comes_first():
    w = make_world(TARAS, OLENA, IVAN)
    item = {"token": "t", "contactId": 30, "externalCustomerId": "C-1", "phone": "+380501112233", "email": "olena@example.com"}
    assert send(w, item) == [("added", 30)]


def test_key_external_id_comes_before_phone_and_email():
    w = make_world(TARAS, OLENA, IVAN)
    item = {"token": "t", "externalCustomerId": "C-2", "phone": "+380671234567", "email": "taras@example.com"}
    assert send(w, item) == [("added", 20)]


def test_key_phone_comes_before_email():
    w = make_world(TARAS, OLENA, IVAN)
    assert send(w, {"token": "t", "phone": "+380671234567", "email": "olena@example.com"}) == [("added", 30)]


def test_key_email_when_alone():
    w = make_world(TARAS, OLENA, IVAN)
    assert send(w, {"token": "t", "email": "olena@example.com"}) == [("added", 20)]


def test_key_present_but_unmatched_is_not_replaced_by_a_later_identifier():
    """The key is the first identifier *present*, not the first one that matches."""
    w = make_world(TARAS)
    [(outcome, new_id)] = send(w, {"token": "t", "externalCustomerId": "C-9", "email": "taras@example.com"})
    assert outcome == "created" and new_id != 10
    assert contact(w, 10).tokens == {}


# -- 2. the key matches: every other identifier is ignored -----------------------------------------


def test_key_match_does_not_fill_missing_identifiers():
    w = make_world(IVAN)
    before = view(w)
    assert send(w, {"token": "t", "contactId": 30, "externalCustomerId": "C-7", "email": "ivan@example.com"}) == [("added", 30)]
    after = view(w)
    assert after[0] == {**before[0], "tokens": {APP: ["t"]}}
    assert len(after) == 1


def test_key_match_does_not_overwrite_different_identifiers():
    w = make_world(TARAS)
    send(w, {"token": "t", "externalCustomerId": "C-1", "phone": "+380999999999", "email": "other@example.com"})
    c = contact(w, 10)
    assert (c.external_customer_id, c.phones, c.emails) == ("C-1", ["+380501112233"], ["taras@example.com"])
    assert len(w.contacts) == 1


def test_key_match_does_not_touch_the_contact_holding_another_identifier():
    w = make_world(TARAS, OLENA)
    olena_before = view(w)[1]
    send(w, {"token": "t", "phone": "+380501112233", "email": "olena@example.com"})
    assert view(w)[1] == olena_before
    assert contact(w, 10).tokens == {APP: ["t"]}


# -- 3. the key matches nothing: a new contact with the identifiers nobody holds ---------------------


def test_unmatched_key_with_nothing_known_copies_every_identifier_but_contact_id():
    w = make_world(TARAS)
    item = {"token": "t", "contactId": 999, "externalCustomerId": "C-5", "phone": "+38 (050) 000-00-01", "email": " New@Example.com "}
    [(outcome, new_id)] = send(w, item)
    assert outcome == "created" and new_id == 11 and w.contacts.get(999) is None
    c = contact(w, new_id)
    assert c.external_customer_id == "C-5"
    assert c.phones == ["+38 (050) 000-00-01"]
    assert c.emails == ["New@Example.com"]
    assert c.tokens == {APP: ["t"]}


def test_unmatched_key_leaves_out_identifiers_held_by_other_contacts():
    w = make_world(TARAS, OLENA)
    before = view(w)
    [(outcome, new_id)] = send(w, {"token": "t", "externalCustomerId": "C-new", "phone": "380501112233", "email": "OLENA@example.com"})
    assert outcome == "created"
    c = contact(w, new_id)
    assert (c.external_customer_id, c.phones, c.emails) == ("C-new", [], [])
    assert view(w)[:2] == before  # neither copied nor moved


def test_unmatched_contact_id_leaves_out_a_held_external_id_too():
    w = make_world(OLENA)
    [(outcome, new_id)] = send(w, {"token": "t", "contactId": 5, "externalCustomerId": "C-2", "email": "fresh@example.com"})
    assert outcome == "created"
    c = contact(w, new_id)
    assert (c.external_customer_id, c.emails) == (None, ["fresh@example.com"])
    assert contact(w, 20).tokens == {}


def test_identifiers_of_soft_deleted_contacts_count_as_not_held():
    w = make_world({**OLENA, "deleted": True})
    [(outcome, new_id)] = send(w, {"token": "t", "externalCustomerId": "C-2", "email": "olena@example.com"})
    assert outcome == "created" and new_id == 21
    assert contact(w, new_id).external_customer_id == "C-2"
    assert contact(w, 20).tokens == {}


def test_contact_id_of_a_soft_deleted_contact_matches_nothing():
    w = make_world({**OLENA, "deleted": True})
    assert send(w, {"token": "t", "contactId": 20}) == [("created", 21)]


# -- order inside one batch --------------------------------------------------------------------------


def test_a_contact_created_by_item_one_is_found_by_item_two():
    w = make_world()
    outcomes = send(
        w,
        {"token": "a", "email": "same@example.com"},
        {"token": "b", "email": " SAME@example.com"},
        {"token": "a", "email": "same@example.com"},
    )
    assert outcomes == [("created", 1), ("added", 1), ("present", 1)]
    assert len(w.contacts) == 1 and contact(w, 1).tokens == {APP: ["a", "b"]}


def test_identifiers_taken_by_item_one_are_not_copied_by_item_two():
    w = make_world()
    outcomes = send(w, {"token": "a", "phone": "+380501112233"}, {"token": "b", "externalCustomerId": "E", "phone": "380501112233"})
    assert outcomes == [("created", 1), ("created", 2)]
    assert contact(w, 2).phones == [] and contact(w, 2).external_customer_id == "E"


# -- 4. tokens are only added -----------------------------------------------------------------------


def test_two_requests_same_email_different_tokens_keep_both():
    w = make_world(OLENA)
    send(w, {"token": "1", "email": "olena@example.com"})
    send(w, {"token": "2", "email": "olena@example.com"})
    assert contact(w, 20).tokens == {APP: ["1", "2"]}


def test_tokens_of_different_apps_are_kept_apart():
    w = make_world(OLENA)
    send(w, {"token": "1", "email": "olena@example.com"})
    send(w, {"token": "1", "email": "olena@example.com"}, app=OTHER_APP)
    assert contact(w, 20).tokens == {APP: ["1"], OTHER_APP: ["1"]}


def test_duplicate_token_for_the_same_contact_and_app_changes_nothing():
    w = make_world(OLENA)
    send(w, {"token": "1", "email": "olena@example.com"})
    before, stamp, next_id = view(w), contact(w, 20).stamp, w.contacts.next_id
    assert send(w, {"token": "1", "contactId": 20}) == [("present", 20)]
    assert (view(w), contact(w, 20).stamp, w.contacts.next_id) == (before, stamp, next_id)


# -- matching ------------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["olena@example.com", "OLENA@Example.COM", "  Olena@example.com\t", "\nolena@EXAMPLE.com "])
def test_email_matches_case_insensitively_after_trimming(email):
    w = make_world(OLENA)
    assert send(w, {"token": "t", "email": email}) == [("added", 20)]


def test_email_does_not_match_inner_differences():
    w = make_world(OLENA)
    assert send(w, {"token": "t", "email": "olena @example.com"})[0][0] == "created"


@pytest.mark.parametrize("phone", ["380501112233", "+38 (050) 111-22-33", "+380501112233", " 38-050-111-2233 "])
def test_phone_matches_on_digits_alone(phone):
    w = make_world(TARAS)
    assert send(w, {"token": "t", "phone": phone}) == [("added", 10)]


def test_phone_in_spec_example_matches_its_digits():
    w = make_world({"id": 7, "phone": "380501234567"})
    assert send(w, {"token": "t", "phone": "+38 (050) 123-45-67"}) == [("added", 7)]


def test_phone_with_other_digits_does_not_match():
    w = make_world(TARAS)
    assert send(w, {"token": "t", "phone": "0501112233"})[0][0] == "created"


@pytest.mark.parametrize("external_id", ["c-1", " C-1", "C-1 ", "C1"])
def test_external_customer_id_matches_exactly(external_id):
    w = make_world(TARAS)
    [(outcome, new_id)] = send(w, {"token": "t", "externalCustomerId": external_id})
    assert outcome == "created" and contact(w, new_id).external_customer_id == external_id


def test_external_customer_id_exact_value_matches():
    w = make_world(TARAS)
    assert send(w, {"token": "t", "externalCustomerId": "C-1"}) == [("added", 10)]


# -- duplicate identifiers: most recently updated, then highest id -----------------------------------


def test_duplicate_identifier_resolves_to_the_most_recently_updated_contact():
    w = make_world({"id": 50, "email": "dup@example.com"}, {"id": 40, "email": "DUP@example.com"})
    # Seeded in this order, 40 was updated last although its id is lower.
    assert send(w, {"token": "a", "email": "dup@example.com"}) == [("added", 40)]
    # A token added to 50 makes it the most recent one.
    assert send(w, {"token": "b", "contactId": 50}) == [("added", 50)]
    assert send(w, {"token": "c", "email": "dup@example.com"}) == [("added", 50)]


def test_a_present_token_does_not_count_as_an_update():
    w = make_world({"id": 50, "phone": "111", "tokens": {"shop_bot": ["x"]}}, {"id": 40, "phone": "111"})
    assert send(w, {"token": "x", "contactId": 50}) == [("present", 50)]
    assert send(w, {"token": "y", "phone": "1-1-1"}) == [("added", 40)]


@pytest.mark.parametrize("order", [(5, 9), (9, 5)])
def test_duplicate_identifier_tie_goes_to_the_highest_id(order):
    book = ContactBook()
    for contact_id in order:
        book.add(Contact(id=contact_id, external_customer_id="E", stamp=7))
    [outcome] = register_tokens(book, APP, [TokenItem("t", externalCustomerId="E")])
    assert (outcome.outcome, outcome.contact_id) == ("added", 9)


def test_duplicate_identifier_ignores_soft_deleted_contacts():
    w = make_world({"id": 1, "email": "d@example.com"}, {"id": 2, "email": "d@example.com", "deleted": True})
    assert send(w, {"token": "t", "email": "d@example.com"}) == [("added", 1)]


# -- subscribers ----------------------------------------------------------------------------------


def test_subscribers_count_distinct_tokens_of_the_app():
    w = make_world(TARAS, OLENA)
    send(w, {"token": "1", "contactId": 10}, {"token": "2", "contactId": 10}, {"token": "1", "contactId": 20})
    send(w, {"token": "3", "contactId": 20}, app=OTHER_APP)
    assert w.contacts.subscribers(APP) == 2  # "1" on two contacts counts once
    assert w.contacts.subscribers(OTHER_APP) == 1


def test_subscribers_leave_out_soft_deleted_contacts():
    w = make_world(TARAS, {**OLENA, "tokens": {"shop_bot": ["9"]}}, {"id": 99, "deleted": True, "tokens": {"shop_bot": ["8"]}})
    send(w, {"token": "1", "contactId": 10})
    assert w.contacts.subscribers(APP) == 2
    olena = contact(w, 20)
    w.contacts.soft_delete(olena)
    assert w.contacts.subscribers(APP) == 1
    # A deleted card holds no tokens (issue 3), so a restored contact does not count again.
    w.contacts.restore(olena)
    assert w.contacts.subscribers(APP) == 1


def test_subscribers_keep_a_token_held_by_another_live_contact():
    w = make_world(TARAS, OLENA)
    send(w, {"token": "1", "contactId": 10}, {"token": "1", "contactId": 20})
    w.contacts.soft_delete(contact(w, 20))
    assert w.contacts.subscribers(APP) == 1


# -- deterministic ids -------------------------------------------------------------------------------


def test_seeded_ids_are_kept_and_new_ids_continue_after_the_highest():
    w = make_world({"id": 1003, "email": "a@x.y"}, {"id": 1001, "email": "b@x.y"})
    assert [c.id for c in w.contacts] == [1003, 1001]
    assert send(w, {"token": "t", "email": "n1@x.y"}, {"token": "t", "email": "n2@x.y"}) == [("created", 1004), ("created", 1005)]


def test_new_ids_continue_after_a_soft_deleted_seed():
    w = make_world({"id": 77, "email": "gone@x.y", "deleted": True})
    assert send(w, {"token": "t", "email": "n@x.y"}) == [("created", 78)]


def test_contact_id_base_sets_the_first_id():
    w = make_world(contact_id_base=5000)
    assert send(w, {"token": "t", "email": "n@x.y"}) == [("created", 5000)]


def test_contact_id_base_numbers_seeds_without_ids():
    w = make_world({"email": "a@x.y"}, {"email": "b@x.y"}, contact_id_base=200)
    assert [c.id for c in w.contacts] == [200, 201]
    assert send(w, {"token": "t", "email": "n@x.y"}) == [("created", 202)]


def test_ids_are_the_same_after_reset():
    w = make_world(TARAS, contact_id_base=5)
    first = send(w, {"token": "t", "email": "n@x.y"})
    w.reset()
    assert send(w, {"token": "t", "email": "n@x.y"}) == first == [("created", 11)]


# -- unknown_contact_id: reject -----------------------------------------------------------------------


def test_reject_refuses_the_whole_batch_and_rolls_back_exactly():
    w = make_world(TARAS, OLENA, assumptions={"unknown_contact_id": "reject"})
    send(w, {"token": "old", "contactId": 20})
    before = view(w)
    stamps = {c.id: c.stamp for c in w.contacts}
    next_id = w.contacts.next_id
    items = [
        {"token": "a", "email": "fresh@example.com"},  # creates 21
        {"token": "b", "contactId": 21},  # adds to the new contact
        {"token": "c", "contactId": 10},  # adds to Taras
        {"token": "old", "contactId": 20},  # present
        {"token": "d", "contactId": 12345},  # refused
    ]
    with pytest.raises(InvalidInput, match=r"tokens\[4\]\.contactId: contact 12345 not found"):
        send(w, *items)
    assert view(w) == before
    assert {c.id: c.stamp for c in w.contacts} == stamps
    assert w.contacts.next_id == next_id
    assert w.contacts.subscribers(APP) == 1
    assert w.contacts.find("email", "fresh@example.com") is None
    # The stamps are back, so the same batch without the bad item gives the same ids as before.
    assert send(w, *items[:4]) == [("created", 21), ("added", 21), ("added", 10), ("present", 20)]


def test_reject_restores_which_duplicate_wins():
    w = make_world({"id": 1, "email": "d@x.y"}, {"id": 2, "email": "d@x.y"}, assumptions={"unknown_contact_id": "reject"})
    with pytest.raises(InvalidInput):
        send(w, {"token": "t", "contactId": 1}, {"token": "u", "contactId": 3})
    assert send(w, {"token": "v", "email": "d@x.y"}) == [("added", 2)]


def test_reject_accepts_known_contact_ids():
    w = make_world(TARAS, assumptions={"unknown_contact_id": "reject"})
    assert send(w, {"token": "t", "contactId": 10}) == [("added", 10)]


def test_create_is_the_default_for_unknown_contact_ids():
    w = make_world(TARAS)
    assert send(w, {"token": "t", "contactId": 12345}) == [("created", 11)]


# -- validation comes before any change -------------------------------------------------------------


def test_an_invalid_item_after_valid_ones_changes_nothing():
    w = make_world(TARAS)
    before, next_id = view(w), w.contacts.next_id
    with pytest.raises(InvalidInput, match=r"tokens\[1\]"):
        send(w, {"token": "t", "email": "n@x.y"}, {"token": "u", "contactId": "10"})
    assert (view(w), w.contacts.next_id) == (before, next_id)
