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
