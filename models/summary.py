"""Weekly activity against expected, and a terminal sparkline, for the institution and region
views. Pure: arrays and frames in, frames and strings out."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

BARS = "▁▂▃▄▅▆▇█"
WEEKS = {"institution_id": pl.String, "week": pl.Date, "observed": pl.Float64, "expected": pl.Float64,
         "days": pl.Int64}


def institution_weeks(ids: np.ndarray, dates: list[dt.date], observed: np.ndarray,
                      expected: np.ndarray, first: int = 0) -> pl.DataFrame:
    """From the detector's (N, T) observed and expected matrices, the days from index `first`:
    per institution and week (its Monday), the observed and expected totals over the days that
    had an expectation, and how many days had one. Weeks without any are left out. Totals add
    up, so a region's weeks are the sum of its institutions' (`weekly`)."""
    days = dates[first:]
    if not days or not len(ids):
        return pl.DataFrame(schema=WEEKS)
    has = ~np.isnan(expected[:, first:])
    obs = np.where(has, np.nan_to_num(observed[:, first:]), 0.0)
    exp = np.where(has, expected[:, first:].astype(np.float64), 0.0)
    starts = [0] + [i for i, day in enumerate(days) if i and day.weekday() == 0]
    mondays = np.array([days[i] - dt.timedelta(days=days[i].weekday()) for i in starts], dtype="datetime64[D]")
    frame = pl.DataFrame({
        "institution_id": np.repeat(ids, len(starts)),
        "week": pl.Series(np.tile(mondays, len(ids))).cast(pl.Date),
        "observed": np.add.reduceat(obs, starts, axis=1).ravel(),
        "expected": np.add.reduceat(exp, starts, axis=1).ravel(),
        "days": np.add.reduceat(has.astype(np.int64), starts, axis=1).ravel(),
    }, schema=WEEKS)
    return frame.filter(pl.col("days") > 0)


def weekly(weeks: pl.DataFrame) -> pl.DataFrame:
    """`institution_weeks` rows of one or many institutions, summed per week, with the ratio
    of observed to expected."""
    return (
        weeks.group_by("week")
        .agg(pl.col("observed", "expected", "days").sum())
        .with_columns(ratio=pl.when(pl.col("expected") > 0)
                      .then(pl.col("observed") / pl.col("expected")).otherwise(None))
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
