"""Scenario files: YAML (safe loading only) checked against a JSON Schema and turned into the World's input."""

from .loader import (
    ScenarioError,
    check_problems,
    load_scenario,
    normalize_scenario,
    parse_json_scenario,
    parse_scenario,
)
from .schema import SCENARIO_SCHEMA
from .shipped import find_scenario, shipped_names

__all__ = [
    "SCENARIO_SCHEMA",
    "ScenarioError",
    "check_problems",
    "find_scenario",
    "load_scenario",
    "normalize_scenario",
    "parse_json_scenario",
    "parse_scenario",
    "shipped_names",
]
