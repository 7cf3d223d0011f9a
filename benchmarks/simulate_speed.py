"""Time and peak memory of the daily-level scenario simulator at national scale.

    .venv/bin/python benchmarks/simulate_speed.py [--institutions 16000] [--seed 1]
        [--variant standard] [--start 2022-09-01] [--end 2023-05-31] [--repeat 3]

Prints wall and CPU time per run, peak RSS of the process, and the size of what was produced.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time

from monitor.scenario import ScenarioConfig, simulate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=16_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--variant", default="standard")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2022, 9, 1))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2023, 5, 31))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    config = ScenarioConfig(args.seed, args.institutions, args.start, args.end, args.variant)
    times, cpu = [], []
    for _ in range(args.repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        scenario = simulate(config)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    kinds = dict(scenario.events.group_by("kind").len().sort("kind").iter_rows())
    print(f"simulate: {args.institutions} institutions x {args.start}..{args.end} ({args.variant})")
    print(f"  time: best {min(times):.2f} s, runs {', '.join(f'{t:.2f}' for t in times)}")
    print(f"  CPU time (all threads): best {min(cpu):.2f} s (wall time suffers on a busy machine)")
    print(f"  peak RSS: {peak_mb:.0f} MB")
    print(f"  daily rows: {scenario.daily.height:,}; events: {scenario.events.height} {kinds}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
