"""Progress of the detection replay: the library passes `on_day` through to the detector, and the
CLI draws a "replaying days" bar on stderr only when stderr is a terminal; scripts reading
stdout (or stderr) through a pipe see exactly what they saw before."""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from monitor.detection import detect
from monitor.home import Home
from monitor.views import institution_view, region_view

MONITOR = Path(sys.executable).parent / "monitor"
FIRST, LAST = dt.date(2022, 9, 1), dt.date(2022, 11, 30)
DAYS = (LAST - FIRST).days + 1



@pytest.fixture
def loaded(monitor, tmp_path: Path, scenario):
    scenario.directory.write_csv(tmp_path / "institutions.csv")
    scenario.daily.write_csv(tmp_path / "daily.csv", date_format="%Y-%m-%d")
    assert monitor("institutions", "import", str(tmp_path / "institutions.csv")).exit_code == 0
    assert monitor("ingest", str(tmp_path / "daily.csv")).exit_code == 0
    return monitor


def commands(scenario) -> list[tuple[str, ...]]:
    first = scenario.directory.row(0, named=True)
    return [("detect", "--as-of", str(LAST)), ("detect", "--from", "2022-11-01", "--to", str(LAST)),
            ("institution", first["institution_id"]), ("region", first["region"])]


def test_without_a_terminal_no_progress_is_printed(loaded, scenario):
    ran = [loaded(*args) for args in commands(scenario)]
    assert [r.exit_code for r in ran] == [0, 0, 0, 0]
    assert [r.stderr for r in ran] == ["", "", "", ""]
    assert not any("replaying" in r.stdout or "%" in r.stdout for r in ran)
    # stdout as scripts parse it: the summary line last, new episodes by day before it.
    for r in ran[:2]:
        *days, summary = r.stdout.splitlines()
        assert re.fullmatch(r"as_of=2022-11-30 new=\d+ changed=\d+ removed=\d+ open: .+", summary)
        assert all(re.match(r"\d{4}-\d\d-\d\d: \d+ new: ", line) for line in days)
    assert ran[2].stdout.startswith(f"{scenario.directory['institution_id'][0]} ")
    assert ran[3].stdout.startswith(f"{scenario.directory['region'][0]}: ")


def test_the_library_reports_every_replayed_day(loaded, home):
    calls: list[tuple[int, int]] = []
    summary = detect(Home(home), as_of=LAST, on_day=lambda done, total: calls.append((done, total)))
    assert summary.inserted  # the scenario holds events
    assert calls == [(k, DAYS) for k in range(1, DAYS + 1)]


@pytest.mark.parametrize("view", ["institution", "region"])
def test_the_views_report_every_replayed_day(loaded, home, scenario, view):
    calls: list[tuple[int, int]] = []
    first = scenario.directory.row(0, named=True)
    if view == "institution":
        institution_view(Home(home), first["institution_id"], lambda *call: calls.append(call))
    else:
        region_view(Home(home), first["region"], lambda *call: calls.append(call))
    # Three months of data: the view replays all of it (it would start a year before its weeks).
    assert calls == [(k, DAYS) for k in range(1, DAYS + 1)]


def on_a_terminal(home: Path, *args: str) -> tuple[int, str, str]:
    """The real console script with stderr on a pseudo-terminal and stdout on a pipe: (exit
    code, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_HOME"}
    proc = subprocess.Popen([str(MONITOR), "--home", str(home), *args], stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    shown = bytearray()

    def drain() -> None:  # a terminal's buffer is small: read while the command writes
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the command closed its end
                return
            if not chunk:
                return
            shown.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    stdout, _ = proc.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    return proc.returncode, stdout.decode(), shown.decode(errors="replace")


@pytest.mark.parametrize("which", [0, 2, 3])  # detect, institution, region
def test_on_a_terminal_a_bar_shows_the_days_and_stdout_stays_the_same(loaded, home, scenario, which):
    args = commands(scenario)[which]
    loaded(*args)  # a second detect finds nothing new: compare two such runs
    piped = loaded(*args)
    if which == 0:  # a detect resumes from the state the last one kept, with no day left to run
        shutil.rmtree(home / "store" / "kept")
    code, stdout, shown = on_a_terminal(home, *args)
    assert code == 0
    assert stdout == piped.stdout
    assert "replaying days" in shown
    assert "100%" in shown
    assert shown.endswith("\n")  # the bar's line is ended before anything else is printed
