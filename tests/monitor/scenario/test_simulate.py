"""The daily-level scenario simulator: determinism, schema, coverage and the activity model."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from monitor.errors import MonitorError
from monitor.scenario import Scenario, ScenarioConfig, simulate
from monitor.scenario.events import EVENT_SCHEMA
from monitor.schema import DAILY

YEAR = (dt.date(2022, 9, 1), dt.date(2023, 5, 31))


@pytest.fixture(scope="module")
def year() -> Scenario:
    return simulate(ScenarioConfig(seed=7, institutions=1500, start=YEAR[0], end=YEAR[1]))


def _small(seed: int, **kw) -> Scenario:
    base = {
        "seed": seed,
        "institutions": 300,
        "start": dt.date(2022, 10, 1),
        "end": dt.date(2022, 12, 31),
    }
    return simulate(ScenarioConfig(**{**base, **kw}))


def test_same_seed_gives_the_same_scenario():
    a, b = _small(11), _small(11)
    for name in ("directory", "daily", "events", "size"):
        assert getattr(a, name).equals(getattr(b, name)), name


def test_other_seed_gives_other_institutions_activity_and_events():
    a, b = _small(11), _small(12)
    assert not a.daily.equals(b.daily)
    assert not a.directory.equals(b.directory)
    assert set(a.events["start"]) != set(b.events["start"])


def test_schemas_are_exact(year):
    assert dict(year.daily.schema) == DAILY
    assert year.directory.columns == [
        "institution_id",
        "name",
        "region",
        "kind",
        "zoom_account_id",
        "zoom_group",
        "email_domains",
        "contacts",
    ]
    assert set(year.directory.dtypes) == {pl.String}
    assert dict(year.events.schema) == EVENT_SCHEMA
    assert dict(year.size.schema) == {"institution_id": pl.String, "expected_meetings": pl.Float64}
    assert year.size["institution_id"].to_list() == year.directory["institution_id"].to_list()


def test_one_row_per_institution_and_covered_day(year):
    daily, events = year.daily, year.events
    assert daily.select("institution_id", "date").is_duplicated().sum() == 0
    assert daily.equals(daily.sort("institution_id", "date"))
    missing = set(
        events.filter(pl.col("kind") == "missing_export")
        .select(pl.date_ranges("start", "end"))
        .explode("start")["start"]
    )
    assert missing and not missing & set(daily["date"])
    first = daily.group_by("institution_id").agg(pl.col("date").min().alias("first"), pl.len())
    onboarding = events.filter(pl.col("kind") == "onboarding").select("institution_id", "start")
    joined = first.join(onboarding, on="institution_id", how="left").with_columns(
        expected_first=pl.coalesce("start", pl.lit(YEAR[0])),
    )
    assert (joined["first"] == joined["expected_first"]).all()
    # Every day from the first covered one is there, except the missing-export days.
    expected = [(YEAR[1] - f).days + 1 - sum(1 for m in missing if m >= f) for f in joined["first"]]
    assert joined["len"].to_list() == expected
    assert year.directory.height == daily["institution_id"].n_unique()


def test_counts_are_consistent(year):
    d = year.daily
    assert (d["active_hosts"] <= d["meetings"]).all()
    assert (d["participants"] >= d["meetings"]).all()
    assert (d["meeting_minutes"] >= d["meetings"]).all()
    zero = d.filter(pl.col("meetings") == 0)
    assert (
        zero.select(
            pl.sum_horizontal("participants", "meeting_minutes", "active_hosts").max()
        ).item()
        == 0
    )
    per = (
        d.group_by("institution_id")
        .agg(pl.col("meeting_minutes").sum() / pl.col("meetings").sum(), pl.col("meetings").sum())
        .filter(pl.col("meetings") > 300)
    )
    assert per["meeting_minutes"].is_between(32, 85).all()


def test_weekly_profile_and_school_breaks(year):
    with_kind = year.daily.join(
        year.directory.select("institution_id", "kind"), on="institution_id"
    )
    schools = with_kind.filter(pl.col("kind") == "school")
    by_dow = (
        schools.group_by(pl.col("date").dt.weekday()).agg(pl.col("meetings").sum()).sort("date")
    )
    weekday = dict(by_dow.iter_rows())
    assert weekday[7] < 0.02 * weekday[2] and weekday[6] < 0.05 * weekday[2]

    def total(lo: dt.date, hi: dt.date) -> int:
        return schools.filter(pl.col("date").is_between(lo, hi))["meetings"].sum()

    term = total(dt.date(2022, 11, 14), dt.date(2022, 11, 18))
    assert total(dt.date(2022, 12, 26), dt.date(2022, 12, 30)) < 0.1 * term  # winter break
    unis = with_kind.filter(pl.col("kind") == "university")
    sat = unis.filter(pl.col("date").dt.weekday() == 6)["meetings"].sum()
    assert sat > 0.05 * unis.filter(pl.col("date").dt.weekday() == 2)["meetings"].sum()


def test_sizes_are_heavy_tailed(year):
    size = year.size.join(year.directory.select("institution_id", "kind"), on="institution_id")
    schools = size.filter(pl.col("kind") == "school")["expected_meetings"]
    assert schools.min() >= 1.0 and (schools <= 3).mean() > 0.08
    assert size.filter(pl.col("kind") == "university")["expected_meetings"].median() >= 80


def test_without_events_activity_is_clean_and_directory_is_the_same():
    a, clean = _small(5), _small(5, with_events=False)
    assert clean.events.is_empty() and dict(clean.events.schema) == EVENT_SCHEMA
    assert clean.directory.equals(a.directory) and clean.size.equals(a.size)
    days = (dt.date(2022, 12, 31) - dt.date(2022, 10, 1)).days + 1
    assert clean.daily.height == 300 * days


def test_variants_differ():
    kw = {"seed": 3, "institutions": 2000, "start": YEAR[0], "end": YEAR[1]}
    runs = {
        v: simulate(ScenarioConfig(variant=v, **kw)) for v in ("standard", "harsh-winter", "quiet")
    }
    regional = {v: s.events.filter(pl.col("scope") == "region").height for v, s in runs.items()}
    assert regional["quiet"] < regional["standard"] < regional["harsh-winter"]
    institution = {
        v: s.events.filter(pl.col("scope") == "institution").height for v, s in runs.items()
    }
    assert institution["quiet"] < institution["standard"]
    assert not runs["standard"].daily.equals(runs["quiet"].daily)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"variant": "stormy"},
            "unknown scenario variant 'stormy'; use one of standard, harsh-winter, quiet",
        ),
        ({"institutions": 0}, "0 institutions asked for; give at least 1"),
        (
            {"end": dt.date(2022, 9, 30)},
            (
                "the period ends (2022-09-30) before it starts (2022-10-01); "
                "give an end on or after the start"
            ),
        ),
    ],
)
def test_bad_config_is_a_clear_error(change, message):
    with pytest.raises(MonitorError) as caught:
        _small(1, **change)
    assert str(caught.value) == message


def test_small_sizes_run_quickly():
    # Speed is measured in benchmarks/simulate_speed.py; this only smoke-tests tiny inputs.
    one = simulate(
        ScenarioConfig(seed=1, institutions=1, start=dt.date(2023, 3, 1), end=dt.date(2023, 3, 1))
    )
    assert one.daily.height <= 1 and one.directory.height == 1
    month = _small(2, institutions=50, start=dt.date(2022, 9, 1), end=dt.date(2022, 9, 30))
    assert month.directory.height == 50 and month.daily.height > 0


def test_truth_is_what_the_counts_were_drawn_from(year):
    truth = year.truth
    days = (YEAR[1] - YEAR[0]).days + 1
    assert truth.normal.shape == truth.factor.shape == truth.school_day.shape == (1500, days)
    # Aligned with the daily rows: drawn counts add up to the expectation they came from.
    row = {x: i for i, x in enumerate(year.directory["institution_id"].to_list())}
    cells = year.daily.select(
        pl.col("institution_id").replace_strict(row, return_dtype=pl.Int64).alias("i"),
        (pl.col("date") - pl.lit(YEAR[0])).dt.total_days().alias("d"), "meetings")
    i, d = cells["i"].to_numpy(), cells["d"].to_numpy()
    expected = float((truth.normal[i, d] * truth.factor[i, d]).sum())
    assert abs(cells["meetings"].sum() / expected - 1) < 0.02
    # Events leave activity alone outside their days; nobody has school on a Sunday.
    event = year.events.filter(pl.col("kind") == "institution_drop").row(0, named=True)
    k = row[event["institution_id"]]
    onset = (event["start"] - YEAR[0]).days
    assert truth.factor[k, :onset].min() == 1.0 and truth.factor[k, onset] <= 0.35
    sundays = [n for n in range(days) if (YEAR[0] + dt.timedelta(days=n)).weekday() == 6]
    assert not truth.school_day[:, sundays].any()
    assert (truth.factor == 1.0).all() == False  # noqa: E712 - the scenario has events
    assert (_small(3, with_events=False).truth.factor == 1.0).all()
