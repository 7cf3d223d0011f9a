"""A meeting-history export too large to hold whole (a month of national data) is read,
de-duplicated and written a slice of meetings at a time, and committed as one file: the same
store as a read of the whole file. When a later slice holds what only a whole read handles (a
meeting met again, a fault) the file is read whole; when one is refused, nothing of the file
stays. Slices are made tiny here so that a few dozen rows make several."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from zoom_rows import history_row, write_history

from monitor.cli import main
from monitor.ingest.readers import zoom_history

HOSTS = ("o.k@lyceum7.example.org", "i.p@lyceum7.example.org", "r@dept.uni.example.org")


def joins() -> list[str]:
    """Join rows of 14 meetings over two days, as Zoom writes them (a meeting's joins together)."""
    rows = []
    for n in range(14):
        day, hour = 31 if n < 8 else 1, 8 + n % 4
        month = "03" if day == 31 else "04"
        start, end = f"{month}/{day:02d}/2025 {hour:02d}:00:00 AM", f"{month}/{day:02d}/2025 {hour:02d}:40:00 AM"
        for j in range(1 + n % 3):
            rows.append(history_row(f"8451234{n:04d}", HOSTS[n % 3], start, end, 40, f"Учень {j}", 30 + j))
    return rows


def run(home: Path, *args: str):
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def stored(home: Path) -> tuple[list[dict], list[tuple]]:
    """The daily metrics, and the files the ledger holds with their records."""
    daily = list(csv.DictReader(io.StringIO(run(home, "daily", "--format", "csv").stdout)))
    with sqlite3.connect(home / "state.sqlite") as conn:
        ledger = conn.execute("SELECT file_name, status, records, new_records FROM ledger ORDER BY file_name").fetchall()
    return daily, ledger


def part_files(home: Path) -> list[Path]:
    return sorted((home / "store").glob("meetings/*/part-*.parquet"))


@pytest.fixture
def reference(tmp_path: Path, directory_csv: Path) -> tuple[list[dict], list[tuple]]:
    """The store after a read of the whole file."""
    home = tmp_path / "whole"
    run(home, "institutions", "import", str(directory_csv))
    assert run(home, "ingest", str(write_history(tmp_path / "meetinglistdetails_whole.csv", joins()))).exit_code == 0
    return stored(home)


@pytest.fixture
def tiny_slices(monkeypatch):
    monkeypatch.setattr(zoom_history, "SLICE_MEETINGS", 3)
    monkeypatch.setattr(zoom_history, "_BATCH_ROWS", 2)


def sliced_home(tmp_path: Path, directory_csv: Path) -> Path:
    home = tmp_path / "sliced"
    run(home, "institutions", "import", str(directory_csv))
    return home


def test_a_file_read_in_slices_is_stored_as_a_whole_read_stores_it(tmp_path, directory_csv, reference, tiny_slices):
    home = sliced_home(tmp_path, directory_csv)
    export = write_history(tmp_path / "meetinglistdetails_whole.csv", joins())
    result = run(home, "ingest", str(export))
    assert result.exit_code == 0
    assert result.stdout.startswith("meetinglistdetails_whole.csv: ingested: 14 meetings")
    assert stored(home) == reference
    with sqlite3.connect(home / "state.sqlite") as conn:
        parts = conn.execute("SELECT count(*), sum(rows) FROM parts WHERE kind = 'meetings'").fetchone()
    assert parts[0] >= 4 and parts[1] == 14  # several slices, each meeting in one of them
    assert len(part_files(home)) == parts[0]
    assert "already ingested" in run(home, "ingest", str(export)).stdout


def test_a_meeting_met_again_in_a_later_slice_sends_the_file_to_a_whole_read(tmp_path, directory_csv, reference,
                                                                            tiny_slices):
    home = sliced_home(tmp_path, directory_csv)
    rows = joins()
    random.Random(3).shuffle(rows)  # a meeting's joins spread over the file
    result = run(home, "ingest", str(write_history(tmp_path / "meetinglistdetails_whole.csv", rows)))
    assert result.exit_code == 0
    assert stored(home) == reference
    assert len(part_files(home)) == 2  # read whole: one part per month, none left of the slices


def test_a_refused_later_slice_leaves_nothing_of_the_file(tmp_path, directory_csv, tiny_slices):
    home = sliced_home(tmp_path, directory_csv)
    late = history_row("84512349999", HOSTS[0], "03/31/2099 09:00:00 AM", "03/31/2099 09:40:00 AM", 40, "X", 40)
    refused = write_history(tmp_path / "a.csv", joins() + [late])
    # The next file of the batch holds the refused file's first meeting: it is new, not a
    # duplicate of a meeting that was never committed.
    again = write_history(tmp_path / "b.csv", joins()[:1])
    result = run(home, "ingest", str(refused), str(again))
    assert result.exit_code == 1
    assert result.stderr.startswith("a.csv: rejected: a date in it is 2099-03-31, after today")
    assert result.stdout.startswith("b.csv: ingested: 1 meetings\n")
    assert sorted(f.name for f in (home / "quarantine").iterdir()) == ["a.csv", "a.csv.reason"]
    assert len(part_files(home)) == 1
    with sqlite3.connect(home / "state.sqlite") as conn:
        assert conn.execute("SELECT sum(rows) FROM parts").fetchone() == (1,)


def test_a_fault_in_a_later_slice_is_named_by_its_line(tmp_path, directory_csv, tiny_slices):
    home = sliced_home(tmp_path, directory_csv)
    rows = joins()
    cut = ",".join(history_row("84512349999", HOSTS[0], "03/31/2025 09:00:00 AM", "03/31/2025 09:40:00 AM",
                               40, "X", 40).split(",")[:17]) + "\n"
    result = run(home, "ingest", str(write_history(tmp_path / "a.csv", rows + [cut])))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"a.csv: rejected: zoom-meeting-history: line {len(rows) + 2}: "
                                    "no participant join time")
    assert part_files(home) == []
