"""One pytest id per fuzzed operation.

schemathesis 4 names each item ``test_operation[POST /api/...]`` but builds it with the plain
function name as ``originalname`` and no callspec, and pytest 9 derives the node id from those
two: every operation came out as ``test_contract.py::test_operation``. Then ``--durations``,
``--lf``, ``-k`` by id, and pytest-xdist (which schedules and reports by node id) could not
tell the 65 operations apart. Here each gets its label as the id's parameter.
"""

from __future__ import annotations

import pytest
from schemathesis.pytest.plugin import SchemathesisFunction


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if not isinstance(item, SchemathesisFunction) or "[" not in item.name:
            continue
        base, _, label = item.name.partition("[")
        if item.nodeid == f"{item.parent.nodeid}::{base}":
            item._id = item.parent.id.child(base).with_params(label[:-1])
