"""The README quick start: `make demo` runs `monitor demo`, `make test` runs this suite."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_demo_summary_and_exact_daily_totals(monitor, home):
    ran = monitor("demo")
    assert ran.exit_code == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[0] == f"home: {home.resolve()}"
    assert lines[1] == "directory: 800 institutions"
    assert lines[2] == "exports: 121 files ingested, 0 already stored, 0 rejected"
    assert lines[3] == "days covered: 41 (2022-10-03 .. 2022-11-13)"
    assert re.fullmatch(r"institutions active on 2022-11-10 \(last weekday\): \d+%", lines[6])
    # Detection ran: the bundled data has a missing export day (2022-11-11).
    assert lines[7].startswith("open episodes: ")
    anomalies = monitor("anomalies", "--scope", "platform", "--format", "csv").stdout
    assert ",platform,,,2022-11-11,2022-11-11,2022-11-11,resolved," in anomalies
    report = home / "reports" / "continuity-2022-W45-uk.html"
    assert lines[8] == f"weekly report: {report.resolve()}"
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    daily = monitor("daily", "--format", "csv").stdout
    assert daily == (REPO / "fixtures" / "demo" / "truth_daily.csv").read_text(encoding="utf-8")
    # Running it again on the same home changes nothing.
    again = monitor("demo")
    assert "exports: 0 files ingested, 121 already stored, 0 rejected" in again.stdout
    assert monitor("daily", "--format", "csv").stdout == daily


def test_readme_quick_start_is_the_two_make_targets():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```")[1]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make demo", "make test"]
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "$(VENV)/bin/monitor demo" in makefile.split("\ndemo:", 1)[1].split("\n\n")[0]
    assert "pytest" in makefile.split("\ntest:", 1)[1].split("\n\n")[0]
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
