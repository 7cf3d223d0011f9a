"""`monitor serve` as a real process: alerts arrive, SIGTERM stops it, a restart re-sends
nothing, a second instance on the same home is refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


MONITOR = [sys.executable, "-c", "from monitor.cli import main; main()"]


def start(home, log: Path) -> subprocess.Popen:
    """The service with its structured log going to `log`, readable while it runs."""
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([*MONITOR, "--home", str(home.root), "serve"],
                                stdout=subprocess.DEVNULL, stderr=stderr,
                                env={**os.environ, "PYTHONWARNINGS": "error"})


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def stop(process: subprocess.Popen, log: Path) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=20)
    return process.returncode, log.read_text()


def test_serve_delivers_stops_on_sigterm_and_restarts_without_duplicates(fast_home, recorder,
                                                                          tmp_path):
    log_file = tmp_path / "serve.log"
    first = start(fast_home, log_file)
    arrived = wait_for(lambda: len(recorder.requests) == 1)
    second = subprocess.run([*MONITOR, "--home", str(fast_home.root), "serve"],
                            capture_output=True, text=True, timeout=30)
    code, log = stop(first, log_file)
    assert arrived, log
    assert (second.returncode, second.stderr) == (
        2, f"Error: another 'serve' is running on {fast_home.root}; wait for it to finish\n")
    assert code == 0, log
    assert "event=serve_started" in log and "jobs=dispatch,ingest timezone=Europe/Kyiv" in log
    assert "event=job_finished job=dispatch" in log
    assert log.rstrip().endswith("event=serve_stopped")
    assert "event=serve_stopping signal=SIGTERM" in log
    assert "Traceback" not in log

    again = start(fast_home, log_file)
    ran = wait_for(lambda: log_file.read_text().count("event=job_finished job=dispatch") >= 2)
    code, log = stop(again, log_file)
    assert ran and code == 0, log
    assert len(recorder.requests) == 1  # the restart re-sent nothing


def test_inbox_to_alert_end_to_end(tmp_path, recorder, hook_config):
    """Drop exports into the inbox; ingest + detection raise an episode; the alert arrives.

    The scenario: 3 schools with steady activity for 8 weeks; one stops for 5 days.
    """
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from monitor.home import Home

    hook_config(tmp_path, "\n".join([
        "ingest_interval_seconds = 1", "detect_interval_seconds = 2",
        "dispatch_interval_seconds = 0", 'detect_time = ""', 'weekly_report_time = ""',
    ]))
    home = Home.open(tmp_path)
    directory = tmp_path / "directory.csv"
    directory.write_text(
        "institution_id,name,region,kind,zoom_account_id,zoom_group,email_domains,contacts\n"
        + "".join(f"s{i},School {i},UA-63,school,,,s{i}.example.org,\n" for i in range(3)),
        encoding="utf-8")
    subprocess.run([*MONITOR, "--home", str(tmp_path), "institutions", "import", str(directory)],
                   check=True, capture_output=True)
    # Detection runs "as of yesterday" in the home's zone (in Kyiv it is already tomorrow for
    # two or three hours of every UTC day): the data ends then, the drop covers its last days.
    end = datetime.now(ZoneInfo("Europe/Kyiv")).date() - timedelta(days=1)
    rows = ["institution_id,date,meetings,participants,meeting_minutes,active_hosts"]
    for back in range(56, -1, -1):
        day = end - timedelta(days=back)
        for i in range(3):
            dropped = i == 0 and back < 5
            weekday = day.weekday() < 5
            n = 0 if dropped or not weekday else 40
            rows.append(f"s{i},{day},{n // 4},{n * 6},{n * 45},{n // 8}")
    staged = tmp_path / "daily.csv.part"
    staged.write_text("\n".join(rows) + "\n", encoding="utf-8")
    log_file = tmp_path / "serve.log"
    process = start(home, log_file)
    staged.rename(home.inbox / "daily.csv")  # atomic drop, as an exporter should
    arrived = wait_for(lambda: recorder.requests, seconds=60)
    code, log = stop(process, log_file)
    assert arrived, log
    assert code == 0
    assert (home.archive / "daily.csv").exists() or list(home.archive.rglob("daily*.csv"))
    assert "School 0 (s0)" in recorder.requests[0]["body"]["text"]
