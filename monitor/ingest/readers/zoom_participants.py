"""Zoom per-meeting participant (attendance) export: "Participants" > Export with meeting data.

Two sections, found by their header rows (blank and all-delimiter rows between them skipped):

    current: Topic,ID,Host,Duration (minutes),Start time,End time,Participants    (Host optional)
    legacy:  Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants,
    then one meeting values row, then the participant table:
    Name (original name),Email,Join time,Leave time,Duration (minutes),Guest[,Recording ...][,In waiting room]
    or, with "Show unique users": Name (original name),Email,Total duration (minutes),Guest

A meeting's participants are its join rows outside the waiting room; in the unique-users form
(one row per person) they are the meeting section's `Participants` (joins), or the rows when
that is empty. Participant minutes are the rows' durations; the meeting's minutes are its own
Duration column. A file holding only the participant table cannot say which meeting it
was and is refused. These files are small (one meeting), so they are split into sections
with the csv module and the rows then checked and summed as polars frames.
"""

from __future__ import annotations

import csv
import io
import re

import polars as pl

from monitor.ingest.decode import Head, read_text
from monitor.ingest.readers.base import (
    Coverage,
    FormatError,
    Reader,
    ReadResult,
    Source,
)
from monitor.ingest.readers.csvtext import (
    delimiter_of,
    header_line,
    normalise,
    position,
    split_row,
)
from monitor.ingest.readers.meetings import finish_meetings

MAX_BYTES = 64 * 2**20  # a per-meeting export is kilobytes; anything this big is something else
PARTICIPANT_NAME = "name (original name)"
_HOST_EMAIL = re.compile(r"\(\s*([^()\s]+@[^()\s]+)\s*\)\s*$")
_WAITING = ("yes", "так", "да", "true", "1")


def _meeting_header(cells: list[str]) -> bool:
    names = set(cells)
    return (
        bool(names & {"id", "meeting id"})
        and {"start time", "end time", "duration (minutes)", "participants"} <= names
        and PARTICIPANT_NAME not in names
        and "join time" not in names
    )


def _participant_header(cells: list[str]) -> bool:
    return (
        bool(cells) and cells[0] == PARTICIPANT_NAME
        and ("join time" in cells or "total duration (minutes)" in cells)
        and "start time" not in cells
    )


def sniff(head: Head) -> bool:
    line = header_line(head.text)
    if not line:
        return False
    cells = [normalise(c) for c in split_row(line, delimiter_of(line))]
    return _meeting_header(cells) or _participant_header(cells)


def _rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their (last physical) line numbers; cells stripped."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if any(cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise FormatError(f"line {reader.line_num + 1}: unreadable CSV ({exc})") from None
    return rows


def read(source: Source) -> ReadResult:
    if source.head.size > MAX_BYTES:
        raise FormatError(
            f"{source.head.size // 2**20} MiB is too large for a per-meeting participant export; "
            "check that this is the right file"
        )
    text = read_text(source.head)
    delimiter = delimiter_of(header_line(text))
    rows = _rows(text, delimiter)
    header = [normalise(c) for c in rows[0][1]]
    if _participant_header(header):
        raise FormatError(
            "only the participant table, without the meeting it belongs to; export it again "
            'with "Export with meeting data" ticked'
        )
    split = next((i for i, (_, cells) in enumerate(rows) if normalise(cells[0]) == PARTICIPANT_NAME), len(rows))
    meeting_rows, table = rows[1:split], rows[split:]
    if not meeting_rows:
        raise FormatError(f"line {rows[0][0]}: meeting header without a meeting row under it")
    meetings = _meetings(header, meeting_rows)
    if table:
        if len(meeting_rows) > 1:
            raise FormatError(
                f"line {table[0][0]}: a participant table under {len(meeting_rows)} meetings; "
                "export each meeting's participants separately"
            )
        rows_counted, minutes = _attendance(table)
        unique_users = "total duration (minutes)" in [normalise(c) for c in table[0][1]]
        # A unique-users table has one row per person, not per join: the meeting section's
        # Participants (joins, as Zoom counts them) is the count then, when it is given.
        joins = pl.col("participants") if unique_users else pl.lit(None, pl.Int32)
        meetings = meetings.with_columns(
            pl.coalesce(joins, pl.lit(rows_counted, pl.Int32)).alias("participants"),
            pl.lit(minutes, pl.Int64).alias("participant_minutes"),
        )
    frame = finish_meetings(meetings, source, platform="zoom")
    return ReadResult(
        format="zoom-participants",
        # One meeting vouches only for its own institution's day.
        coverage=Coverage("zoom", "meetings", (), scope="mapped", from_rows=True),
        meetings=frame,
    )


def _meetings(header: list[str], rows: list[tuple[int, list[str]]]) -> pl.DataFrame:
    cols = {
        "meeting_id": position(header, ("meeting id", "id"), what="ID"),
        "start_text": position(header, ("start time",)),
        "end_text": position(header, ("end time",)),
        "minutes_text": position(header, ("duration (minutes)",)),
        "participants_text": position(header, ("participants",)),
        "host": position(header, ("host",), required=False),
        "host_email": position(header, ("user email", "host email"), required=False),
    }
    width = len(header)
    padded = [cells + [""] * (width - len(cells)) for _, cells in rows]
    data = {key: [cells[i] for cells in padded] if i is not None else [None] * len(rows)
            for key, i in cols.items()}
    frame = pl.DataFrame({"line": [line for line, _ in rows], **data},
                         schema_overrides={key: pl.String for key in cols})
    host_email = pl.coalesce(
        pl.col("host_email").replace("", None),
        pl.col("host").str.extract(_HOST_EMAIL.pattern, 1),
        pl.when(pl.col("host").str.contains("@")).then(pl.col("host")),
    )
    stated = pl.col("participants_text").cast(pl.Int32, strict=False)
    bad = frame.filter(stated.is_null() & pl.col("participants_text").ne("")).head(1)
    if not bad.is_empty():
        raise FormatError(f"line {bad['line'][0]}: Participants is not a whole number")
    bad = frame.filter(stated < 0).head(1)
    if not bad.is_empty():
        raise FormatError(f"line {bad['line'][0]}: negative Participants count")
    return frame.select(
        "line", "meeting_id", "start_text", "end_text", "minutes_text",
        host_email.alias("host_email"),
        pl.lit(None, pl.String).alias("department"),
        pl.lit(None, pl.String).alias("zoom_group"),
        stated.alias("participants"),
        pl.lit(None, pl.Int64).alias("participant_minutes"),
    )


def _attendance(table: list[tuple[int, list[str]]]) -> tuple[int, int]:
    """(join rows outside the waiting room, their summed minutes) of a participant table."""
    header = [normalise(c) for c in table[0][1]]
    duration = position(header, ("duration (minutes)", "total duration (minutes)"), what="Duration (minutes)")
    waiting = position(header, ("in waiting room",), required=False)
    body = table[1:]
    frame = pl.DataFrame(
        {
            "line": [line for line, _ in body],
            "minutes_text": [cells[duration] if duration < len(cells) else "" for _, cells in body],
            "waiting": [cells[waiting] if waiting is not None and waiting < len(cells) else ""
                        for _, cells in body],
        },
        schema={"line": pl.Int64, "minutes_text": pl.String, "waiting": pl.String},
    )
    frame = frame.with_columns(
        pl.col("waiting").str.to_lowercase().is_in(_WAITING).alias("in_waiting_room"),
        pl.col("minutes_text").str.replace(r"^-", "").cast(pl.Int64, strict=False).alias("magnitude"),
    )
    negative = pl.col("minutes_text").str.starts_with("-") & pl.col("magnitude").is_not_null()
    checks = [
        (negative, "negative participant duration"),
        (pl.col("magnitude").is_null() & (pl.col("minutes_text").ne("") | ~pl.col("in_waiting_room")),
         "participant duration is not a whole number of minutes"),
    ]
    for condition, message in checks:
        bad = frame.filter(condition).head(1)
        if not bad.is_empty():
            raise FormatError(f"line {bad['line'][0]}: {message}")
    attends = frame.filter(~pl.col("in_waiting_room"))
    return attends.height, int(attends["magnitude"].sum())
READER = Reader(name="zoom-participants", sniff=sniff, read=read)
