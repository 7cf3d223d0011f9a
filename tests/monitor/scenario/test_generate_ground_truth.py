"""End to end: import the generated directory, ingest the raw exports with the CLI, and the
daily totals equal the generator's ground truth exactly (DESIGN.md section 4 semantics)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from monitor.scenario.generate import generate_scenario

REPO = Path(__file__).resolve().parents[3]
SAMPLES = REPO / "fixtures" / "samples"


def ingest_and_compare(monitor, directory: Path, exports: list[Path], truth: Path) -> None:
    ran = monitor("institutions", "import", str(directory))
    assert ran.exit_code == 0, ran.stderr
    ran = monitor("ingest", *map(str, exports))
    assert ran.exit_code == 0, ran.stdout + ran.stderr
    ran = monitor("daily", "--format", "csv")
    assert ran.exit_code == 0, ran.stderr
    got, want = ran.stdout.splitlines(), truth.read_text(encoding="utf-8").splitlines()
    assert got[0] == want[0]
    wrong = [(g, w) for g, w in zip(got[1:], want[1:]) if g != w]
    assert not wrong, f"{len(wrong)} of {len(want) - 1} rows differ, first: {wrong[:3]}"
    assert len(got) == len(want)


def test_bundled_samples_ingest_to_their_truth(monitor):
    folders = ["zoom-history", "zoom-participants", "zoom-api/report-users-meetings",
               "zoom-api/dashboard-metrics-meetings"]
    ingest_and_compare(monitor, SAMPLES / "institutions.csv", [SAMPLES / f for f in folders],
                       SAMPLES / "truth_daily.csv")


def test_generated_month_ingests_to_exact_truth(monitor, tmp_path):
    # A few hundred institution-months' worth of formats: overlapping history CSVs in three
    # encodings, Dashboard and report/users pages, per-meeting exports, the DST fall-back day.
    out = tmp_path / "scenario"
    generate_scenario(out, 11, 120, dt.date(2022, 10, 1), dt.date(2022, 10, 31))
    ingest_and_compare(monitor, out / "institutions.csv", [out / "exports"],
                       out / "truth_daily.csv")


def test_reingest_changes_nothing(monitor):
    folders = [SAMPLES / "zoom-history", SAMPLES / "zoom-api/dashboard-metrics-meetings"]
    monitor("institutions", "import", str(SAMPLES / "institutions.csv"))
    monitor("ingest", *map(str, folders))
    first = monitor("daily", "--format", "csv").stdout
    again = monitor("ingest", *map(str, folders))
    assert again.exit_code == 0
    assert monitor("daily", "--format", "csv").stdout == first


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "fixtures/bad").iterdir()))
def test_bad_fixtures_are_quarantined(monitor, home, name):
    ran = monitor("ingest", str(REPO / "fixtures/bad" / name))
    assert ran.exit_code == 1, ran.stdout
    assert (home / "quarantine" / f"{name}.reason").is_file()
