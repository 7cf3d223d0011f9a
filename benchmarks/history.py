"""Benchmark: years of national history in one home. Simulates daily metrics for every
institution, migrates them as monthly `daily-csv` files (the history-migration path), then
times the everyday commands on that home, each in its own process so that its peak RSS is
its own.

    .venv/bin/python -m benchmarks.history [--institutions 16000] [--start 2022-09-01]
        [--end 2025-08-31] [--data bench-history]

The simulated files and the home are kept in --data (delete it to start over). For scale,
`bare-scan` counts the home's daily Parquet rows with bare polars in a process of its own:
the queries that read only what they need stay close to it. Detection replays the detector
over all history; the views and the report replay it too before the first `detect`, and read
the weeks it kept after it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import time
from pathlib import Path

import monitor  # noqa: F401 (before polars: the product's allocator setting)
import polars as pl

BARE_SCAN = ("import polars as pl, sys; "
             "print(pl.scan_parquet(sys.argv[1] + '/store/daily/*.parquet').select(pl.len()).collect().item())")


def prepare(data: Path, institutions: int, start: dt.date, end: dt.date) -> Path:
    """The monthly daily-csv files and the directory, written once."""
    source = data / "source"
    marker = source / f"ready-{institutions}-{start}-{end}"
    if marker.exists():
        return source
    from monitor.scenario import ScenarioConfig, simulate

    shutil.rmtree(data, ignore_errors=True)
    source.mkdir(parents=True)
    scenario = simulate(ScenarioConfig(5, institutions, start, end))
    scenario.directory.write_csv(source / "institutions.csv")
    (source / "daily").mkdir()
    monthly = scenario.daily.with_columns(month=pl.col("date").dt.strftime("%Y-%m"))
    for (month,), chunk in monthly.group_by("month"):
        chunk.drop("month").sort("institution_id", "date").write_csv(source / "daily" / f"daily_{month}.csv")
    marker.touch()
    return source


def timed(label: str, argv: list[str]) -> None:
    began = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{label} failed: {done.stderr.strip().splitlines()[-2:]}")
    peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
    print(f"{label:<44} {seconds:7.1f} s  {peak_mb:7.0f} MB", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=16_000)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2022, 9, 1))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2025, 8, 31))
    parser.add_argument("--data", type=Path, default=Path("bench-history"))
    args = parser.parse_args(argv)
    source = prepare(args.data, args.institutions, args.start, args.end)
    home = args.data / "home"
    shutil.rmtree(home, ignore_errors=True)
    cli = [sys.executable, "-m", "monitor.cli", "--home", str(home)]
    subprocess.run([*cli, "institutions", "import", str(source / "institutions.csv")], check=True,
                   capture_output=True)
    some = pl.read_csv(source / "institutions.csv").row(0, named=True)
    last = args.end.isoformat()
    week = (args.end - dt.timedelta(days=args.end.weekday() + 7)).strftime("%G-W%V")
    print(f"{args.institutions} institutions, {args.start} .. {args.end}")
    timed("ingest (monthly daily-csv files)", [*cli, "ingest", str(source / "daily")])
    print(f"{'state.sqlite':<44} {(home / 'state.sqlite').stat().st_size / 2**20:7.0f} MB on disk")
    timed("bare-scan (polars count of the daily Parquet)", [sys.executable, "-c", BARE_SCAN, str(home)])
    timed("sql: count(*) FROM daily", [*cli, "sql", "SELECT count(*) FROM daily"])
    timed("sql: count(*) FROM coverage", [*cli, "sql", "SELECT count(*) FROM coverage"])
    timed("daily --institution ID --from (last month)",
          [*cli, "daily", "--institution", some["institution_id"], "--from", last[:8] + "01"])
    timed("institution ID (replayed: no detect yet)", [*cli, "institution", some["institution_id"]])
    timed("region CODE (replayed: no detect yet)", [*cli, "region", some["region"]])
    timed(f"report weekly --week {week} (replayed: no detect yet)", [*cli, "report", "weekly", "--week", week])
    timed("detect (all history)", [*cli, "detect"])
    timed("institution ID (weeks kept by detect)", [*cli, "institution", some["institution_id"]])
    timed("region CODE (weeks kept by detect)", [*cli, "region", some["region"]])
    timed(f"report weekly --week {week} (weeks kept by detect)", [*cli, "report", "weekly", "--week", week])
    return 0


if __name__ == "__main__":
    sys.exit(main())
