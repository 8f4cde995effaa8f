"""Scenario files: the schema, the distributions and the loader."""

from simulator.scenario.loader import load_scenario
from simulator.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario"]
