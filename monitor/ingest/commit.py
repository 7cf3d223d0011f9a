"""The last step of ingesting a file: Parquet parts first, then one SQLite transaction that
commits ledger, parts and coverage together. A part only counts once that transaction lists
it, so a process killed in between leaves orphan files, which the next ingest sweeps."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from monitor.home import Home
from monitor.ingest.readers.base import ReadResult, date_span
from monitor.state import transaction
from monitor.store import cells_path, part_path, write_atomic, write_cells


def write_parts(home: Home, kind: str, frame: pl.DataFrame, sha: str, number: int = 0) -> list[tuple]:
    """Write the file's new records (of its slice `number`) as one part per month (and, for
    meetings, its cells); the rows for the `parts` table."""
    date_col = "local_date" if kind == "meetings" else "date"
    parts = []
    if frame.is_empty():
        return parts
    for month, chunk in _by_month(frame, date_col):
        target = part_path(home, kind, month, sha, number)
        write_atomic(chunk, target)
        if kind == "meetings":
            write_cells(target, chunk)
        parts.append((kind, month, str(target), sha, len(chunk)))
    return parts


def remove_parts(parts: list[tuple]) -> None:
    """Delete parts `write_parts` wrote for a file that is not committed after all."""
    for _, _, path, _, _ in parts:
        Path(path).unlink(missing_ok=True)
        cells_path(Path(path)).unlink(missing_ok=True)


def _by_month(frame: pl.DataFrame, date_col: str) -> list[tuple[str, pl.DataFrame]]:
    """("YYYY-MM", rows) per month of `date_col`, in order of appearance."""
    month_number = pl.col(date_col).dt.year() * 12 + pl.col(date_col).dt.month()
    first, last = frame.select(month_number.min().alias("a"), month_number.max().alias("b")).row(0)
    if first == last:  # nearly every export: no need to split
        return [(frame[date_col].head(1).dt.strftime("%Y-%m")[0], frame)]
    frame = frame.with_columns(pl.col(date_col).dt.strftime("%Y-%m").alias("_month"))
    return [(month, chunk.drop("_month")) for (month,), chunk in frame.group_by("_month", maintain_order=True)]


@dataclass(frozen=True)
class FileCoverage:
    """A file's coverage: its days (platform, level, date) and the institutions it covers
    on each of them ('' for every institution)."""

    days: list[tuple[str, str, str]]
    institutions: list[str]


def file_coverage(result: ReadResult, meetings: pl.DataFrame | None, institution: str | None) -> FileCoverage:
    cov = result.coverage
    dates = set(cov.dates)
    if cov.from_rows and meetings is not None and not meetings.is_empty():
        dates |= set(date_span(meetings["local_date"].min(), meetings["local_date"].max()))
    if institution is not None:
        scope = [institution]
    elif cov.scope == "all":
        scope = [""]
    elif cov.scope == "mapped":
        scope = [] if meetings is None else meetings["institution_id"].drop_nulls().unique().sort().to_list()
    else:
        scope = list(cov.institutions)
    if not scope:  # a file whose meetings all went unmapped vouches for no institution
        return FileCoverage([], [])
    return FileCoverage([(cov.platform, cov.level, d.isoformat()) for d in sorted(dates)], scope)


def commit(conn: sqlite3.Connection, name: str, sha: str, result: ReadResult, parts: list[tuple],
           records: int, new_records: int, coverage: FileCoverage) -> None:
    months = {p[1] for p in parts} | {day[2][:7] for day in coverage.days}
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with transaction(conn):
        conn.execute("DELETE FROM ledger WHERE sha256 = ?", (sha,))
        conn.execute(
            "INSERT INTO ledger (sha256, file_name, format, status, records, new_records, ingested_at) "
            "VALUES (?, ?, ?, 'ingested', ?, ?, ?)",
            (sha, name, result.format, records, new_records, now),
        )
        conn.executemany(
            "INSERT OR REPLACE INTO parts (kind, month, path, sha256, rows) VALUES (?, ?, ?, ?, ?)", parts
        )
        conn.executemany(
            "INSERT OR IGNORE INTO covered_days (platform, level, date, sha256) VALUES (?, ?, ?, ?)",
            [day + (sha,) for day in coverage.days],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO covered_institutions (sha256, institution_id) VALUES (?, ?)",
            [(sha, inst) for inst in coverage.institutions],
        )
        conn.executemany("INSERT OR IGNORE INTO dirty_months (month) VALUES (?)", [(m,) for m in months])
