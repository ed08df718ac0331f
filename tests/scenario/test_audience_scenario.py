"""A scenario's groups, subscription categories, unsubscribed emails and inactive tokens: checked with
file:line:column problems, normalized with ids, and the world built from them."""

from __future__ import annotations

import pytest

from mockserver import Emulator
from mockserver.scenario import ScenarioError, parse_scenario

BOT = 'bots: [{app_uuid: 3fa85f64-5717-4562-b3fc-2c963f66afa6, token: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1", username: shop_bot}]\n'


def test_groups_get_ids_and_types_declared_ones_first():
    scenario = parse_scenario(BOT + """
groups: [{name: VIP, id: 10}, {name: Smart, type: Dynamic}]
subscriptions: [{key: news, groupId: 10}, {key: promo, name: Promotions, id: 7}]
unsubscribed: [gone@example.com]
inactive_tokens: {shop_bot: [111]}
contacts:
  - {id: 1, email: a@example.com, groups: [VIP, Spring, {name: Old, id: 3}], subscriptions: [news], tokens: {shop_bot: ["111"]}}
""")
    assert scenario["groups"] == [
        {"id": 10, "name": "VIP", "type": "Static"}, {"id": 11, "name": "Smart", "type": "Dynamic"},
        {"id": 12, "name": "Spring", "type": "Static"}, {"id": 3, "name": "Old", "type": "Static"},
    ]
    assert scenario["subscriptions"] == [{"id": 8, "key": "news", "name": "news", "groupId": 10}, {"id": 7, "key": "promo", "name": "Promotions"}]
    assert scenario["inactive_tokens"] == {"3fa85f64-5717-4562-b3fc-2c963f66afa6": ["111"]}
    world = Emulator(scenario).world
    assert [g.id for g in world.groups] == [10, 11, 12, 3]
    assert [g["id"] for g in world.contacts.get(1).groups] == [10, 12, 3]
    assert world.subscriptions.by_contact == {1: ["news"]} and "GONE@example.com" in world.unsubscribed
    assert world.activation.is_active(world.contacts, "3fa85f64-5717-4562-b3fc-2c963f66afa6", "111") is False


def test_a_reset_brings_the_scenarios_audience_back():
    emulator = Emulator(parse_scenario(BOT + "groups: [{name: VIP}]\nsubscriptions: [{key: news}]\ncontacts: [{id: 1, email: a@example.com}]\n"))
    world = emulator.world
    world.groups.static("Extra")
    world.subscriptions.add(1, ["news"])
    world.unsubscribed.add(["a@example.com"])
    world.reset()
    assert [g.name for g in world.groups] == ["VIP"] and world.subscriptions.by_contact == {} and len(world.unsubscribed) == 0


@pytest.mark.parametrize(
    "text, problem",
    [
        ("groups: [{name: A, id: 1}, {name: B, id: 1}]\n", "groups[1].id: group id 1 is also group 'A'"),
        ("groups: [{name: A, id: 1}]\ncontacts: [{groups: [{name: A, id: 2}]}]\n", "contacts[0].groups[0].id: group 'A' has two ids: 1 and 2"),
        ("groups: [{name: A, type: Dynamic}]\ncontacts: [{groups: [{name: A, type: Static}]}]\n", "group 'A' has two types: Dynamic and Static"),
        ("groups: [{name: A, id: 0}]\n", "groups[0].id"),
        ("subscriptions: [{key: a}, {key: a}]\n", "subscriptions[1].key: duplicate subscription category key 'a'"),
        ("subscriptions: [{key: a, id: 1}, {key: b, id: 1}]\n", "subscriptions[1].id: duplicate subscription category id 1"),
        ("subscriptions: [{key: a, groupId: 5}]\n", "subscriptions[0].groupId: no group has the id 5"),
        ("contacts: [{subscriptions: [weekly]}]\n", "contacts[0].subscriptions[0]: unknown subscription category 'weekly'"),
        ("unsubscribed: [not-an-email]\n", "unsubscribed[0]: not an email address: 'not-an-email'"),
        ("inactive_tokens: {nobody_bot: ['1']}\n", "inactive_tokens.nobody_bot: unknown bot 'nobody_bot'"),
    ],
)
def test_audience_problems_are_reported_with_their_place(text, problem):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(BOT + text, source="s.yaml")
    assert any(problem in line and line.startswith("s.yaml:") for line in caught.value.lines), caught.value.lines
