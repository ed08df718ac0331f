"""Generated audiences: patterns, determinism, ids, tokens, deletion, refusals."""

from __future__ import annotations

import pytest

from mockserver.domain.contacts.generate import pattern_problem
from mockserver.domain.world import World
from mockserver.scenario import ScenarioError, normalize_scenario

BOT = {"app_uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "token": "1:" + "a" * 35, "username": "shop_bot"}


def world(**generate) -> World:
    return World(normalize_scenario({"bots": [BOT], "contacts": [{"id": 10}], "generate": generate}))


def test_patterns_ids_tokens_and_deletion():
    w = world(count=5, email="u{n}@x.io", phone="+38050{n:07d}", tokens={"shop_bot": ["{n}", "9{n}"]}, deleted_every=2)
    contacts = sorted(w.contacts, key=lambda c: c.id)
    assert [c.id for c in contacts] == [10, 11, 12, 13, 14, 15]
    first = contacts[1]
    assert first.emails == ["u1@x.io"] and first.phones == ["+380500000001"]
    assert first.tokens == {BOT["app_uuid"]: ["1", "91"]}
    assert [c.deleted for c in contacts[1:]] == [False, True, False, True, False]
    assert [bool(c.tokens) for c in contacts[1:]] == [True, False, True, False, True]  # deleted cards hold no tokens
    assert w.contacts.subscribers(BOT["app_uuid"]) == 6


def test_same_seed_same_names_other_seed_other_names():
    def names(seed):
        return [(c.first_name, c.last_name) for c in world(count=30, seed=seed, firstName="{first_name}", lastName="{last_name}").contacts][1:]

    assert names(1) == names(1) and names(1) != names(2)


def test_list_of_blocks_with_id_base():
    w = World(normalize_scenario({"generate": [{"count": 2}, {"count": 2, "id_base": 100}]}))
    assert sorted(c.id for c in w.contacts) == [1, 2, 100, 101]


@pytest.mark.parametrize(
    "pattern, problem",
    [("{n}", None), ("{n:07d}", None), ("{x}", "unknown placeholder"), ("{n.__class__}", "unknown placeholder"), ("{n!r}", "format spec"), ("{n", "malformed"), ("{n:q}", "malformed")],
)
def test_pattern_problems(pattern, problem):
    found = pattern_problem(pattern)
    assert (found is None) if problem is None else (problem in found)


def test_count_must_be_positive():
    with pytest.raises(ScenarioError, match="generate.count: 0 is less than the minimum of 1"):
        normalize_scenario({"generate": {"count": 0}})
