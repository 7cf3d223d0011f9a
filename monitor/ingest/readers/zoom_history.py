"""Zoom "Meeting and webinar history" export with participant details
(`meetinglistdetails_*.csv`): one flat row per participant join, meeting columns repeated.

Two layouts: the legacy 20-column one (Topic, Meeting ID, User Name, User Email, Department,
Group, ...) and the current one (Topic, Type, ID, Host name, Host email, ...) with 0..n
account-defined custom attribute columns before the participant block. The participant block
is found by its `Name (original name)` header; the first `Duration (minutes)` is the meeting's,
the one after it the participant's.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterator

import polars as pl

from monitor.ingest.decode import Head, utf8_copy
from monitor.ingest.readers.base import (
    Coverage,
    FormatError,
    Reader,
    ReadWhole,
    ReadResult,
    Source,
    date_span,
)
from monitor.ingest.readers.csvtext import header_of, in_whole_file_encoding, position, scan_positional
from monitor.ingest.readers.meetings import finish_meetings, time_format

PARTICIPANT_BLOCK = ("name (original name)",)
# "In waiting room" as Zoom writes it, in any case.
_YES = tuple("".join(c) for c in itertools.product("yY", "eE", "sS"))
_NO = tuple("".join(c) for c in itertools.product("nN", "oO"))
_NAME_RANGE = re.compile(r"(\d{8})_(\d{8})")


def sniff(head: Head) -> bool:
    header, _ = header_of(head.text)
    if not header or PARTICIPANT_BLOCK[0] not in header:
        return False
    block = header.index(PARTICIPANT_BLOCK[0])
    meeting_part = header[:block]
    has_id = "meeting id" in meeting_part or "id" in meeting_part
    return has_id and "start time" in meeting_part and "join time" in header[block:]


def read(source: Source) -> ReadResult:
    header, delimiter = header_of(source.head.text)
    meetings, more = in_whole_file_encoding(lambda src: _read_file(src, header, delimiter), source)
    return ReadResult(
        format="zoom-meeting-history",
        coverage=Coverage("zoom", "meetings", named_range(source), scope="all", from_rows=True),
        meetings=meetings,
        more=more,
    )


def _read_file(source: Source, header: list[str], delimiter: str) -> _Meetings:
    path = utf8_copy(source.head, source.workdir)
    # A transcoded copy is deleted once `read` returns, so only the file itself is read in
    # slices (transcoding is for Excel re-saves, which hold at most ~1 million rows anyway).
    slice_meetings = None if source.whole or path != source.head.path else SLICE_MEETINGS
    try:
        meetings = _read_meetings(source, path, header, delimiter, careful=False, slice_meetings=slice_meetings)
    except FormatError:
        meetings = None
    if meetings is None:
        # Numbering the rows and stripping every cell cost a fifth of the read, and are only
        # needed to name the line of a fault or when cells are padded with spaces: such a
        # file is read again, carefully and whole, and that read's result (or error) stands.
        meetings = _read_meetings(source, path, header, delimiter, careful=True, slice_meetings=None)
    assert meetings is not None  # the careful read returns meetings or raises
    return meetings


def _read_meetings(source: Source, path, header: list[str], delimiter: str,
                   careful: bool, slice_meetings: int | None) -> _Meetings | None:
    """The file's meetings: the first slice and the rest (see _meeting_slices), or all of
    them and None. Unless `careful`, rows are not numbered and only join times are stripped;
    None when a meeting ID or waiting-room cell shows that cells are padded."""
    block = header.index(PARTICIPANT_BLOCK[0])
    cols = {
        "id": position(header, ("meeting id", "id"), stop=block, what="Meeting ID"),
        "host_email": position(header, ("host email", "user email"), stop=block, what="Host email"),
        "start": position(header, ("start time",), stop=block),
        "end": position(header, ("end time",), stop=block),
        "minutes": position(header, ("duration (minutes)",), stop=block, what="Duration (minutes)"),
        "department": position(header, ("department",), stop=block, required=False),
        "group": position(header, ("group",), stop=block, required=False),
        "join": position(header, ("join time",), start=block),
        "p_minutes": position(header, ("duration (minutes)",), start=block, what="participant Duration (minutes)"),
        "waiting": position(header, ("in waiting room",), start=block, required=False),
    }
    rows = scan_positional(path, delimiter, len(header))
    # Without numbers, a row's "line" is a constant: the checks below still find every
    # fault, and only the careful read names its line.
    rows = rows.with_row_index("line", offset=2) if careful else rows.with_columns(line=pl.lit(0, pl.UInt32))

    def col(key: str, strip: bool = careful) -> pl.Expr:
        index = cols[key]
        if index is None:
            return pl.lit(None, pl.String)
        return pl.col(f"c{index}").str.strip_chars() if strip else pl.col(f"c{index}")

    # Join times are stripped on the quick read too: a cell of spaces holds no join time.
    join = col("join", strip=True).fill_null("")
    attendance = join.ne("")
    waiting = col("waiting").fill_null("")
    if careful:
        attendance &= waiting.str.to_lowercase().ne("yes")
    else:  # Yes or No in any case; anything else sends the file to the careful read
        attendance &= ~waiting.is_in(_YES)
    odd_waiting = pl.lit(False) if careful else ~waiting.is_in(_YES + _NO + ("",))
    # Unstripped, a padded duration does not read as a number: the careful read follows.
    p_text = col("p_minutes")
    p_minutes = p_text.cast(pl.Int64, strict=False)
    # Per-row values are prepared so that every aggregation is a plain min/first/sum/max
    # (see _PER_MEETING).
    joins = (
        rows.select(
            "line",
            col("id").alias("meeting_id"),
            # Meeting columns repeat on every join row and are cleaned once per meeting later
            # (finish_meetings, the mapper): stripping every row cost ~20% of the read.
            col("host_email", strip=False).alias("host_email"),
            col("start", strip=False).alias("start_text"),
            col("end", strip=False).alias("end_text"),
            col("minutes", strip=False).alias("minutes_text"),
            col("department", strip=False).alias("department"),
            col("group", strip=False).alias("zoom_group"),
            attendance.cast(pl.Int32).alias("participants"),
            pl.when(attendance).then(p_minutes).alias("participant_minutes"),
            # Every row of this export is a participant join; a row without its join time
            # was cut short (a truncated download or a hand-edited file).
            pl.when(join.eq("")).then(pl.col("line")).alias("cut_line"),
            (attendance & p_minutes.is_null() & p_text.fill_null("").ne("")).alias("bad_p_minutes"),
            odd_waiting.alias("odd_waiting"),
        )
        .filter(pl.col("meeting_id").fill_null("") != "")
    )
    slices = _meeting_slices(joins, slice_meetings)
    meetings, last = next(slices)
    checked = _checked(meetings, careful)
    if checked is None:
        return None
    fmt = time_format(checked)
    first = finish_meetings(checked, source, platform="zoom", fmt=fmt)
    return first, (None if last else _later_slices(slices, source, fmt))


def _checked(meetings: pl.DataFrame, careful: bool) -> pl.DataFrame | None:
    """Meetings whose join rows had no fault, without the columns that tell; None when the
    quick read found padded cells. A fault raises FormatError."""
    if not careful and (meetings["odd_waiting"].any()
                        or (meetings["meeting_id"] != meetings["meeting_id"].str.strip_chars()).any()):
        return None
    if meetings.is_empty():
        raise FormatError("no meeting rows under the header")
    if careful:  # only files the quick read found at fault (or padded) get here
        again = meetings.filter(pl.col("meeting_id").str.strip_chars().str.to_lowercase().is_in(["id", "meeting id"]))
        if not again.is_empty():
            raise FormatError(f"line {again['line'].min()}: the header comes again, as if two exports were "
                              "pasted into one file; send each export as a file of its own")
    cut = meetings["cut_line"].min()
    if cut is not None:
        raise FormatError(f"line {cut}: no participant join time; the file looks truncated, export it again")
    bad = meetings.filter(pl.col("bad_p_minutes")).sort("line").head(1)
    if not bad.is_empty():
        raise FormatError(f"line {bad['line'][0]}: participant duration is not a whole number of minutes")
    return meetings.drop("bad_p_minutes", "cut_line", "odd_waiting")


def _later_slices(slices: Iterator[tuple[pl.DataFrame, bool]], source: Source, fmt: str) -> Iterator[pl.DataFrame]:
    """The slices after the first, their times read in the first one's format. ReadWhole
    when one holds what a read of the whole file handles otherwise: a fault or padding (the
    careful read names its line), a time in another format (the whole column decides), a
    meeting met again (ordered exports do not do that), bytes that are not UTF-8, a file
    that cannot be read any more (the whole read says so)."""
    try:
        for meetings, _ in slices:
            checked = _checked(meetings, careful=False)
            if checked is None:
                raise ReadWhole("padded cells")
            yield finish_meetings(checked, source, platform="zoom", fmt=fmt)
    except (FormatError, OSError, pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        raise ReadWhole(str(exc)) from None


# Per meeting (meeting ID + start). Each gives the same result over a meeting's join rows and
# over partial results of them, so a meeting may be aggregated in pieces and the pieces merged.
_PER_MEETING = (
    pl.col("line").min(),
    pl.col("end_text", "minutes_text", "host_email", "department", "zoom_group").first(),
    pl.col("cut_line").min(),
    pl.col("participants", "participant_minutes").sum(),
    pl.col("bad_p_minutes", "odd_waiting").max(),
)
_KEY = ("meeting_id", "start_text")
# Rows per batch: ~50 MB of join rows in memory at a time, whatever the size of the file.
_BATCH_ROWS = 250_000
# Meetings per slice of a large file: a month of national data in one export (10 million
# meetings, 3.2 GB) is ingested within 1.8 GB, where holding it whole took 4.7 GB (500,000
# took 1.95 GB, no faster). A daily national export (~330,000 meetings) is one slice.
SLICE_MEETINGS = 400_000
# The first slice, and the rest (None: the first holds every meeting).
_Meetings = tuple[pl.DataFrame, Iterator[pl.DataFrame] | None]


def _meeting_slices(joins: pl.LazyFrame, slice_meetings: int | None) -> Iterator[tuple[pl.DataFrame, bool]]:
    """The meetings of the join rows, about `slice_meetings` at a time (all at once for None),
    each with whether it is the last slice.

    Zoom writes a meeting's joins one after another. So each batch of rows is aggregated by
    runs of consecutive rows of one meeting, numbered as they come: grouping on that number
    instead of hashing two strings per row halved the read. A meeting cut by a batch boundary
    is made whole at once; one whose rows are spread further (a file re-sorted in a
    spreadsheet) gives pieces, merged before its slice is given out, so the result is exact
    for any row order within a slice. The last meeting of a slice may go on in the next
    batch: it waits for the next slice. A meeting met again after its slice was given out
    raises ReadWhole.
    """
    run_starts = pl.any_horizontal(pl.col(k).ne_missing(pl.col(k).shift(1)) for k in _KEY)
    key = pl.struct(*_KEY).hash().alias("_key")
    pending: list[pl.DataFrame] = []
    count = 0
    given: pl.Series | None = None  # keys of the meetings given out so far
    for batch in joins.collect_batches(chunk_size=_BATCH_ROWS):
        runs = (batch.group_by(run_starts.cum_sum().alias("run"), maintain_order=True)
                .agg(pl.col(*_KEY).first(), *_PER_MEETING, key.first()).drop("run"))
        if pending and runs.height and pending[-1]["_key"][-1] == runs["_key"][0]:
            # Joined here, so that an ordered file has no pieces to merge (a copy of a slice).
            cut = _merged(pl.concat([pending[-1].tail(1), runs.head(1)]))
            pending[-1] = pending[-1].head(-1)
            runs = pl.concat([cut, runs.slice(1)])
        pending.append(runs)
        count += runs.height
        if slice_meetings is not None and count >= slice_meetings:
            runs = pl.concat(pending, rechunk=False)
            ready, pending = runs.head(-1), [runs.tail(1)]
            count = 1
            given = _not_given(ready, given)
            yield _merged(ready).drop("_key"), False
    if not pending:
        yield joins.group_by(*_KEY).agg(*_PER_MEETING).collect(), True  # the empty frame, typed
        return
    runs = pl.concat(pending, rechunk=False)
    _not_given(runs, given)
    yield _merged(runs).drop("_key"), True


def _not_given(runs: pl.DataFrame, given: pl.Series | None) -> pl.Series:
    """The keys given out, with those of `runs`; ReadWhole when `runs` holds one of them. (A
    hash collision only sends the file to be read whole.)"""
    if given is None:
        return runs["_key"].unique()
    if given.is_in(runs["_key"].implode()).any():
        raise ReadWhole("a meeting's join rows are not all together")
    return pl.concat([given, runs["_key"].unique()])


def _merged(runs: pl.DataFrame) -> pl.DataFrame:
    """One row per meeting of pieces of meetings (with their `_key` hash)."""
    # A hash collision only sends two meetings through the merge, which keeps them apart.
    split = runs["_key"].is_duplicated()
    if not split.any():
        return runs
    merged = runs.filter(split).group_by(*_KEY, maintain_order=True).agg(*_PER_MEETING, pl.col("_key").first())
    return pl.concat([runs.filter(~split), merged])


def named_range(source: Source) -> tuple[dt.date, ...]:
    """The dates in a file name such as `meetinglistdetails_20250301_20250331.csv`."""
    match = _NAME_RANGE.search(source.head.path.name)
    if not match:
        return ()
    try:
        first, last = (dt.datetime.strptime(g, "%Y%m%d").date() for g in match.groups())
    except ValueError:
        return ()
    if first > last or (last - first).days > 62:
        return ()
    return date_span(first, last)


READER = Reader(name="zoom-meeting-history", sniff=sniff, read=read)
