"""Scenario files: YAML (safe loading only) turned into the normalized dict a World is built from."""

from .loader import ScenarioError, load_scenario, normalize_scenario

__all__ = ["ScenarioError", "load_scenario", "normalize_scenario"]
