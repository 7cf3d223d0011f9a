"""Naive baselines the detector is measured against (issue 3): they see one institution at a
time, know no calendar and no peers.

- `RollingZScore`: robust z-score against the same weekday's median and MAD over the previous
  `weeks` weeks; a drop is `consecutive` covered days in a row below -`z`.
- `SeasonalResidual`: an STL-style decomposition done causally: trend = median of the previous
  `trend_days` days, weekly seasonal = same-weekday median of the detrended series over the
  previous `season_weeks` weeks, residual scale = same-weekday MAD of past residuals; a drop is
  `consecutive` days with residual below -`z` scales.

Both are vectorised over institutions and days (sliding windows), causal (day D uses days
before D only) and return institution episodes like DropDetector (`episodes_`). Score
direction: `score_` is the negated z, higher = more evidence of a drop.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view

from models.episodes import FRAME_SCHEMA, episode_id
from models.panel import build_panel
from models.peers import nanmedian_rows


def _past_window_stat(values: np.ndarray, width: int, stat) -> np.ndarray:
    """stat over the `width` columns strictly before each column (NaN-aware), per row."""
    n = values.shape[0]
    padded = np.concatenate([np.full((n, width), np.nan), values], axis=1)
    windows = sliding_window_view(padded[:, :-1], width, axis=1)  # (n, t, width)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows -> NaN, intended
        return stat(windows, axis=2)


def _same_weekday(values: np.ndarray, first: dt.date, weeks: int, stat) -> np.ndarray:
    out = np.full(values.shape, np.nan)
    for dow in range(7):  # seven weekday slices, each vectorised over institutions and weeks
        cols = np.arange((dow - first.weekday()) % 7, values.shape[1], 7)
        if len(cols):
            out[:, cols] = _past_window_stat(values[:, cols], weeks, stat)
    return out


def _mad(windows, axis):
    med = nanmedian_rows(windows, axis=axis)
    return nanmedian_rows(np.abs(windows - np.expand_dims(med, axis)), axis=axis)


def _count(windows, axis):
    return np.count_nonzero(~np.isnan(windows), axis=axis)


class _FlagBaseline:
    metric: str
    consecutive: int

    def _panel(self, daily: pl.DataFrame, directory: pl.DataFrame | None, as_of: dt.date | None):
        """The institution x day panel up to `as_of`, its values, and its first day."""
        if as_of is not None:
            daily = daily.filter(pl.col("date") <= as_of)
        panel = build_panel(daily, directory, self.metric, last=as_of)
        first = panel.dates[0] if panel.dates else dt.date(2000, 1, 3)
        return panel, panel.values, first

    def _finish(self, panel, z: np.ndarray) -> _FlagBaseline:
        self.panel_ = panel
        self.score_ = -z
        flags = np.nan_to_num(z, nan=0.0) < -self.z
        self.episodes_ = episodes_from_flags(panel, flags, self.consecutive, self.metric)
        return self


class RollingZScore(_FlagBaseline):
    def __init__(self, metric: str = "meetings", weeks: int = 6, z: float = 3.0,
                 consecutive: int = 2, min_scale: float = 1.0):
        self.metric = metric
        self.weeks = weeks
        self.z = z
        self.consecutive = consecutive
        self.min_scale = min_scale

    def fit(self, daily: pl.DataFrame, directory: pl.DataFrame | None = None,
            as_of: dt.date | None = None) -> RollingZScore:
        panel, v, first = self._panel(daily, directory, as_of)
        med = _same_weekday(v, first, self.weeks, nanmedian_rows)
        mad = _same_weekday(v, first, self.weeks, _mad)
        z = (v - med) / np.maximum(1.4826 * mad, self.min_scale)
        z = np.where(_same_weekday(v, first, self.weeks, _count) >= 3, z, np.nan)
        return self._finish(panel, z)


class SeasonalResidual(_FlagBaseline):
    def __init__(self, metric: str = "meetings", trend_days: int = 28, season_weeks: int = 8,
                 z: float = 3.0, consecutive: int = 2, min_scale: float = 1.0):
        self.metric = metric
        self.trend_days = trend_days
        self.season_weeks = season_weeks
        self.z = z
        self.consecutive = consecutive
        self.min_scale = min_scale

    def fit(self, daily: pl.DataFrame, directory: pl.DataFrame | None = None,
            as_of: dt.date | None = None) -> SeasonalResidual:
        panel, v, first = self._panel(daily, directory, as_of)
        trend = _past_window_stat(v, self.trend_days, nanmedian_rows)
        seasonal = _same_weekday(v - trend, first, self.season_weeks, nanmedian_rows)
        resid = v - trend - seasonal  # NaN until two weeks of the weekday are known
        scale = 1.4826 * _same_weekday(resid, first, self.season_weeks, _mad)
        z = resid / np.maximum(np.nan_to_num(scale, nan=self.min_scale), self.min_scale)
        z = np.where(_same_weekday(v, first, self.season_weeks, _count) >= 3, z, np.nan)
        return self._finish(panel, z)


def episodes_from_flags(panel, flags: np.ndarray, consecutive: int, metric: str) -> pl.DataFrame:
    """Runs of flagged covered days (uncovered days neither break nor extend a run) that last
    at least `consecutive` days become institution episodes, detected on their n-th day."""
    t = flags.shape[1]
    rows = []
    covered = ~np.isnan(panel.values)
    for i in np.flatnonzero(flags.any(axis=1)):  # loop over flagged institutions' runs only
        days = np.flatnonzero(covered[i])
        f = flags[i, days]
        if not f.any():
            continue
        edges = np.diff(np.concatenate([[0], f.astype(np.int8), [0]]))
        for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
            if b - a < consecutive:
                continue
            start, det, end = days[a], days[a + consecutive - 1], days[b - 1]
            open_ = b == len(days) and days[-1] == t - 1
            rows.append({
                "id": episode_id("institution", str(panel.ids[i]), panel.dates[start]),
                "scope": "institution", "institution_id": str(panel.ids[i]),
                "region": panel.region[i] or None, "start": panel.dates[start],
                "detected_on": panel.dates[det], "end": None if open_ else panel.dates[end],
                "status": "open" if open_ else "resolved", "severity": 0.0, "expected": 0.0,
                "observed": float(np.nansum(panel.values[i, start:end + 1])), "metric": metric,
                "explanation": "baseline flag", "parent_id": None, "days_lost": 0.0,
            })
    if not rows:
        return pl.DataFrame(schema=FRAME_SCHEMA)
    return pl.DataFrame(rows, schema=FRAME_SCHEMA, orient="row").sort("start", "id")
