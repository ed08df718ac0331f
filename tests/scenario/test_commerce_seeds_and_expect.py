"""A scenario seeds events and orders (checked by the API's own rules), and its expect counts them."""

from __future__ import annotations

import pytest

from mockserver.domain.world import World
from mockserver.expect import verify
from mockserver.journal import Journal
from mockserver.scenario import ScenarioError, normalize_scenario
from mockserver.scenario.loader import expectation_problems

ORDER = {"externalOrderId": "O-1", "totalCost": 5, "status": "DELIVERED", "date": "2024-01-01T10:00:00Z", "currency": "UAH", "externalCustomerId": "C-1"}
BASE = {
    "account": {"api_keys": ["k"]},
    "contacts": [{"id": 1001, "email": "t@example.com", "externalCustomerId": "C-1"}],
    "events": [
        {"eventTypeKey": "visit", "keyValue": "t@example.com", "occurred": "2023-03-22T14:30"},
        {"eventTypeKey": "visit", "keyValue": "stranger", "params": [{"name": "page", "value": {"path": "/"}}]},
        {"eventTypeKey": "cart", "keyValue": "C-1"},
    ],
    "orders": [ORDER, {**ORDER, "externalOrderId": "O-2", "status": "CANCELLED", "externalCustomerId": "C-9"}],
}


def world_with(**extra) -> World:
    return World(normalize_scenario({**BASE, **extra}))


def test_seeded_events_and_orders_are_kept_as_the_api_would_keep_them():
    world = world_with()
    kept = list(world.events)
    assert [(e.event_type_key, e.contact_id, e.past, e.version) for e in kept] == [
        ("visit", 1001, True, 2), ("visit", None, True, 2), ("cart", 1001, True, 2)
    ]
    assert kept[0].occurred == 1679495400.0  # 2023-03-22T14:30 UTC
    assert [(o.external_order_id, o.contact_id) for o in world.orders] == [("O-1", 1001), ("O-2", None)]
    world.events.clear()
    world.reset()
    assert len(world.events) == 3  # a reset brings the seeds back


@pytest.mark.parametrize(
    "expect, reasons",
    [
        ({"events": {"eventTypeKey": "visit"}, "count": 2}, []),
        ({"events": {}, "count": {"min": 3, "max": 3}}, []),
        ({"events": {"contactId": 1001, "past": True}, "count": 2}, []),
        ({"events": {"keyValue": "stranger"}, "count": 0}, ["1 kept events match {'keyValue': 'stranger'}, expected 0"]),
        ({"events": {"past": False}, "count": {"min": 1}}, ["0 kept events match {'past': False}, expected between 1 and any number"]),
        ({"orders": {"status": "DELIVERED"}, "count": 1}, []),
        ({"orders": {"contactId": 1001}, "count": 1}, []),
        ({"orders": {"externalCustomerId": "C-9", "externalOrderId": "O-2"}, "count": 1}, []),
        ({"orders": {}, "count": {"max": 1}}, ["2 kept orders match {}, expected between 0 and 1"]),
    ],
)
def test_expect_counts_events_and_orders(expect, reasons):
    result = verify(world_with(), Journal(10), [expect])
    assert result["passed"] is (reasons == [])
    assert [r for f in result["failures"] for r in f["reasons"]] == reasons


def test_expectations_are_checked_when_loaded():
    assert expectation_problems([{"events": {"eventTypeKey": "x"}}], {}) == ["expect[0]: a events expectation needs a count"]
    problems = expectation_problems([{"orders": {"status": "LOST"}, "count": 1}], {})
    assert problems and problems[0].startswith("expect[0].orders.status")
    problems = expectation_problems([{"events": {"topic": "x"}, "count": 1}], {})
    assert problems and "topic" in problems[0]


@pytest.mark.parametrize(
    "extra, reason",
    [
        ({"events": [{"eventTypeKey": "a"}]}, "events[0]: keyValue is required"),
        ({"events": [{"eventTypeKey": "a", "keyValue": "k", "occurred": "soon"}]}, "events[0]: occurred must be a date-time"),
        ({"orders": [{**ORDER, "currency": 5}]}, "orders[0]: currency must be a string"),
        ({"events": BASE["events"], "limits": {"events": 2}}, "events: 3 events is more than limits.events (2)"),
        ({"balance": {"currentBalance": "lots"}}, "balance.currentBalance"),
        ({"address_books": [{"addressBookId": "one"}]}, "address_books[0].addressBookId"),
        # The same bounds as PUT /_mock/state, so that a scenario's balance and books always restore.
        ({"balance": {"bonusEmails": -1}}, "balance.bonusEmails"),
        ({"address_books": [{}] * 1001}, "address_books"),
    ],
)
def test_bad_seeds_are_refused_with_their_place(extra, reason):
    with pytest.raises(ScenarioError) as caught:
        normalize_scenario({**BASE, **extra})
    assert reason in str(caught.value)
