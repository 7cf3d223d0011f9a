"""`monitor daily` filters and formats, `monitor sql`, and the size limit on inputs."""

from __future__ import annotations

import csv
import io
import json

import pytest
from zoom_rows import history_row, write_history


@pytest.fixture
def loaded(monitor, directory_csv, tmp_path):
    monitor("institutions", "import", str(directory_csv))
    export = write_history(tmp_path / "export.csv", [
        history_row("1", "t@lyceum7.example.org", "03/31/2025 09:00:00 AM", "03/31/2025 09:45:00 AM", 45, "A", 45),
        history_row("2", "t@lyceum7.example.org", "04/01/2025 09:00:00 AM", "04/01/2025 09:30:00 AM", 30, "A", 30),
        history_row("3", "r@uni.example.org", "04/01/2025 10:00:00 AM", "04/01/2025 11:00:00 AM", 60, "B", 60),
    ])
    assert monitor("ingest", str(export)).exit_code == 0
    return monitor


def test_daily_filters(loaded):
    def ids_dates(*args: str) -> list[tuple[str, str]]:
        out = loaded("daily", "--format", "csv", *args).stdout
        return [(r["institution_id"], r["date"]) for r in csv.DictReader(io.StringIO(out))]

    assert ids_dates("--from", "2025-04-01") == [("UA30-0001", "2025-04-01"), ("UA63-0007", "2025-04-01")]
    assert ids_dates("--to", "2025-03-31") == [("UA30-0001", "2025-03-31"), ("UA63-0007", "2025-03-31")]
    assert ids_dates("--region", "UA-63") == [("UA63-0007", "2025-03-31"), ("UA63-0007", "2025-04-01")]
    assert ids_dates("--institution", "UA30-0001", "--from", "2025-04-01") == [("UA30-0001", "2025-04-01")]


def test_daily_json_and_table(loaded):
    data = json.loads(loaded("daily", "--format", "json", "--institution", "UA63-0007").stdout)
    assert data == {"daily": [
        {"institution_id": "UA63-0007", "date": "2025-03-31", "meetings": 1, "participants": 1,
         "meeting_minutes": 45, "active_hosts": 1},
        {"institution_id": "UA63-0007", "date": "2025-04-01", "meetings": 1, "participants": 1,
         "meeting_minutes": 30, "active_hosts": 1},
    ]}
    table = loaded("daily", "--institution", "UA30-0001").stdout.splitlines()
    assert "institution_id" in table[1] and "2025-04-01" in table[-2] and "60" in table[-2]


def test_bad_date_is_a_usage_error(loaded):
    result = loaded("daily", "--from", "31.03.2025")
    assert result.exit_code == 2
    assert "Invalid value for '--from'" in result.stderr


def test_sql_over_daily_institutions_and_coverage(loaded):
    out = loaded("sql", "SELECT i.region, sum(d.meetings) AS meetings FROM daily d "
                 "JOIN institutions i USING (institution_id) GROUP BY i.region ORDER BY i.region",
                 "--format", "csv").stdout
    assert out == "region,meetings\nUA-30,1\nUA-63,2\n"
    coverage = json.loads(loaded("sql", "SELECT DISTINCT date FROM coverage ORDER BY date", "--format", "json").stdout)
    assert coverage == {"rows": [{"date": "2025-03-31"}, {"date": "2025-04-01"}]}


def test_sql_error_is_one_line(loaded):
    result = loaded("sql", "SELECT nope FROM daily")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the query failed (")
    assert result.stderr.endswith("; tables are daily, institutions, coverage\n")
    assert result.stderr.count("\n") == 1


def test_file_over_the_size_limit_is_quarantined_without_reading_it(monitor, directory_csv, home, tmp_path):
    monitor("init")
    (home / "monitor.toml").write_text("[ingest]\nmax_file_mb = 1\n", encoding="utf-8")
    monitor("institutions", "import", str(directory_csv))
    big = tmp_path / "huge.csv"
    with open(big, "wb") as handle:  # sparse: 3 GiB on paper, nothing on disk
        handle.truncate(3 * 2**30)
    result = monitor("ingest", str(big))
    assert result.exit_code == 1
    assert result.stderr == (
        "huge.csv: rejected: larger than ingest.max_file_mb (3072 MiB); split the export or "
        "raise the limit; copied to quarantine/\n"
    )
