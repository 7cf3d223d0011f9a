"""A school declining over four weeks to 30% of normal: flagged once, by ten days after it lost
half its activity, and the episode stays open while the decline lasts (the level it is judged
against is the one from before the decline; a few noisy days at a small count do not close it)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.calendar import KINDS, SchoolCalendar
from models.detector import DropDetector

START = dt.date(2022, 9, 5)  # a Monday
DAYS = 161
NO_BREAKS = SchoolCalendar(overrides={(y, k): [] for y in (2021, 2022, 2023) for k in KINDS})
ONSET = dt.date(2022, 10, 24)  # seven weeks of plain history before it
REFERENCE = ONSET + dt.timedelta(days=20)  # the first day half of normal activity is gone


def decline(day: dt.date) -> float:
    """Linear from 100% at the onset to 30% four weeks later, then staying there."""
    if day < ONSET:
        return 1.0
    return max(0.3, 1.0 - 0.7 * (day - ONSET).days / 28)


def panel(seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Poisson meetings: the declining school and 12 steady peers, all about 10 a school day."""
    rng = np.random.default_rng(seed)
    ids = ["DEC"] + [f"P{k:02d}" for k in range(12)]
    days = [START + dt.timedelta(days=d) for d in range(DAYS)]
    rows = [(iid, day, int(rng.poisson(10.0 * (1.0 if day.weekday() < 5 else 0.02)
                                       * (decline(day) if iid == "DEC" else 1.0))))
            for iid in ids for day in days]
    daily = pl.DataFrame(rows, schema={"institution_id": pl.String, "date": pl.Date,
                                       "meetings": pl.Int64}, orient="row")
    directory = pl.DataFrame({"institution_id": ids, "name": ids, "region": ["UA-46"] * len(ids),
                              "kind": ["school"] * len(ids)})
    return daily, directory


def caught_once_and_kept_open(seed: int) -> bool:
    daily, directory = panel(seed)
    eps = (DropDetector(calendar=NO_BREAKS).fit(daily, directory).episodes_
           .filter(pl.col("institution_id") == "DEC"))
    if eps.height != 1:
        return False
    row = eps.row(0, named=True)
    return (row["start"] >= ONSET - dt.timedelta(days=3)
            and row["detected_on"] <= REFERENCE + dt.timedelta(days=10)
            and row["end"] is None)


def test_gradual_decline_is_flagged_in_time_once_and_stays_open():
    # Several noise draws, because one draw proves little either way. With the level learning
    # the decline's first weeks and a three-day recovery window, 2 of these 8 pass.
    caught = [seed for seed in range(8) if caught_once_and_kept_open(seed)]
    assert len(caught) >= 6, caught
