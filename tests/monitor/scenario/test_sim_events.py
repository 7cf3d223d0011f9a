"""Labelled events agree with the simulated data and with each other."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from monitor.regions import REGIONS
from monitor.scenario import ScenarioConfig, simulate
from monitor.scenario.events import SCHOOL_DAY, STRIKES_2022, place_events
from monitor.scenario.sim_calendar import calendar_factors
from monitor.scenario.simulate import VARIANTS

CONFIG = {
    "seed": 21,
    "institutions": 3000,
    "start": dt.date(2022, 9, 1),
    "end": dt.date(2023, 5, 31),
}


@pytest.fixture(scope="module")
def pair():
    """The same seed with and without events: same directory, same clean activity model."""
    return simulate(ScenarioConfig(**CONFIG)), simulate(ScenarioConfig(**CONFIG, with_events=False))


@pytest.fixture(scope="module")
def compared(pair):
    """Daily meetings next to the clean run's on the same day, with region and size."""
    events, clean = pair
    return (
        events.daily.select("institution_id", "date", "meetings")
        .join(
            clean.daily.select("institution_id", "date", pl.col("meetings").alias("clean")),
            on=["institution_id", "date"],
        )
        .join(events.directory.select("institution_id", "region"), on="institution_id")
        .join(events.size, on="institution_id")
    )


def _during(compared, events, by):
    return compared.join(events, on=by).filter(pl.col("date").is_between("start", "end"))


def test_labels_are_well_formed(pair):
    ev = pair[0].events
    assert ev["event_id"].is_unique().all() and ev["event_id"].str.contains(r"^EV-\d{5}$").all()
    scopes = dict(ev.select("kind", "scope").unique().iter_rows())
    assert scopes == {
        "institution_drop": "institution",
        "gradual_decline": "institution",
        "regional_outage": "region",
        "rolling_blackout": "region",
        "missing_export": "platform",
        "single_day_dip": "distractor",
        "small_shift": "distractor",
        "onboarding": "distractor",
    }
    assert ((ev["start"] <= ev["reference"]) & (ev["reference"] <= ev["end"])).all()
    assert ev["depth"].is_between(0.0, 1.0).all()
    by_scope = ev.group_by("scope").agg(
        pl.col("institution_id").null_count().alias("no_inst"),
        pl.col("region").null_count().alias("no_region"),
        pl.len(),
    )
    nulls = {s: (a, b, n) for s, a, b, n in by_scope.iter_rows()}
    assert nulls["institution"][0] == 0 and nulls["region"][0] == nulls["region"][2]
    assert nulls["platform"][1] == nulls["platform"][2] and nulls["region"][1] == 0
    assert set(ev["region"].drop_nulls()) <= set(REGIONS)
    # One labelled institution-level thing per institution.
    assert ev["institution_id"].drop_nulls().is_unique().all()


def test_event_counts_scale_like_the_brief(pair):
    counts = dict(pair[0].events.group_by("kind").len().iter_rows())
    # 3,000 institutions: about 3/16 of the 16,000-institution figures.
    assert 20 <= counts["institution_drop"] <= 65
    assert 8 <= counts["gradual_decline"] <= 35
    assert 8 <= counts["regional_outage"] <= 20
    gaps = pair[0].events.filter(pl.col("kind") == "missing_export")
    assert 2 <= gaps.select((pl.col("end") - pl.col("start")).dt.total_days() + 1).sum().item() <= 4
    assert 1 <= counts["rolling_blackout"] <= 6


def test_institution_drops_fall_well_under_normal(pair, compared):
    drops = (
        pair[0]
        .events.filter(pl.col("kind") == "institution_drop")
        .select("institution_id", "start", "end")
    )
    big = compared.filter(pl.col("expected_meetings") >= 8)
    during = _during(big, drops, "institution_id")
    per_event = during.group_by("institution_id").agg(
        pl.col("meetings").sum() / pl.col("clean").sum()
    )
    assert per_event.height >= 5 and (per_event["meetings"] < 0.45).all()
    # And well under the median of the school days before it (days the clean run is busy).
    school = pl.col("clean") >= 0.5 * pl.col("expected_meetings")
    before = (
        big.join(drops, on="institution_id")
        .filter(
            (pl.col("date") < pl.col("start"))
            & (pl.col("date") >= pl.col("start") - pl.duration(days=28))
            & school
        )
        .group_by("institution_id")
        .agg(pl.col("meetings").median().alias("pre"))
    )
    during_mean = (
        during.filter(school)
        .group_by("institution_id")
        .agg(pl.col("meetings").mean().alias("during"))
    )
    both = before.join(during_mean, on="institution_id")
    assert both.height >= 5 and (both["during"] < 0.5 * both["pre"]).all()


def test_decline_reference_is_the_first_school_day_half_gone():
    """Exact check on the injected multiplier, with the real calendar."""
    n, days = 4000, np.arange(np.datetime64("2022-09-01"), np.datetime64("2023-06-01"))
    rng = np.random.default_rng(5)
    region_idx = rng.integers(0, len(REGIONS), n)
    calendar = calendar_factors(days, rng.integers(0, 4, n), region_idx, len(REGIONS), rng)
    ids = [f"I{i:05d}" for i in range(n)]
    placed = place_events(
        days, calendar, region_idx, list(REGIONS), ids, VARIANTS["standard"].rates, rng
    )
    declines = placed.labels.filter(pl.col("kind") == "gradual_decline")
    assert declines.height >= 10
    for inst, start, ref, depth in declines.select(
        "institution_id", "start", "reference", "depth"
    ).iter_rows():
        i, s, r = (
            int(inst[1:]),
            int((np.datetime64(start) - days[0]).astype(int)),
            int((np.datetime64(ref) - days[0]).astype(int)),
        )
        m, school = placed.multiplier[i], calendar[i] >= SCHOOL_DAY
        assert m[r] <= 0.5 + 1e-6 and school[r]
        assert (m[s:r][school[s:r]] > 0.5).all()
        assert m[-1] == pytest.approx(1 - depth, abs=1e-5)


def test_decline_reference_is_about_half_gone_in_the_data(pair, compared):
    declines = (
        pair[0]
        .events.filter(pl.col("kind") == "gradual_decline")
        .select("institution_id", "start", "reference")
    )
    joined = compared.join(declines, on="institution_id")
    at = joined.filter((pl.col("date") - pl.col("reference")).dt.total_days().is_between(0, 2))
    assert 0.25 <= at["meetings"].sum() / at["clean"].sum() <= 0.6
    before_onset = joined.filter(
        pl.col("date").is_between(
            pl.col("start") - pl.duration(days=14), pl.col("start") - pl.duration(days=1)
        )
    )
    assert before_onset["meetings"].sum() / before_onset["clean"].sum() > 0.85


def test_regional_events_hit_the_whole_region(pair, compared):
    regional = pair[0].events.filter(pl.col("scope") == "region")
    for kind, lo, hi in (("regional_outage", 0.0, 0.35), ("rolling_blackout", 0.35, 0.75)):
        events = regional.filter(pl.col("kind") == kind).select(
            "event_id", "region", "start", "end"
        )
        during = (
            _during(compared, events, "region")
            .group_by("event_id")
            .agg((pl.col("meetings").sum() / pl.col("clean").sum()).alias("r"))
        )
        assert during.height == events.height and during["r"].is_between(lo, hi).all(), kind


def test_outages_fall_on_strike_dates_mapped_to_the_year():
    ev = simulate(
        ScenarioConfig(
            seed=4,
            institutions=2000,
            start=dt.date(2023, 9, 1),
            end=dt.date(2024, 5, 31),
            variant="standard",
        )
    ).events
    starts = set(ev.filter(pl.col("kind") == "regional_outage")["start"])
    allowed = set()
    for month, day in STRIKES_2022:
        d = dt.date(2023, month, day)
        allowed.add(d + dt.timedelta(days=(7 - d.weekday()) % 7 if d.weekday() >= 5 else 0))
    assert starts and starts <= allowed


def test_events_do_not_overlap_nonsensically(pair):
    ev = pair[0].events
    region_days = (
        ev.filter(pl.col("scope") == "region")
        .select("region", pl.date_ranges("start", "end").alias("day"))
        .explode("day")
    )
    gaps = (
        ev.filter(pl.col("kind") == "missing_export")
        .select(pl.date_ranges("start", "end").alias("day"))
        .explode("day")
    )
    assert region_days.join(gaps, on="day").is_empty()
    assert region_days.select("region", "day").is_duplicated().sum() == 0
    inst = (
        ev.filter(pl.col("scope") == "institution")
        .with_columns(
            window=pl.date_ranges(
                pl.col("start") - pl.duration(days=3), pl.col("reference") + pl.duration(days=10)
            )
        )
        .explode("window")
    )
    assert inst.join(
        region_days, left_on=["region", "window"], right_on=["region", "day"]
    ).is_empty()
    assert inst.join(gaps, left_on="window", right_on="day").is_empty()


def test_distractors_are_mild_or_short(pair, compared):
    ev = pair[0].events
    dips = ev.filter(pl.col("kind") == "single_day_dip")
    assert (dips["start"] == dips["end"]).all() and dips["depth"].min() >= 0.7
    shifts = ev.filter(pl.col("kind") == "small_shift")
    assert shifts["depth"].is_between(0.15, 0.25).all()
    during = _during(compared, shifts.select("institution_id", "start", "end"), "institution_id")
    assert 0.7 <= during["meetings"].sum() / during["clean"].sum() <= 0.9
