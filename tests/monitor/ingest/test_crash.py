"""A process killed in the middle of an ingest leaves the store consistent, and a rerun
completes the ingest with exactly the totals of an uninterrupted run."""

from __future__ import annotations

import csv
import io
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from zoom_rows import history_row, write_history


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", "--home", str(home), *args],
        capture_output=True, text=True, timeout=300,
    )


def make_batch(folder: Path, files: int = 24, meetings: int = 300) -> Path:
    folder.mkdir()
    for f in range(files):
        rows = []
        for m in range(meetings):
            day = 1 + (f + m) % 28
            hour = 8 + m % 9
            start = f"03/{day:02d}/2025 {hour:02d}:{m % 60:02d}:00"
            end = f"03/{day:02d}/2025 {hour:02d}:{m % 60:02d}:59"
            rows.append(history_row(str(1000 + f * meetings + m), f"t{m % 7}@lyceum7.example.org",
                                    start, end, 1, "A", 1))
        write_history(folder / f"export_{f:02d}.csv", rows)
    return folder


def consistent(home: Path) -> None:
    """Every committed part exists and is readable; the ledger and parts agree."""
    import polars as pl

    with sqlite3.connect(home / "state.sqlite") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        parts = conn.execute("SELECT path, rows, sha256 FROM parts").fetchall()
        ingested = {s for (s,) in conn.execute("SELECT sha256 FROM ledger WHERE status='ingested'")}
    for path, rows, sha in parts:
        assert sha in ingested
        assert pl.read_parquet(path).height == rows


def daily_text(home: Path) -> str:
    result = run_cli(home, "daily", "--format", "csv")
    assert result.returncode == 0, result.stderr
    return result.stdout


def ingested_files(home: Path) -> int:
    try:
        with sqlite3.connect(home / "state.sqlite", timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM ledger WHERE status='ingested'").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_kill_during_ingest_then_rerun_gives_exact_totals(tmp_path, directory_csv):
    batch = make_batch(tmp_path / "batch")
    reference = tmp_path / "reference"
    assert run_cli(reference, "institutions", "import", str(directory_csv)).returncode == 0
    assert run_cli(reference, "ingest", str(batch)).returncode == 0
    expected = daily_text(reference)
    assert len(list(csv.DictReader(io.StringIO(expected)))) == 2 * 28  # both institutions, every covered day

    # Kill after a given number of files has committed, at whatever point of the next file
    # the process then is: reading, writing parts, or committing.
    for committed, extra_delay in ((1, 0.0), (6, 0.05), (12, 0.1), (20, 0.02)):
        home = tmp_path / f"crash-{committed}"
        assert run_cli(home, "institutions", "import", str(directory_csv)).returncode == 0
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor.cli", "--home", str(home), "ingest", str(batch)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while ingested_files(home) < committed and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(extra_delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        consistent(home)
        done = ingested_files(home)
        assert committed <= done < 24, done  # the kill landed in the middle of the batch
        rerun = run_cli(home, "ingest", str(batch))
        assert rerun.returncode == 0, rerun.stderr
        assert f"{24 - done} ingested, {done} already stored, 0 rejected" in rerun.stdout
        consistent(home)
        assert daily_text(home) == expected
        assert [p for p in (home / "store").rglob("*.tmp")] == []


# The CLI with slices of 200 meetings (a large file is read 400,000 at a time).
SLICED_CLI = ("from monitor.ingest.readers import zoom_history; "
              "zoom_history.SLICE_MEETINGS, zoom_history._BATCH_ROWS = 200, 150; "
              "from monitor.cli import run; run()")


def test_kill_in_the_middle_of_a_file_read_in_slices_then_rerun_gives_exact_totals(tmp_path, directory_csv):
    batch = make_batch(tmp_path / "batch", files=1, meetings=6000)
    reference = tmp_path / "reference"
    assert run_cli(reference, "institutions", "import", str(directory_csv)).returncode == 0
    assert run_cli(reference, "ingest", str(batch)).returncode == 0

    home = tmp_path / "crash"
    assert run_cli(home, "institutions", "import", str(directory_csv)).returncode == 0
    proc = subprocess.Popen([sys.executable, "-c", SLICED_CLI, "--home", str(home), "ingest", str(batch)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while (len(list((home / "store").glob("meetings/*/part-*-*.parquet"))) < 3 and proc.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert len(list((home / "store").glob("meetings/*/part-*-*.parquet"))) >= 3  # killed among the slices
    consistent(home)
    assert ingested_files(home) == 0  # no slice counts before the file's commit

    rerun = run_cli(home, "ingest", str(batch))
    assert rerun.returncode == 0, rerun.stderr
    assert "1 ingested, 0 already stored, 0 rejected" in rerun.stdout
    consistent(home)
    assert daily_text(home) == daily_text(reference)
    with sqlite3.connect(home / "state.sqlite") as conn:
        listed = {Path(p) for (p,) in conn.execute("SELECT path FROM parts")}
    assert set((home / "store").glob("meetings/*/part-*.parquet")) == listed  # the slices' parts swept
