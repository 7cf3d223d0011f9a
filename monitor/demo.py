"""`monitor demo`: the whole job on the bundled fixtures, into a fresh or named home."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from monitor.detection import detect
from monitor.directory import import_directory
from monitor.errors import MonitorError
from monitor.home import Home
from monitor.ingest.pipeline import Outcome, ingest_paths
from monitor.state import connect
from monitor.store import scan_daily, unmapped_daily
from monitor.weekly import iso_week, write_weekly

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@dataclass(frozen=True)
class DemoSummary:
    home: Path
    institutions: int
    outcomes: list[Outcome]
    first_day: str
    last_day: str
    covered_days: int
    meetings: int
    participants: int
    unmapped_meetings: int
    last_weekday: str
    active_share_last_day: float
    open_episodes: dict[str, int]
    report: Path

    def lines(self) -> list[str]:
        count = {s: sum(o.status == s for o in self.outcomes) for s in ("ingested", "duplicate", "rejected")}
        return [
            f"home: {self.home}",
            f"directory: {self.institutions} institutions",
            f"exports: {count['ingested']} files ingested, {count['duplicate']} already stored, "
            f"{count['rejected']} rejected",
            f"days covered: {self.covered_days} ({self.first_day} .. {self.last_day})",
            f"meetings: {self.meetings:,}   participant joins: {self.participants:,}",
            f"unmapped meetings: {self.unmapped_meetings:,}",
            f"institutions active on {self.last_weekday} (last weekday): {self.active_share_last_day:.0%}",
            "open episodes: " + (", ".join(f"{n} {scope}" for scope, n in sorted(self.open_episodes.items())) or "none"),
            f"weekly report: {self.report}",
        ]


def run_demo(home: Home, now: dt.datetime, fixtures: Path = FIXTURES) -> DemoSummary:
    directory, exports = fixtures / "institutions.csv", fixtures / "demo" / "exports"
    if not directory.exists() or not exports.is_dir():
        raise MonitorError(
            f"bundled fixtures not found under {fixtures}; run the demo from a checkout of the repository"
        )
    with connect(home.state_db) as conn:
        import_directory(conn, directory)
    outcomes = ingest_paths(home, [exports], today=now.astimezone(home.settings.timezone).date())
    daily = scan_daily(home).collect()  # the demo's few institutions
    if daily.is_empty():
        raise MonitorError("the demo exports produced no daily metrics; check fixtures/demo")
    detected = detect(home, as_of=daily["date"].max())
    # The last full week of data: the report of a Monday morning.
    week = iso_week(daily["date"].max() - dt.timedelta(days=6))
    report, _ = write_weekly(home, week, None, None, None, now)
    weekdays = daily.filter(pl.col("date").dt.weekday() <= 5)
    last = (weekdays if not weekdays.is_empty() else daily)["date"].max()
    on_last = daily.filter(pl.col("date") == last)
    return DemoSummary(
        home=home.root,
        institutions=daily["institution_id"].n_unique(),
        outcomes=outcomes,
        first_day=str(daily["date"].min()),
        last_day=str(daily["date"].max()),
        last_weekday=str(last),
        covered_days=daily["date"].n_unique(),
        meetings=int(daily["meetings"].sum()),
        participants=int(daily["participants"].sum()),
        unmapped_meetings=int(unmapped_daily(home)["unmapped_meetings"].sum()),
        active_share_last_day=float((on_last["meetings"] > 0).mean()),
        open_episodes=detected.open,
        report=report,
    )
