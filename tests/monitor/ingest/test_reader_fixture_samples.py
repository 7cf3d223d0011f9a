"""The bundled samples (fixtures/samples, when present): every reader's copies of the same
meetings give the ground-truth daily totals, whichever format arrives first."""

from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / "fixtures" / "samples"
pytestmark = pytest.mark.skipif(not (SAMPLES / "truth_daily.csv").exists(), reason="fixtures/samples not generated")

MEETING_LEVEL = ["zoom-api/dashboard-metrics-meetings", "zoom-participants",
                 "zoom-api/report-users-meetings", "zoom-history"]


@pytest.mark.parametrize("first", ["zoom-api/dashboard-metrics-meetings", "zoom-participants",
                                   "zoom-api/report-users-meetings"])
def test_any_format_first_gives_the_truth(monitor, first):
    assert monitor("institutions", "import", str(SAMPLES / "institutions.csv")).exit_code == 0
    order = [first] + [d for d in MEETING_LEVEL if d != first]
    ran = monitor("ingest", *(str(SAMPLES / d) for d in order))
    assert ran.exit_code == 0, ran.stderr
    assert ran.stdout.splitlines()[-1].endswith(", 0 rejected")
    daily = monitor("daily", "--format", "csv")
    assert daily.stdout.strip().splitlines() == (SAMPLES / "truth_daily.csv").read_text(encoding="utf-8").strip().splitlines()


def test_daily_csv_samples_agree(monitor):
    assert monitor("institutions", "import", str(SAMPLES / "institutions.csv")).exit_code == 0
    files = sorted((SAMPLES / "daily-csv").glob("*.csv"))
    assert files
    results = []
    for path in files:
        # Each file replaces the previous one's rows (the latest reported row wins).
        ran = monitor("ingest", str(path))
        assert ran.exit_code == 0, ran.stderr
        results.append([line.rsplit(",", 1)[0] for line in monitor("daily", "--format", "csv").stdout.splitlines()])
    assert all(r == results[0] for r in results) and len(results[0]) > 1


def test_report_daily_sample_needs_and_takes_institution(monitor):
    assert monitor("institutions", "import", str(SAMPLES / "institutions.csv")).exit_code == 0
    [page] = sorted((SAMPLES / "zoom-api" / "report-daily").glob("*.json"))
    refused = monitor("ingest", str(page))
    assert refused.exit_code == 1 and "pass --institution ID" in refused.stderr
    institution = page.stem.split("_")[2]
    assert monitor("ingest", "--institution", institution, str(page)).exit_code == 0
    rows = monitor("daily", "--format", "csv", "--institution", institution).stdout.strip().splitlines()[1:]
    assert rows and all(row.startswith(institution + ",") for row in rows)
