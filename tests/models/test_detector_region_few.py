"""DropDetector: inside a school-break window a region is judged by the few institutions outside
it (its universities) for outage-deep falls only. A strike on the first school day after the
region's own break is an outage, not the break going on; a bad day of a handful of
universities is not."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.detector import DropDetector

START = dt.date(2022, 9, 5)  # a Monday
END = dt.date(2022, 11, 18)
# Each region's schools take their autumn break in a different week (inside the default
# window, 22 Oct - 13 Nov); universities take none.
BREAKS = {"UA-46": dt.date(2022, 10, 24), "UA-63": dt.date(2022, 10, 31), "UA-30": dt.date(2022, 11, 7)}
STRIKE = dt.date(2022, 10, 31)  # UA-46: first school day after its break
BAD_DAY = dt.date(2022, 11, 2)  # UA-63's universities at 55% during its schools' break


def shape(region: np.ndarray, school: np.ndarray, day: np.ndarray) -> np.ndarray:
    in_break = np.zeros((len(region), day.shape[1]), bool)
    for code, first in BREAKS.items():
        in_break |= (region == code) & school & (day >= first) & (day <= first + dt.timedelta(days=6))
    strike = (region == "UA-46") & (day == STRIKE)
    bad_day = (region == "UA-63") & ~school & (day == BAD_DAY)
    return np.where(in_break, 0.04, 1.0) * np.where(strike, 0.1, 1.0) * np.where(bad_day, 0.55, 1.0)


def test_strike_right_after_a_regions_break_is_a_region_episode_and_breaks_are_not(region_panel):
    daily, directory = region_panel(tuple(BREAKS), START, END, shape, seed=11)
    eps = DropDetector().fit(daily, directory).episodes_
    regional = eps.filter(pl.col("scope") == "region")
    # Only the strike: neither the breaks nor the universities' bad day make a region episode.
    assert regional.select("region", "start", "detected_on").rows() == [("UA-46", STRIKE, STRIKE)]
    assert regional["end"][0] == STRIKE
    assert eps.filter(pl.col("scope") == "institution").height == 0
