"""`monitor serve`: APScheduler 3 with its SQLAlchemy job store in state.sqlite.

Jobs come from [schedule] and are re-synchronised with it at every start (a disabled job is
removed from the store). Every job coalesces missed runs into one, never runs twice at once,
and is still run when it was missed by at most misfire_grace_seconds. One service per home
(a lock file); SIGTERM or SIGINT lets the running job finish and then stops.
"""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
import time
import zoneinfo
from typing import Any

from monitor.home import Home
from monitor.locking import home_lock

log = logging.getLogger("monitor.serve")


def job_triggers(home: Home) -> dict[str, tuple[str, dict[str, Any]]]:
    """Job name -> (APScheduler trigger name, trigger arguments), from [schedule]."""
    s = home.settings.schedule
    jobs: dict[str, tuple[str, dict[str, Any]]] = {}
    if s.ingest_interval_seconds:
        jobs["ingest"] = ("interval", {"seconds": s.ingest_interval_seconds})
    if s.detect_interval_seconds:
        jobs["detect"] = ("interval", {"seconds": s.detect_interval_seconds})
    elif s.detect_time:
        hour, minute = s.detect_time.split(":")
        jobs["detect"] = ("cron", {"hour": int(hour), "minute": int(minute)})
    if s.dispatch_interval_seconds:
        jobs["dispatch"] = ("interval", {"seconds": s.dispatch_interval_seconds})
    if s.weekly_report_time:
        day, clock = s.weekly_report_time.split()
        hour, minute = clock.split(":")
        jobs["weekly"] = ("cron", {"day_of_week": day, "hour": int(hour), "minute": int(minute)})
    return jobs


def describe_jobs(home: Home) -> list[tuple[str, str]]:
    tz = home.settings.schedule.timezone
    return [(name, f"{kind} " + " ".join(f"{k}={v}" for k, v in args.items()) + f" ({tz})")
            for name, (kind, args) in job_triggers(home).items()]


def build_scheduler(home: Home):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    schedule = home.settings.schedule
    store = SQLAlchemyJobStore(
        url=f"sqlite:///{home.state_db}", engine_options={"connect_args": {"timeout": 30}}
    )
    return BackgroundScheduler(
        jobstores={"default": store},
        timezone=zoneinfo.ZoneInfo(schedule.timezone),
        job_defaults={"coalesce": True, "max_instances": 1,
                      "misfire_grace_time": schedule.misfire_grace_seconds},
    )


def sync_jobs(scheduler, home: Home) -> list[str]:
    """Make the stored jobs match [schedule]; returns the job names."""
    wanted = job_triggers(home)
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    for name, (kind, args) in wanted.items():
        scheduler.add_job("monitor.jobs:scheduled", kind, args=[name, str(home.root)], id=name,
                          name=name, replace_existing=True, **args)
    return sorted(wanted)


def serve(home: Home, stop: threading.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or `stop` is set); one instance per home."""
    stop = stop or threading.Event()
    received: list[str] = []

    def on_signal(signum, _frame) -> None:
        received.append(signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    with home_lock(home.root, "serve", wait_seconds=0):
        scheduler = build_scheduler(home)
        scheduler.start(paused=True)
        names = sync_jobs(scheduler, home)
        scheduler.resume()
        log.info("event=serve_started home=%s jobs=%s timezone=%s", home.root, ",".join(names),
                 home.settings.schedule.timezone)
        while not stop.wait(1.0):
            pass
        log.info("event=serve_stopping signal=%s", received[0] if received else "none")
        scheduler.shutdown(wait=True)  # the running job finishes; nothing is cut half-way
        log.info("event=serve_stopped")


class KeyValueFormatter(logging.Formatter):
    """`ts=... level=... logger=... event=...`; free text from libraries goes in msg="..."."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))
        message = record.getMessage()
        if not message.startswith("event="):
            message = "msg=" + json.dumps(message, ensure_ascii=False)
        line = f"ts={stamp} level={record.levelname.lower()} logger={record.name} {message}"
        if record.exc_info:
            line += " exc=" + json.dumps(self.formatException(record.exc_info))
        return line


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
