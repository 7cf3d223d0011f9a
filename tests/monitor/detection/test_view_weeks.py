"""The institution and region views read the weeks `monitor detect` kept while they are current,
run the kept detector state on over days ingested since, and replay the detector when anything
else they depend on changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from monitor.detection import detect
from monitor.home import Home
from monitor.views import institution_view, region_view

FIRST, LAST = dt.date(2022, 9, 1), dt.date(2022, 11, 30)



@pytest.fixture
def loaded(monitor, tmp_path: Path, scenario):
    scenario.directory.write_csv(tmp_path / "institutions.csv")
    # The last week arrives later, as its own file.
    early = scenario.daily.filter(pl.col("date") < LAST - dt.timedelta(days=6))
    early.write_csv(tmp_path / "daily.csv", date_format="%Y-%m-%d")
    scenario.daily.filter(pl.col("date") >= LAST - dt.timedelta(days=6)).write_csv(
        tmp_path / "last-week.csv", date_format="%Y-%m-%d")
    assert monitor("institutions", "import", str(tmp_path / "institutions.csv")).exit_code == 0
    assert monitor("ingest", str(tmp_path / "daily.csv")).exit_code == 0
    return monitor


def replays(view) -> int:
    """Days the view replayed (0: it read the kept weeks)."""
    days: list[int] = []
    view(lambda done, total: days.append(done))
    return len(days)


def shown(view) -> tuple:
    """Everything a view shows but the stored episodes (which detect adds)."""
    return view.title, view.weeks.rows(), view.spark_observed, view.spark_ratio, view.status


def test_after_detect_a_view_reads_the_kept_weeks_and_shows_the_same(loaded, home, scenario):
    first = scenario.directory.row(0, named=True)
    replayed = [shown(institution_view(Home(home), first["institution_id"])),
                shown(region_view(Home(home), first["region"]))]
    detect(Home(home))

    assert replays(lambda on_day: institution_view(Home(home), first["institution_id"], on_day)) == 0
    assert replays(lambda on_day: region_view(Home(home), first["region"], on_day)) == 0
    # Three months of data: a view's own replay starts at the first day too, so both agree exactly.
    assert [shown(institution_view(Home(home), first["institution_id"])),
            shown(region_view(Home(home), first["region"]))] == replayed
    assert replayed[0][1] and replayed[0][4]  # weeks and a word for the latest day were shown


def test_new_data_after_detect_runs_the_kept_state_on_over_the_new_days(loaded, home, scenario, tmp_path):
    first = scenario.directory.row(0, named=True)
    detect(Home(home))
    assert loaded("ingest", str(tmp_path / "last-week.csv")).exit_code == 0

    def institution(on_day=None):
        return institution_view(Home(home), first["institution_id"], on_day)

    def region(on_day=None):
        return region_view(Home(home), first["region"], on_day)

    assert replays(institution) == replays(region) == 7  # the new week, not the months before it
    resumed = [shown(institution()), shown(region())]
    detect(Home(home))
    assert replays(institution) == 0
    # What the weeks detect keeps show: detect resumes from the same state over the same days.
    assert [shown(institution()), shown(region())] == resumed
    assert resumed[0][1][-1][0] == LAST - dt.timedelta(days=LAST.weekday())  # the new week is shown


def test_a_changed_directory_sends_the_views_back_to_replaying(loaded, home, scenario, tmp_path):
    first = scenario.directory.row(0, named=True)
    detect(Home(home))
    moved = scenario.directory.with_columns(
        region=pl.when(pl.col("institution_id") == first["institution_id"]).then(pl.lit("UA-63"))
        .otherwise(pl.col("region")))
    moved.write_csv(tmp_path / "moved.csv")
    assert loaded("institutions", "import", str(tmp_path / "moved.csv")).exit_code == 0

    assert replays(lambda on_day: region_view(Home(home), first["region"], on_day)) > 0


def test_a_detect_as_of_an_earlier_day_keeps_nothing_for_the_views(loaded, home, scenario):
    first = scenario.directory.row(0, named=True)
    detect(Home(home), as_of=dt.date(2022, 11, 1))

    assert replays(lambda on_day: institution_view(Home(home), first["institution_id"], on_day)) > 0


def report_weeks(home: Path, week: str) -> tuple[pl.DataFrame, int]:
    """The weekly report's expected weeks, and the days it replayed to get them."""
    from monitor.weekly import SPARK_WEEKS, load_weekly_inputs, parse_week

    start, _ = parse_week(week)
    starts = [start - dt.timedelta(weeks=k) for k in range(SPARK_WEEKS - 1, -1, -1)]
    days: list[int] = []
    inputs = load_weekly_inputs(Home(home), week, on_day=lambda done, total: days.append(done))
    frame = inputs.expectation(inputs.daily, starts, inputs.metric)
    return frame.sort("institution_id", "week_start"), len(days)


def test_the_weekly_report_reads_the_kept_weeks_and_finds_the_same(loaded, home):
    from polars.testing import assert_frame_equal

    replayed, replayed_days = report_weeks(home, "2022-W46")
    detect(Home(home))
    kept, kept_days = report_weeks(home, "2022-W46")

    assert replayed_days > 0 and kept_days == 0
    assert replayed.height > 50 and replayed["has_expectation"].any()
    # Detection is causal: a run to a later day expected the same of every day of these weeks.
    assert_frame_equal(kept, replayed)


def test_the_weekly_report_of_a_week_ingested_after_detect_runs_the_kept_state_on(loaded, home, tmp_path):
    from polars.testing import assert_frame_equal

    detect(Home(home))
    assert loaded("ingest", str(tmp_path / "last-week.csv")).exit_code == 0
    resumed, resumed_days = report_weeks(home, "2022-W47")  # the new week's first days
    detect(Home(home))
    kept, kept_days = report_weeks(home, "2022-W47")

    assert (resumed_days, kept_days) == (7, 0)
    assert resumed.filter(pl.col("week_start") == dt.date(2022, 11, 21))["has_expectation"].any()
    assert_frame_equal(resumed, kept)


def test_a_detect_past_the_last_data_day_keeps_the_weeks_up_to_it(loaded, home, scenario):
    """The daily schedule detects as of yesterday, whose export may come a day late."""
    first = scenario.directory.row(0, named=True)
    replayed = shown(institution_view(Home(home), first["institution_id"]))
    last = scenario.daily.filter(pl.col("date") < LAST - dt.timedelta(days=6))["date"].max()
    detect(Home(home), as_of=last + dt.timedelta(days=2))

    assert replays(lambda on_day: institution_view(Home(home), first["institution_id"], on_day)) == 0
    assert shown(institution_view(Home(home), first["institution_id"])) == replayed
