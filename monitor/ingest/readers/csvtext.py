"""Helpers for Zoom-style CSV text: delimiter and header sniffing, positional columns.

Zoom repeats column names (two `Duration (minutes)`, two `User Email`), so columns are always
addressed by position, never through a header->dict reader."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable
from typing import TypeVar

import polars as pl

from monitor.ingest.decode import whole_file
from monitor.ingest.readers.base import FormatError, Source

T = TypeVar("T")

# A CSV header line is a few hundred characters; bounding it keeps sniffing a JSON page
# (one long line) or binary-looking text cheap for every reader's sniffer.
_HEADER_MAX = 8192


def header_line(text: str) -> str:
    """The first line of `text`, at most _HEADER_MAX characters. Lines end in a bare
    carriage return only in text without newlines (Excel for Mac); elsewhere a bare one is
    inside the line, which then reads as no CSV row (split_row)."""
    head = text[:_HEADER_MAX]
    if "\n" not in head:
        return head.partition("\r")[0]
    return head.partition("\n")[0].rstrip("\r")


def delimiter_of(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d])


def split_row(line: str, delimiter: str) -> list[str]:
    """The cells of one line; none when it is not a CSV row (a bare carriage return inside
    an unquoted field, as in binary junk), so that no reader takes it for a header."""
    try:
        return next(csv.reader(io.StringIO(line), delimiter=delimiter), [])
    except csv.Error:
        return []


def normalise(name: str) -> str:
    """Header cell for matching: no BOM, no surrounding space, case-folded, full-width
    parentheses as ASCII."""
    return name.lstrip("\ufeff").strip().casefold().replace("（", "(").replace("）", ")")


def header_of(text: str) -> tuple[list[str], str]:
    line = header_line(text)
    if not line:
        return [], ","
    delimiter = delimiter_of(line)
    return [normalise(c) for c in split_row(line, delimiter)], delimiter


def position(header: list[str], names: tuple[str, ...], start: int = 0, stop: int | None = None,
             required: bool = True, what: str = "") -> int | None:
    """Index of the first column in header[start:stop] named one of `names`."""
    end = len(header) if stop is None else stop
    for index in range(start, end):
        if header[index] in names:
            return index
    if required:
        raise FormatError(f"missing column '{what or names[0]}' in the header")
    return None


def positional_names(count: int) -> list[str]:
    return [f"c{i}" for i in range(count)]


def scan_positional(path, delimiter: str, width: int, skip_lines: int = 1) -> pl.LazyFrame:
    """All columns as strings, named c0..c{width-1}; longer rows (Excel pads with
    delimiters) are truncated, shorter rows filled with nulls."""
    return pl.scan_csv(
        path,
        has_header=False,
        skip_lines=skip_lines,
        separator=delimiter,
        schema={name: pl.String for name in positional_names(width)},
        truncate_ragged_lines=True,
        # polars sizes rows by the first data row: a short, blank or padded first row must
        # not fail the file.
        extra_columns="ignore",
        missing_columns="insert",
        encoding="utf8",
        quote_char='"',
    )


def in_whole_file_encoding(read: Callable[[Source], T], source: Source) -> T:
    """`read(source)`; when polars meets bytes that are not UTF-8 past a head that was, once
    more in the encoding of the whole file (an Excel re-save in cp1251 whose first 64 KiB are
    ASCII), or a clear NotText (a file cut in the middle of a character)."""
    try:
        return read(source)
    except pl.exceptions.ComputeError as exc:
        if "utf-8" not in str(exc):
            raise
        return read(dataclasses.replace(source, head=whole_file(source.head)))
