"""Detection orchestration: stored daily metrics + directory -> models.DropDetector -> the
`episodes` table of state.sqlite.

Detection is causal, so one pass up to day D leaves exactly the episodes a run every day up
to D would have left; `--from/--to` replays a range in that single pass and reports what was
new on each day. A run resumes from the state the previous one kept (monitor/kept.py) when
the data up to that state's day is unchanged, and runs only the days after it. Persisting is
idempotent: episodes are keyed by their stable id, a row is rewritten only when something in
it changed, and a stored episode first detected on or before D that the new pass no longer
produces (the data changed) is removed. Episodes detected after D (from an earlier run
further ahead) are left alone.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, partial

import polars as pl

from models.episodes import EPISODES
from monitor.errors import QueryError, StoreError, check_range
from monitor.home import Home
from monitor.state import connect, transaction

COLUMNS = list(EPISODES) + ["parent_id"]
OnDay = Callable[[int, int], None]  # (days replayed, days to replay): progress of a detector run
DETECTED_METRIC = "meetings"


@dataclass(frozen=True)
class DetectSummary:
    as_of: dt.date
    inserted: int
    updated: int
    removed: int
    open: dict[str, int] = field(default_factory=dict)  # open episodes by scope
    new_by_day: dict[dt.date, list[str]] = field(default_factory=dict)

    def __repr__(self) -> str:
        opened = " ".join(f"{k}={v}" for k, v in sorted(self.open.items())) or "none"
        return (f"as_of={self.as_of} new={self.inserted} changed={self.updated} "
                f"removed={self.removed} open: {opened}")


def detected_daily(home: Home, until: dt.date | None = None, since: dt.date | None = None) -> pl.DataFrame:
    """institution_id, date and the metric detection judges, between `since` and `until` when
    given: only those columns, since the other metrics of years of national history would
    double the memory of every run."""
    from monitor.store import scan_daily

    daily = scan_daily(home)
    if until is not None:
        daily = daily.filter(pl.col("date") <= until)
    if since is not None:
        daily = daily.filter(pl.col("date") >= since)
    return daily.select("institution_id", "date", DETECTED_METRIC).collect()


def run_detector(home: Home, daily: pl.DataFrame, directory: pl.DataFrame, as_of: dt.date | None,
                 start: dt.date | None = None, on_day: OnDay | None = None, *, resume=None,
                 keep: dt.date | None = None):
    """DropDetector fitted up to `as_of` (from `start`, default the first day with data, or
    after the DetectorRun `resume`), on the school calendar of the home's settings, its state
    after the day `keep` taken; `on_day` hears of each day replayed."""
    from models.detector import DropDetector
    from monitor.school_calendar import school_calendar

    detector = DropDetector(metric=DETECTED_METRIC, calendar=school_calendar(home.settings.calendar))
    return detector.fit(daily, directory, as_of=as_of, start=start, on_day=on_day, resume=resume,
                        keep=keep)


def detect(home: Home, as_of: dt.date | None = None, start: dt.date | None = None,
           end: dt.date | None = None, now: dt.datetime | None = None,
           on_day: OnDay | None = None) -> DetectSummary:
    """Run detection as of `as_of` (default: the last day with data) or over start..end, and
    store the episodes. Returns what changed."""
    if as_of is not None and (start is not None or end is not None):
        raise QueryError("--as-of cannot be combined with --from/--to; give one or the other")
    check_range(start, end)
    from monitor.directory import directory_frame
    from monitor.kept import inputs_fingerprint, keep, resumable_run
    from monitor.locking import home_lock
    from monitor.store import scan_daily

    first_day, last_day = (scan_daily(home).select(pl.col("date").min().alias("first"), pl.col("date").max().alias("last"))
                           .collect().row(0))
    if last_day is None:
        raise StoreError("the store holds no daily metrics; ingest exports with `monitor ingest` first")
    as_of = end or as_of or last_day
    if as_of < first_day:
        raise QueryError(f"{as_of} is before the first day with data ({first_day}); give a later date")
    with connect(home.state_db) as conn:
        directory = directory_frame(conn)
    # Run to the last day with data or past it, the run keeps its state after that day, and
    # the next run resumes from it: it reads and runs only the days after it, not years of
    # them. One run at a time, so that a run never resumes from a state another is writing.
    keep_day = last_day if as_of >= last_day else None
    # Taken before the data is read: an export ingested meanwhile voids the kept state. Once a
    # day: with nothing new, the day kept and the day to keep are the same.
    fingerprint = cache(partial(inputs_fingerprint, home, directory))
    with home_lock(home.root, "detect", wait_seconds=300):
        inputs = fingerprint(keep_day) if keep_day is not None else ""
        resume = resumable_run(home, as_of, fingerprint)
        daily = detected_daily(home, since=resume.next_day if resume is not None else None)
        detector = run_detector(home, daily, directory, as_of, on_day=on_day, resume=resume, keep=keep_day)
        episodes = detector.episodes_
        stamp = (now or dt.datetime.combine(as_of, dt.time())).isoformat(timespec="seconds")
        with connect(home.state_db) as conn:
            inserted, updated, removed = persist(conn, episodes, as_of, stamp)
        if keep_day is not None:  # after the episodes are safe: what is kept only saves time
            keep(home, detector, keep_day, inputs, resumed=resume is not None)
    first = start or as_of
    fresh = episodes.filter(pl.col("detected_on").is_between(first, as_of))
    new_by_day: dict[dt.date, list[str]] = {}
    for day, eid in zip(fresh["detected_on"].to_list(), fresh["id"].to_list()):
        new_by_day.setdefault(day, []).append(eid)
    still = episodes.filter(pl.col("status") == "open").group_by("scope").len()
    return DetectSummary(as_of, inserted, updated, removed,
                         dict(zip(still["scope"].to_list(), still["len"].to_list())), new_by_day)


def _rows(episodes: pl.DataFrame) -> list[tuple]:
    frame = episodes.select(COLUMNS).with_columns(
        [pl.col(c).dt.strftime("%Y-%m-%d") for c in ("start", "detected_on", "end")]
    )
    return frame.rows()


def persist(conn: sqlite3.Connection, episodes: pl.DataFrame, as_of: dt.date,
            stamp: str) -> tuple[int, int, int]:
    """Upsert episodes by id; (inserted, updated, removed)."""
    rows = _rows(episodes)
    names = ", ".join(f'"{c}"' for c in COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    changed = " OR ".join(f'episodes."{c}" IS NOT excluded."{c}"' for c in COLUMNS[1:])
    sets = ", ".join(f'"{c}" = excluded."{c}"' for c in COLUMNS[1:])
    with transaction(conn):
        before = {r[0] for r in conn.execute("SELECT id FROM episodes")}
        changes_before = conn.total_changes
        conn.executemany(
            f"INSERT INTO episodes ({names}, updated_at) VALUES ({marks}, ?) "
            f"ON CONFLICT(id) DO UPDATE SET {sets}, updated_at = excluded.updated_at "
            f"WHERE {changed}",
            [row + (stamp,) for row in rows],
        )
        touched = conn.total_changes - changes_before
        ids = [r[0] for r in rows]
        inserted = len(set(ids) - before)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep_ids (id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM keep_ids")
        conn.executemany("INSERT OR IGNORE INTO keep_ids VALUES (?)", [(i,) for i in ids])
        removed = conn.execute(
            "DELETE FROM episodes WHERE detected_on <= ? AND id NOT IN (SELECT id FROM keep_ids)",
            (as_of.isoformat(),),
        ).rowcount
    return inserted, touched - inserted, removed


def list_episodes(home: Home, start: dt.date | None = None, end: dt.date | None = None,
                  scope: str | None = None, region: str | None = None,
                  open_only: bool = False) -> pl.DataFrame:
    """Stored episodes overlapping start..end (each bound optional), newest first."""
    if scope is not None and scope not in ("institution", "region", "platform"):
        raise QueryError(f"unknown scope '{scope}'; use institution, region or platform")
    with connect(home.state_db) as conn:
        names = ", ".join(f'"{c}"' for c in COLUMNS)
        rows = conn.execute(f"SELECT {names} FROM episodes").fetchall()
    schema = {**EPISODES, "parent_id": pl.String()}
    text = {c: (pl.String() if c in ("start", "detected_on", "end") else t) for c, t in schema.items()}
    frame = pl.DataFrame(rows, schema=text, orient="row").with_columns(
        [pl.col(c).str.to_date() for c in ("start", "detected_on", "end")])
    if start is not None:
        frame = frame.filter(pl.col("end").is_null() | (pl.col("end") >= start))
    if end is not None:
        frame = frame.filter(pl.col("start") <= end)
    if scope is not None:
        frame = frame.filter(pl.col("scope") == scope)
    if region is not None:
        frame = frame.filter(pl.col("region") == region)
    if open_only:
        frame = frame.filter(pl.col("status") == "open")
    return frame.sort(["start", "scope", "id"], descending=[True, False, False])


def evaluate_scenario(home: Home, scenario_dir, on_day: OnDay | None = None) -> dict:
    """Score detection on the stored data against the labels of a generated scenario
    (`monitor fixtures generate` output: events.csv and scenario.json), as benchmarks/evaluate.py
    does. Institution size for recall-by-size is the stored data's typical weekday count."""
    import json
    from pathlib import Path

    from models.evaluation import evaluate
    from monitor.directory import directory_frame

    folder = Path(scenario_dir)
    try:
        meta = json.loads((folder / "scenario.json").read_text(encoding="utf-8"))
        events = pl.read_csv(folder / "events.csv", schema_overrides={
            "institution_id": pl.String, "region": pl.String, "start": pl.Date, "end": pl.Date,
            "reference": pl.Date, "depth": pl.Float64})
    except (OSError, ValueError, pl.exceptions.PolarsError) as exc:
        raise QueryError(f"{folder}: not a generated scenario ({exc}); give the --out folder of "
                         "`monitor fixtures generate`") from None
    first, last = dt.date.fromisoformat(meta["start"]), dt.date.fromisoformat(meta["end"])
    daily = detected_daily(home)
    with connect(home.state_db) as conn:
        directory = directory_frame(conn)
    if daily.is_empty():
        raise StoreError("the store holds no daily metrics; ingest the scenario's exports first")
    size = (daily.filter(pl.col("date").dt.weekday() <= 5, pl.col("meetings") > 0)
            .group_by("institution_id")
            .agg(pl.col("meetings").quantile(0.75).cast(pl.Float64).alias("expected_meetings")))
    episodes = run_detector(home, daily, directory, last, on_day=on_day).episodes_
    return evaluate(episodes, events, size, first, last, int(meta["institutions"]))
