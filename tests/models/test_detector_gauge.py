"""DropDetector keeps levels and peer factors in one gauge: over years, schools' levels must
not creep up until their peers read as quiet and nobody is judged (which happened to about a
fifth of the school days by the second spring, and to most of them by the third)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from models.detector import DropDetector
from monitor.scenario import ScenarioConfig, simulate


def test_after_two_school_years_ordinary_spring_days_are_still_judged():
    scenario = simulate(ScenarioConfig(7, 600, dt.date(2022, 9, 1), dt.date(2024, 5, 10), "quiet"))
    model = DropDetector().fit(scenario.daily, scenario.directory)
    # Mid-April to early May: after the spring break window, before the summer one.
    spring = model.expected_frame(dt.date(2024, 4, 15)).filter(pl.col("date").dt.weekday() <= 5)
    counts = dict(spring["status"].value_counts().iter_rows())
    school_days = spring.height - counts.get("rest day", 0)
    assert counts["judged"] > 0.9 * school_days
    assert counts.get("peers quiet", 0) < 0.01 * school_days
