"""A small simulated scenario (60 institutions, September to November 2022) for the detection
command tests."""

from __future__ import annotations

import datetime as dt

import pytest

from monitor.scenario import ScenarioConfig, simulate

FIRST, LAST = dt.date(2022, 9, 1), dt.date(2022, 11, 30)


@pytest.fixture(scope="session")
def scenario():
    return simulate(ScenarioConfig(7, 60, FIRST, LAST))
