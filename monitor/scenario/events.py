"""Labelled events: where they go, how they change activity, and the labels frame.

Placement order keeps events from overlapping nonsensically: platform gaps first, then
regional outages and rolling blackouts (never on a gap day, never twice at once in one
region), then institution events and distractors, each on its own institution, whose
detection window (onset - 3 .. reference + 10 days) and whole drop stay clear of its
region's events and of gap days. Loops run over events (hundreds), never over institutions.

Labels (`EVENT_SCHEMA`): `institution_id` is set for events about one institution (also the
institution-bound distractors), `region` for everything but platform gaps. `reference` is the
onset, except for a gradual decline: its first school day with half of normal activity gone.
`depth` is the share of activity removed at the worst point (0 for onboarding).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

EVENT_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.String(),
    "kind": pl.String(),
    "scope": pl.String(),
    "institution_id": pl.String(),
    "region": pl.String(),
    "start": pl.Date(),
    "end": pl.Date(),
    "reference": pl.Date(),
    "depth": pl.Float64(),
}

# Autumn-2022 strikes on the grid (month, day); mapped onto the simulated year(s).
STRIKES_2022 = (
    (10, 10),
    (10, 11),
    (10, 17),
    (10, 18),
    (10, 31),
    (11, 15),
    (11, 23),
    (11, 24),
    (12, 5),
    (12, 16),
)
# Later waves, used by the harsh-winter variant.
STRIKES_WINTER = ((12, 29), (1, 14), (1, 26), (2, 10), (3, 9))
SCHOOL_DAY = 0.6  # calendar factor at or above which a day counts as a school day
YEAR_DAYS = 273  # September to May: the period the rates are quoted for


@dataclass(frozen=True)
class Rates:
    drop: float  # institution events per institution per school year
    decline: float
    dip: float  # distractors per institution per school year
    shift: float
    onboarding: float  # share of institutions that start mid-period
    strike_dates: int  # how many strike dates (of the list) hit
    regions_per_strike: tuple[int, int]
    winter_strikes: bool
    blackouts: float  # rolling-blackout weeks per school year
    missing_days: tuple[int, int]  # whole days without any export, per school year


@dataclass
class Placed:
    multiplier: np.ndarray  # (N, D) float32, applied to expected activity
    onboard: np.ndarray  # (N,) first covered day index
    missing: np.ndarray  # (D,) bool: no export at all that day
    labels: pl.DataFrame


class _Book:
    """What has been placed so far, to keep events apart."""

    def __init__(self, n: int, n_days: int, n_regions: int):
        self.region_busy = np.zeros((n_regions, n_days), dtype=bool)
        self.missing = np.zeros(n_days, dtype=bool)
        self.rows: list[dict] = []

    def free(self, region: int, lo: int, hi: int) -> bool:
        lo, hi = max(lo, 0), hi + 1
        return not (self.region_busy[region, lo:hi].any() or self.missing[lo:hi].any())


def place_events(days, calendar, region_idx, region_codes, ids, rates, rng) -> Placed:
    n, n_days = calendar.shape
    scale = n_days / YEAR_DAYS
    book = _Book(n, n_days, len(region_codes))
    mult = np.ones((n, n_days), dtype=np.float32)
    members = [np.flatnonzero(region_idx == r) for r in range(len(region_codes))]
    counts = np.array([len(m) for m in members], dtype=float)
    # Region means of the calendar: is a region in session on a day? (27 regions)
    region_cal = np.stack(
        [
            calendar[m].mean(axis=0) if len(m) else np.zeros(n_days, dtype=np.float32)
            for m in members
        ]
    )
    weekday = ((days.astype("int64") - 4) % 7) < 5

    strike_days = _strike_days(days, rates, rng)
    _missing(book, rates, scale, weekday, region_cal, strike_days, rng)
    _strikes(book, mult, strike_days, members, counts, region_cal, rates, rng)
    _blackouts(book, mult, days, members, counts, region_cal, weekday, rates, scale, rng)
    onboard = _institution_events(book, mult, calendar, region_idx, rates, scale, rng)

    def date(i: int) -> dt.date:
        return days[i].astype(dt.date)

    rows = [
        {
            **r,
            "start": date(r["start"]),
            "end": date(r["end"]),
            "reference": date(r["reference"]),
            "institution_id": None if r["inst"] is None else ids[r["inst"]],
            "region": None if r["region"] is None else region_codes[r["region"]],
        }
        for r in book.rows
    ]
    labels = pl.DataFrame(
        {c: [r.get(c) for r in rows] for c in EVENT_SCHEMA if c != "event_id"},
        schema={c: t for c, t in EVENT_SCHEMA.items() if c != "event_id"},
    ).sort("start", "kind", "region", "institution_id", nulls_last=True)
    labels = labels.with_columns(
        event_id=pl.format("EV-{}", (pl.int_range(1, pl.len() + 1)).cast(pl.String).str.zfill(5))
    ).select(list(EVENT_SCHEMA))
    return Placed(mult, onboard, book.missing, labels)


def _label(book, kind, scope, start, end, reference, depth, inst=None, region=None):
    book.rows.append(
        {
            "kind": kind,
            "scope": scope,
            "start": int(start),
            "end": int(end),
            "reference": int(reference),
            "depth": float(depth),
            "inst": inst,
            "region": region,
        }
    )


def _missing(book, rates, scale, weekday, region_cal, strike_days, rng):
    lo, hi = rates.missing_days
    total = round(float(rng.integers(lo, hi + 1)) * min(1.0, scale))
    in_session = weekday & (region_cal.mean(axis=0) > 0.5)
    candidates = np.flatnonzero(in_session)
    # A gap on a strike day would hide the outage: keep them apart.
    candidates = candidates[(candidates >= 14) & ~np.isin(candidates, strike_days)]
    for _ in range(50):
        if total <= 0 or len(candidates) == 0:
            break
        run = 2 if total >= 2 and rng.random() < 0.3 else 1
        first = int(rng.choice(candidates))
        span = range(first, first + run)
        if span[-1] >= len(weekday) or not all(d in candidates for d in span):
            continue
        if book.missing[max(first - 3, 0) : first + run + 3].any():
            continue
        book.missing[first : first + run] = True
        _label(book, "missing_export", "platform", first, first + run - 1, first, 1.0)
        total -= run


def _strike_days(days, rates, rng) -> list[int]:
    dates = list(STRIKES_2022) + (list(STRIKES_WINTER) if rates.winter_strikes else [])
    first, last = days[0].astype(dt.date), days[-1].astype(dt.date)
    hits: list[int] = []
    for year in range(first.year, last.year + 1):
        for month, day in dates:
            d = dt.date(year, month, day)
            while d.weekday() >= 5:  # mapped dates that fall on a weekend move to Monday
                d += dt.timedelta(days=1)
            if first <= d <= last:
                hits.append((d - first).days)
    hits = sorted(set(hits))
    keep = min(len(hits), rates.strike_dates + (len(STRIKES_WINTER) if rates.winter_strikes else 0))
    return sorted(int(h) for h in rng.choice(hits, size=keep, replace=False)) if keep else []


def _strikes(book, mult, strike_days, members, counts, region_cal, rates, rng):
    n_days = mult.shape[1]
    weights = counts / counts.sum()
    for day in strike_days:
        hit = rng.integers(rates.regions_per_strike[0], rates.regions_per_strike[1] + 1)
        # Only regions that have institutions can be drawn without replacement.
        for region in rng.choice(
            len(members), size=min(hit * 2, int(np.count_nonzero(weights))), replace=False, p=weights
        ):
            if hit == 0:
                break
            length = int(rng.integers(1, 4))
            end = min(day + length - 1, n_days - 1)
            if region_cal[region, day] < 0.5 or not book.free(region, day - 3, end + 3):
                continue
            rows = members[region]
            level = rng.uniform(0.02, 0.3, end - day + 1)  # region level per day
            spread = rng.uniform(-0.08, 0.08, (len(rows), end - day + 1))
            mult[np.ix_(rows, np.arange(day, end + 1))] *= np.clip(level + spread, 0.0, 0.3)
            book.region_busy[region, day : end + 1] = True
            _label(
                book,
                "regional_outage",
                "region",
                day,
                end,
                day,
                1 - level.min(),
                region=int(region),
            )
            hit -= 1


def _blackouts(book, mult, days, members, counts, region_cal, weekday, rates, scale, rng):
    n_days = mult.shape[1]
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    mondays = np.flatnonzero(
        (((days.astype("int64") - 4) % 7) == 0) & np.isin(month, (11, 12, 1, 2))
    )
    if len(mondays) == 0:
        mondays = np.flatnonzero(((days.astype("int64") - 4) % 7) == 0)
    mondays = mondays[(mondays >= 14) & (mondays + 4 < n_days)]  # after some history
    total = round(rates.blackouts * scale)
    weights = counts / counts.sum()
    for _ in range(total * 10):
        if total == 0 or len(mondays) == 0:
            break
        monday = int(rng.choice(mondays))
        region = int(rng.choice(len(members), p=weights))
        end = monday + 4
        if region_cal[region, monday : end + 1].mean() < 0.6 or not book.free(
            region, monday - 3, end + 3
        ):
            continue
        rows = members[region]
        level = rng.uniform(0.4, 0.7, 5)
        spread = rng.uniform(-0.1, 0.1, (len(rows), 5))
        mult[np.ix_(rows, np.arange(monday, end + 1))] *= np.clip(level + spread, 0.4, 0.7)
        book.region_busy[region, monday : end + 1] = True
        _label(
            book, "rolling_blackout", "region", monday, end, monday, 1 - level.min(), region=region
        )
        total -= 1


def _institution_events(book, mult, calendar, region_idx, rates, scale, rng) -> np.ndarray:
    """Onboarding, drops, declines, dips and shifts; each on an institution of its own."""
    n, n_days = calendar.shape
    onboard = np.zeros(n, dtype=np.int64)
    order = rng.permutation(n)
    k_on = min(round(rates.onboarding * n), n) if n_days > 60 else 0
    joining, rest = order[:k_on], list(order[k_on:])
    onboard[joining] = rng.integers(14, n_days - 30, size=len(joining))
    # An institution's first covered day is never a day without any export.
    next_covered = np.flatnonzero(~book.missing)
    onboard[joining] = next_covered[np.searchsorted(next_covered, onboard[joining])]
    for i, o in zip(joining, onboard[joining]):  # loop over labelled events
        ramp = min(10, n_days - o)
        mult[i, o : o + ramp] *= np.linspace(0.4, 1.0, ramp, dtype=np.float32)
        _label(
            book,
            "onboarding",
            "distractor",
            o,
            min(o + 13, n_days - 1),
            o,
            0.0,
            inst=int(i),
            region=int(region_idx[i]),
        )
    plan = [
        ("institution_drop", rates.drop),
        ("gradual_decline", rates.decline),
        ("single_day_dip", rates.dip),
        ("small_shift", rates.shift),
    ]
    for kind, rate in plan:
        for _ in range(rng.poisson(rate * n * scale)):
            for _attempt in range(5):
                if not rest:
                    return onboard
                i = rest[-1]
                if _place_one(book, mult, calendar[i], i, int(region_idx[i]), kind, rng):
                    rest.pop()
                    break
                rest.insert(int(rng.integers(0, len(rest))), rest.pop())
    return onboard


def _place_one(book, mult, cal, i, region, kind, rng) -> bool:
    n_days = len(cal)
    school = np.flatnonzero(cal >= SCHOOL_DAY)
    school = school[(school >= 21) & (school <= n_days - 6)]
    if len(school) == 0:
        return False
    j = int(rng.integers(0, len(school)))
    onset = int(school[j])
    later = np.flatnonzero(cal >= SCHOOL_DAY)
    later = later[later >= onset]
    if kind == "institution_drop":
        length = int(rng.integers(5, 41))
        end = int(later[min(length - 1, len(later) - 1)])
        level = rng.uniform(0.0, 0.3)
        if not book.free(region, onset - 3, max(end, onset + 10)):
            return False
        days = end - onset + 1
        mult[i, onset : end + 1] *= np.clip(level + rng.uniform(-0.05, 0.05, days), 0.0, 0.3)
        _label(book, kind, "institution", onset, end, onset, 1 - level, inst=i, region=region)
    elif kind == "gradual_decline":
        ramp = int(rng.integers(14, 36))
        floor = rng.uniform(0.2, 0.4)
        half = onset + math.ceil(0.5 * ramp / (1 - floor))
        ref_days = later[later >= half]
        if len(ref_days) == 0 or not book.free(region, onset - 3, int(ref_days[0]) + 10):
            return False
        reference = int(ref_days[0])
        t = np.arange(n_days - onset)
        mult[i, onset:] *= (1 - (1 - floor) * np.minimum(1.0, t / ramp)).astype(np.float32)
        _label(
            book,
            kind,
            "institution",
            onset,
            n_days - 1,
            reference,
            1 - floor,
            inst=i,
            region=region,
        )
    elif kind == "single_day_dip":
        level = rng.uniform(0.0, 0.3)
        if not book.free(region, onset - 3, onset + 3):
            return False
        mult[i, onset] *= level
        _label(book, kind, "distractor", onset, onset, onset, 1 - level, inst=i, region=region)
    else:  # small_shift: a lasting -15..-25% step, not worth an alert
        level = rng.uniform(0.75, 0.85)
        if not book.free(region, onset - 3, onset + 10):
            return False
        mult[i, onset:] *= level
        _label(book, kind, "distractor", onset, n_days - 1, onset, 1 - level, inst=i, region=region)
    return True
