"""Expected weekly activity for the report: an `Expectation` is a function of (daily, week
starts, metric) that returns per institution and week the observed and expected totals over
covered days. The report uses the detector's own expectation; the same-weekday baseline is the
fallback when there is nothing to fit."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

import numpy as np
import polars as pl

from models.calendar import SchoolCalendar

if TYPE_CHECKING:
    from monitor.detection import OnDay

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


def expectation_from_weeks(weeks: pl.DataFrame, baseline_weeks: int = 8) -> Expectation:
    """An Expectation from a detector's weeks (`models.summary.detector_weeks`: per institution
    and week, observed and expected totals over covered and judged days), whether replayed
    for the report or kept by `monitor detect`."""

    def expectation(daily: pl.DataFrame, starts: list[dt.date], metric: str) -> pl.DataFrame:
        return weeks.filter(pl.col("week").is_in(starts)).select(
            "institution_id", pl.col("week").alias("week_start"), "observed", "observed_judged", "expected",
            (pl.col("days") > 0).alias("has_expectation"), "covered_days")

    expectation.weeks = baseline_weeks  # type: ignore[attr-defined]
    expectation.method = "detector"  # type: ignore[attr-defined]
    return expectation


def detector_expectation(daily: pl.DataFrame, directory: pl.DataFrame, end: dt.date,
                         metric: str, calendar: SchoolCalendar, since: dt.date,
                         on_day: OnDay | None = None) -> Expectation:
    """The detector's own expected activity (breaks, holidays, peers and all, on the same
    `calendar`), so that the report's continuity index and the episodes it lists agree; for
    the weeks from the Monday `since`; `on_day` hears of each day replayed."""
    from models.detector import DropDetector
    from models.summary import detector_weeks

    detector = DropDetector(metric=metric, calendar=calendar).fit(daily, directory, as_of=end, on_day=on_day)
    return expectation_from_weeks(detector_weeks(detector, since))
