"""The Parquet store: meeting records and reported daily rows as parts per month, daily
metrics per month, all written atomically (temp file + rename).

Layout under `store/`:
    meetings/YYYY-MM/part-<file hash>.parquet   canonical meeting records of one ingested file
    reported/YYYY-MM/part-<file hash>.parquet   daily rows delivered by aggregate sources
    daily/YYYY-MM.parquet                        daily metrics, recomputed from the above

A part counts only once a row in the `parts` table of state.sqlite lists it (see state.py);
daily files are derived and rebuilt for every month listed in `dirty_months`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import polars as pl

from monitor.directory import directory_frame
from monitor.home import Home
from monitor.schema import DAILY, MEETINGS, REPORTED_DAILY, conform, empty
from monitor.state import connect, transaction


def write_atomic(frame: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # zstd level 1: half the write time of the default level for ~2% more bytes.
    frame.write_parquet(tmp, compression="zstd", compression_level=1, statistics=True)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def part_path(home: Home, kind: str, month: str, sha256: str) -> Path:
    return home.store / kind / month / f"part-{sha256[:24]}.parquet"


def committed_parts(conn: sqlite3.Connection, kind: str, months: list[str] | None = None) -> list[Path]:
    query = "SELECT path FROM parts WHERE kind = ?"
    args: list[str] = [kind]
    if months is not None:
        query += f" AND month IN ({', '.join('?' for _ in months)})"
        args += months
    return [Path(p) for (p,) in conn.execute(query + " ORDER BY seq", args)]


def sweep_orphans(home: Home, conn: sqlite3.Connection) -> int:
    """Delete part and temp files that no committed row lists: leftovers of a killed ingest."""
    listed = {Path(p) for (p,) in conn.execute("SELECT path FROM parts")}
    removed = 0
    for kind in ("meetings", "reported", "daily"):
        for path in (home.store / kind).glob("**/.*.tmp"):
            path.unlink(missing_ok=True)
            removed += 1
        if kind == "daily":
            continue
        for path in (home.store / kind).glob("*/part-*.parquet"):
            if path not in listed:
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def scan_meetings(conn: sqlite3.Connection, months: list[str] | None = None) -> pl.LazyFrame:
    paths = committed_parts(conn, "meetings", months)
    if not paths:
        return empty(MEETINGS).lazy()
    return pl.scan_parquet(paths, schema=MEETINGS)


# ---- daily metrics -------------------------------------------------------------------------


def rebuild_dirty(home: Home, conn: sqlite3.Connection) -> list[str]:
    """Recompute daily metrics of every month marked dirty; returns those months."""
    months = [m for (m,) in conn.execute("SELECT month FROM dirty_months ORDER BY month")]
    if not months:
        return []
    institutions = directory_frame(conn).select("institution_id")
    for month in months:
        frame = compute_month(conn, month, institutions)
        target = home.store / "daily" / f"{month}.parquet"
        if frame.is_empty():
            target.unlink(missing_ok=True)
        else:
            write_atomic(frame, target)
    with transaction(conn):
        conn.executemany("DELETE FROM dirty_months WHERE month = ?", [(m,) for m in months])
    return months


def compute_month(conn: sqlite3.Connection, month: str, institutions: pl.DataFrame) -> pl.DataFrame:
    """Daily metrics of one month from committed parts and coverage.

    Per platform and institution-day the best covered level wins: meeting-level records
    when a meeting-level export covers the day, otherwise the latest reported daily row;
    a covered day without activity is a real zero. Platforms then add up.
    """
    covered = _covered_cells(conn, month, institutions)
    if covered.is_empty():
        return empty(DAILY)
    keys = ["platform", "institution_id", "local_date"]
    mapped = scan_meetings(conn, [month]).filter(pl.col("institution_id").is_not_null())
    # A national month is ~10 million meetings: both passes stream. Distinct hosts are
    # counted as unique (cell, host) pairs on 64-bit hashes of the pseudonyms, which needs a
    # third of the memory of n_unique over strings inside the aggregation.
    totals = mapped.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("meetings"),
        pl.col("participants").sum().cast(pl.Int64),
        pl.col("minutes").sum().cast(pl.Int64).alias("meeting_minutes"),
    ).collect(engine="streaming")
    hosts = (
        mapped.filter(pl.col("host_hash").is_not_null())
        .select(*keys, pl.col("host_hash").hash(seed=3))
        .unique()
        .group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias("active_hosts"))
        .collect(engine="streaming")
    )
    from_meetings = (
        totals.join(hosts, on=keys, how="left")
        .with_columns(pl.col("active_hosts").fill_null(0))
        .rename({"local_date": "date"})
        .with_columns(level=pl.lit("meetings"))
    )
    reported = _latest_reported(conn, month).with_columns(level=pl.lit("daily"))
    values = pl.concat([from_meetings, reported], how="diagonal_relaxed")
    cells = covered.join(
        values.with_columns(present=pl.lit(True)),
        on=["platform", "level", "institution_id", "date"], how="left",
    )
    # A covered cell without a row is a real zero. A reported row keeps its nulls: Zoom's
    # report/daily carries no meeting minutes and no hosts, which is unknown, not zero.
    absent = pl.col("present").is_null()
    zero_hosts = pl.when(pl.col("level") == "meetings").then(0).otherwise(None)
    cells = cells.with_columns(
        pl.when(absent).then(0).otherwise(pl.col(c)).alias(c)
        for c in ("meetings", "participants", "meeting_minutes")
    ).with_columns(
        pl.when(absent).then(zero_hosts).otherwise(pl.col("active_hosts")).alias("active_hosts")
    )
    def total(column: str) -> pl.Expr:
        """Sum over platforms; unknown (null) only when no platform knows it."""
        return (
            pl.when(pl.col(column).is_null().all()).then(None).otherwise(pl.col(column).sum())
            .alias(column)
        )

    daily = cells.group_by("institution_id", "date").agg(
        total(c) for c in ("meetings", "participants", "meeting_minutes", "active_hosts")
    )
    return conform(daily, DAILY).sort("institution_id", "date")


def _covered_cells(conn: sqlite3.Connection, month: str, institutions: pl.DataFrame) -> pl.DataFrame:
    """(platform, level, institution_id, date) for every covered cell, best level per platform."""
    rows = conn.execute(
        "SELECT DISTINCT platform, level, date, institution_id FROM coverage WHERE date LIKE ?",
        (f"{month}-%",),
    ).fetchall()
    if not rows:
        return pl.DataFrame()
    coverage = pl.DataFrame(
        rows, schema=["platform", "level", "date", "institution_id"], orient="row"
    ).with_columns(pl.col("date").str.to_date())
    everyone = coverage.filter(pl.col("institution_id") == "").drop("institution_id")
    expanded = everyone.join(institutions, how="cross")
    cells = pl.concat(
        [coverage.filter(pl.col("institution_id") != ""), expanded.select(coverage.columns)]
    ).unique()
    # Meeting-level coverage beats daily aggregates of the same platform.
    return (
        cells.with_columns(rank=pl.when(pl.col("level") == "meetings").then(0).otherwise(1))
        .sort("rank")
        .unique(["platform", "institution_id", "date"], keep="first")
        .drop("rank")
    )


def _latest_reported(conn: sqlite3.Connection, month: str) -> pl.DataFrame:
    paths = committed_parts(conn, "reported", [month])
    if not paths:
        return empty(REPORTED_DAILY)
    frames = [pl.read_parquet(p).with_columns(seq=pl.lit(i)) for i, p in enumerate(paths)]
    return (
        pl.concat(frames)
        .sort("seq")
        .unique(["platform", "institution_id", "date"], keep="last")
        .drop("seq")
    )


# ---- reading ------------------------------------------------------------------------------


def read_daily(home: Home) -> pl.DataFrame:
    """All daily metrics (DAILY schema), covered days only, sorted by institution and date."""
    with connect(home.state_db) as conn:
        rebuild_dirty(home, conn)
    paths = sorted((home.store / "daily").glob("*.parquet"))
    if not paths:
        return empty(DAILY)
    return pl.read_parquet(paths, schema=DAILY).sort("institution_id", "date")


def read_coverage(home: Home) -> pl.DataFrame:
    """platform, level, date, institution_id ('' = every institution), sha256."""
    with connect(home.state_db) as conn:
        rows = conn.execute(
            "SELECT platform, level, date, institution_id, sha256 FROM coverage ORDER BY date"
        ).fetchall()
    return pl.DataFrame(
        rows,
        schema={"platform": pl.String, "level": pl.String, "date": pl.String,
                "institution_id": pl.String, "sha256": pl.String},
        orient="row",
    ).with_columns(pl.col("date").str.to_date())


def unmapped_daily(home: Home) -> pl.DataFrame:
    """Meetings that matched no institution, per platform and local date."""
    with connect(home.state_db) as conn:
        return (
            scan_meetings(conn)
            .filter(pl.col("institution_id").is_null())
            .group_by("platform", "local_date")
            .agg(pl.len().cast(pl.Int64).alias("unmapped_meetings"))
            .rename({"local_date": "date"})
            .sort("date", "platform")
            .collect()
        )
