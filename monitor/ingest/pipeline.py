"""Ingest files into the store: one outcome per file, never a partial write.

Per file: hash -> ledger check -> sniff -> read -> map + pseudonymise -> de-duplicate ->
write Parquet parts -> one SQLite transaction commits ledger, parts and coverage. A rejected
file is copied (or, from the inbox, moved) to quarantine/ with a `.reason` file, and the rest
of the batch goes on. Daily metrics of touched months are rebuilt once at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import polars as pl

from monitor.directory import Mapper, load_directory
from monitor.errors import MonitorError, RejectedFile
from monitor.home import Home
from monitor.ingest.decode import NotText, read_head
from monitor.ingest.dedup import KnownMeetings
from monitor.ingest.readers import READERS, sniff
from monitor.ingest.readers.base import FormatError, ReadResult, Source, date_span
from monitor.locking import home_lock
from monitor.pseudonym import Pseudonymiser, load_key
from monitor.schema import MEETINGS, REPORTED_DAILY, conform
from monitor.state import connect, transaction
from monitor.store import part_path, rebuild_dirty, sweep_orphans, write_atomic


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: str  # "ingested" | "duplicate" | "rejected"
    message: str
    format: str = ""
    records: int = 0
    new_records: int = 0


@dataclass
class _Context:
    home: Home
    conn: sqlite3.Connection
    mapper: Mapper
    institutions: set[str]
    pseudonymiser: Pseudonymiser
    known: KnownMeetings
    csv_timezone: str
    local_timezone: str
    institution: str | None
    move_originals: bool


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given and, for folders, every file below them (hidden ones and quarantine
    reasons skipped), in a stable order."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.suffix != ".reason"
            )
        elif path.is_file():
            found.append(path)
        else:
            raise MonitorError(f"{path}: no such file or folder; check the path")
    return found


def ingest_paths(
    home: Home,
    paths: Iterable[str | Path],
    *,
    institution: str | None = None,
    timezone: str | None = None,
    move_originals: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    files = expand_paths(paths)
    settings = home.settings
    csv_timezone = timezone or settings.ingest.timezone
    try:
        zoneinfo.ZoneInfo(csv_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise MonitorError(f"unknown time zone '{csv_timezone}'; use an IANA name such as Europe/Kyiv") from None
    outcomes: list[Outcome] = []
    with home_lock(home.root, "ingest"), connect(home.state_db) as conn:
        sweep_orphans(home, conn)
        directory = load_directory(conn)
        ids = {i.institution_id for i in directory}
        if institution is not None and institution not in ids:
            raise MonitorError(
                f"unknown institution '{institution}'; import the directory first "
                "(monitor institutions import FILE.csv)"
            )
        ctx = _Context(
            home=home, conn=conn, mapper=Mapper(directory), institutions=ids,
            pseudonymiser=Pseudonymiser(load_key(home.secret_key_file)),
            known=KnownMeetings(conn, settings.ingest.timezone),
            csv_timezone=csv_timezone, local_timezone=settings.ingest.timezone,
            institution=institution, move_originals=move_originals,
        )
        for path in files:
            outcome = _ingest_one(ctx, path)
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
        rebuild_dirty(home, conn)
    return outcomes


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(4 * 1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _ingest_one(ctx: _Context, path: Path) -> Outcome:
    # The file is hashed on a second thread while polars reads it (hashlib and file reads
    # release the GIL): the hash pass costs no wall time. The price is that a re-sent file
    # is parsed before the ledger says it is a duplicate, which is rare and harmless.
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(file_sha256, path)
        rejected: RejectedFile | None = None
        try:
            result = _read(ctx, path)
            meetings, reported = _prepare(ctx, path, result)
        except RejectedFile as exc:
            rejected = exc
        sha = hashing.result()
    seen = ctx.conn.execute(
        "SELECT file_name, ingested_at FROM ledger WHERE sha256 = ? AND status = 'ingested'", (sha,)
    ).fetchone()
    if seen:
        return Outcome(path, "duplicate", f"already ingested (same content as {seen[0]}, {seen[1][:10]}); nothing to do")
    if rejected is not None:
        exc = rejected
        _quarantine(ctx, path, sha, exc.reason)
        verb = "moved" if ctx.move_originals else "copied"
        return Outcome(path, "rejected", f"{exc.reason}; {verb} to quarantine/")
    new_meetings = ctx.known.new_only(meetings) if meetings is not None else None
    _commit(ctx, path, sha, result, new_meetings, reported, meetings)
    records = len(meetings) if meetings is not None else len(reported)
    fresh = len(new_meetings) if new_meetings is not None else len(reported)
    dupes = records - fresh
    note = f"{records} meetings" if meetings is not None else f"{records} daily rows"
    if dupes:
        note += f" ({dupes} already stored)"
    if meetings is not None:
        unmapped = meetings["institution_id"].null_count()
        if unmapped:
            note += f", {unmapped} unmapped"
    _move_original(ctx, path, ctx.home.archive)
    return Outcome(path, "ingested", note, result.format, records, fresh)


def _read(ctx: _Context, path: Path) -> ReadResult:
    limit = ctx.home.settings.ingest.max_file_mb * 1024 * 1024
    size = path.stat().st_size
    if size == 0:
        raise RejectedFile(path, "empty file; export it again")
    if size > limit:
        raise RejectedFile(path, f"larger than ingest.max_file_mb ({size // 2**20} MiB); split the export or raise the limit")
    try:
        head = read_head(path)
    except NotText as exc:
        raise RejectedFile(path, f"not a text export ({exc}); send the original CSV or JSON") from None
    reader = sniff(head)
    if reader is None:
        names = ", ".join(r.name for r in READERS)
        raise RejectedFile(path, f"unknown format; supported: {names}")
    source = Source(
        head=head, timezone=ctx.csv_timezone, institution=ctx.institution,
        workdir=ctx.home.store / ".work", max_json_bytes=ctx.home.settings.ingest.max_json_mb * 2**20,
    )
    try:
        return reader.read(source)
    except FormatError as exc:
        raise RejectedFile(path, f"{reader.name}: {exc}") from None
    except NotText as exc:
        raise RejectedFile(path, f"{reader.name}: not valid text ({exc})") from None
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise RejectedFile(path, f"{reader.name}: malformed content ({detail})") from None
    finally:
        for scratch in (ctx.home.store / ".work").glob("*.utf8"):
            scratch.unlink(missing_ok=True)


def _prepare(ctx: _Context, path: Path, result: ReadResult) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    if result.reported is not None:
        reported = result.reported
        if ctx.institution is not None:
            reported = reported.with_columns(institution_id=pl.lit(ctx.institution))
        unknown = reported.filter(~pl.col("institution_id").is_in(list(ctx.institutions)))
        if not unknown.is_empty():
            raise RejectedFile(path, f"unknown institution_id '{unknown['institution_id'][0]}'; import it into the directory first")
        return None, conform(reported, REPORTED_DAILY)
    frame = result.meetings
    assert frame is not None
    frame = frame.with_columns(
        pl.col("start_utc").dt.convert_time_zone(ctx.local_timezone).dt.date().alias("local_date"),
        pl.when(pl.col("host_email").str.contains("@"))
        .then(pl.col("host_email").str.split("@").list.last())
        .alias("host_domain"),
        pl.lit(path.name).alias("source_file"),
    )
    if ctx.institution is not None:
        frame = frame.with_columns(institution_id=pl.lit(ctx.institution))
    else:
        keys = frame.select(
            pl.lit(None, pl.String).alias("account_id"), "zoom_group", "department", "host_domain"
        ).unique()
        frame = frame.join(
            ctx.mapper.map_frame(keys).drop("account_id"),
            on=["zoom_group", "department", "host_domain"], how="left", nulls_equal=True,
        )
    frame = frame.with_columns(ctx.pseudonymiser.column(frame["host_email"]).alias("host_hash"))
    return conform(frame, MEETINGS).unique("instance_key", keep="first"), None


def _coverage_rows(ctx: _Context, result: ReadResult, meetings: pl.DataFrame | None, sha: str) -> list[tuple]:
    cov = result.coverage
    dates = set(cov.dates)
    if cov.from_rows and meetings is not None and not meetings.is_empty():
        dates |= set(date_span(meetings["local_date"].min(), meetings["local_date"].max()))
    if ctx.institution is not None:
        scope = [ctx.institution]
    elif cov.scope == "all":
        scope = [""]
    elif cov.scope == "mapped":
        scope = [] if meetings is None else meetings["institution_id"].drop_nulls().unique().to_list()
    else:
        scope = list(cov.institutions)
    return [(cov.platform, cov.level, d.isoformat(), inst, sha) for d in sorted(dates) for inst in scope]


def _commit(ctx: _Context, path: Path, sha: str, result: ReadResult, new_meetings: pl.DataFrame | None,
            reported: pl.DataFrame | None, meetings: pl.DataFrame | None) -> None:
    kind, frame = ("meetings", new_meetings) if new_meetings is not None else ("reported", reported)
    assert frame is not None
    date_col = "local_date" if kind == "meetings" else "date"
    parts = []
    if not frame.is_empty():
        frame = frame.with_columns(pl.col(date_col).dt.strftime("%Y-%m").alias("_month"))
        for (month,), chunk in frame.group_by("_month", maintain_order=True):
            target = part_path(ctx.home, kind, month, sha)
            write_atomic(chunk.drop("_month"), target)
            parts.append((kind, month, str(target), sha, len(chunk)))
    coverage = _coverage_rows(ctx, result, meetings, sha)
    months = {p[1] for p in parts} | {row[2][:7] for row in coverage}
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    records = len(meetings) if meetings is not None else len(frame)
    with transaction(ctx.conn):
        ctx.conn.execute("DELETE FROM ledger WHERE sha256 = ?", (sha,))
        ctx.conn.execute(
            "INSERT INTO ledger (sha256, file_name, format, status, records, new_records, ingested_at) "
            "VALUES (?, ?, ?, 'ingested', ?, ?, ?)",
            (sha, path.name, result.format, records, len(frame), now),
        )
        ctx.conn.executemany(
            "INSERT OR REPLACE INTO parts (kind, month, path, sha256, rows) VALUES (?, ?, ?, ?, ?)", parts
        )
        ctx.conn.executemany(
            "INSERT OR IGNORE INTO coverage (platform, level, date, institution_id, sha256) VALUES (?, ?, ?, ?, ?)",
            coverage,
        )
        ctx.conn.executemany("INSERT OR IGNORE INTO dirty_months (month) VALUES (?)", [(m,) for m in months])
    if kind == "meetings":
        ctx.known.add(frame)


def _quarantine(ctx: _Context, path: Path, sha: str, reason: str) -> None:
    target = ctx.home.quarantine / path.name
    if target.exists() and file_sha256(target) != sha:
        target = ctx.home.quarantine / f"{sha[:12]}-{path.name}"
    if ctx.move_originals:
        shutil.move(str(path), target)
    elif path.resolve() != target.resolve():
        target.unlink(missing_ok=True)
        try:  # a hard link costs no space, which matters for multi-gigabyte rejects
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
    target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with transaction(ctx.conn):
        ctx.conn.execute(
            "INSERT OR REPLACE INTO ledger (sha256, file_name, status, reason, ingested_at) "
            "VALUES (?, ?, 'rejected', ?, ?)",
            (sha, path.name, reason, now),
        )


def _move_original(ctx: _Context, path: Path, folder: Path) -> None:
    if ctx.move_originals:
        target = folder / path.name
        if target.exists():
            target = folder / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{path.name}"
        shutil.move(str(path), target)
