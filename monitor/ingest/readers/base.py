"""What every reader takes and returns. One reader per source format; each is testable on
bytes written to a file, and names the row or column when it refuses one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import polars as pl

from monitor.ingest.decode import Head


class FormatError(ValueError):
    """The file is of a known format but its content is broken; the message says where."""


class ReadWhole(Exception):
    """A file read in slices holds something only a read of the whole file handles (see
    ReadResult.more): read it again with Source.whole."""


@dataclass(frozen=True)
class Source:
    head: Head
    timezone: str  # zone of naive CSV times
    institution: str | None  # --institution: the institution every record belongs to
    workdir: Path  # scratch space for transcoded copies
    max_json_bytes: int
    whole: bool = False  # read every meeting at once, never in slices


@dataclass(frozen=True)
class Coverage:
    """Which days (and institutions) the file vouches for: an uncovered day is missing data."""

    platform: str
    level: str  # "meetings": meeting-level records; "daily": reported daily aggregates
    dates: tuple[dt.date, ...]  # stated dates (API from/to, listed days, a file name's range)
    scope: str  # "all": every institution; "mapped": those its records map to; "listed"
    institutions: tuple[str, ...] = ()
    from_rows: bool = False  # also covers first..last local date of its meetings (web CSVs)


@dataclass(frozen=True)
class ReadResult:
    format: str
    coverage: Coverage
    meetings: pl.DataFrame | None = None  # schema.READER_MEETINGS
    reported: pl.DataFrame | None = None  # schema.REPORTED_DAILY
    # The meetings after the first slice of a file too large to hold whole, read as they are
    # taken; a slice may raise ReadWhole. Slices hold different meetings. None: `meetings` is all.
    more: Iterator[pl.DataFrame] | None = None


@dataclass(frozen=True)
class Reader:
    name: str  # shown to users, e.g. "zoom-meeting-history"
    sniff: Callable[[Head], bool]
    read: Callable[[Source], ReadResult]


def date_span(first: dt.date, last: dt.date) -> tuple[dt.date, ...]:
    days = (last - first).days
    return tuple(first + dt.timedelta(days=i) for i in range(days + 1))
