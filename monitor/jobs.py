"""The scheduled jobs: module-level functions the scheduler stores by reference.

Each job takes the home directory as a string (job arguments are pickled into the job store),
calls the same library function as the matching CLI command, and returns a one-line summary.
Jobs keyed by a period (detect: a day, weekly: an ISO week) record it in `job_runs`, so a
re-run or a coalesced misfire does not send last week's report twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Callable

from monitor.errors import MonitorError
from monitor.home import Home
from monitor.state import connect

log = logging.getLogger("monitor.jobs")

def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def ingest_inbox(root: str) -> str:
    """`monitor ingest HOME/inbox`, moving originals to archive/ or quarantine/."""
    home = Home.open(root)
    if not any(p for p in home.inbox.iterdir() if not p.name.startswith(".")):
        return "files=0"
    from monitor.ingest.pipeline import ingest_paths

    today = _now().astimezone(home.settings.timezone).date()
    outcomes = ingest_paths(home, [home.inbox], move_originals=True, today=today)
    statuses = ("ingested", "duplicate", "rejected")
    counts = {s: sum(o.status == s for o in outcomes) for s in statuses}
    return " ".join(f"{k}={v}" for k, v in counts.items())


def detect_then_dispatch(root: str) -> str:
    """Detection as of yesterday (local), then alert dispatch, as `monitor detect` + dispatch."""
    home = Home.open(root)
    as_of = _now().astimezone(home.settings.timezone).date() - dt.timedelta(days=1)
    from monitor.detection import detect

    found = detect(home, as_of=as_of)
    _record(home, "detect", as_of.isoformat(), f"{found!r}"[:200])
    return f"as_of={as_of} detected={found!r:.80} " + dispatch_alerts(root)


def dispatch_alerts(root: str) -> str:
    """`monitor alerts dispatch`."""
    from monitor.alerts.service import dispatch

    result = dispatch(Home.open(root), _now())
    return (f"alerts_new={result.created} resolved={result.resolved} "
            f"sent={len(result.delivery.sent)} pending={result.pending}")


def weekly_report(root: str) -> str:
    """`monitor report send --week` for the last complete ISO week, once per week."""
    home = Home.open(root)
    year, week, _ = (_now().astimezone(home.settings.timezone).date()
                     - dt.timedelta(days=7)).isocalendar()
    period = f"{year}-W{week:02d}"
    if _done(home, "weekly", period):
        return f"week={period} status=already_sent"
    from monitor.weekly import send_weekly

    sent = send_weekly(home, period, _now())
    summary = f"week={period} status=sent messages={len(sent)}"
    _record(home, "weekly", period, summary)
    return summary


JOBS: dict[str, Callable[[str], str]] = {
    "ingest": ingest_inbox,
    "detect": detect_then_dispatch,
    "dispatch": dispatch_alerts,
    "weekly": weekly_report,
}


def run_job(name: str, root: str) -> str:
    """Run one job by name with structured logging; `monitor jobs run NAME` and the scheduler."""
    if name not in JOBS:
        raise MonitorError(f"no job '{name}'; jobs are {', '.join(JOBS)}")
    started = time.monotonic()
    log.info("event=job_started job=%s", name)
    try:
        summary = JOBS[name](root)
    except MonitorError as exc:
        log.error("event=job_failed job=%s error=%r", name, str(exc))
        raise
    log.info("event=job_finished job=%s seconds=%.2f %s", name, time.monotonic() - started,
             summary)
    return summary


def scheduled(name: str, root: str) -> None:
    """The scheduler's entry point: a user-fixable failure is logged, not raised, so the
    scheduler does not print a traceback for a missing export or a receiver that is down."""
    try:
        run_job(name, root)
    except MonitorError:
        pass


def _done(home: Home, job: str, period: str) -> bool:
    with connect(home.state_db) as conn:
        return conn.execute("SELECT 1 FROM job_runs WHERE job = ? AND period = ?",
                            (job, period)).fetchone() is not None


def _record(home: Home, job: str, period: str, summary: str) -> None:
    with connect(home.state_db) as conn:
        conn.execute("INSERT OR REPLACE INTO job_runs VALUES (?, ?, ?, ?)",
                     (job, period, _now().strftime("%Y-%m-%dT%H:%M:%SZ"), summary))
