"""Ingest files into the store: one outcome per file, never a partial write.

Per file: hash + sniff + read (on a read-ahead thread) -> ledger check -> map + pseudonymise
-> de-duplicate -> write Parquet parts -> one SQLite transaction commits ledger, parts and
coverage. A rejected file is copied (or, from the inbox, moved) to quarantine/ with a
`.reason` file, and the rest of the batch goes on. Daily metrics of touched months are
rebuilt once at the end. A meeting-history export too large to hold whole goes through these
steps a slice of meetings at a time and is committed as one (_ingest_meetings).

Two steps run beside the calling thread (polars, hashlib and file writes release the GIL):
reading file N+1 ahead, which depends on nothing but the file, and writing file N's Parquet
parts while file N+1 is mapped. Everything that reads or changes the ledger runs on the
calling thread, file by file, in order (see _ingest_all).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import re
import shutil
import sqlite3
import zoneinfo
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import polars as pl

from monitor.directory import Mapper, load_directory
from monitor.errors import MonitorError, RejectedFile
from monitor.home import Home
from monitor.ingest.commit import commit, file_coverage, remove_parts, write_parts
from monitor.ingest.decode import NotText, read_head
from monitor.ingest.dedup import KnownMeetings
from monitor.ingest.hosts import Hosts
from monitor.ingest.paths import expand_paths, file_sha256, not_a_file, unreadable
from monitor.ingest.readers import READERS, sniff
from monitor.ingest.readers.base import FormatError, ReadResult, ReadWhole, Source
from monitor.ingest.times import wall_clock
from monitor.locking import home_lock
from monitor.pseudonym import Pseudonymiser, load_key
from monitor.schema import MEETINGS, REPORTED_DAILY, conform
from monitor.state import connect, transaction
from monitor.store import rebuild_dirty, sweep_orphans

EARLIEST_DAY = dt.date(2000, 1, 1)  # long before any online learning this monitor follows


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
    hosts: Hosts
    known: KnownMeetings
    csv_timezone: str
    local_timezone: str
    institution: str | None
    move_originals: bool
    today: dt.date | None


def ingest_paths(
    home: Home,
    paths: Iterable[str | Path],
    *,
    institution: str | None = None,
    timezone: str | None = None,
    move_originals: bool = False,
    on_outcome: Callable[[Outcome], None] | None = None,
    today: dt.date | None = None,
) -> list[Outcome]:
    """Ingest files and folders; one Outcome per file. `today` (the caller's clock, in the
    home's time zone) rejects files dated after it; without it only the lower bound holds."""
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
        mapper = Mapper(directory)
        ctx = _Context(
            home=home, conn=conn, mapper=mapper, institutions=ids,
            hosts=Hosts(Pseudonymiser(load_key(home.secret_key_file)), mapper),
            known=KnownMeetings(conn, settings.ingest.timezone),
            csv_timezone=csv_timezone, local_timezone=settings.ingest.timezone,
            institution=institution, move_originals=move_originals, today=today,
        )
        _ingest_all(ctx, files, on_outcome, outcomes)
        rebuild_dirty(home, conn)
    return outcomes


@dataclass(frozen=True)
class _Loaded:
    path: Path
    sha: str | None  # None: the file could not be read at all
    result: ReadResult | None
    rejected: RejectedFile | None


def _load(ctx: _Context, path: Path, whole: bool = False) -> _Loaded:
    # The file is hashed on a second thread while polars reads it (hashlib and file reads
    # release the GIL): the hash pass costs no wall time. The price is that a re-sent file
    # is parsed before the ledger says it is a duplicate, which is rare and harmless.
    if not path.is_file() and (path.exists() or path.is_symlink()):  # a pipe would block a read
        return _Loaded(path, None, None, RejectedFile(path, not_a_file(path)))
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(file_sha256, path)
        result, rejected = None, None
        try:
            result = _read(ctx, path, whole)
        except RejectedFile as exc:
            rejected = exc
        except OSError as exc:  # unreadable, or gone since the folder was listed
            rejected = unreadable(path, exc)
        try:
            sha = hashing.result()
        except OSError as exc:
            return _Loaded(path, None, None, unreadable(path, exc))
        return _Loaded(path, sha, result, rejected)


def _ingest_all(ctx: _Context, files: list[Path], on_outcome: Callable[[Outcome], None] | None,
                outcomes: list[Outcome]) -> None:
    """Files in order, with two overlaps: file N+1 is read ahead while file N is handled,
    and file N's Parquet parts are written while file N+1 is mapped. File N's SQLite commit
    still comes before anything of file N+1 touches the store (ledger check, quarantine,
    commit), so commits keep the order of the files."""
    def emit(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)

    pending: Callable[[], Outcome] | None = None
    with ThreadPoolExecutor(max_workers=1) as ahead, ThreadPoolExecutor(max_workers=1) as writer:
        loading = ahead.submit(_load, ctx, files[0]) if files else None
        for index in range(len(files)):
            assert loading is not None
            try:
                loaded = loading.result()
                if index + 1 < len(files):
                    loading = ahead.submit(_load, ctx, files[index + 1])
                prepared = _prepare_loaded(ctx, loaded)
            finally:  # commit the previous file even when this one fails unexpectedly
                if pending is not None:
                    emit(pending())
                    pending = None
            handled = _ingest_one(ctx, loaded, prepared, writer)
            if isinstance(handled, Outcome):
                emit(handled)
            else:
                pending = handled
        if pending is not None:
            emit(pending())


@dataclass(frozen=True)
class _Prepared:
    meetings: pl.DataFrame | None = None
    reported: pl.DataFrame | None = None
    rejected: RejectedFile | None = None


def _prepare_loaded(ctx: _Context, loaded: _Loaded) -> _Prepared:
    if loaded.result is None:
        return _Prepared(rejected=loaded.rejected)
    try:
        meetings, reported = _prepare(ctx, loaded.path, loaded.result)
    except RejectedFile as exc:
        return _Prepared(rejected=exc)
    return _Prepared(meetings, reported)


def _ingest_one(ctx: _Context, loaded: _Loaded, prepared: _Prepared,
                writer: ThreadPoolExecutor) -> Outcome | Callable[[], Outcome]:
    """The outcome, or for a file to store, a call that finishes its commit and returns it."""
    path, sha, result = loaded.path, loaded.sha, loaded.result
    if sha is None:
        # Nothing to quarantine or remember: a rerun once the file is readable ingests it.
        assert prepared.rejected is not None
        return Outcome(path, "rejected", f"{prepared.rejected.reason}; left where it is")
    seen = ctx.conn.execute(
        "SELECT file_name, ingested_at FROM ledger WHERE sha256 = ? AND status = 'ingested'", (sha,)
    ).fetchone()
    if seen:
        return Outcome(path, "duplicate", f"already ingested (same content as {seen[0]}, {seen[1][:10]}); nothing to do")
    if prepared.rejected is not None:
        return _rejected(ctx, path, sha, prepared.rejected)
    assert result is not None
    if prepared.meetings is not None:
        return _ingest_meetings(ctx, loaded, prepared.meetings, writer)
    reported = prepared.reported
    assert reported is not None
    writing = writer.submit(write_parts, ctx.home, "reported", reported, sha)

    def finish() -> Outcome:
        commit(ctx.conn, stored_name(ctx, path), sha, result, writing.result(), len(reported), len(reported),
               file_coverage(result, None, ctx.institution))
        return _ingested(ctx, path, result, len(reported), len(reported), unmapped=None)

    return finish


def _ingest_meetings(ctx: _Context, loaded: _Loaded, first: pl.DataFrame,
                     writer: ThreadPoolExecutor) -> Outcome | Callable[[], Outcome]:
    """A file's meetings, `first` and the slices after it (ReadResult.more) of a file too large
    to hold whole: each slice is de-duplicated (against the store and the slices before it)
    and written as parts of its own, and the file's parts are committed together, so memory
    holds one slice, not the file. When a slice is refused, or says that the file must be
    read whole, what the slices before it wrote is undone first.

    The keys go into the index at once: the next file is checked against this one before
    this one's commit (should the commit fail, the run stops before the next commit). The
    last slice is written while the next file is mapped."""
    path, sha, result = loaded.path, loaded.sha, loaded.result
    assert sha is not None and result is not None
    later = _read_ahead(result.more or iter(()))
    slices = itertools.chain([first], (_prepare(ctx, path, dataclasses.replace(result, meetings=more, more=None))[0]
                                       for more in later))
    parts: list[tuple] = []
    writing: Future | None = None  # slice N is written while slice N+1 is read and mapped

    def written() -> None:
        nonlocal writing
        if writing is not None:
            done, writing = writing, None
            parts.extend(done.result())  # a write error is the store's, not the file's: it stops the run

    mark = ctx.known.mark()
    records = new_records = unmapped = 0
    touched: list[pl.DataFrame] = []  # the days and institutions of the meetings, for coverage
    try:
        for number, meetings in enumerate(slices):
            assert meetings is not None
            stored, keys = ctx.known.new_only(meetings)
            ctx.known.add(keys)
            written()
            writing = writer.submit(write_parts, ctx.home, "meetings", stored, sha, number)
            records, new_records = records + len(meetings), new_records + len(stored)
            unmapped += meetings["institution_id"].null_count()
            touched.append(meetings.select("local_date", "institution_id").unique())
    except (ReadWhole, RejectedFile) as exc:
        later.close()  # stops the slice read ahead before the file is read again
        written()
        ctx.known.rewind(mark)
        remove_parts(parts)
        if isinstance(exc, RejectedFile):
            return _rejected(ctx, path, sha, exc)
        whole = _load(ctx, path, whole=True)
        return _ingest_one(ctx, whole, _prepare_loaded(ctx, whole), writer)

    def finish() -> Outcome:
        written()
        commit(ctx.conn, stored_name(ctx, path), sha, result, parts, records, new_records,
               file_coverage(result, pl.concat(touched), ctx.institution))
        return _ingested(ctx, path, result, records, new_records, unmapped)

    return finish


def _read_ahead(slices: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """`slices`, each read on a thread of its own while the one before is handled."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        coming = reader.submit(next, slices, None)
        while (current := coming.result()) is not None:
            coming = reader.submit(next, slices, None)
            yield current


def _ingested(ctx: _Context, path: Path, result: ReadResult, records: int, new_records: int,
              unmapped: int | None) -> Outcome:
    """The outcome of a committed file (`unmapped`: None for daily rows)."""
    note = f"{records} meetings" if unmapped is not None else f"{records} daily rows"
    if records > new_records:
        note += f" ({records - new_records} already stored)"
    if unmapped:
        note += f", {unmapped} unmapped"
    _move_original(ctx, path, ctx.home.archive)
    return Outcome(path, "ingested", note, result.format, records, new_records)


def _rejected(ctx: _Context, path: Path, sha: str, rejected: RejectedFile) -> Outcome:
    _quarantine(ctx, path, sha, rejected.reason)
    verb = "moved" if ctx.move_originals else "copied"
    return Outcome(path, "rejected", f"{rejected.reason}; {verb} to quarantine/")


def _read(ctx: _Context, path: Path, whole: bool = False) -> ReadResult:
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
        whole=whole,
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


_ADDRESS = re.compile(r"[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def stored_name(ctx: _Context, path: Path) -> str:
    """The file name as the store keeps it: an e-mail address in it (API pages are often
    saved per user) becomes that host's pseudonym, since no address is kept at rest."""
    return _ADDRESS.sub(lambda m: "host-" + ctx.hosts.pseudonymiser.one(m.group(0))[:12], path.name)


def _check_dates(ctx: _Context, path: Path, result: ReadResult) -> None:
    """One mistyped date (9999-12-31, a year of 1900) would stretch coverage and every
    replay of detection over centuries: such a file is refused as a whole."""
    # Kept in polars, which holds years Python cannot (a damaged "04/02/-1025").
    days = [pl.Series(list(result.coverage.dates), dtype=pl.Date)]
    for frame, column in ((result.reported, "date"), (result.meetings, "start_utc")):
        if frame is not None and not frame.is_empty():
            days.append(frame.select(pl.concat([pl.col(column).min(), pl.col(column).max()]).cast(pl.Date))
                        .to_series())
    bounds = pl.concat(days).drop_nulls().sort()
    early = bounds.filter(bounds < EARLIEST_DAY)
    if len(early):
        raise RejectedFile(path, f"a date in it is {early.dt.to_string()[0]}, before {EARLIEST_DAY}; check the "
                                 "export's dates (a typo, or days and months swapped)")
    if ctx.today is None:
        return
    late = bounds.filter(bounds > ctx.today + dt.timedelta(days=1))
    if len(late):
        raise RejectedFile(path, f"a date in it is {late.dt.to_string()[-1]}, after today ({ctx.today}); check "
                                 "the export's dates (a typo, or days and months swapped)")


def _prepare(ctx: _Context, path: Path, result: ReadResult) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    _check_dates(ctx, path, result)
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
    hosts = ctx.hosts.lookup(frame["host_email"])
    if ctx.institution is not None:
        institution = pl.lit(ctx.institution)
    else:
        institution = ctx.mapper.column_ids(frame["zoom_group"], frame["department"], hosts["domain_id"])
    frame = frame.with_columns(
        wall_clock(frame["start_utc"], ctx.local_timezone).dt.date().alias("local_date"),
        pl.lit(stored_name(ctx, path)).alias("source_file"),
        institution.alias("institution_id"),
        hosts["host_hash"],
    )
    return _unique_instances(conform(frame, MEETINGS)), None


def _unique_instances(frame: pl.DataFrame) -> pl.DataFrame:
    """One row per instance key, the first. Keys repeat only in odd exports (the same meeting
    listed twice with differently written ids or times), so a cheap check on 64-bit hashes
    comes first; a repeated hash (or a collision) takes the exact path."""
    if frame["instance_key"].hash(seed=4).n_unique() < frame.height:  # a third of is_duplicated's cost
        return frame.unique("instance_key", keep="first", maintain_order=True)
    return frame


def _quarantine(ctx: _Context, path: Path, sha: str, reason: str) -> None:
    target = ctx.home.quarantine / path.name
    if target.exists() and file_sha256(target) != sha:
        target = ctx.home.quarantine / f"{sha[:12]}-{path.name}"
    try:
        if ctx.move_originals:
            shutil.move(str(path), target)
        elif path.resolve() != target.resolve():
            target.unlink(missing_ok=True)
            try:  # a hard link costs no space, which matters for multi-gigabyte rejects
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)
    except OSError as exc:  # gone or unreadable since it was hashed: the reason still says why
        reason += f" (the file could not be kept in quarantine: {exc.strerror or exc})"
    target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with transaction(ctx.conn):
        ctx.conn.execute(
            "INSERT OR REPLACE INTO ledger (sha256, file_name, status, reason, ingested_at) "
            "VALUES (?, ?, 'rejected', ?, ?)",
            (sha, stored_name(ctx, path), reason, now),
        )


def _move_original(ctx: _Context, path: Path, folder: Path) -> None:
    if ctx.move_originals:
        target = folder / path.name
        if target.exists():
            target = folder / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{path.name}"
        shutil.move(str(path), target)
