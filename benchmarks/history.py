"""Benchmark: years of national history in one home. Simulates daily metrics for every
institution, migrates them as monthly `daily-csv` files (the history-migration path), then
times the everyday commands on that home, each in its own process so that its peak RSS is
its own.

    .venv/bin/python -m benchmarks.history [--institutions 16000] [--start 2022-09-01]
        [--end 2025-08-31] [--data bench-history]

The simulated files and the home are kept in --data (delete it to start over). For scale,
`bare-scan` counts the home's daily Parquet rows with bare polars in a process of its own:
the queries that read only what they need stay close to it. The first detection replays the
detector over all history but the last day; the views and the report replay it too before
that, and read the weeks it kept after it. Then the last day arrives as its own file, as a
day's export does: the views and the report run the kept state on over it, and the next
detection resumes from that state.
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
    """The monthly daily-csv files (all days but the last), the last day's file and the
    directory, written once."""
    source = data / "source"
    marker = source / f"ready-{institutions}-{start}-{end}-last-day-apart"
    if marker.exists():
        return source
    from monitor.scenario import ScenarioConfig, simulate

    shutil.rmtree(data, ignore_errors=True)
    source.mkdir(parents=True)
    scenario = simulate(ScenarioConfig(5, institutions, start, end))
    scenario.directory.write_csv(source / "institutions.csv")
    (source / "daily").mkdir()
    scenario.daily.filter(pl.col("date") == end).write_csv(source / "last-day.csv")
    monthly = scenario.daily.filter(pl.col("date") < end).with_columns(month=pl.col("date").dt.strftime("%Y-%m"))
    for (month,), chunk in monthly.group_by("month"):
        chunk.drop("month").sort("institution_id", "date").write_csv(source / "daily" / f"daily_{month}.csv")
    marker.touch()
    return source


def timed(label: str, argv: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"{label} failed: {done.stderr.strip().splitlines()[-2:]}")
    peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
    print(f"{label:<52} {seconds:7.1f} s  {peak_mb:7.0f} MB", flush=True)
    return seconds


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
    print(f"{'state.sqlite':<52} {(home / 'state.sqlite').stat().st_size / 2**20:7.0f} MB on disk")
    timed("bare-scan (polars count of the daily Parquet)", [sys.executable, "-c", BARE_SCAN, str(home)])
    timed("sql: count(*) FROM daily", [*cli, "sql", "SELECT count(*) FROM daily"])
    timed("sql: count(*) FROM coverage", [*cli, "sql", "SELECT count(*) FROM coverage"])
    timed("daily --institution ID --from (last month)",
          [*cli, "daily", "--institution", some["institution_id"], "--from", last[:8] + "01"])
    timed("institution ID (replayed: no detect yet)", [*cli, "institution", some["institution_id"]])
    timed("region CODE (replayed: no detect yet)", [*cli, "region", some["region"]])
    timed(f"report weekly --week {week} (replayed: no detect yet)", [*cli, "report", "weekly", "--week", week])
    replay = timed("detect (all history but the last day)", [*cli, "detect"])
    timed("institution ID (weeks kept by detect)", [*cli, "institution", some["institution_id"]])
    timed("region CODE (weeks kept by detect)", [*cli, "region", some["region"]])
    timed(f"report weekly --week {week} (weeks kept by detect)", [*cli, "report", "weekly", "--week", week])
    timed("ingest (the last day's file)", [*cli, "ingest", str(source / "last-day.csv")])
    timed("institution ID (a day since detect: kept state run on)", [*cli, "institution", some["institution_id"]])
    timed(f"report weekly --week {week} (a day since detect)", [*cli, "report", "weekly", "--week", week])
    resumed = timed("detect (the last day, resumed from the kept state)", [*cli, "detect"])
    timed("institution ID (weeks kept by the resumed detect)", [*cli, "institution", some["institution_id"]])
    print(f"the next day's detect takes {resumed / replay:.3f} of the replay of all history "
          f"({replay / resumed:.1f}x faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
