"""Pure delivery pieces: placeholders, recipients, click chances, webhook backoff, per-token fan-out."""

from __future__ import annotations

import pytest

from mockserver.domain.sending.activity import Outbox, WebhookTarget, backoff
from mockserver.domain.sending.delivery import SKIP_CHUNK, ClickPolicy, RequestIds
from mockserver.domain.sending.parsing import Recipient
from mockserver.domain.sending.rendering import render_text
from mockserver.domain.world import World
from mockserver.scenario import normalize_scenario

BOT_A = {"app_uuid": "11111111-1111-4111-8111-111111111111", "token": "1:" + "a" * 35, "username": "bot_a"}
BOT_B = {"app_uuid": "22222222-2222-4222-8222-222222222222", "token": "2:" + "b" * 35, "username": "bot_b"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Hi $!data.get('name')!", "Hi Ann!"),
        ("Hi ${data.name} / $!{data.name} / $data.name", "Hi Ann / Ann / Ann"),
        ("Total $!data.get('sum')", "Total 12.5"),
        ("Quiet [$!data.get('none')] loud [$data.get('none')]", "Quiet [] loud [$data.get('none')]"),
    ],
)
def test_render_text(text, expected):
    assert render_text(text, {"name": "Ann", "sum": 12.5}) == expected


def test_seeded_click_chance_repeats():
    a, b = ClickPolicy("probability", 0.5, seed=7), ClickPolicy("probability", 0.5, seed=7)
    runs = ([a.decide() for _ in range(50)], [b.decide() for _ in range(50)])
    assert runs[0] == runs[1] and 0 < sum(runs[0]) < 50
    assert not any(ClickPolicy("never").decide() for _ in range(10))


@pytest.mark.parametrize("replayed", [0, 1, 5, SKIP_CHUNK, SKIP_CHUNK + 3])
def test_restored_streams_continue_where_the_drawn_ones_left_off(replayed):
    """A restore skips the replayed draws in bulk; the next draws must be those one-by-one drawing gives."""
    ids, clicks = RequestIds(seed=3), ClickPolicy("probability", 0.5, seed=3)
    for _ in range(replayed):
        ids.next()
        clicks.decide()
    restored_ids = RequestIds(seed=3, issued=replayed)
    restored_clicks = ClickPolicy("probability", 0.5, seed=3, draws=replayed)
    assert restored_ids.issued == replayed and restored_clicks.draws == replayed
    assert [restored_ids.next() for _ in range(20)] == [ids.next() for _ in range(20)]
    assert [restored_clicks.decide() for _ in range(40)] == [clicks.decide() for _ in range(40)]


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n) for n in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_outbox_holds_later_events_behind_a_failing_batch():
    box = Outbox(WebhookTarget("http://x"))
    box.add({"n": 1})
    assert box.due(0) == [{"n": 1}]
    box.failed(0)
    box.add({"n": 2})
    assert box.due(59) is None and box.due(60) == [{"n": 1}]
    box.succeeded()
    assert box.due(60) == [{"n": 2}]


def test_contact_with_tokens_in_two_bots_gets_one_delivery_per_token():
    world = World(normalize_scenario({
        "account": {"api_keys": ["k"]},
        "bots": [BOT_A, BOT_B],
        "contacts": [{"id": 5, "tokens": {"bot_a": ["1", "2"], "bot_b": ["1"]}}],
    }))
    message = world.messages.create({"name": "n", "text": "t"})
    results = world.deliveries.smartsend(message, [Recipient("contactId", 5, {})], 0.0, "http://m")
    pairs = [(d.app_uuid, d.chat_id) for _, d, _ in results]
    assert pairs == [(BOT_A["app_uuid"], "1"), (BOT_A["app_uuid"], "2"), (BOT_B["app_uuid"], "1")]
    assert len({d.request_id for _, d, _ in results}) == 3
    assert [m["from"]["username"] for m in world.telegram.chat("1").messages] == ["bot_a", "bot_b"]


def test_request_ids_are_deterministic_after_reset():
    spec = normalize_scenario({"account": {"api_keys": ["k"]}, "bots": [BOT_A], "contacts": [{"id": 5, "tokens": {"bot_a": ["1"]}}]})
    ids = []
    for _ in range(2):
        world = World(spec)
        message = world.messages.create({"name": "n", "text": "t"})
        [(_, delivery, _)] = world.deliveries.smartsend(message, [Recipient("locator", "1", {})], 0.0, "http://m")
        ids.append(delivery.request_id)
    assert ids[0] == ids[1]
