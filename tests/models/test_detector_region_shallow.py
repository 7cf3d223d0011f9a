"""Region attribution: a week of rolling blackouts that holds a region at 0.65-0.7 of normal,
above the depth of a single low day, is one region episode from its first day, raised by its
third; one or two such days are ordinary bad days and raise nothing."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import polars as pl

import models.detector as detector_module
from models.attribution import RegionState
from models.detector import DropDetector

START = dt.date(2023, 1, 23)  # after the winter window
END = dt.date(2023, 3, 8)  # before the spring window
TARGET = "UA-46"
# The other regions make the national median, which the target's fall must barely move.
REGIONS = (TARGET, "UA-63", "UA-30", "UA-12", "UA-05", "UA-07", "UA-14", "UA-18", "UA-21", "UA-26")
WEEK = [dt.date(2023, 2, 27) + dt.timedelta(days=d) for d in range(5)]  # Monday to Friday


def shallow_on(days: list[dt.date]):
    def shape(region, school, day):
        hit = (region == TARGET) & np.isin(day, np.array(days))
        jitter = np.random.default_rng(7).uniform(0.65, 0.70, hit.shape)
        return np.where(hit, jitter, 1.0)

    return shape


def region_episodes(region_panel, days: list[dt.date], detector: DropDetector | None = None) -> pl.DataFrame:
    # Schools of 40 meetings a day: a region of 8-meeting schools wanders by +-15% from day
    # to day, more than the difference between a bad day and a blackout that this is about.
    daily, directory = region_panel(REGIONS, START, END, shallow_on(days), seed=4, school_level=40.0)
    episodes = (detector or DropDetector()).fit(daily, directory).episodes_
    assert episodes.filter(pl.col("scope") == "institution").is_empty()
    return episodes.filter(pl.col("scope") == "region")


def test_a_week_at_two_thirds_is_one_region_episode_from_its_first_day(region_panel):
    found = region_episodes(region_panel, WEEK)
    assert found.select("region", "start", "end").rows() == [(TARGET, WEEK[0], WEEK[-1])]
    assert found["detected_on"][0] <= WEEK[2]


def test_one_or_two_such_days_are_ordinary_bad_days(region_panel):
    assert region_episodes(region_panel, WEEK[:2]).is_empty()
    assert region_episodes(region_panel, [WEEK[0], WEEK[2]]).is_empty()


def test_without_the_run_rule_the_week_is_not_one_region_episode(region_panel, monkeypatch):
    # Documentation: a day at 0.65-0.7 is above the depth of a low day, so before the rule
    # such a week was missed.
    monkeypatch.setattr(detector_module, "RegionState", functools.partial(RegionState, shallow_days=0))
    assert region_episodes(region_panel, WEEK).is_empty()
