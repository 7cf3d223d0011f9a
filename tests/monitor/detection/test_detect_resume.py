"""`monitor detect` resumes from the detector state the previous run kept and runs only the days
after it, with exactly the result of a replay of every day; whenever what that state was
computed from changed (a late export for a past day, the directory, a damaged file), it
replays every day instead."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from monitor.detection import detect, list_episodes
from monitor.home import Home

FIRST, LAST = dt.date(2022, 9, 1), dt.date(2022, 11, 30)
DAYS = (LAST - FIRST).days + 1
TAIL = 4  # the last days arrive one file a day


def write_days(daily: pl.DataFrame, path: Path) -> Path:
    daily.write_csv(path, date_format="%Y-%m-%d")
    return path


@pytest.fixture
def files(tmp_path: Path, scenario) -> dict[str, Path]:
    """The directory, the history before the last days, and one file per last day."""
    head_end = LAST - dt.timedelta(days=TAIL)
    out = {"directory": tmp_path / "institutions.csv",
           "head": write_days(scenario.daily.filter(pl.col("date") <= head_end), tmp_path / "head.csv")}
    scenario.directory.write_csv(out["directory"])
    for k in range(1, TAIL + 1):
        day = head_end + dt.timedelta(days=k)
        out[f"day{k}"] = write_days(scenario.daily.filter(pl.col("date") == day), tmp_path / f"{day}.csv")
    return out


def replayed(home: Path, **kwargs) -> int:
    """Days the detect run replayed."""
    totals: list[int] = []
    detect(Home(home), on_day=lambda done, total: totals.append(total), **kwargs)
    return totals[0] if totals else 0


def stored(home: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    kept = home / "store" / "kept"
    return (list_episodes(Home(home)), pl.read_parquet(kept / "weeks.parquet"),
            pl.read_parquet(kept / "latest.parquet"))


def assert_same(home: Path, reference: Path) -> None:
    (episodes, weeks, latest), (episodes_ref, weeks_ref, latest_ref) = stored(home), stored(reference)
    assert episodes_ref.filter(pl.col("scope") == "institution").height  # something to compare
    assert_frame_equal(episodes, episodes_ref)
    # A resumed run adds its part of a week to the part kept before it: sums in another order.
    assert_frame_equal(weeks, weeks_ref, check_exact=False, rel_tol=1e-9)
    assert_frame_equal(latest, latest_ref)


def detect_the_history(monitor, home: Path, files: dict[str, Path]) -> None:
    """The directory and the history before the last days, detected (the state is kept)."""
    assert monitor("institutions", "import", str(files["directory"])).exit_code == 0
    assert monitor("ingest", str(files["head"])).exit_code == 0
    detect(Home(home))


@pytest.fixture
def reference(tmp_path: Path, files, monkeypatch) -> Path:
    """A home that received everything at once and ran detect once."""
    from click.testing import CliRunner

    from monitor.cli import main

    home = tmp_path / "reference"
    for args in (("institutions", "import", str(files["directory"])),
                 ("ingest", *[str(p) for name, p in files.items() if name != "directory"])):
        assert CliRunner().invoke(main, ["--home", str(home), *args]).exit_code == 0
    assert replayed(home) == DAYS
    return home


def test_a_daily_detect_runs_one_day_and_finds_what_a_replay_finds(monitor, home, files, reference):
    assert monitor("institutions", "import", str(files["directory"])).exit_code == 0
    assert monitor("ingest", str(files["head"])).exit_code == 0
    assert replayed(home) == DAYS - TAIL  # nothing kept yet
    for k in range(1, TAIL + 1):
        assert monitor("ingest", str(files[f"day{k}"])).exit_code == 0
        assert replayed(home) == 1
    assert replayed(home) == 0  # nothing new: nothing to run
    assert_same(home, reference)


def test_a_run_past_the_last_day_keeps_the_state_of_that_day(monitor, home, files, reference):
    # The schedule detects as of yesterday, whose export may come late.
    assert monitor("institutions", "import", str(files["directory"])).exit_code == 0
    assert monitor("ingest", str(files["head"]), str(files["day1"])).exit_code == 0
    replayed(home, as_of=LAST - dt.timedelta(days=TAIL - 2))  # day2's export is late
    assert monitor("ingest", str(files["day2"]), str(files["day3"]), str(files["day4"])).exit_code == 0
    assert replayed(home) == TAIL - 1  # from the last day with data, not from the day run to
    assert_same(home, reference)


def test_a_late_export_for_a_past_day_means_a_replay(monitor, home, files, reference, scenario, tmp_path):
    late = dt.date(2022, 10, 19)
    everything = scenario.daily.filter(pl.col("date") != late)
    assert monitor("institutions", "import", str(files["directory"])).exit_code == 0
    assert monitor("ingest", str(write_days(everything, tmp_path / "all-but-one.csv"))).exit_code == 0
    detect(Home(home))
    assert late in list_episodes(Home(home), scope="platform")["start"].to_list()  # missing, for now
    day = write_days(scenario.daily.filter(pl.col("date") == late), tmp_path / "late.csv")
    assert monitor("ingest", str(day)).exit_code == 0
    assert replayed(home) == DAYS
    assert_same(home, reference)


def test_a_changed_directory_means_a_replay(monitor, home, files, scenario, tmp_path):
    detect_the_history(monitor, home, files)
    first = scenario.directory["institution_id"][0]
    moved = scenario.directory.with_columns(
        region=pl.when(pl.col("institution_id") == first).then(pl.lit("UA-63")).otherwise(pl.col("region")))
    moved.write_csv(tmp_path / "moved.csv")
    assert monitor("institutions", "import", str(tmp_path / "moved.csv")).exit_code == 0
    assert monitor("ingest", str(files["day1"])).exit_code == 0
    assert replayed(home) == DAYS - TAIL + 1


def test_a_damaged_state_file_means_a_replay(monitor, home, files, reference):
    detect_the_history(monitor, home, files)
    state = home / "store" / "kept" / "detector.npz"
    state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    assert monitor("ingest", *[str(files[f"day{k}"]) for k in range(1, TAIL + 1)]).exit_code == 0
    assert replayed(home) == DAYS
    assert_same(home, reference)


def test_a_detect_of_an_earlier_day_leaves_the_kept_state_alone(monitor, home, files, reference):
    assert monitor("institutions", "import", str(files["directory"])).exit_code == 0
    assert monitor("ingest", *[str(p) for name, p in files.items() if name != "directory"]).exit_code == 0
    detect(Home(home))
    assert replayed(home, as_of=LAST - dt.timedelta(days=10)) == DAYS - 10  # no going back
    assert replayed(home) == 0
    assert_same(home, reference)


def test_changed_calendar_settings_mean_a_replay(monitor, home, files):
    detect_the_history(monitor, home, files)
    (home / "monitor.toml").write_text(
        '[calendar.windows.2022]\nschool = ["2022-10-01..2022-10-16 autumn break, moved"]\n', encoding="utf-8")
    assert monitor("ingest", str(files["day1"])).exit_code == 0
    assert replayed(home) == DAYS - TAIL + 1


def test_a_range_after_resumed_runs_reports_the_days_a_replay_reports(monitor, home, files, reference):
    detect_the_history(monitor, home, files)
    assert monitor("ingest", *[str(files[f"day{k}"]) for k in range(1, TAIL + 1)]).exit_code == 0
    detect(Home(home))
    window = {"start": LAST - dt.timedelta(days=30), "end": LAST}
    resumed, replay = detect(Home(home), **window), detect(Home(reference), **window)
    assert replay.new_by_day  # something to compare
    assert (resumed.new_by_day, resumed.open) == (replay.new_by_day, replay.open)


def test_a_home_of_an_earlier_version_loses_the_folder_it_kept_views_in(monitor, home, files):
    old = home / "store" / "views"
    old.mkdir(parents=True)
    (old / "weeks.parquet").write_bytes(b"PAR1")
    detect_the_history(monitor, home, files)
    assert not old.exists()
    assert (home / "store" / "kept" / "meta.json").is_file()
