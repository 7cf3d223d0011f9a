"""Benchmark: the national weekly report for 16,000 institutions renders in under 5 s.

    .venv/bin/python benchmarks/report_speed.py [--institutions N]

`synthetic_inputs` also feeds the report tests: a seeded scenario with a regional outage
(Kharkiv, UA-63, from the Wednesday of the report week), institution drops that are new, ongoing
and resolved, a data-feed episode, one uncovered day, and hostile institution names.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

import numpy as np
import polars as pl

from models.episodes import EPISODES
from monitor.regions import KINDS, REGIONS
from reports.context import Quality

WEEK = "2026-W47"  # Monday 2026-11-16
HOSTILE = (
    '"><script>alert(1)</script>',
    "O'Brien & Sons \"Lyceum\" <b>bold</b>",
    "Ліцей №1 " + "дуже довга назва " * 40,
)


def synthetic_inputs(n: int = 300, week: str = WEEK, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    monday = dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    codes = sorted(REGIONS)
    ids = [f"I{i:05d}" for i in range(n)]
    region = [codes[i % len(codes)] for i in range(n)]
    names = [f"School {i}" for i in range(n)]
    for k, hostile in zip(range(5, n, 37), HOSTILE):  # on institutions that drop (below)
        names[k] = hostile
    directory = pl.DataFrame({
        "institution_id": ids, "name": names, "region": region,
        "kind": [KINDS[i % len(KINDS)] for i in range(n)],
        "zoom_account_id": [""] * n, "zoom_group": [""] * n, "email_domains": [""] * n,
        "contacts": [f"director{i}@school{i}.example.org;+380 44 000 {i:04d}" if i % 5 else ""
                     for i in range(n)],
    })
    first = monday - dt.timedelta(weeks=16)
    days = [first + dt.timedelta(days=k) for k in range(17 * 7)]
    uncovered = monday + dt.timedelta(days=5)  # Saturday of the report week: no export
    days = [d for d in days if d != uncovered]
    size = rng.gamma(2.0, 60.0, n)
    weekday_factor = np.array([1.0 if d.weekday() < 5 else 0.1 for d in days])
    rate = size[:, None] * weekday_factor[None, :]
    day_arr = np.array(days, dtype="datetime64[D]")
    in_week = (day_arr >= np.datetime64(monday)) & (day_arr <= np.datetime64(monday + dt.timedelta(days=6)))
    kharkiv = np.array([r == "UA-63" for r in region])
    outage_days = day_arr >= np.datetime64(monday + dt.timedelta(days=2))
    rate[np.ix_(kharkiv, outage_days & in_week)] *= 0.1
    dropped = np.arange(n) % 37 == 5  # institution-specific drops, two weeks long
    rate[np.ix_(dropped, day_arr >= np.datetime64(monday - dt.timedelta(days=7)))] *= 0.05
    participants = rng.poisson(rate)
    daily = pl.DataFrame({
        "institution_id": np.repeat(ids, len(days)),
        "date": np.tile(day_arr, n),
        "meetings": (participants.ravel() // 12).astype(np.int64),
        "participants": participants.ravel().astype(np.int64),
        "meeting_minutes": (participants.ravel() * 3).astype(np.int64),
        "active_hosts": (participants.ravel() // 20).astype(np.int64),
    }).with_columns(pl.col("date").cast(pl.Date))
    episodes = _episodes(ids, region, dropped, monday)
    quality = Quality(
        exports_received=6, exports_rejected=1, covered_days=6, missing_days=(uncovered,),
        unmapped_hosts=12, unmapped_meetings=40, quarantined_files=2,
    )
    return {"daily": daily, "directory": directory, "episodes": episodes, "quality": quality}


def _episodes(ids, region, dropped, monday) -> pl.DataFrame:
    rows = []
    d = lambda k: monday + dt.timedelta(days=k)  # noqa: E731
    rows.append(("R-63", "region", None, "UA-63", d(2), d(3), None, "open", 0.9, 5000.0, 500.0))
    rows.append(("R-14", "region", None, "UA-14", d(-10), d(-9), d(-4), "resolved", 0.6, 800.0, 320.0))
    rows.append(("P-zoom", "platform", None, None, d(5), d(6), d(5), "resolved", 1.0, 1.0, 0.0))
    for k, i in enumerate(np.flatnonzero(dropped)):
        kind = k % 3
        start, detected, end, status = [
            (d(-7), d(-6), None, "open"),  # ongoing
            (d(1), d(2), None, "open"),  # new
            (d(-14), d(-13), d(3), "resolved"),  # resolved this week
        ][kind]
        rows.append((f"E-{ids[i]}", "institution", ids[i], region[i], start, detected, end,
                     status, 0.95 - 0.01 * (k % 20), 900.0, 45.0))
    columns = ["id", "scope", "institution_id", "region", "start", "detected_on", "end", "status",
               "severity", "expected", "observed"]
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return frame.with_columns(
        pl.lit("participants").alias("metric"),
        pl.format("Activity fell to {}% of the expected level.",
                  ((1 - pl.col("severity")) * 100).round(0).cast(pl.Int64)).alias("explanation"),
    ).select([pl.col(c).cast(t) for c, t in EPISODES.items()])


def main(argv: list[str] | None = None) -> int:
    from monitor.weekly import build_weekly_context
    from reports.email import weekly_message
    from reports.render import render_browser

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--institutions", type=int, default=16_000)
    parser.add_argument("--limit", type=float, default=5.0, help="seconds allowed")
    args = parser.parse_args(argv)
    inputs = synthetic_inputs(args.institutions)
    started = time.perf_counter()
    ctx = build_weekly_context(**inputs, week=WEEK, lang="uk")
    built = time.perf_counter()
    html = render_browser(ctx)
    message = weekly_message(ctx, ["analyst@example.org"], "monitor@example.org",
                             dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.timezone.utc))
    done = time.perf_counter()
    print(f"{args.institutions} institutions, {inputs['daily'].height} daily rows: "
          f"context {built - started:.2f} s, browser HTML {len(html) / 1024:.0f} KB + e-mail "
          f"{len(message.as_bytes()) / 1024:.0f} KB, total {done - started:.2f} s "
          f"(limit {args.limit:.1f} s)")
    return 0 if done - started < args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
