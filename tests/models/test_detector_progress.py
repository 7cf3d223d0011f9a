"""DropDetector.fit(on_day=...): the replay reports every day it has done, in order, with the
number of days it replays, and reporting changes nothing it finds."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from models.detector import DropDetector

DAYS = 84  # twelve weeks from a Monday: weekends (rest days) all through


def drop_and_gap(school_panel) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ten schools, one of which collapses in week 9, and a day without any data (a platform
    day): the replay skips the rest of its day loop on weekends and on that day."""
    regions = {f"S{k:02d}": "UA-46" for k in range(10)}
    collapse = dt.date(2022, 11, 7)

    def count(iid: str, day: dt.date, rng) -> int:
        level = 1.0 if (iid != "S03" or day < collapse) else 0.05
        return int(rng.poisson(20.0 * level))

    daily, directory = school_panel(regions, count, DAYS, seed=11)
    return daily.filter(pl.col("date") != dt.date(2022, 10, 19)), directory


def test_every_day_is_reported_once_in_order_with_the_total(school_panel):
    daily, directory = drop_and_gap(school_panel)
    calls: list[tuple[int, int]] = []
    DropDetector().fit(daily, directory, on_day=lambda done, total: calls.append((done, total)))
    assert calls == [(k, DAYS) for k in range(1, DAYS + 1)]


def test_the_total_is_the_days_between_start_and_as_of(school_panel):
    daily, directory = drop_and_gap(school_panel)
    start, as_of = dt.date(2022, 9, 12), dt.date(2022, 10, 23)  # a Sunday: ends on a rest day
    calls: list[tuple[int, int]] = []
    DropDetector().fit(daily, directory, as_of=as_of, start=start,
                       on_day=lambda done, total: calls.append((done, total)))
    days = (as_of - start).days + 1
    assert calls == [(k, days) for k in range(1, days + 1)]


def test_reporting_progress_changes_no_result(school_panel):
    daily, directory = drop_and_gap(school_panel)
    quiet = DropDetector().fit(daily, directory)
    told = DropDetector().fit(daily, directory, on_day=lambda done, total: None)
    assert quiet.episodes_.filter(pl.col("institution_id") == "S03").height  # a drop to compare
    assert quiet.platform_days_.any()
    assert_frame_equal(told.episodes_, quiet.episodes_)
    assert_frame_equal(told.expected_frame(), quiet.expected_frame())
