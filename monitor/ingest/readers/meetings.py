"""Shared last step of the meeting-level CSV readers: naive local times -> UTC, meeting
keys, validation. Input columns: line, meeting_id, start_text, end_text, minutes_text,
host_email, department, zoom_group, participants, participant_minutes."""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl
import polars.selectors as cs

from monitor.ingest.readers.base import FormatError, Source
from monitor.ingest.times import (
    TimeFormatError,
    choose_format,
    localize_span,
    parse_naive,
)
from monitor.schema import READER_MEETINGS, conform


def time_format(meetings: pl.DataFrame) -> str:
    """The one date-time format of the start and end times."""
    try:
        return choose_format(pl.concat([meetings["start_text"], meetings["end_text"]]))
    except TimeFormatError as exc:
        raise FormatError(f"start/end time column: {exc}") from None


def finish_meetings(meetings: pl.DataFrame, source: Source, platform: str, fmt: str | None = None) -> pl.DataFrame:
    """Canonical meetings; times read in `fmt` (default: the format of these meetings' times,
    `time_format`)."""
    fmt = fmt or time_format(meetings)
    frame = parse_naive(meetings, {"start_naive": "start_text", "end_naive": "end_text"}, fmt).with_columns(
        pl.col("minutes_text").str.strip_chars().cast(pl.Int64, strict=False).alias("stated"),
        pl.col("meeting_id").str.replace_all(" ", "", literal=True).str.replace_all("-", "", literal=True)
        .alias("series_key"),
    )
    _first_bad(frame, [
        (pl.col("start_naive").is_null() | pl.col("end_naive").is_null(),
         f"start or end time is not a date-time in the file's format ({fmt})"),
        (~pl.col("series_key").str.contains(r"^\d+$"), _not_a_meeting_id),
        (pl.col("stated").is_null() & pl.col("minutes_text").fill_null("").ne(""),
         "meeting duration is not a whole number of minutes"),
        (pl.col("stated") < 0, "negative meeting duration"),
        (pl.col("participant_minutes") < 0, "negative participant duration"),
    ])
    naive_minutes = ((pl.col("end_naive") - pl.col("start_naive")).dt.total_seconds() / 60).ceil()
    frame = frame.with_columns(pl.coalesce("stated", naive_minutes).cast(pl.Int32).alias("minutes"))
    frame = localize_span(frame, "start_naive", "end_naive", "minutes", source.timezone)
    _first_bad(frame, [
        (pl.col("start_utc").is_null() | pl.col("end_utc").is_null(),
         f"time does not exist in {source.timezone} (skipped by the spring DST change)"),
        # Checked in UTC, not on the wall clock: a meeting may end in the repeated October
        # hour at a wall time before its start (03:30 summer time -> 03:20 winter time).
        (pl.col("end_utc") < pl.col("start_utc"), "meeting ends before it starts"),
    ])
    utc_minutes = ((pl.col("end_utc") - pl.col("start_utc")).dt.total_seconds() / 60).ceil()
    frame = frame.with_columns(pl.coalesce("stated", utc_minutes).cast(pl.Int32).alias("minutes"))
    frame = frame.with_columns(
        pl.lit(platform).alias("platform"),
        # Meeting id @ UTC start in Unix seconds: formatting the start as ISO text cost four
        # times as much, on every meeting.
        (pl.col("series_key") + "@" + pl.col("start_utc").dt.epoch("s").cast(pl.String)).alias("instance_key"),
    )
    return conform(frame, READER_MEETINGS)


_EXCEL_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?E\+?\d+$", re.IGNORECASE)


def _not_a_meeting_id(row: dict) -> str:
    value = (row.get("meeting_id") or "").strip()
    if _EXCEL_NUMBER.match(value):
        return (f"meeting ID {value} is a number Excel shortened; export again and do not open "
                "and save it in Excel (or format the ID column as text first)")
    return "meeting ID is not a number"


def _first_bad(frame: pl.DataFrame, checks: list[tuple[pl.Expr, str | Callable[[dict], str]]]) -> None:
    """Name the first line failing the first failed check. All checks are evaluated in one
    pass; only a failure looks for its line (and a message may look at that row)."""
    failed = frame.select(cond.fill_null(False).any().alias(f"_{i}") for i, (cond, _) in enumerate(checks)).row(0)
    for hit, (condition, message) in zip(failed, checks):
        if hit:
            # Without its times: polars holds years Python cannot (a damaged "04/02/-1025").
            row = frame.filter(condition.fill_null(False)).sort("line").select(~cs.temporal()).row(0, named=True)
            text = message(row) if callable(message) else message
            raise FormatError(f"line {row['line']}: {text}")
