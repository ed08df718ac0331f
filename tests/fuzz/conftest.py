"""One pytest id per fuzzed operation, and no fuzzing set-up in the quick loop.

schemathesis 4 names each item ``test_operation[POST /api/...]`` but builds it with the plain
function name as ``originalname`` and no callspec, and pytest 9 derives the node id from those
two: every operation came out as ``test_contract.py::test_operation``. Then ``--durations``,
``--lf``, ``-k`` by id, and pytest-xdist (which schedules and reports by node id) could not
tell the 65 operations apart. Here each gets its label as the id's parameter.

``MOCKSERVER_FUZZ_ORDER=reverse`` or ``=shuffle:SEED`` runs this folder's items in another order
(the rest of the session keeps its place), to show that no item depends on what ran before it:
README ("Install and run the tests") and ``test_determinism.py``.

Each operation's hypothesis test (its coverage-phase cases included) is built when the item
runs instead of when it is collected (``build_when_run``): collecting test_contract.py took
33 s, on every xdist worker, before the first test started; built lazily it takes 6 s, and
the building is shared out with the items.
"""

from __future__ import annotations

import inspect
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _pytest.mark.expression import Expression
from schemathesis.pytest import _test_builder
from schemathesis.pytest.plugin import SchemathesisFunction

# Every item of this module is marked slow, and collecting it builds every coverage-phase case
# of every operation (tens of seconds): under -m "not slow" it is not collected at all.
ALL_SLOW = "test_contract.py"
ORDER = "MOCKSERVER_FUZZ_ORDER"
HERE = Path(__file__).parent


def build_when_run(build: Callable[..., Callable]) -> Callable[..., Callable]:
    """Wrap schemathesis's per-operation test builder so that it builds on the first call.

    The stand-in takes the arguments the built test would (the test function's own, less those
    schemathesis gives), so pytest sees the same fixtures. After each call it carries the built
    test's attributes (schemathesis's marks, hypothesis's handle), which the plugin reads from
    the item's function once the call has failed or passed.
    """

    def build_later(**kwargs: Any) -> Callable:
        built: list[Callable] = []

        def run(*args: Any, **fixtures: Any) -> Any:
            if not built:
                built.append(build(**kwargs))
            try:
                return built[0](*args, **fixtures)
            finally:
                vars(run).update(vars(built[0]))

        given = set(kwargs["given_kwargs"]) | {"case"}
        signature = inspect.signature(kwargs["test_func"])
        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[p for name, p in signature.parameters.items() if name not in given]
        )
        run.__name__ = kwargs["test_func"].__name__
        return run

    return build_later


# schemathesis's collector looks the builder up in this module each time it collects.
_test_builder.build_operation_test = build_when_run(_test_builder.build_operation_test)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    markexpr = config.getoption("markexpr", "")
    if collection_path.name == ALL_SLOW and markexpr:
        if not Expression.compile(markexpr).evaluate(lambda name, **kwargs: name == "slow"):
            return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not isinstance(item, SchemathesisFunction) or "[" not in item.name:
            continue
        base, _, label = item.name.partition("[")
        if item.nodeid == f"{item.parent.nodeid}::{base}":
            item._id = item.parent.id.child(base).with_params(label[:-1])
    order = os.environ.get(ORDER, "")
    if order:
        reorder(items, order)


def reorder(items: list[pytest.Item], order: str) -> None:
    """Put this folder's items in ``order`` ("reverse" or "shuffle:SEED") in the places they held."""
    places = [index for index, item in enumerate(items) if HERE in item.path.parents]
    mine = [items[index] for index in places]
    if order == "reverse":
        mine.reverse()
    elif order.startswith("shuffle:") and order[len("shuffle:") :].isdigit():
        random.Random(int(order[len("shuffle:") :])).shuffle(mine)
    else:
        raise pytest.UsageError(f"{ORDER} is {order!r}: expected reverse or shuffle:SEED (a number)")
    for index, item in zip(places, mine, strict=True):
        items[index] = item
