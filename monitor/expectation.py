"""Expected weekly activity for the report: an `Expectation` is a function of (daily, week
starts, metric) that returns per institution and week the observed and expected totals over
covered days. The report uses the detector's own expectation; the same-weekday baseline is the
fallback when there is nothing to fit."""

from __future__ import annotations

import datetime as dt
from typing import Callable

import numpy as np
import polars as pl

from models.calendar import SchoolCalendar

Expectation = Callable[[pl.DataFrame, list[dt.date], str], pl.DataFrame]


def same_weekday_baseline(weeks: int = 8) -> Expectation:
    """Expected activity on a covered day = the institution's mean on the same weekday over the
    `weeks` weeks before the week judged (covered days only). Institutions without history on
    that weekday get no expectation for the day and stay out of the index.

    Computed on an (institution x week x weekday) array: a running sum over the week axis gives
    every judged week's baseline at once (no loop over institutions or weeks)."""

    def expectation(daily: pl.DataFrame, starts: list[dt.date], metric: str) -> pl.DataFrame:
        first = starts[0] - dt.timedelta(weeks=weeks)
        n_weeks = (starts[-1] - first).days // 7 + 1
        frame = daily.filter(
            pl.col("date").is_between(first, first + dt.timedelta(weeks=n_weeks) - dt.timedelta(days=1))
        )
        ids = frame.select(pl.col("institution_id").unique().sort())["institution_id"]
        index = frame.join(ids.to_frame().with_row_index("row"), on="institution_id").select(
            "row", ((pl.col("date") - pl.lit(first)).dt.total_days()).alias("day"),
            pl.col(metric).cast(pl.Float64).alias("value"),
        )
        cube = np.full((len(ids), n_weeks * 7), np.nan)
        cube[index["row"].to_numpy(), index["day"].to_numpy()] = index["value"].fill_null(0.0).to_numpy()
        cube = cube.reshape(len(ids), n_weeks, 7)
        present = ~np.isnan(cube)
        zero = np.zeros((len(ids), 1, 7))
        sums = np.concatenate([zero, np.nancumsum(cube, axis=1)], axis=1)  # weeks before k
        counts = np.concatenate([zero, np.cumsum(present, axis=1)], axis=1)
        judged = np.arange(n_weeks - len(starts), n_weeks)
        n = counts[:, judged] - counts[:, judged - weeks]
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = (sums[:, judged] - sums[:, judged - weeks]) / n  # nan without history
        values, seen = cube[:, judged], present[:, judged]
        usable = seen & ~np.isnan(rate)
        # Institution-major like the arrays' ravel(); typed even when there is no history.
        cells = ids.to_frame().join(pl.DataFrame({"week_start": starts}, schema={"week_start": pl.Date}), how="cross")
        result = cells.with_columns(**{
            "observed": np.nansum(values, axis=2).ravel(),
            "observed_judged": np.where(usable, values, 0.0).sum(axis=2).ravel(),
            "expected": np.where(usable, rate, 0.0).sum(axis=2).ravel(),
            "has_expectation": usable.any(axis=2).ravel(),
            "covered_days": seen.sum(axis=2).ravel(),
        })
        return result.filter(pl.col("covered_days") > 0)

    expectation.weeks = weeks  # type: ignore[attr-defined]
    return expectation


def expectation_from_frame(expected: pl.DataFrame, weeks: int = 8) -> Expectation:
    """An Expectation from a detector's daily expectation, e.g. `DropDetector.expected_frame()`
    (institution_id, date, expected; null = none). Observed values come from `daily`."""

    def expectation(daily: pl.DataFrame, starts: list[dt.date], metric: str) -> pl.DataFrame:
        # The weeks asked for first: `daily` may be years of national history.
        daily = daily.filter(pl.col("date").is_between(min(starts), max(starts) + dt.timedelta(days=6)))
        joined = daily.join(expected.select("institution_id", "date", pl.col("expected").alias("rate")),
                            on=["institution_id", "date"], how="left")
        week_start = pl.col("date") - pl.duration(days=pl.col("date").dt.weekday() - 1)
        value = pl.col(metric).cast(pl.Float64)
        return (
            joined.with_columns(week_start.alias("week_start"))
            .filter(pl.col("week_start").is_in(starts))
            .group_by("institution_id", "week_start")
            .agg(
                value.sum().alias("observed"),
                value.filter(pl.col("rate").is_not_null()).sum().alias("observed_judged"),
                pl.col("rate").sum().alias("expected"),
                pl.col("rate").is_not_null().any().alias("has_expectation"),
                pl.len().alias("covered_days"),
            )
        )

    expectation.weeks = weeks  # type: ignore[attr-defined]
    expectation.method = "detector"  # type: ignore[attr-defined]
    return expectation


def detector_expectation(daily: pl.DataFrame, directory: pl.DataFrame, end: dt.date,
                         metric: str, calendar: SchoolCalendar, since: dt.date | None = None,
                         on_day: Callable[[int, int], None] | None = None) -> Expectation:
    """The detector's own expected activity (breaks, holidays, peers and all, on the same
    `calendar`), so that the report's continuity index and the episodes it lists agree; for
    the days from `since` (default: all); `on_day` hears of each day replayed."""
    from models.detector import DropDetector

    detector = DropDetector(metric=metric, calendar=calendar).fit(daily, directory, as_of=end, on_day=on_day)
    # Only days the detector judged (or held against a regional outage) carry an expectation:
    # on rest days, in breaks and exam sessions a near-zero expectation would turn a handful
    # of meetings into an index of thousands of percent.
    judged = pl.col("status").is_in(["judged", "region episode"])
    expected = detector.expected_frame(since).with_columns(
        pl.when(judged).then(pl.col("expected")).alias("expected")
    )
    return expectation_from_frame(expected)
