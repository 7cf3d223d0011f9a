"""Plain daily usage CSV, for other platforms and history migrations:

    institution_id,date,meetings,participants,meeting_minutes[,active_hosts][,platform]

Columns are found by name, in any order. Counts are whole numbers >= 0 (`active_hosts` may
be empty: the source has no hosts); dates are YYYY-MM-DD (or DD.MM.YYYY after an Excel
re-save under a Ukrainian locale); `platform` defaults to "other" and must be the same on
every row. The file vouches for the dates it
lists, for the institutions it lists. Errors name the line.
"""

from __future__ import annotations

import polars as pl

from monitor.ingest.decode import Head, utf8_copy
from monitor.ingest.readers.base import (
    Coverage,
    FormatError,
    Reader,
    ReadResult,
    Source,
)
from monitor.ingest.readers.csvtext import header_of, in_whole_file_encoding, scan_positional
from monitor.schema import REPORTED_DAILY, conform

REQUIRED = ("institution_id", "date", "meetings", "participants", "meeting_minutes")
OPTIONAL = ("active_hosts", "platform")
DEFAULT_PLATFORM = "other"
_WHOLE = r"^[0-9]+$"  # ASCII digits: \d also takes full-width and other scripts' digits


def sniff(head: Head) -> bool:
    header, _ = header_of(head.text[:4096])  # a header line is short; JSON is one long line
    # Columns are found by name, so any order is this format (a re-sorted spreadsheet).
    return set(REQUIRED) <= set(header)


def _columns(header: list[str]) -> dict[str, int]:
    named = [name for name in header if name]  # Excel pads header rows with empty cells too
    unknown = [name for name in named if name not in REQUIRED + OPTIONAL]
    if unknown:
        raise FormatError(
            f"line 1: unknown column '{unknown[0]}'; the header is {','.join(REQUIRED)}[,active_hosts][,platform]"
        )
    twice = [name for name in named if named.count(name) > 1]
    if twice:
        raise FormatError(f"line 1: column '{twice[0]}' appears twice")
    return {name: header.index(name) for name in named}


def read(source: Source) -> ReadResult:
    header, delimiter = header_of(source.head.text)
    cols = _columns(header)
    rows = in_whole_file_encoding(lambda src: _rows(src, cols, delimiter, len(header)), source)
    if rows.is_empty():
        raise FormatError("no rows under the header")
    checks = [(pl.col("institution_id") == "", "empty institution_id"),
              (pl.col("day").is_null(), "date is not YYYY-MM-DD")]
    for name in ("meetings", "participants", "meeting_minutes", "active_hosts"):
        value = pl.col(name)
        optional = name == "active_hosts"
        checks += [
            (value.str.starts_with("-"), f"negative {name}"),
            (~value.str.contains(_WHOLE) & (value != "" if optional else pl.lit(True)),
             f"{name} is not a whole number >= 0"),
            (value.str.contains(_WHOLE) & value.cast(pl.Int64, strict=False).is_null(), f"{name} is too large"),
        ]
    platform = rows["platform"][0]
    checks.append((pl.col("platform") != platform,
                   f"platform differs from the first row's '{platform}'; put each platform in its own file"))
    repeated = pl.col("line") != pl.col("line").min().over("institution_id", "day")
    checks.append((repeated, "institution and date already listed above"))
    for condition, message in checks:
        bad = rows.filter(condition.fill_null(False)).sort("line").head(1)
        if not bad.is_empty():
            raise FormatError(f"line {bad['line'][0]}: {message}")
    reported = rows.select(
        "institution_id",
        pl.col("day").alias("date"),
        *(pl.col(name).cast(pl.Int64) for name in ("meetings", "participants", "meeting_minutes")),
        pl.col("active_hosts").replace("", None).cast(pl.Int64),
        "platform",
    )
    return ReadResult(
        format="daily-csv",
        coverage=Coverage(
            platform, "daily", tuple(sorted(reported["date"].unique().to_list())), scope="listed",
            institutions=tuple(sorted(reported["institution_id"].unique().to_list())),
        ),
        reported=conform(reported, REPORTED_DAILY),
    )


def _rows(source: Source, cols: dict[str, int], delimiter: str, width: int) -> pl.DataFrame:
    path = utf8_copy(source.head, source.workdir)

    def cell(name: str) -> pl.Expr:
        if name not in cols:
            return pl.lit("", pl.String)
        return pl.col(f"c{cols[name]}").str.strip_chars().fill_null("")

    return (
        scan_positional(path, delimiter, width)
        .with_row_index("line", offset=2)
        .select(
            "line",
            *(cell(name).alias(name) for name in REQUIRED + OPTIONAL),
        )
        .filter(pl.any_horizontal(pl.col(*REQUIRED, *OPTIONAL) != ""))  # blank / all-delimiter rows
        .with_columns(
            pl.coalesce(
                pl.col("date").str.strptime(pl.Date, "%Y-%m-%d", strict=False, exact=True),
                pl.col("date").str.strptime(pl.Date, "%d.%m.%Y", strict=False, exact=True),
            ).alias("day"),
            pl.col("platform").str.to_lowercase().replace("", DEFAULT_PLATFORM),
        )
        .collect()
    )


READER = Reader(name="daily-csv", sniff=sniff, read=read)
