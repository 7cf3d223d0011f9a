"""Synthetic scenarios: a seeded daily-level simulator with labelled events (simulate.py), and
raw-export rendering for a few hundred institutions (meetings.py, exports.py, generate.py)."""

from monitor.scenario.simulate import Scenario, ScenarioConfig, simulate

__all__ = ["Scenario", "ScenarioConfig", "simulate"]
