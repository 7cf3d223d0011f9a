"""Daily metrics are summed from per-part cell totals; distinct hosts of a day split across
several parts are recounted from the records, and lost or stale cells files are rebuilt."""

from __future__ import annotations

import csv
import io
import sqlite3

import polars as pl
from zoom_rows import history_row, write_history


def daily(monitor) -> list[dict[str, str]]:
    result = monitor("daily", "--format", "csv", "--institution", "UA63-0007")
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def test_hosts_of_one_day_in_two_exports_count_once_and_cells_are_rebuilt(monitor, directory_csv, tmp_path, home):
    monitor("institutions", "import", str(directory_csv))
    write_history(tmp_path / "a.csv", [
        history_row("1", "t@lyceum7.example.org", "03/31/2025 09:00:00 AM", "03/31/2025 09:45:00 AM", 45, "A", 45),
        history_row("2", "u@lyceum7.example.org", "04/01/2025 09:00:00 AM", "04/01/2025 09:45:00 AM", 45, "A", 45),
    ])
    write_history(tmp_path / "b.csv", [
        history_row("3", "t@lyceum7.example.org", "03/31/2025 11:00:00 AM", "03/31/2025 11:30:00 AM", 30, "A", 30),
        history_row("4", "u@lyceum7.example.org", "03/31/2025 12:00:00 PM", "03/31/2025 12:30:00 PM", 30, "B", 30),
    ])
    assert monitor("ingest", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")).exit_code == 0
    expected = [
        {"institution_id": "UA63-0007", "date": "2025-03-31", "meetings": "3", "participants": "3",
         "meeting_minutes": "105", "active_hosts": "2"},
        {"institution_id": "UA63-0007", "date": "2025-04-01", "meetings": "1", "participants": "1",
         "meeting_minutes": "45", "active_hosts": "1"},
    ]
    assert daily(monitor) == expected

    cells = sorted((home / "store" / "cells").rglob("part-*.parquet"))
    assert len(cells) == 3  # a.csv: March and April parts; b.csv: March
    cells[0].unlink()
    # A stale cells file (its totals do not match its part) is not trusted either.
    stale = pl.read_parquet(cells[1]).with_columns(pl.col("meetings") + 5)
    stale.write_parquet(cells[1])
    with sqlite3.connect(home / "state.sqlite") as conn:
        conn.execute("INSERT OR IGNORE INTO dirty_months (month) SELECT DISTINCT month FROM parts")
    assert daily(monitor) == expected
    assert all(p.exists() for p in cells)


def test_unmapped_meetings_per_day_come_from_the_cells_and_survive_a_lost_cells_file(monitor, directory_csv, tmp_path, home):
    import datetime as dt

    from monitor.home import Home
    from monitor.store import unmapped_daily

    monitor("institutions", "import", str(directory_csv))
    write_history(tmp_path / "a.csv", [
        history_row("1", "t@lyceum7.example.org", "03/31/2025 09:00:00 AM", "03/31/2025 09:45:00 AM", 45, "A", 45),
        history_row("2", "x@elsewhere.example.org", "03/31/2025 10:00:00 AM", "03/31/2025 10:30:00 AM", 30, "X", 30),
        history_row("3", "y@elsewhere.example.org", "03/31/2025 11:00:00 AM", "03/31/2025 11:30:00 AM", 30, "Y", 30),
        history_row("4", "y@elsewhere.example.org", "04/01/2025 11:00:00 AM", "04/01/2025 11:30:00 AM", 30, "Y", 30),
    ])
    assert monitor("ingest", str(tmp_path / "a.csv")).exit_code == 0
    expected = [("zoom", dt.date(2025, 3, 31), 2), ("zoom", dt.date(2025, 4, 1), 1)]
    assert unmapped_daily(Home.open(home)).select("platform", "date", "unmapped_meetings").rows() == expected
    for cells in (home / "store" / "cells").rglob("part-*.parquet"):
        cells.unlink()
    assert unmapped_daily(Home.open(home)).select("platform", "date", "unmapped_meetings").rows() == expected
