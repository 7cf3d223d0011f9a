"""Coverage is kept once per file (its days, and its institutions), and read back as every
institution-day it vouches for; homes written with one row per institution-day migrate."""

from __future__ import annotations

import json
import sqlite3

from monitor.home import Home
from monitor.state import connect
from monitor.store import scan_coverage

USAGE = (
    "institution_id,date,meetings,participants,meeting_minutes\n"
    "UA63-0007,2025-03-31,3,40,135\n"
    "UA30-0001,2025-03-31,2,10,90\n"
    "UA63-0007,2025-04-01,1,5,45\n"
    "UA63-0007,2025-04-02,4,9,80\n"
)


def sql(monitor, query: str) -> list[dict]:
    result = monitor("sql", query, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["rows"]


def test_a_daily_file_is_stored_once_per_day_and_institution_not_per_cell(monitor, directory_csv, tmp_path, home):
    monitor("institutions", "import", str(directory_csv))
    usage = tmp_path / "usage.csv"
    usage.write_text(USAGE, encoding="utf-8")
    assert monitor("ingest", str(usage)).exit_code == 0
    with sqlite3.connect(home / "state.sqlite") as conn:
        days = conn.execute("SELECT COUNT(*) FROM covered_days").fetchone()[0]
        institutions = conn.execute("SELECT COUNT(*) FROM covered_institutions").fetchone()[0]
    assert (days, institutions) == (3, 2)
    # Read back as the cross product: the university's days without a row are covered zeros.
    assert sql(monitor, "SELECT COUNT(*) AS n FROM coverage") == [{"n": 6}]
    assert sql(monitor, "SELECT date, meetings FROM daily WHERE institution_id = 'UA30-0001' ORDER BY date") == [
        {"date": "2025-03-31", "meetings": 2}, {"date": "2025-04-01", "meetings": 0},
        {"date": "2025-04-02", "meetings": 0},
    ]


OLD_SCHEMA = """
CREATE TABLE coverage (
    platform TEXT NOT NULL, level TEXT NOT NULL, date TEXT NOT NULL,
    institution_id TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL,
    PRIMARY KEY (platform, level, date, institution_id, sha256)
);
"""


def test_a_home_with_one_coverage_row_per_cell_migrates_exactly(home):
    home.mkdir(parents=True)
    old_rows = [
        ("teams", "daily", day, inst, "f1") for day in ("2025-03-31", "2025-04-01") for inst in ("A", "B")
    ] + [("zoom", "meetings", day, "", "f2") for day in ("2025-04-01", "2025-04-02")]
    with sqlite3.connect(home / "state.sqlite") as conn:
        conn.executescript(OLD_SCHEMA)
        conn.executemany("INSERT INTO coverage VALUES (?, ?, ?, ?, ?)", old_rows)
    with connect(home / "state.sqlite") as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        stored = conn.execute("SELECT COUNT(*) FROM covered_days").fetchone()[0]
    assert "coverage" not in tables and stored == 4
    back = scan_coverage(Home.open(home)).collect()
    assert sorted((r["platform"], r["level"], r["date"].isoformat(), r["institution_id"], r["sha256"])
                  for r in back.iter_rows(named=True)) == sorted(old_rows)
    with connect(home / "state.sqlite"):  # a second connect finds nothing to migrate
        pass
    assert scan_coverage(Home.open(home)).collect().height == len(old_rows)
