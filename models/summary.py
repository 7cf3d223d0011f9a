"""Weekly activity against expected, and a terminal sparkline, for the institution and region
views. Pure: arrays and frames in, frames and strings out."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.detector_state import STATUS

BARS = "▁▂▃▄▅▆▇█"
WEEKS = {"institution_id": pl.String, "week": pl.Date, "observed": pl.Float64, "observed_judged": pl.Float64,
         "expected": pl.Float64, "days": pl.Int64, "covered_days": pl.Int64}


def institution_weeks(ids: np.ndarray, dates: list[dt.date], observed: np.ndarray,
                      expected: np.ndarray, first: int = 0) -> pl.DataFrame:
    """Per institution and week (its Monday) from day index `first` of (N, T) matrices:
    `observed` (NaN where no export covers the day) and `expected` (NaN where the day is not
    judged). Columns: observed (all covered days), observed_judged and expected (judged days),
    days (judged), covered_days; weeks without a covered day are left out. Totals add up, so
    a region's weeks are the sum of its institutions' (`weekly`)."""
    days = dates[first:]
    if not days or not len(ids):
        return pl.DataFrame(schema=WEEKS)
    covered = ~np.isnan(observed[:, first:])
    judged = ~np.isnan(expected[:, first:])
    values = np.nan_to_num(observed[:, first:])
    starts = [0] + [i for i, day in enumerate(days) if i and day.weekday() == 0]
    mondays = np.array([days[i] - dt.timedelta(days=days[i].weekday()) for i in starts], dtype="datetime64[D]")

    def per_week(matrix: np.ndarray) -> np.ndarray:
        return np.add.reduceat(matrix, starts, axis=1).ravel()

    frame = pl.DataFrame({
        "institution_id": np.repeat(ids, len(starts)),
        "week": pl.Series(np.tile(mondays, len(ids))).cast(pl.Date),
        "observed": per_week(values),
        "observed_judged": per_week(np.where(judged, values, 0.0)),
        "expected": per_week(np.where(judged, expected[:, first:].astype(np.float64), 0.0)),
        "days": per_week(judged.astype(np.int64)),
        "covered_days": per_week(covered.astype(np.int64)),
    }, schema=WEEKS)
    return frame.filter(pl.col("covered_days") > 0)


def detector_weeks(detector, since: dt.date) -> pl.DataFrame:
    """`institution_weeks` of a fitted DropDetector from `since`. Only days it judged (or held
    against a regional outage) count as expected: on rest days, in breaks and exam sessions a
    near-zero expectation would turn a handful of meetings into a ratio of thousands of percent."""
    panel = detector.panel_
    judged = np.isin(detector.status_, [STATUS["judged"], STATUS["region episode"]])
    expected = np.where(judged, detector.expected_matrix_, np.nan)
    first = max(0, (since - panel.dates[0]).days) if panel.dates else 0
    return institution_weeks(panel.ids, panel.dates, panel.values, expected, first)


def weekly(weeks: pl.DataFrame) -> pl.DataFrame:
    """`institution_weeks` rows of one or many institutions, summed per week: the week's
    activity, what was expected of its judged days and how many there were, and the ratio
    of what those days saw to what was expected."""
    return (
        weeks.group_by("week")
        .agg(pl.col("observed", "observed_judged", "expected", "days").sum())
        .with_columns(ratio=pl.when(pl.col("expected") > 0)
                      .then(pl.col("observed_judged") / pl.col("expected")).otherwise(None))
        .select("week", "observed", "expected", "days", "ratio")
        .sort("week")
    )


def sparkline(values: list[float | None], top: float | None = None) -> str:
    """One block character per value, scaled to `top` (default: the largest); gaps as spaces."""
    present = [v for v in values if v is not None]
    if not present:
        return " " * len(values)
    top = top or max(present) or 1.0
    out = []
    for v in values:
        if v is None:
            out.append(" ")
            continue
        level = round(min(max(v / top, 0.0), 1.0) * (len(BARS) - 1))
        out.append(BARS[level])
    return "".join(out)
