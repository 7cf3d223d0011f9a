"""Seeded, vectorised daily-level scenario simulator with labelled events.

`simulate(ScenarioConfig(...))` returns a `Scenario`: a synthetic institution directory, daily
metrics per institution and covered day, the labels of the injected events, each
institution's typical school-day meetings (for recall by size), and the `Truth` behind the
counts (for the oracle bound of models/oracle.py). 16,000 institutions over a
school year take a few seconds; see benchmarks/simulate_speed.py.

Activity model, per institution i and day d (expected meetings, then count noise):

    mu[i, d] = size_i * calendar[i, d] * trend[i, d] * region_day[r(i), d] * nation_day[d]
               * events[i, d]
    meetings ~ negative binomial (Gamma-Poisson, dispersion per institution)
    participants ~ Poisson(meetings * class size); meeting_minutes ~ Gamma with mean
    meetings * (35..80 min); active_hosts ~ Binomial(meetings, host share), at least 1.

`calendar` is monitor.scenario.sim_calendar (weekly profile, per-school break dates,
university sessions, holidays); `trend` a per-institution slope plus a weekly random walk;
`region_day` and `nation_day` small day-to-day shocks (air-raid alerts, weather), so that
peers move together; `events` comes from monitor.scenario.events.

Variants (`ScenarioConfig.variant`):

- ``standard`` - for 16,000 institutions over Sep-May: ~200 sudden drops, ~100 gradual
  declines, ~15 regional outages on 6 of the autumn-2022 strike dates, ~4 rolling-blackout
  weeks, 2-4 missing-export days; distractors: ~300 single-day dips, ~130 small shifts,
  3% of institutions onboarding mid-period.
- ``harsh-winter`` - more and wider strikes (all ten autumn-2022 dates plus the
  winter-2023 waves, 2-5 regions each), ~10 blackout weeks, winter breaks extended in most
  regions, stronger regional day-to-day shocks in Nov-Feb, slightly more institution events.
- ``quiet`` - half the institution events, 3 strike dates hitting 1-2 regions, ~1 blackout
  week, 1-2 missing days, milder noise.

`with_events=False` gives clean activity only: same directory, no events, no onboarding,
no missing days (for exact-ingest tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from monitor.errors import MonitorError
from monitor.regions import KINDS, REGIONS
from monitor.scenario.events import EVENT_SCHEMA, SCHOOL_DAY, Rates, place_events
from monitor.scenario.institutions import make_institutions
from monitor.scenario.sim_calendar import calendar_factors


@dataclass(frozen=True)
class Variant:
    rates: Rates
    region_noise: float  # sd of the log regional day shock
    winter_noise: float  # extra regional sd in Nov-Feb
    nation_noise: float
    long_winter: float  # share of regions extending the winter break


VARIANTS: dict[str, Variant] = {
    "standard": Variant(
        Rates(
            drop=0.0125,
            decline=0.0065,
            dip=0.02,
            shift=0.008,
            onboarding=0.03,
            strike_dates=6,
            regions_per_strike=(2, 3),
            winter_strikes=False,
            blackouts=4,
            missing_days=(2, 4),
        ),
        region_noise=0.06,
        winter_noise=0.03,
        nation_noise=0.04,
        long_winter=0.35,
    ),
    "harsh-winter": Variant(
        Rates(
            drop=0.015,
            decline=0.008,
            dip=0.025,
            shift=0.01,
            onboarding=0.03,
            strike_dates=10,
            regions_per_strike=(2, 5),
            winter_strikes=True,
            blackouts=10,
            missing_days=(2, 4),
        ),
        region_noise=0.07,
        winter_noise=0.1,
        nation_noise=0.05,
        long_winter=0.75,
    ),
    "quiet": Variant(
        Rates(
            drop=0.006,
            decline=0.003,
            dip=0.01,
            shift=0.004,
            onboarding=0.01,
            strike_dates=3,
            regions_per_strike=(1, 2),
            winter_strikes=False,
            blackouts=1,
            missing_days=(1, 2),
        ),
        region_noise=0.04,
        winter_noise=0.0,
        nation_noise=0.03,
        long_winter=0.25,
    ),
}


class ScenarioError(MonitorError):
    """A scenario cannot be generated with the given settings."""


@dataclass(frozen=True)
class ScenarioConfig:
    seed: int
    institutions: int
    start: dt.date
    end: dt.date  # inclusive
    variant: str = "standard"
    with_events: bool = True  # False: clean activity only (for exact-ingest tests)


@dataclass(frozen=True)
class Truth:
    """What only the simulator knows, per institution (directory order) and day (start..end):
    for bounding what any detector could catch (models/oracle.py)."""

    normal: np.ndarray  # (N, D) float32 expected meetings without the labelled events
    factor: np.ndarray  # (N, D) float32 what the events leave of it (1 outside events)
    school_day: np.ndarray  # (N, D) bool: the institution's own school day
    dispersion: np.ndarray  # (N,) size of the count noise (negative binomial r)


@dataclass(frozen=True)
class Scenario:
    config: ScenarioConfig
    directory: pl.DataFrame
    daily: pl.DataFrame
    events: pl.DataFrame
    size: pl.DataFrame
    truth: Truth


def _check(config: ScenarioConfig) -> None:
    if config.variant not in VARIANTS:
        raise ScenarioError(
            f"unknown scenario variant '{config.variant}'; use one of {', '.join(VARIANTS)}"
        )
    if config.institutions < 1:
        raise ScenarioError(f"{config.institutions} institutions asked for; give at least 1")
    if config.end < config.start:
        raise ScenarioError(
            f"the period ends ({config.end}) before it starts ({config.start}); "
            "give an end on or after the start"
        )


def simulate(config: ScenarioConfig) -> Scenario:
    _check(config)
    variant = VARIANTS[config.variant]
    # Independent streams: the directory and clean activity of a seed do not depend on events.
    streams = np.random.SeedSequence(config.seed).spawn(5)
    rng_dir, rng_cal, rng_trend, rng_events, rng_noise = (np.random.default_rng(s) for s in streams)
    directory, attrs = make_institutions(config.institutions, rng_dir)
    days = np.arange(np.datetime64(config.start, "D"), np.datetime64(config.end, "D") + 1)
    codes = list(REGIONS)
    region_idx = attrs["region"].replace_strict({c: i for i, c in enumerate(codes)}).to_numpy()
    kind_idx = attrs["kind"].replace_strict({k: i for i, k in enumerate(KINDS)}).to_numpy()
    n, n_days = config.institutions, len(days)

    calendar = calendar_factors(
        days, kind_idx, region_idx, len(codes), rng_cal, long_winter=variant.long_winter
    )
    mu = calendar * _shocks(attrs, days, region_idx, len(codes), variant, rng_trend)
    mu *= attrs["expected_meetings"].to_numpy().astype(np.float32)[:, None]

    ids = directory["institution_id"].to_list()
    if config.with_events:
        placed = place_events(days, calendar, region_idx, codes, ids, variant.rates, rng_events)
        factor, onboard, missing, events = placed.multiplier, placed.onboard, placed.missing, placed.labels
    else:
        factor = np.ones_like(mu)
        onboard = np.zeros(n, dtype=np.int64)
        missing = np.zeros(n_days, dtype=bool)
        events = pl.DataFrame(schema=EVENT_SCHEMA)
    truth = Truth(mu, factor, calendar >= SCHOOL_DAY, attrs["dispersion"].to_numpy())
    del calendar

    covered = (np.arange(n_days)[None, :] >= onboard[:, None]) & ~missing[None, :]
    rows, cols = np.nonzero(covered)
    # The events' factor is applied on the covered cells only: no second (N, D) array.
    daily = _counts(mu[rows, cols] * factor[rows, cols], rows, attrs, rng_noise)
    epoch_days = days.astype("int64").astype(np.int32)
    daily = pl.DataFrame(
        {
            "institution_id": directory["institution_id"].gather(rows),
            "date": pl.Series(epoch_days[cols]).cast(pl.Date),
            **{k: pl.Series(k, v, dtype=pl.Int64) for k, v in daily.items()},
        }
    )
    size = attrs.select("institution_id", pl.col("expected_meetings").cast(pl.Float64))
    return Scenario(config, directory, daily, events, size, truth)


def _shocks(attrs, days, region_idx, n_regions, variant, rng) -> np.ndarray:
    """Slow trend and shared day-to-day shocks, as an (N, D) float32 factor."""
    n, n_days = len(attrs), len(days)
    t = np.arange(n_days, dtype=np.float32) / 365.0
    # Slow drift: per-institution slope, a national drift back to classrooms, and a weekly
    # random walk so that last month's level is not exactly this month's.
    weeks = n_days // 7 + 1
    walk = np.cumsum(rng.normal(0.0, 0.025, (n, weeks)).astype(np.float32), axis=1)
    log = attrs["trend"].to_numpy().astype(np.float32)[:, None] * t[None, :] - 0.1 * t[None, :]
    log += np.repeat(walk, 7, axis=1)[:, :n_days]
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    winter = np.isin(month, (11, 12, 1, 2))
    region_sd = variant.region_noise + variant.winter_noise * winter
    region_day = rng.normal(0.0, 1.0, (n_regions, n_days)) * region_sd[None, :]
    nation_day = rng.normal(0.0, variant.nation_noise, n_days)
    log += (region_day[region_idx] + nation_day[None, :]).astype(np.float32)
    return np.exp(log, out=log)


def _counts(mu: np.ndarray, rows: np.ndarray, attrs: pl.DataFrame, rng) -> dict[str, np.ndarray]:
    """Count noise on the covered cells (flat arrays). Meetings are negative binomial
    (log-normal mixing with the variance of a Gamma(r, 1/r), then Poisson); the derived
    metrics use normal approximations, clipped to their bounds, for speed."""
    r = attrs["dispersion"].to_numpy().astype(np.float32)[rows]
    sigma = np.sqrt(np.log1p(1.0 / r))
    mix = np.exp(sigma * rng.standard_normal(len(mu), dtype=np.float32) - sigma * sigma / 2)
    meetings = rng.poisson(mu * mix)
    del mix, sigma, r
    active = np.flatnonzero(meetings)
    m = meetings[active].astype(np.float32)
    rows = rows[active]

    def normal(mean, sd, low, high=None):
        draw = np.rint(mean + sd * rng.standard_normal(len(m), dtype=np.float32))
        out = np.zeros(len(meetings), dtype=np.int64)
        out[active] = np.clip(draw, low, high if high is not None else np.inf)
        return out

    # Every meeting has its host; the rest of the class joins (Poisson-like spread).
    class_rest = attrs["class_size"].to_numpy().astype(np.float32)[rows] - 1.0
    participants = normal(m + m * class_rest, np.sqrt(m * class_rest), m)
    # Durations: Gamma(shape 3 per meeting) around 35..80 minutes per meeting.
    length = attrs["meeting_length"].to_numpy().astype(np.float32)[rows]
    minutes = normal(m * length, np.sqrt(m) * length / np.sqrt(np.float32(3.0)), m)
    share = attrs["host_share"].to_numpy().astype(np.float32)[rows]
    hosts = normal(m * share, np.sqrt(m * share * (1 - share)), 1.0, m)
    return {
        "meetings": meetings,
        "participants": participants,
        "meeting_minutes": minutes,
        "active_hosts": hosts,
    }
