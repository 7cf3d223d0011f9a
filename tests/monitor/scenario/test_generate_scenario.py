"""The scenario directory writer, the bundled fixtures and `monitor fixtures generate`."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import polars as pl
import pytest

from monitor.scenario.generate import DEMO, _chunks, _segments, generate_scenario, write_samples

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures"
START, END = dt.date(2022, 10, 20), dt.date(2022, 11, 5)


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("scenario")
    return out, generate_scenario(out, 4, 30, START, END)


def test_layout_and_headers(scenario):
    out, summary = scenario
    for name in ("institutions.csv", "truth_daily.csv", "events.csv", "scenario.json"):
        assert (out / name).is_file()
    with open(out / "institutions.csv", encoding="utf-8") as f:
        assert next(csv.reader(f)) == ["institution_id", "name", "region", "kind",
                                       "zoom_account_id", "zoom_group", "email_domains",
                                       "contacts"]
    truth = pl.read_csv(out / "truth_daily.csv", try_parse_dates=True)
    assert truth.columns == ["institution_id", "date", "meetings", "participants",
                             "meeting_minutes", "active_hosts"]
    assert truth.equals(truth.sort("institution_id", "date"))
    assert truth.height == 30 * summary["covered_days"]
    assert truth["meetings"].sum() == summary["meetings"]
    on_disk = {str(p.relative_to(out / "exports")) for p in (out / "exports").rglob("*")
               if p.is_file()}
    assert on_disk == {f["path"] for f in summary["files"]}
    formats = {f["format"] for f in summary["files"]}
    assert {"zoom-meetinglistdetails-current", "zoom-meetinglistdetails-legacy",
            "zoom-dashboard-meetings", "zoom-report-user-meetings", "zoom-participants-current",
            "zoom-participants-legacy", "zoom-participants-unique"} <= formats
    assert {f["encoding"] for f in summary["files"]} >= {"utf8-bom", "utf16", "excel"}


def test_truth_matches_the_simulated_meeting_counts(scenario):
    from monitor.scenario import ScenarioConfig, simulate

    out, _ = scenario
    truth = pl.read_csv(out / "truth_daily.csv", try_parse_dates=True)
    sim = simulate(ScenarioConfig(4, 30, START, END)).daily
    both = truth.join(sim, on=["institution_id", "date"], how="left", suffix="_sim")
    # where the simulator has the institution-day, counts agree; elsewhere (before an
    # institution onboards) a covered day is a real zero
    assert both.filter(pl.col("meetings_sim").is_not_null()).select(
        (pl.col("meetings") == pl.col("meetings_sim")).all()).item()
    assert both.filter(pl.col("meetings_sim").is_null())["meetings"].sum() == 0
    assert (truth["active_hosts"] <= truth["meetings"]).all()
    assert ((truth["meetings"] == 0) == (truth["meeting_minutes"] == 0)).all()
    assert (truth["participants"] >= 2 * truth["meetings"]).all()


def test_history_csv_files_overlap_and_name_their_range(scenario):
    out, _ = scenario
    names = sorted(p.name for p in (out / "exports/zoom-web/account-current").glob("*.csv"))
    ranges = [tuple(dt.datetime.strptime(x, "%Y%m%d").date() for x in n[19:36].split("_"))
              for n in names]
    assert len(ranges) >= 2
    (a0, a1), (b0, _) = ranges[0], ranges[1]
    assert a0 == START and b0 <= a1 and (a1 - b0).days == 2


def test_exports_never_span_a_day_without_data():
    days = [dt.date(2022, 10, d) for d in range(10, 32) if d not in (18, 19)]
    runs = _segments(days)
    assert runs == [(dt.date(2022, 10, 10), dt.date(2022, 10, 17)),
                    (dt.date(2022, 10, 20), dt.date(2022, 10, 31))]
    halves = _chunks(runs, "half-month", 3)
    assert halves == [(dt.date(2022, 10, 10), dt.date(2022, 10, 15)),
                      (dt.date(2022, 10, 13), dt.date(2022, 10, 17)),
                      (dt.date(2022, 10, 20), dt.date(2022, 10, 31))]
    weeks = _chunks(runs, "week")
    assert weeks[0] == (dt.date(2022, 10, 10), dt.date(2022, 10, 16))
    assert all(lo.weekday() == 0 or lo in (r[0] for r in runs) for lo, _ in weeks)


def test_same_seed_same_bytes_other_seed_differs(scenario, tmp_path):
    out, _ = scenario
    again = generate_scenario(tmp_path / "again", 4, 30, START, END)
    assert digest(tmp_path / "again") == digest(out)
    assert again["meetings"] == json.loads((out / "scenario.json").read_text())["meetings"]
    generate_scenario(tmp_path / "other", 5, 30, START, END)
    other = digest(tmp_path / "other")
    assert other["truth_daily.csv"] != digest(out)["truth_daily.csv"]


def test_bundled_samples_are_current(tmp_path):
    write_samples(tmp_path)
    assert digest(tmp_path / "samples") == digest(FIXTURES / "samples")
    assert digest(tmp_path / "bad") == digest(FIXTURES / "bad")


def test_bundled_demo_inventory():
    summary = json.loads((FIXTURES / "demo/scenario.json").read_text(encoding="utf-8"))
    assert (summary["seed"], summary["institutions"]) == (DEMO["seed"], DEMO["institutions"])
    assert summary["start"] == DEMO["start"].isoformat()
    assert summary["end"] == DEMO["end"].isoformat()
    exports = FIXTURES / "demo/exports"
    for f in summary["files"]:
        assert (exports / f["path"]).stat().st_size == f["bytes"]
    total = sum(p.stat().st_size for p in (FIXTURES / "demo").rglob("*") if p.is_file())
    assert total < 20_000_000  # the repository stays small: ten school weeks of 800 institutions
    directory = pl.read_csv(FIXTURES / "institutions.csv", infer_schema=False)
    assert directory.height == DEMO["institutions"]
    truth = pl.read_csv(FIXTURES / "demo/truth_daily.csv", infer_schema=False)
    assert set(truth["institution_id"]) == set(directory["institution_id"])


def test_cli_generate(monitor, tmp_path):
    out = tmp_path / "cli"
    ran = monitor("fixtures", "generate", "--seed", "2", "--institutions", "8",
                  "--from", "2022-10-27", "--to", "2022-11-01", "--out", str(out))
    assert ran.exit_code == 0, ran.stderr
    summary = json.loads((out / "scenario.json").read_text())
    assert ran.stdout == (f"{out}: 8 institutions, {summary['covered_days']} covered days, "
                          f"{summary['meetings']} meetings in {len(summary['files'])} export "
                          f"files ({sum(f['bytes'] for f in summary['files']) / 1e6:.1f} MB)\n")


def test_cli_generate_rejects_a_backwards_period(monitor, tmp_path):
    ran = monitor("fixtures", "generate", "--from", "2022-11-01", "--to", "2022-10-01",
                  "--out", str(tmp_path / "x"))
    assert ran.exit_code == 2
    assert ran.stderr.startswith("Error: the period ends (2022-10-01) before it starts")
    assert not (tmp_path / "x").exists()
