"""A break the Ministry moved: configured in [calendar], it is a break, not an outage."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl

FIRST, LAST = dt.date(2022, 9, 1), dt.date(2022, 10, 31)
BREAK = (dt.date(2022, 10, 3), dt.date(2022, 10, 14))  # outside the default autumn window


def write_inputs(tmp_path):
    ids = [f"UA{r[3:]}-{n:04d}" for r in ("UA-63", "UA-30") for n in range(20)]
    pl.DataFrame({
        "institution_id": ids, "name": [f"Школа {n}" for n in range(40)],
        "region": ["UA-63"] * 20 + ["UA-30"] * 20, "kind": ["school"] * 40,
        "zoom_account_id": [""] * 40, "zoom_group": [""] * 40, "email_domains": [""] * 40, "contacts": [""] * 40,
    }).write_csv(tmp_path / "institutions.csv")
    days = [FIRST + dt.timedelta(days=d) for d in range((LAST - FIRST).days + 1)]
    rng = np.random.default_rng(5)
    rows = []
    for day in days:
        school = day.weekday() < 5 and not BREAK[0] <= day <= BREAK[1]
        for institution in ids:
            meetings = int(rng.poisson(20)) if school else 0
            rows.append((institution, day, meetings, 20 * meetings, 45 * meetings))
    pl.DataFrame(rows, schema=["institution_id", "date", "meetings", "participants", "meeting_minutes"],
                 orient="row").write_csv(tmp_path / "daily.csv", date_format="%Y-%m-%d")


def episodes_in_break(monitor) -> list[dict]:
    result = monitor("anomalies", "--from", "2022-09-01", "--to", "2022-10-31", "--format", "json")
    assert result.exit_code == 0, result.stderr
    found = json.loads(result.stdout)["episodes"]
    return [e for e in found if e["start"] <= BREAK[1].isoformat() and (e["end"] or "9999") >= BREAK[0].isoformat()]


def test_a_configured_break_window_turns_a_national_silence_into_a_break(monitor, home, tmp_path):
    write_inputs(tmp_path)
    assert monitor("institutions", "import", str(tmp_path / "institutions.csv")).exit_code == 0
    assert monitor("ingest", str(tmp_path / "daily.csv")).exit_code == 0
    # Default calendar: every school silent for two weeks in early October is the data failing.
    assert monitor("detect").exit_code == 0
    unexplained = episodes_in_break(monitor)
    assert unexplained and {e["scope"] for e in unexplained} == {"platform"}
    # The moved break, configured: nothing to report.
    (home / "monitor.toml").write_text(
        '[calendar.windows.2022]\nschool = ["2022-10-01..2022-10-16 autumn break, moved"]\n', encoding="utf-8")
    assert monitor("detect").exit_code == 0
    assert episodes_in_break(monitor) == []
