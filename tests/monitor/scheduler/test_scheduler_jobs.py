"""Jobs from [schedule], the job store, the lock, and `monitor jobs`."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.errors import StoreError
from monitor.home import Home
from monitor.locking import home_lock
from monitor.scheduler import build_scheduler, describe_jobs, job_triggers, serve, sync_jobs


def test_default_triggers_in_kyiv_time(tmp_path):
    home = Home.open(tmp_path)
    assert job_triggers(home) == {
        "ingest": ("interval", {"seconds": 900}),
        "detect": ("cron", {"hour": 6, "minute": 30}),
        "dispatch": ("interval", {"seconds": 300}),
        "weekly": ("cron", {"day_of_week": "mon", "hour": 8, "minute": 0}),
    }
    assert describe_jobs(home)[1] == ("detect", "cron hour=6 minute=30 (Europe/Kyiv)")


def test_job_store_follows_settings_and_job_defaults(fast_home):
    scheduler = build_scheduler(fast_home)
    scheduler.start(paused=True)
    try:
        scheduler.add_job("os:getpid", "interval", seconds=60, id="weekly")  # stale job
        names = sync_jobs(scheduler, fast_home)
        jobs = {j.id: j for j in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert names == ["dispatch", "ingest"] and sorted(jobs) == names
    job = jobs["dispatch"]
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 30)
    assert str(job.trigger.timezone) == "Europe/Kyiv"
    stored = sqlite3.connect(fast_home.state_db).execute(
        "SELECT id FROM apscheduler_jobs ORDER BY id").fetchall()
    assert stored == [("dispatch",), ("ingest",)]


def test_serve_runs_the_dispatch_job_and_stops(fast_home, recorder):
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(fast_home, stop))
    thread.start()
    deadline = time.monotonic() + 15
    while not recorder.requests and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    thread.join(15)
    assert not thread.is_alive()
    assert [r["body"]["text"].splitlines()[0] for r in recorder.requests] == [
        "Learning continuity monitor: Kharkiv Oblast"]


def test_one_service_per_home(fast_home):
    with home_lock(fast_home.root, "serve"):
        with pytest.raises(StoreError, match="another 'serve' is running on"):
            serve(fast_home, threading.Event())


def test_jobs_cli_list_and_run(fast_home, recorder):
    runner = CliRunner()
    listed = runner.invoke(main, ["--home", str(fast_home.root), "jobs", "list"])
    ran = runner.invoke(main, ["--home", str(fast_home.root), "jobs", "run", "dispatch"])
    empty = runner.invoke(main, ["--home", str(fast_home.root), "jobs", "run", "ingest"])
    bad = runner.invoke(main, ["--home", str(fast_home.root), "jobs", "run", "nope"])
    assert listed.output == ("ingest     interval seconds=1 (Europe/Kyiv)\n"
                             "dispatch   interval seconds=1 (Europe/Kyiv)\n")
    assert ran.output == "alerts_new=1 resolved=0 sent=1 pending=0\n"
    assert empty.output == "files=0\n"
    assert (bad.exit_code, bad.output) == (
        2, "Error: no job 'nope'; jobs are ingest, detect, dispatch, weekly\n")
    assert len(recorder.requests) == 1
