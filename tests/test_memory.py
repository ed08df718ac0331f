"""The collector policy of mockserver.memory, and the claim it rests on: the world leaves no cyclic garbage."""

from __future__ import annotations

import gc

import orjson

from mockserver import memory
from mockserver.domain.world import World
from mockserver.responses import dumps
from mockserver.scenario import normalize_scenario
from tests.conftest import APP_UUID

BOT = {"app_uuid": APP_UUID, "token": "123456789:" + "A" * 35, "username": "shop_bot"}


def world(count: int = 300) -> World:
    return World(normalize_scenario({"bots": [BOT], "generate": {"count": count, "email": "u{n}@x.io", "tokens": {"shop_bot": ["{n}"]}}}))


def cyclic_garbage(action) -> list[str]:
    """The types of the objects that ``action`` leaves in reference cycles, unreachable."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        action()
        gc.collect()
        return sorted({type(o).__name__ for o in gc.garbage})
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def test_a_reset_a_restore_and_a_broadcast_leave_no_cyclic_garbage():
    w = world()
    document = dumps(w.snapshot())
    message = w.messages.create({"name": "Sale", "text": "see https://shop.example/sale"})
    assert cyclic_garbage(w.reset) == []
    assert cyclic_garbage(lambda: w.restore(orjson.loads(document))) == []
    assert cyclic_garbage(lambda: w.deliveries.broadcast(message, APP_UUID, w.clock.now(), "http://m", set(), set())) == []
    assert cyclic_garbage(lambda: w.restore(orjson.loads(document))) == []


def test_quiet_pauses_the_collector_for_overlapping_callers_and_restores_it():
    assert gc.isenabled()
    first, second = memory.quiet(memory.LARGE), memory.quiet(memory.LARGE)
    first.__enter__()
    second.__enter__()
    assert not gc.isenabled()
    first.__exit__(None, None, None)  # the first to start ends first: the other is still under way
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.unfreeze()


def test_small_worlds_are_left_to_the_collector():
    with memory.quiet(memory.LARGE - 1):
        assert gc.isenabled()
    frozen = gc.get_freeze_count()
    memory.settle(memory.LARGE - 1)
    assert gc.get_freeze_count() == frozen


def test_settle_freezes_what_is_alive():
    try:
        memory.settle(memory.LARGE)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_broadcast_in_slices_sends_what_one_call_sends():
    one, sliced = world(), world()
    for w in (one, sliced):
        w.messages.create({"name": "Sale", "text": "see https://shop.example/sale"})
    message_one, message_sliced = next(iter(one.messages)), next(iter(sliced.messages))
    send_id, sent = one.deliveries.broadcast(message_one, APP_UUID, 0.0, "http://m", set(), set())
    run = sliced.deliveries.start_broadcast(message_sliced, APP_UUID, 0.0, "http://m", set(), set())
    slices = []
    while not run.done:
        slices.append(run.step(7))
    assert run.send_id == send_id and all(len(s) <= 7 for s in slices) and len(slices) > 40
    assert [d.as_dict() for s in slices for d in s] == [d.as_dict() for d in sent]
    assert dumps(one.snapshot()) == dumps(sliced.snapshot())
