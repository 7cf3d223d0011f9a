"""Speed and memory of detection at national scale: replay a school year (Sep-May) for 16,000
institutions, with the rolling z-score baseline timed in the same run.

    .venv/bin/python benchmarks/detect_speed.py [--institutions 16000] [--seed 5]
        [--start 2022-09-01] [--end 2023-05-31]

The daily metrics come from the scenario simulator in a child process and reach this process
as Parquet, so that the peak RSS reported (ru_maxrss) is detection's own. Targets (issue 3):
under 15 s and under 2 GB peak RSS on the 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIMULATE = """
import datetime as dt, sys
from monitor.scenario import ScenarioConfig, simulate
n, seed, a, b, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
sc = simulate(ScenarioConfig(seed, n, dt.date.fromisoformat(a), dt.date.fromisoformat(b)))
sc.daily.write_parquet(out + "/daily.parquet")
sc.directory.write_parquet(out + "/directory.parquet")
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=16_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2022, 9, 1))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2023, 5, 31))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-c", SIMULATE, str(args.institutions), str(args.seed),
                        args.start.isoformat(), args.end.isoformat(), tmp], check=True)
        import monitor  # noqa: F401 (before polars: its allocator set as `monitor detect` has it)
        import polars as pl

        from models.baselines import RollingZScore
        from models.detector import DropDetector

        daily = pl.read_parquet(Path(tmp) / "daily.parquet")
        directory = pl.read_parquet(Path(tmp) / "directory.parquet")
    days = (args.end - args.start).days + 1
    print(f"detect: {args.institutions} institutions x {days} days ({daily.height:,} daily rows)")
    began = time.perf_counter()
    detector = DropDetector().fit(daily, directory)
    took = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = dict(detector.episodes_.group_by("scope").len().iter_rows())
    print(f"  DropDetector    {took:6.2f} s  peak RSS {peak_mb:6.0f} MB  episodes {counts}")
    began = time.perf_counter()
    baseline = RollingZScore().fit(daily, directory)
    base_took = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  RollingZScore   {base_took:6.2f} s  peak RSS {peak_mb:6.0f} MB  "
          f"episodes {baseline.episodes_.height}")
    ok = took < 15.0 and peak_mb < 2048
    print(f"  target <15 s and <2 GB: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
