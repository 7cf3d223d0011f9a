"""The calendar part of the activity model: a factor in [0, ~1.1] per institution and day.

- weekly profile per kind, with per-institution jitter (Friday lighter, Saturday lessons at
  some universities, Sunday near zero);
- school breaks per academic year whose dates vary by region (local authorities set them)
  and by a few days per school: autumn (late Oct / early Nov, one or two weeks), winter
  (Dec 24 .. Jan 8-22), spring (late March), summer (from late May / June);
- universities instead have exam sessions (reduced activity, spread over Mon-Sat), a winter
  holiday after the winter session, and a summer session in June;
- a ramp-up over the first school days of September;
- public holidays from `holidays.UA`: days off before martial law (`public` category); under
  martial law (2022-02-24 on) they are working days (`workday` category), with a mild dip.
"""

from __future__ import annotations

import datetime as dt

import holidays
import numpy as np

from monitor.regions import KINDS

KIND_SCHOOL, KIND_VOCATIONAL, KIND_COLLEGE, KIND_UNIVERSITY = range(len(KINDS))

# Mon..Sun factors per kind (index as KINDS).
WEEKLY = np.array(
    [
        [1.00, 1.02, 1.00, 0.98, 0.90, 0.02, 0.005],
        [1.00, 1.00, 1.00, 0.97, 0.88, 0.04, 0.01],
        [1.00, 1.00, 1.00, 0.97, 0.88, 0.06, 0.01],
        [1.00, 1.00, 0.98, 0.95, 0.85, 0.25, 0.03],
    ]
)
BREAK_RESIDUAL = 0.04  # teachers' meetings, clubs, make-up lessons during breaks
SESSION_LEVEL = 0.45  # university exam sessions: fewer, longer meetings, Mon-Sat


def _d(year: int, month: int, day: int) -> np.datetime64:
    return np.datetime64(dt.date(year, month, day), "D")


def _window(days: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """(N, D) mask of days in [start_i, start_i + length_i): one subtraction, one unsigned
    comparison (days before the start wrap around to huge values)."""
    since = (
        days.astype(np.int32)[None, :]
        - np.asarray(start).astype("datetime64[D]").astype(np.int32)[:, None]
    )
    return since.view(np.uint32) < np.asarray(length).astype(np.uint32)[:, None]


def calendar_factors(
    days: np.ndarray,
    kind_idx: np.ndarray,
    region_idx: np.ndarray,
    n_regions: int,
    rng: np.random.Generator,
    long_winter: float = 0.35,
) -> np.ndarray:
    """Return the (N, D) float32 calendar factor. `long_winter` is the share of regions that
    extend the winter break (a harsh winter extends it more often)."""
    n = len(kind_idx)
    dow = (days.astype("int64") - 4) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    weekly = WEEKLY[kind_idx].copy()
    weekly[:, 4] *= rng.uniform(0.8, 1.1, n)
    weekly[:, 5] *= np.where(kind_idx == KIND_UNIVERSITY, rng.uniform(0.2, 2.0, n), 1.0)
    factor = weekly.astype(np.float32)[:, dow]
    offsets = days - np.timedelta64(0, "D")
    university = kind_idx == KIND_UNIVERSITY
    residual = BREAK_RESIDUAL * rng.uniform(0.3, 2.0, n)

    def region_draw(values, p=None):
        return np.asarray(values)[rng.choice(len(values), size=n_regions, p=p)][region_idx]

    def jitter(lo, hi, share=1.0):
        return np.where(rng.random(n) < share, rng.integers(lo, hi + 1, n), 0)

    in_break = np.zeros(factor.shape, dtype=bool)
    in_session = np.zeros(factor.shape, dtype=bool)
    first_year = int(str(days[0])[:4]) - 1
    last_year = int(str(days[-1])[:4])
    for year in range(first_year, last_year + 1):  # academic years Sep `year` .. Aug `year+1`
        if _d(year, 9, 1) > days[-1] or _d(year + 1, 8, 31) < days[0]:
            continue
        # Autumn: most regions one week from Oct 24 or 31, some two weeks.
        two_weeks = region_draw([0, 1], p=[0.75, 0.25]).astype(bool)
        a_start = (
            _d(year, 10, 24) + np.where(two_weeks, 0, region_draw([0, 7])) + jitter(-2, 2, 0.3)
        )
        a_len = np.where(two_weeks, 14, 7) + jitter(0, 2, 0.3)
        # Winter: Dec 24 (a few start earlier) to Jan 8, extended by some regions.
        w_start = _d(year, 12, 24) + jitter(-3, 1, 0.4)
        extend = region_draw([0, 7]) * (rng.random(n_regions) < long_winter)[region_idx]
        w_end = _d(year + 1, 1, 9) + extend + jitter(0, 3, 0.3)
        # Spring: a week around late March.
        s_start = _d(year + 1, 3, 20) + region_draw([-7, 0, 0, 7]) + jitter(-2, 2, 0.3)
        s_len = 7 + jitter(0, 2, 0.3)
        # Summer: from late May / early June (several regions finished early) to Sep 1.
        su_start = _d(year + 1, 5, 31) + region_draw([-14, -7, 0, 0, 7]) + jitter(-3, 3, 0.5)
        su_end = _d(year + 1, 9, 1)
        school = ~university
        in_break |= school[:, None] & (
            _window(days, a_start, a_len)
            | _window(days, w_start, (w_end - w_start).astype("int64"))
            | _window(days, s_start, s_len)
            | _window(days, su_start, (su_end - su_start).astype("int64"))
        )
        # Universities: winter session, then a winter holiday; summer session, then summer.
        ws_start = _d(year, 12, 19) + jitter(-7, 7)
        ws_len = 21 + jitter(-4, 7)
        wh_len = 10 + jitter(0, 7)
        ss_start = _d(year + 1, 6, 1) + jitter(-10, 7)
        ss_len = 21 + jitter(-3, 7)
        summer_from = ss_start + ss_len
        in_session |= university[:, None] & (
            _window(days, ws_start, ws_len) | _window(days, ss_start, ss_len)
        )
        in_break |= university[:, None] & (
            _window(days, ws_start + ws_len, wh_len)
            | _window(days, summer_from, (_d(year + 1, 9, 1) - summer_from).astype("int64"))
        )
        # Ramp-up over the first school days of September.
        ramp_days = rng.integers(5, 16, n)
        since = (offsets - _d(year, 9, 1)).astype("int64")
        first = np.flatnonzero((since >= 0) & (since < 21))  # only September's first weeks
        if len(first):
            ramp = 0.55 + 0.45 * since[first][None, :] / ramp_days[:, None]
            factor[:, first] *= np.clip(ramp, 0.55, 1.0).astype(np.float32)

    level = (SESSION_LEVEL * rng.uniform(0.6, 1.4, n)).astype(np.float32)
    sessions = level[:, None] * (dow < 6).astype(np.float32)[None, :]
    factor = np.where(in_session, sessions, factor)
    resid = residual.astype(np.float32)[:, None]
    factor = np.where(in_break, resid * np.minimum(factor, np.float32(1.0)), factor)
    factor = _apply_holidays(factor, days, rng)
    return factor.astype(np.float32)


def _apply_holidays(factor: np.ndarray, days: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    years = range(int(str(days[0])[:4]), int(str(days[-1])[:4]) + 1)
    off = holidays.UA(years=years, categories="public")
    working = holidays.UA(years=years, categories="workday")
    as_dates = days.astype(object)
    day_off = np.array([d in off for d in as_dates])
    dip_day = np.array([d in working for d in as_dates])
    n = factor.shape[0]
    if day_off.any():
        factor[:, day_off] *= 0.05
    if dip_day.any():  # working holidays: many lessons still held, some schools ease off
        factor[:, dip_day] *= rng.uniform(0.55, 1.0, (n, int(dip_day.sum())))
    return factor
