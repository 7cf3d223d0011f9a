"""DropDetector.expected_frame can be cut to some days and institutions (the views and the
weekly report need a few weeks of a few institutions out of years of national history)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from models.detector import DropDetector


def test_a_cut_of_the_expected_frame_is_the_same_rows_of_the_whole(school_panel):
    regions = {f"S{k:02d}": "UA-46" for k in range(8)}
    daily, directory = school_panel(regions, lambda iid, day, rng: int(rng.poisson(12.0)), 70, seed=3)
    model = DropDetector().fit(daily, directory)
    since = daily["date"].min() + dt.timedelta(days=40)
    whole = model.expected_frame()
    assert whole["expected"].is_not_null().any()  # something to compare beyond nulls
    cut = model.expected_frame(since, ["S03", "S06"])
    assert cut.height == 2 * (daily["date"].max() - since).days + 2
    assert_frame_equal(cut, whole.filter(pl.col("date") >= since, pl.col("institution_id").is_in(["S03", "S06"])))
    assert model.expected_frame(ids=[]).is_empty()
