"""DropDetector: inside a school-break window, a peer group of schools that is plainly not on
break (its median up, hardly any of its weight near zero) still speaks for its region. A week
of rolling blackouts in the first days of the winter window, before the region's schools have
had their break, is a region episode; a staggered start of the break and an ordinary bad day
are not."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.detector import DropDetector

START = dt.date(2022, 11, 14)  # a Monday, after the autumn window
END = dt.date(2023, 1, 20)  # inside the winter window (19 Dec - 22 Jan for schools)
TARGET = "UA-46"
# The others are the national backdrop: enough of them that the target's fall barely moves the
# national median (with three, a quarter of the nation at half pulled it to 0.85).
REGIONS = (TARGET, "UA-63", "UA-30", "UA-12", "UA-05", "UA-07", "UA-14", "UA-18", "UA-21", "UA-26")
BLACKOUT = (dt.date(2022, 12, 19), dt.date(2022, 12, 23))  # first school week of the window
BREAK = (dt.date(2022, 12, 26), dt.date(2023, 1, 6))  # every region's winter break
# Staggered start in the target region: each school's first day of break (40 schools). Share
# of schools near zero: 15% on 19 Dec, 25% on the 20th, 35% on the 21st, 45% on the 22nd, 50%
# on the 23rd, all from 26 Dec.
STAGGER = ([dt.date(2022, 12, 19)] * 6 + [dt.date(2022, 12, 20)] * 4 + [dt.date(2022, 12, 21)] * 4
           + [dt.date(2022, 12, 22)] * 4 + [dt.date(2022, 12, 23)] * 2 + [BREAK[0]] * 20)
BAD_DAY = dt.date(2022, 12, 20)


def _school_index(region: np.ndarray, school: np.ndarray) -> np.ndarray:
    """Each school's number inside its region (region_panel lists 40 schools per region first)."""
    return np.arange(len(region))[:, None] % 45 * school


def _breaks(region: np.ndarray, school: np.ndarray, day: np.ndarray, stagger: bool) -> np.ndarray:
    first = np.full(region.shape, np.datetime64(BREAK[0]))
    if stagger:
        starts = np.array(STAGGER + [BREAK[0]] * 5, dtype="datetime64[D]")
        first = np.where(region == TARGET, starts[_school_index(region, school)], first)
    days = day.astype("datetime64[D]")
    return school & (days >= first) & (days <= np.datetime64(BREAK[1]))


def _jitter(shape: tuple[int, ...], low: float, high: float) -> np.ndarray:
    return np.random.default_rng(5).uniform(low, high, shape)


def blackout(region, school, day):
    """Rolling blackouts across the target region (schools and universities) at 50-60% of
    normal, each institution and day drawn apart, the week before its schools' break."""
    hit = (region == TARGET) & (day >= BLACKOUT[0]) & (day <= BLACKOUT[1])
    factor = np.where(hit, _jitter(hit.shape, 0.5, 0.6), 1.0)
    return np.where(_breaks(region, school, day, stagger=False), 0.04, factor)


def staggered(region, school, day):
    return np.where(_breaks(region, school, day, stagger=True), 0.04, 1.0)


def bad_day(region, school, day):
    hit = (region == TARGET) & (day == BAD_DAY)
    factor = np.where(hit, _jitter(hit.shape, 0.65, 0.75), 1.0)
    return np.where(_breaks(region, school, day, stagger=False), 0.04, factor)


def _without_target_universities(daily: pl.DataFrame, directory: pl.DataFrame):
    keep = ~pl.col("institution_id").str.starts_with(f"U{TARGET}")
    return daily.filter(keep), directory.filter(keep)


def test_blackout_before_the_regions_break_is_one_region_episode(region_panel):
    daily, directory = region_panel(REGIONS, START, END, blackout, seed=1)
    eps = DropDetector().fit(daily, directory).episodes_
    regional = eps.filter(pl.col("scope") == "region")
    assert regional.select("region", "start").rows() == [(TARGET, BLACKOUT[0])]
    assert regional["detected_on"][0] <= BLACKOUT[0] + dt.timedelta(days=2)
    assert regional["end"][0] == BLACKOUT[1]
    # The schools' fall belongs to the region's episode, not to each of them.
    assert eps.filter(pl.col("scope") == "institution").height == 0


def test_without_the_awake_rule_the_blackout_is_missed(region_panel):
    # Documentation: before the rule a group inside its window did not speak for its region
    # until it had had its break, so the region had nobody to judge it by.
    daily, directory = region_panel(REGIONS, START, END, blackout, seed=1)
    eps = DropDetector(awake_share=-1).fit(daily, directory).episodes_
    assert eps.filter(pl.col("scope") == "region").height == 0


def test_staggered_start_of_the_break_is_no_region_episode(region_panel):
    # A region of schools only (its universities would hold its median up): nobody but the
    # school group can speak for it.
    daily, directory = _without_target_universities(
        *region_panel(REGIONS, START, END, staggered, seed=2))
    det = DropDetector().fit(daily, directory)
    assert det.episodes_.filter(pl.col("scope") == "region").height == 0
    # The stagger is there: half of the region's schools were near zero on 23 Dec.
    day = det.expected_frame().filter(pl.col("institution_id").str.starts_with(f"S{TARGET}"),
                                      pl.col("date") == dt.date(2022, 12, 23))
    assert (day["observed"] <= 1).sum() >= 18


def test_staggered_start_is_kept_quiet_by_the_near_zero_share(region_panel):
    # Documentation: with the median condition alone (any share near zero allowed), the days a
    # third to a half of the schools have begun their break read as a region-wide fall.
    daily, directory = _without_target_universities(
        *region_panel(REGIONS, START, END, staggered, seed=2))
    eps = DropDetector(awake_share=1.0).fit(daily, directory).episodes_
    regional = eps.filter(pl.col("scope") == "region")
    assert regional["region"].to_list() == [TARGET]
    assert dt.date(2022, 12, 20) <= regional["start"][0] <= dt.date(2022, 12, 23)


def test_one_ordinary_bad_day_inside_the_window_is_no_region_episode(region_panel):
    daily, directory = region_panel(REGIONS, START, END, bad_day, seed=3)
    det = DropDetector().fit(daily, directory)
    assert det.episodes_.filter(pl.col("scope") == "region").height == 0
    # The bad day is there: the region's schools had about 70% of a normal day.
    day = det.expected_frame().filter(pl.col("institution_id").str.starts_with(f"S{TARGET}"),
                                      pl.col("date") == BAD_DAY)
    assert day["observed"].sum() < 0.8 * 40 * 8
