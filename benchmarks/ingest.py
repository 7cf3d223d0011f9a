"""Ingest benchmark: ~10 million meetings as Zoom API JSON pages and as meeting-history CSV,
ingested by the product and read + grouped by bare polars, in the same run.

    python -m benchmarks.ingest [--meetings 10000000] [--days 30] [--data bench-data] [--only csv|json]
        [--repeat 1]

Each phase runs in its own process so that its peak RSS (ru_maxrss) is its own. Prints a
table of seconds, CPU seconds, rows/s, peak RSS and the ingest / bare-polars time ratio. With --repeat N
the phases run N times in turn and the table holds each phase's median: on a shared 2-core
machine one run of a phase varies by 10-20%.

Every phase runs with the allocator setting the product makes (monitor/__init__.py); the
phase bare-csv-polars-allocator repeats the bare CSV pass with polars' own, for context. The
phase ingest-csv-one-file ingests the same meetings as one monthly export of ~3.2 GB (written
once into DATA/csv-month), which the product reads a slice of meetings at a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import monitor  # noqa: F401 (before polars: every phase runs with the product's allocator setting)
import numpy as np
import polars as pl

INSTITUTIONS = 16_000
# What polars sets when nothing else is set (polars/__init__.py); monitor/__init__.py keeps
# freed memory longer, and the target ratio is taken against the bare pass run the same way.
POLARS_ALLOCATOR_SETTING = "dirty_decay_ms:500,muzzy_decay_ms:1000"
CSV_HEADER = (
    "Topic,Type,ID,Host name,Host email,Start time,End time,Participants,Duration (minutes),"
    "Total participant minutes,Department,Group,Source,Unique viewers,Max concurrent views,"
    "Creation time,Name (original name),Email,Join time,Leave time,Duration (minutes),Guest,"
    "Recording disclaimer response,In waiting room\n"
)


def day_meetings(day: dt.date, count: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    inst = rng.integers(0, INSTITUTIONS, count)
    teacher = rng.integers(0, 40, count)
    # Kyiv school hours, expressed in UTC (UTC+2 in winter, close enough for a benchmark).
    start_s = rng.integers(6 * 3600, 16 * 3600, count)
    length_s = rng.integers(20 * 60, 90 * 60, count)
    base = dt.datetime(day.year, day.month, day.day)
    frame = pl.DataFrame({
        "inst": inst, "teacher": teacher, "start_s": start_s, "length_s": length_s,
        "series": rng.integers(10**9, 10**10, count), "joins": rng.integers(1, 3, count),
    }).with_columns(
        (pl.lit(base) + pl.duration(seconds=pl.col("start_s"))).alias("start"),
        (pl.lit(base) + pl.duration(seconds=pl.col("start_s") + pl.col("length_s"))).alias("end"),
        ("t" + pl.col("teacher").cast(pl.String) + "@inst" + pl.col("inst").cast(pl.String) + ".example.org")
        .alias("email"),
        ((pl.col("length_s") + 59) // 60).alias("minutes"),
    )
    return frame.with_row_index("n").with_columns(
        (pl.lit(day.strftime("%Y%m%d")) + "-" + pl.col("n").cast(pl.String) + "==").alias("uuid")
    )


def write_directory(path: Path) -> None:
    ids = [f"I{i:05d}" for i in range(INSTITUTIONS)]
    regions = ["UA-05", "UA-12", "UA-30", "UA-32", "UA-46", "UA-51", "UA-63", "UA-74"]
    pl.DataFrame({
        "institution_id": ids, "name": [f"Школа {i}" for i in range(INSTITUTIONS)],
        "region": [regions[i % len(regions)] for i in range(INSTITUTIONS)], "kind": "school",
        "zoom_account_id": "", "zoom_group": "",
        "email_domains": [f"inst{i}.example.org" for i in range(INSTITUTIONS)], "contacts": "",
    }).write_csv(path)


def write_json_page(frame: pl.DataFrame, day: dt.date, path: Path) -> None:
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    rows = frame.select(
        "uuid", pl.col("series").alias("id"), pl.lit(2).alias("type"), pl.lit("Урок").alias("topic"),
        pl.col("email").alias("user_email"), pl.col("start").dt.strftime(fmt).alias("start_time"),
        pl.col("end").dt.strftime(fmt).alias("end_time"), pl.col("minutes").alias("duration"),
        (pl.col("minutes") * pl.col("joins")).alias("total_minutes"),
        pl.col("joins").alias("participants_count"),
    )
    with open(path, "w", encoding="utf-8") as out:
        head = {"from": day.isoformat(), "to": day.isoformat(), "page_count": 1,
                "page_size": len(frame), "total_records": len(frame), "next_page_token": ""}
        out.write(json.dumps(head)[:-1] + ', "meetings": ')
        out.write(rows.write_json())
        out.write("}")


def write_csv(frame: pl.DataFrame, day: dt.date, path: Path) -> None:
    # Zoom CSV times are Kyiv local; shift the UTC benchmark times by +2 h.
    fmt = "%m/%d/%Y %I:%M:%S %p"
    local_start = (pl.col("start") + pl.duration(hours=2)).dt.strftime(fmt)
    local_end = (pl.col("end") + pl.duration(hours=2)).dt.strftime(fmt)
    joined = frame.with_columns(pl.int_ranges(0, pl.col("joins")).alias("j")).explode("j")
    rows = joined.select(
        pl.lit("Урок").alias("topic"), pl.lit("Meeting").alias("type"), pl.col("series").cast(pl.String),
        pl.lit("Вчитель").alias("host"), "email", local_start.alias("s"), local_end.alias("e"),
        pl.col("joins").alias("p"), pl.col("minutes").alias("m"), (pl.col("minutes") * pl.col("joins")).alias("pm"),
        pl.lit("").alias("dept"), pl.lit("").alias("grp"), pl.lit("Zoom").alias("src"),
        pl.lit("").alias("uv"), pl.lit("").alias("mcv"), pl.lit("").alias("ct"),
        pl.lit("Учень").alias("name"), pl.lit("").alias("pe"), local_start.alias("js"), local_end.alias("je"),
        pl.col("minutes").alias("pd"), pl.lit("No").alias("guest"), pl.lit("").alias("rec"), pl.lit("No").alias("wr"),
    )
    with open(path, "w", encoding="utf-8") as out:
        out.write(CSV_HEADER)
        rows.write_csv(out, include_header=False)


def generate(data: Path, meetings: int, days: int) -> None:
    marker = data / f"ready-{meetings}-{days}"
    if marker.exists():
        return
    shutil.rmtree(data, ignore_errors=True)
    (data / "json").mkdir(parents=True)
    (data / "csv").mkdir()
    write_directory(data / "institutions.csv")
    first = dt.date(2025, 2, 3)
    per_day = meetings // days
    for d in range(days):
        day = first + dt.timedelta(days=d)
        frame = day_meetings(day, per_day, seed=d)
        write_json_page(frame, day, data / "json" / f"report_users_meetings_{day}.json")
        write_csv(frame, day, data / "csv" / f"meetinglistdetails_{day:%Y%m%d}_{day:%Y%m%d}.csv")
    marker.touch()


def write_month_file(data: Path) -> Path:
    """The daily CSV exports as one export of the whole month (10 million meetings, ~3.2 GB),
    as an account-wide monthly download would come: ingested a slice at a time."""
    folder = data / "csv-month"
    days = sorted((data / "csv").glob("*.csv"))
    first, last = days[0].stem.split("_")[1], days[-1].stem.split("_")[2]
    target = folder / f"meetinglistdetails_{first}_{last}.csv"
    if target.exists():
        return target
    folder.mkdir(exist_ok=True)
    partial = target.with_suffix(".part")
    with open(partial, "wb") as out:
        out.write(CSV_HEADER.encode("utf-8"))
        for day in days:
            with open(day, "rb") as src:
                src.readline()  # its header
                shutil.copyfileobj(src, out, 1 << 24)
    partial.rename(target)
    return target


# ---- phases (each in its own process) -------------------------------------------------------


def _meetings(paths: list[Path]) -> int:
    """Read CSV files and group their join rows into meetings with the columns a meeting
    record needs; the number of meetings."""
    width = CSV_HEADER.count(",") + 1
    return (
        pl.scan_csv(paths, has_header=False, skip_lines=1,
                    schema={f"c{i}": pl.String for i in range(width)})
        .group_by("c2", "c5")
        .agg(pl.col("c6").first(), pl.col("c8").first(), pl.col("c4").first(),
             pl.col("c10").first(), pl.col("c11").first(), pl.len(),
             pl.col("c20").cast(pl.Int64).sum())
        .collect(engine="streaming")
        .height
    )


def bare_csv(folder: Path) -> int:
    """The polars work any ingest of these files must do, on all files at once: no
    validation, time zones, pseudonyms, de-duplication or store."""
    return _meetings(sorted(folder.glob("*.csv")))


def bare_csv_per_file(folder: Path) -> int:
    """The same work file by file, as an ingest that bounds its memory must read them. For
    context only: the target is measured against `bare_csv`."""
    return sum(_meetings([path]) for path in sorted(folder.glob("*.csv")))


def bare_json(folder: Path) -> int:
    total = 0
    for path in sorted(folder.glob("*.json")):
        meetings = pl.read_json(path).select(pl.col("meetings").explode()).unnest("meetings")
        total += meetings.group_by(pl.col("start_time").str.slice(0, 10)).agg(pl.len()).height and len(meetings)
    return total


def ingest(folder: Path, directory: Path, home: Path) -> int:
    from monitor.directory import import_directory
    from monitor.home import Home
    from monitor.ingest.pipeline import ingest_paths
    from monitor.state import connect

    shutil.rmtree(home, ignore_errors=True)
    target = Home.open(home)
    with connect(target.state_db) as conn:
        import_directory(conn, directory)
    outcomes = ingest_paths(target, [folder])
    bad = [o for o in outcomes if o.status != "ingested"]
    if bad:
        raise SystemExit(f"benchmark ingest failed: {bad[0].path.name}: {bad[0].message}")
    return sum(o.new_records for o in outcomes)


def run_phase(name: str, data: Path) -> None:
    started = time.perf_counter()
    if name in ("bare-csv", "bare-csv-polars-allocator"):
        rows = bare_csv(data / "csv")
    elif name == "bare-csv-per-file":
        rows = bare_csv_per_file(data / "csv")
    elif name == "bare-json":
        rows = bare_json(data / "json")
    elif name == "ingest-csv":
        rows = ingest(data / "csv", data / "institutions.csv", data / "home-csv")
    elif name == "ingest-csv-one-file":
        rows = ingest(data / "csv-month", data / "institutions.csv", data / "home-csv-month")
    else:
        rows = ingest(data / "json", data / "institutions.csv", data / "home-json")
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # CPU seconds (all threads, user + kernel) vary less from run to run than wall time.
    print(json.dumps({"phase": name, "seconds": seconds, "cpu_s": usage.ru_utime + usage.ru_stime,
                      "rows": rows, "peak_mb": usage.ru_maxrss / 1024}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=10_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--only", choices=("csv", "json"), help="run only the phases of one format")
    parser.add_argument("--repeat", type=int, default=1, help="run the phases this many times in turn; report medians")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args.phase, args.data)
        return
    started = time.perf_counter()
    generate(args.data, args.meetings, args.days)
    print(f"data ready in {time.perf_counter() - started:.0f} s: {args.meetings:,} meetings over {args.days} days")
    kinds = (args.only,) if args.only else ("csv", "json")
    if "csv" in kinds:
        write_month_file(args.data)
    phases = {"csv": ("bare-csv", "bare-csv-per-file", "bare-csv-polars-allocator", "ingest-csv",
                      "ingest-csv-one-file"),
              "json": ("bare-json", "ingest-json")}
    runs: dict[str, list[dict]] = {}
    for _ in range(max(args.repeat, 1)):
        for phase in (p for kind in kinds for p in phases[kind]):
            env = dict(os.environ)
            if phase == "bare-csv-polars-allocator":  # polars as installed, for context
                env["_RJEM_MALLOC_CONF"] = POLARS_ALLOCATOR_SETTING
            out = subprocess.run([sys.executable, "-m", "benchmarks.ingest", "--data", str(args.data), "--phase", phase],
                                 capture_output=True, text=True, check=True, env=env)
            runs.setdefault(phase, []).append(json.loads(out.stdout.strip().splitlines()[-1]))
    results = {phase: {key: float(np.median([r[key] for r in found])) for key in ("seconds", "cpu_s", "peak_mb")}
               for phase, found in runs.items()}
    print(f"{'phase':<26} {'seconds':>8} {'CPU s':>7} {'meetings/s':>11} {'peak RSS MB':>12}   runs (s)")
    for phase, r in results.items():
        each = " ".join(f"{x['seconds']:.1f}" for x in runs[phase])
        print(f"{phase:<26} {r['seconds']:>8.1f} {r['cpu_s']:>7.1f} {args.meetings / r['seconds']:>11,.0f} "
              f"{r['peak_mb']:>12,.0f}   {each}")
    for kind in kinds:
        ratio = results[f"ingest-{kind}"]["seconds"] / results[f"bare-{kind}"]["seconds"]
        print(f"ingest/bare time ratio ({kind}): {ratio:.2f}  (target <= 2.0)")
    if "csv" in kinds:
        per_file = results["ingest-csv"]["seconds"] / results["bare-csv-per-file"]["seconds"]
        print(f"ingest/bare per-file ratio (csv, context only): {per_file:.2f}")
        default = results["ingest-csv"]["seconds"] / results["bare-csv-polars-allocator"]["seconds"]
        print(f"ingest/bare ratio against polars' own allocator setting (csv, context only): {default:.2f}")
        month = results["ingest-csv-one-file"]
        print(f"one monthly file: ingest/bare time ratio {month['seconds'] / results['bare-csv']['seconds']:.2f}, "
              f"peak RSS {month['peak_mb']:,.0f} MB (target < 2,048)")


if __name__ == "__main__":
    main()
