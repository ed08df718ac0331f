"""The contract's patterns mean one thing whoever reads them.

openapi.yaml's patterns are ECMA regex by the OpenAPI standard, but schemathesis (through
jsonschema and hypothesis) reads them with Python's ``re``. ``\\S`` differs between the two: Python
counts \\x1c-\\x1f and \\x85 as spaces and \\ufeff as visible. Written as ``\\S``, the contract let the
fuzzer send a token of "\\x1c" as invalid data, which the emulator (ECMA's set) rightly took: the
intermittent ST201 of ``POST /api/v1/apps/{app_uuid}/tokens``.
"""

from __future__ import annotations

import re
import sys

from mockserver.domain.text import VISIBLE, is_blank
from mockserver.scenario.schema import TOKEN
from tests.conftest import contract

OPENAPI = contract()
# Class shorthands whose set depends on the regex dialect (Unicode in Python, partly ASCII in ECMA).
DIALECT_DEPENDENT = re.compile(r"\\[sSdDwWbB]")


def patterns(node: object):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from patterns(value)


def test_no_pattern_in_the_contract_uses_a_dialect_dependent_shorthand():
    found = sorted({p for p in patterns(OPENAPI) if DIALECT_DEPENDENT.search(p)})
    assert found == []


def test_visible_is_exactly_not_blank_for_every_code_point():
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    not_visible = re.sub(VISIBLE, "", every)  # one pass over all code points
    assert [hex(ord(c)) for c in not_visible if not is_blank(c)] == []
    assert len(not_visible) == sum(1 for c in every if is_blank(c))


def test_the_contract_and_the_scenario_schema_use_visible():
    token = OPENAPI["components"]["schemas"]["AppToken"]["properties"]["token"]
    assert token["pattern"] == VISIBLE
    assert TOKEN["pattern"] == VISIBLE
