"""Detection quality on a labelled simulated scenario (a small, fast version of
benchmarks/evaluate.py): the detector must beat both naive baselines by far, attribute the
regional outages and find every missing export day without blaming anyone."""

from __future__ import annotations

import datetime as dt

import pytest

from models.baselines import RollingZScore
from models.detector import DropDetector
from models.evaluation import evaluate
from monitor.scenario import ScenarioConfig, simulate

START, END = dt.date(2022, 9, 1), dt.date(2022, 12, 20)


@pytest.fixture(scope="module")
def scored():
    sc = simulate(ScenarioConfig(21, 1500, START, END, "harsh-winter"))
    out = {}
    for model in (DropDetector(), RollingZScore()):
        model.fit(sc.daily, sc.directory)
        out[type(model).__name__] = evaluate(model.episodes_, sc.events, sc.size, START, END, 1500)
    return out


def test_detector_far_better_than_the_naive_baseline(scored):
    ours, naive = scored["DropDetector"], scored["RollingZScore"]
    assert ours["inst_f1"] >= 0.3
    assert ours["inst_f1"] > 5 * naive["inst_f1"]
    assert ours["fa_per_1000_weeks"] < naive["fa_per_1000_weeks"] / 20


def test_regional_outages_are_attributed(scored):
    ours = scored["DropDetector"]
    assert ours["region_events"] >= 5
    assert ours["region_f1"] >= 0.8


def test_every_missing_day_is_a_platform_episode_and_nobody_is_blamed(scored):
    ours = scored["DropDetector"]
    assert ours["missing_days"] >= 1
    assert ours["missing_found"] == ours["missing_days"]
    assert ours["inst_eps_on_missing"] == 0
