"""The Parquet store: meeting records and reported daily rows as parts per month, daily
metrics per month, all written atomically (temp file + rename).

Layout under `store/`:
    meetings/YYYY-MM/part-<file hash>.parquet   canonical meeting records of one ingested file
    reported/YYYY-MM/part-<file hash>.parquet   daily rows delivered by aggregate sources
    cells/YYYY-MM/part-<file hash>.parquet      per-day totals of one meetings part (derived)
    daily/YYYY-MM.parquet                        daily metrics, recomputed from the above

A part counts only once a row in the `parts` table of state.sqlite lists it (see state.py);
daily files are derived and rebuilt for every month listed in `dirty_months`. A cells file is
a cache of its meetings part, written with it before the commit and recomputed from the
part whenever it is missing or does not add up to the part's committed row count.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import polars as pl

from monitor.directory import directory_frame
from monitor.home import Home
from monitor.schema import DAILY, MEETINGS, REPORTED_DAILY, conform, empty
from monitor.state import connect, transaction


def replace_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """`write` the file to a temporary path beside `path`, flush it to disk, then rename it
    over `path`: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_atomic(frame: pl.DataFrame, path: Path) -> None:
    # zstd level 1: half the write time of the default level for ~2% more bytes.
    replace_atomically(path, lambda tmp: frame.write_parquet(tmp, compression="zstd", compression_level=1,
                                                             statistics=True))


def part_path(home: Home, kind: str, month: str, sha256: str, number: int = 0) -> Path:
    """Where a part of an ingested file goes; `number`: of a slice after the first (a file
    too large to hold whole is ingested in slices)."""
    suffix = f"-{number}" if number else ""
    return home.store / kind / month / f"part-{sha256[:24]}{suffix}.parquet"


def cells_path(part: Path) -> Path:
    """The cells file of a meetings part: store/cells/<month>/<same name>."""
    return part.parents[2] / "cells" / part.parent.name / part.name


def committed_parts(conn: sqlite3.Connection, kind: str, months: list[str] | None = None) -> list[Path]:
    return [path for path, _ in _committed(conn, kind, months)]


def _committed(conn: sqlite3.Connection, kind: str, months: list[str] | None) -> list[tuple[Path, int]]:
    query = "SELECT path, rows FROM parts WHERE kind = ?"
    args: list[str] = [kind]
    if months is not None:
        query += f" AND month IN ({', '.join('?' for _ in months)})"
        args += months
    return [(Path(p), rows) for p, rows in conn.execute(query + " ORDER BY seq", args)]


def sweep_orphans(home: Home, conn: sqlite3.Connection) -> int:
    """Delete part and temp files that no committed row lists: leftovers of a killed ingest."""
    listed = {Path(p) for (p,) in conn.execute("SELECT path FROM parts")}
    listed |= {cells_path(p) for p in listed}
    removed = 0
    for kind in ("meetings", "reported", "cells", "daily"):
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
    from_meetings = (
        _meeting_cells(conn, month)
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


_CELL = ["platform", "institution_id", "local_date"]


def cell_totals(meetings: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Per platform, institution (null: unmapped) and local date: meetings, participants,
    meeting minutes and distinct hosts of a set of meeting records.

    Distinct hosts are counted on 64-bit hashes of the pseudonyms (a third of the memory of
    strings; a collision, odds ~1e-12 per cell, undercounts one host)."""
    host = pl.col("host_hash")
    cells = meetings.group_by(_CELL).agg(
        pl.len().cast(pl.Int64).alias("meetings"),
        pl.col("participants").cast(pl.Int64).sum(),
        pl.col("minutes").cast(pl.Int64).sum().alias("meeting_minutes"),
        host.hash(seed=3).filter(host.is_not_null()).n_unique().cast(pl.Int64).alias("active_hosts"),
    )
    # A part in memory is grouped at once (faster); one read back from disk is streamed.
    return cells if isinstance(cells, pl.DataFrame) else cells.collect(engine="streaming")


def write_cells(part: Path, meetings: pl.DataFrame) -> None:
    write_atomic(cell_totals(meetings), cells_path(part))


def _part_cells(part: Path, rows: int) -> pl.DataFrame:
    """The cells of one committed part: its cells file, or recomputed from the part when the
    file is missing (a store written before cells existed) or does not add up."""
    path = cells_path(part)
    if path.exists():
        cells = pl.read_parquet(path)
        if cells["meetings"].sum() == rows:
            return cells
    cells = cell_totals(pl.scan_parquet(part, schema=MEETINGS))
    write_atomic(cells, path)
    return cells


def _meeting_cells(conn: sqlite3.Connection, month: str) -> pl.DataFrame:
    """Mapped cells of a month from the parts' cells. Parts hold disjoint meetings, so counts
    and sums add up; distinct hosts add up only for a cell that one part holds, and the few
    cells several parts share (overlapping exports) are recounted from their records."""
    parts = _committed(conn, "meetings", [month])
    if not parts:
        return cell_totals(empty(MEETINGS))
    cells = pl.concat(
        [_part_cells(path, rows).with_columns(part=pl.lit(i)) for i, (path, rows) in enumerate(parts)]
    ).filter(pl.col("institution_id").is_not_null())
    shared = cells.filter(pl.len().over(_CELL) > 1)
    totals = cells.group_by(_CELL).agg(pl.col("meetings", "participants", "meeting_minutes", "active_hosts").sum())
    if shared.is_empty():
        return totals
    records = pl.scan_parquet([parts[i][0] for i in shared["part"].unique().sort()], schema=MEETINGS)
    recount = (
        records.join(shared.select(_CELL).unique().lazy(), on=_CELL, how="semi")
        .filter(pl.col("host_hash").is_not_null())
        .select(*_CELL, pl.col("host_hash").hash(seed=3))
        .unique()
        .group_by(_CELL)
        .agg(pl.len().cast(pl.Int64).alias("recounted"))
        .collect(engine="streaming")
    )
    return (
        totals.join(recount, on=_CELL, how="left")
        .with_columns(pl.coalesce("recounted", "active_hosts").alias("active_hosts"))
        .drop("recounted")
    )


# Columns of `scan_coverage`, the `coverage` table of `monitor sql`.
COVERAGE = {"platform": pl.String, "level": pl.String, "date": pl.Date, "institution_id": pl.String,
            "sha256": pl.String}


def _covered_cells(conn: sqlite3.Connection, month: str, institutions: pl.DataFrame) -> pl.DataFrame:
    """(platform, level, institution_id, date) for every covered cell, best level per platform."""
    coverage = _coverage(conn, f"{month}-01", f"{month}-31").drop("sha256").unique().collect()
    if coverage.is_empty():
        return pl.DataFrame()
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


def _coverage(conn: sqlite3.Connection, first: str = "0000", last: str = "9999") -> pl.LazyFrame:
    """platform, level, date, institution_id ('' = every institution), sha256 of the days
    between `first` and `last` (ISO text): each file's days times its institutions
    (covered_days and covered_institutions, state.py), joined lazily in polars: expanded,
    years of per-institution daily sources are tens of millions of rows, which a query
    filtering on dates or institutions never needs to build."""
    days = pl.DataFrame(
        conn.execute("SELECT platform, level, date, sha256 FROM covered_days WHERE date BETWEEN ? AND ?",
                     (first, last)).fetchall(),
        schema={"platform": pl.String, "level": pl.String, "date": pl.String, "sha256": pl.String}, orient="row",
    ).with_columns(pl.col("date").str.to_date())
    shas = days["sha256"].unique().to_list()
    rows = []
    for start in range(0, len(shas), 500):  # SQLite's limit on bound parameters
        chunk = shas[start : start + 500]
        rows += conn.execute(
            f"SELECT sha256, institution_id FROM covered_institutions WHERE sha256 IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
    institutions = pl.DataFrame(rows, schema={"sha256": pl.String, "institution_id": pl.String}, orient="row")
    return days.lazy().join(institutions.lazy(), on="sha256").select(list(COVERAGE))


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


def scan_daily(home: Home) -> pl.LazyFrame:
    """All daily metrics (DAILY schema), covered days only, unsorted, brought up to date
    first. Lazy, so that a caller's filters and columns reach the Parquet reader: years of
    national history are tens of millions of rows."""
    with connect(home.state_db) as conn:
        rebuild_dirty(home, conn)
    paths = sorted((home.store / "daily").glob("*.parquet"))
    if not paths:
        return empty(DAILY).lazy()
    return pl.scan_parquet(paths, schema=DAILY)


def scan_coverage(home: Home) -> pl.LazyFrame:
    """Every covered cell (COVERAGE columns), lazily."""
    with connect(home.state_db) as conn:
        return _coverage(conn)


def unmapped_daily(home: Home) -> pl.DataFrame:
    """Meetings that matched no institution, per platform and local date (from the parts'
    cells, which keep the unmapped ones under a null institution)."""
    with connect(home.state_db) as conn:
        cells = [_part_cells(path, rows) for path, rows in _committed(conn, "meetings", None)]
    return (
        pl.concat([cell_totals(empty(MEETINGS)), *cells])
        .filter(pl.col("institution_id").is_null())
        .group_by("platform", pl.col("local_date").alias("date"))
        .agg(pl.col("meetings").sum().alias("unmapped_meetings"))
        .sort("date", "platform")
    )
