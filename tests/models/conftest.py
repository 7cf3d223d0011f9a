"""Shared fixtures for the detector tests."""

from __future__ import annotations

import datetime as dt
from typing import Callable

import numpy as np
import polars as pl
import pytest

START = dt.date(2022, 9, 5)  # a Monday


@pytest.fixture
def school_panel() -> Callable[..., tuple[pl.DataFrame, pl.DataFrame]]:
    """build(regions, count, days, seed) -> (daily, directory): schools {id: region} with
    `count(id, day, rng)` meetings on each school day from START (drawn day by day, in the
    order of `regions`) and none at weekends."""

    def build(regions: dict[str, str], count: Callable[[str, dt.date, np.random.Generator], int],
              days: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
        rng = np.random.default_rng(seed)
        rows = []
        for d in range(days):
            day = START + dt.timedelta(days=d)
            for iid in regions:
                rows.append((iid, day, 0 if day.weekday() >= 5 else count(iid, day, rng)))
        daily = pl.DataFrame(rows, schema={"institution_id": pl.String, "date": pl.Date,
                                           "meetings": pl.Int64}, orient="row")
        ids = list(regions)
        directory = pl.DataFrame({"institution_id": ids, "name": ids, "region": list(regions.values()),
                                  "kind": ["school"] * len(ids)})
        return daily, directory

    return build


@pytest.fixture
def region_panel() -> Callable[..., tuple[pl.DataFrame, pl.DataFrame]]:
    """build(regions, first, last, shape, seed[, school_level, universities]) -> (daily,
    directory): in each region 40 schools (`school_level`, default 8 meetings a school day) and
    `universities` universities (default 5; 40 meetings), Poisson counts of that level, x 0.02 at
    weekends, x `shape(region, school, day)`: the factor per institution and day, from arrays of
    the institutions' regions and school flags (column vectors) and the days (a row vector)."""

    def build(regions: tuple[str, ...], first: dt.date, last: dt.date,
              shape: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
              seed: int, school_level: float = 8.0, universities: int = 5) -> tuple[pl.DataFrame, pl.DataFrame]:
        members = []
        for code in regions:
            members += [(f"S{code}-{k:02d}", code, "school", school_level) for k in range(40)]
            members += [(f"U{code}-{k:02d}", code, "university", 40.0) for k in range(universities)]
        ids, region_of, kinds, levels = (list(column) for column in zip(*members))
        days = [first + dt.timedelta(days=d) for d in range((last - first).days + 1)]
        weekend = np.array([d.weekday() >= 5 for d in days])[None, :]
        factor = shape(np.array(region_of)[:, None], (np.array(kinds) == "school")[:, None], np.array(days)[None, :])
        counts = np.random.default_rng(seed).poisson(np.array(levels)[:, None] * np.where(weekend, 0.02, 1.0) * factor)
        daily = pl.DataFrame({"institution_id": np.repeat(ids, len(days)),
                              "date": pl.Series(days * len(ids), dtype=pl.Date), "meetings": counts.ravel()})
        directory = pl.DataFrame({"institution_id": ids, "name": ids, "region": region_of, "kind": kinds})
        return daily, directory

    return build
