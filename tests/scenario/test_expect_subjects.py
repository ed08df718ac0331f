"""The expect subjects are declared once (scenario.schema.EXPECT_SUBJECTS); the schema, the loader
and the checker all follow that declaration, so a new subject is one entry plus its checker."""

from __future__ import annotations

import pytest

from mockserver.expect import CHECKS
from mockserver.scenario import ScenarioError, normalize_scenario
from mockserver.scenario.schema import EXPECT_ITEM, EXPECT_SUBJECTS


def test_every_subject_has_a_checker_and_nothing_else_does():
    assert CHECKS.keys() == EXPECT_SUBJECTS.keys()


def test_the_schema_takes_every_subject_and_detail_and_no_other_key():
    declared = set(EXPECT_SUBJECTS) | {key for s in EXPECT_SUBJECTS.values() for key in s.details}
    assert set(EXPECT_ITEM["properties"]) == declared
    for name, subject in EXPECT_SUBJECTS.items():
        assert subject.shape(name) in EXPECT_ITEM["description"]


def scenario_with(expect: list) -> dict:
    return normalize_scenario({"account": {"api_keys": ["k"]}, "bots": [], "expect": expect})


@pytest.mark.parametrize("subject", [s for s in EXPECT_SUBJECTS if EXPECT_SUBJECTS[s].required])
def test_the_loader_asks_for_the_required_details(subject):
    value = {"requests": {}, "events": {}, "orders": {}}[subject]
    with pytest.raises(ScenarioError) as caught:
        scenario_with([{subject: value}])
    for key in EXPECT_SUBJECTS[subject].required:
        assert f"a {subject} expectation needs a {key}" in str(caught.value)


def test_the_loader_refuses_a_detail_of_another_subject():
    with pytest.raises(ScenarioError) as caught:
        scenario_with([{"contact_count": 1, "messages": 2}])
    assert "'messages' does not apply to contact_count expectations (allowed: nothing else)" in str(caught.value)
