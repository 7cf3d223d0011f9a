"""Zoom REST API pages saved as JSON (times are UTC).

- `GET /report/users/{id}/meetings` and Dashboard `GET /metrics/meetings`: a page object with
  `from`, `to` and `meetings[]`, one entry per held instance (`uuid`). Both go through one
  reader; the page says which it is (`participants_count`/`total_minutes` versus the
  dashboard's `participants` and `"mm:ss"` duration string). A meeting's minutes are its actual
  length: end - start, rounded up (report `duration` may be the scheduled length); on the
  dashboard the `duration` string is the actual length.
- `GET /report/daily`: `{year, month, dates[]}` for one account or group, so the institution
  comes from `--institution`. Its `meeting_minutes` are participant minutes (host plus every
  participant), not meeting lengths, so they are not reported as `meeting_minutes`.

Pages are parsed by polars' own JSON reader with an explicit all-string schema (numbers are
read as their text), so that a wrong type is a FormatError naming the meeting, not a crash.
"""

from __future__ import annotations

import datetime as dt
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
    date_span,
)
from monitor.schema import READER_MEETINGS, REPORTED_DAILY, UTC_DATETIME, conform

MAX_SPAN_DAYS = 366
_MEETING_FIELDS = (
    "uuid", "id", "start_time", "end_time", "duration", "total_minutes", "participants_count",
    "participants", "user_email", "email", "dept",
)
_MEETINGS_SCHEMA = {
    "from": pl.String, "to": pl.String,
    "meetings": pl.List(pl.Struct({name: pl.String for name in _MEETING_FIELDS})),
}
_DAILY_FIELDS = ("date", "new_users", "meetings", "participants", "meeting_minutes")
_DAILY_SCHEMA = {
    "year": pl.String, "month": pl.String,
    "dates": pl.List(pl.Struct({name: pl.String for name in _DAILY_FIELDS})),
}
_KEY = r'"{}"\s*:\s*'
_WHOLE = r"^\d+$"


def _json_object(head: Head) -> bool:
    return head.text.lstrip("\ufeff \t\r\n").startswith("{")


def sniff_meetings(head: Head) -> bool:
    return _json_object(head) and re.search(_KEY.format("meetings") + r"\[", head.text) is not None \
        and not sniff_daily(head)


def sniff_daily(head: Head) -> bool:
    text = head.text
    return _json_object(head) and re.search(_KEY.format("dates") + r"\[", text) is not None \
        and re.search(_KEY.format("year"), text) is not None


def _load(source: Source, schema: dict) -> pl.DataFrame:
    head = source.head
    if head.size > source.max_json_bytes:
        raise FormatError(
            f"JSON page of {head.size / 2**20:.1f} MiB exceeds ingest.max_json_mb "
            f"({source.max_json_bytes // 2**20} MiB); fetch smaller pages (page_size) or raise the limit"
        )
    if head.encoding == "utf-8":
        raw = head.path.read_bytes()
    elif head.encoding == "utf-8-sig":
        raw = head.path.read_bytes()[3:]
    else:
        raw = read_text(head).encode("utf-8")
    try:
        frame = pl.read_json(io.BytesIO(raw), schema=schema)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise FormatError(f"not a well-formed API page ({detail}); save the complete JSON response") from None
    if frame.height != 1:
        raise FormatError("expected one JSON object (one API page); save each page as its own file")
    return frame


def _collect_checked(
    rows: pl.LazyFrame, columns: list[pl.Expr], checks: list[tuple[pl.Expr, str]]
) -> pl.DataFrame:
    """`rows` as `columns`, after every check passed. Output and check flags come out of one
    polars run (pages are many and small, so per-run overhead counts); only a failure looks
    further, for the first meeting failing the first failed check."""
    flags = [f"_check{i}" for i in range(len(checks))]
    frame = rows.select(
        *columns, "n", "uuid", *(cond.fill_null(False).alias(f) for f, (cond, _) in zip(flags, checks))
    ).collect()
    failed = frame.select(pl.col(flags).any()).row(0)
    for hit, flag, (_, message) in zip(failed, flags, checks):
        if hit:
            bad = frame.filter(pl.col(flag)).head(1)
            uuid = bad["uuid"][0]
            name = f"meeting {bad['n'][0]}" + (f" (uuid {uuid})" if uuid else "")
            raise FormatError(f"{name}: {message}")
    return frame.select(pl.col(name) for name in READER_MEETINGS)


def _span(first: str | None, last: str | None) -> tuple[dt.date, ...]:
    try:
        start, end = dt.date.fromisoformat(first or ""), dt.date.fromisoformat(last or "")
    except ValueError:
        raise FormatError(
            f"page 'from'/'to' are not dates ({first!r}, {last!r}); save the complete API response"
        ) from None
    if end < start or (end - start).days >= MAX_SPAN_DAYS:
        raise FormatError(f"page range {first}..{last} is impossible; check the 'from' and 'to' fields")
    return date_span(start, end)


_PLAIN_UTC = re.compile(r'"start_time"\s*:\s*"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"')


def _utc(column: str, plain: bool) -> pl.Expr:
    """ISO-8601 UTC times. Zoom writes `2025-03-31T05:58:12Z`, which has a fast parse; pages
    whose first time looks otherwise (fractions, offsets) take the general one."""
    if plain:
        return pl.col(column).str.strptime(UTC_DATETIME, "%Y-%m-%dT%H:%M:%SZ", strict=False, cache=False)
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(
        text.str.strptime(UTC_DATETIME, "%Y-%m-%dT%H:%M:%S%.fZ", strict=False),
        text.str.strptime(UTC_DATETIME, "%Y-%m-%dT%H:%M:%S%#z", strict=False),
    )


def read_meetings(source: Source) -> ReadResult:
    page = _load(source, _MEETINGS_SCHEMA)
    coverage = _span(page["from"][0], page["to"][0])
    rows = (
        page.lazy()
        .select(pl.col("meetings").explode())
        .filter(pl.col("meetings").is_not_null())
        .unnest("meetings")
        .with_row_index("n", offset=1)
    )
    # The endpoint shows in the keys: only report pages carry `participants_count`.
    head = source.head.text
    dashboard = '"participants_count"' not in head and bool(re.search(_KEY.format("participants"), head))
    count_col = "participants" if dashboard else "participants_count"
    plain = bool(_PLAIN_UTC.search(head))
    text = {name: pl.col(name).str.strip_chars().fill_null("") for name in ("duration", "total_minutes")}
    count = pl.col("count_text")
    if dashboard:
        parts = text["duration"].str.extract_groups(r"^(?:(\d+):)?(\d+):(\d{2})$")
        seconds = (
            parts.struct[0].cast(pl.Int64).fill_null(0) * 3600
            + parts.struct[1].cast(pl.Int64) * 60 + parts.struct[2].cast(pl.Int64)
        )
        email, minutes, participant_minutes = "email", (seconds / 60).ceil(), pl.lit(None, pl.Int64)
    else:
        email = "user_email"
        minutes = ((pl.col("end_utc") - pl.col("start_utc")).dt.total_seconds() / 60).ceil()
        participant_minutes = text["total_minutes"].cast(pl.Int64, strict=False)

    def meetings(fast: bool) -> pl.LazyFrame:
        return rows.with_columns(
            _utc("start_time", fast).alias("start_utc"), _utc("end_time", fast).alias("end_utc"),
            pl.col(count_col).str.strip_chars().fill_null("").alias("count_text"),
        ).with_columns(
            pl.lit("zoom").alias("platform"),
            pl.col("uuid").str.strip_chars().alias("instance_key"),
            pl.col("id").str.strip_chars().alias("series_key"),
            pl.col(email).alias("host_email"),
            pl.col("dept").str.strip_chars().replace("", None).alias("department"),
            pl.lit(None, pl.String).alias("zoom_group"),
            minutes.alias("minutes"),
            count.cast(pl.Int64, strict=False).alias("participants"),
            participant_minutes.alias("participant_minutes"),
        )

    checks = [
        (pl.col("instance_key").fill_null("") == "", "no uuid"),
        (~pl.col("series_key").fill_null("").str.contains(_WHOLE), "'id' is not a meeting number"),
        (pl.col("start_utc").is_null() | pl.col("end_utc").is_null(),
         "start_time/end_time are not ISO-8601 UTC times such as 2025-03-31T05:58:12Z"),
        (pl.col("end_utc") < pl.col("start_utc"), "ends before it starts"),
        (count.str.starts_with("-"), f"negative {count_col}"),
        (~count.str.contains(_WHOLE), f"{count_col} is not a whole number"),
        (text["duration"].str.starts_with("-"), "negative duration"),
    ]
    if dashboard:
        checks.append((pl.col("minutes").is_null(), "duration is not mm:ss or h:mm:ss"))
    else:
        total = text["total_minutes"]
        checks += [(total.str.starts_with("-"), "negative total_minutes"),
                   (~total.replace("", "0").str.contains(_WHOLE), "total_minutes is not a whole number")]
    checks += [
        (pl.col("participants").is_null() | (pl.col("participants") > 2**31 - 1), "participant count is out of range"),
        (pl.col("minutes") > 2**31 - 1, "meeting is impossibly long"),
    ]
    output = [pl.col(name).cast(dtype).alias(name) for name, dtype in READER_MEETINGS.items()]
    try:
        frame = _collect_checked(meetings(plain), output, checks)
    except FormatError:
        if not plain:
            raise
        # A time on the page is not in Zoom's plain form (a fraction, an offset) although
        # one is: the page is read again with the general parse, whose result or error stands.
        frame = _collect_checked(meetings(False), output, checks)
    return ReadResult(
        format="zoom-api-dashboard-meetings" if dashboard else "zoom-api-report-meetings",
        coverage=Coverage("zoom", "meetings", coverage, scope="all"),
        meetings=frame,
    )


def read_daily(source: Source) -> ReadResult:
    page = _load(source, _DAILY_SCHEMA)
    if source.institution is None:
        raise FormatError("Zoom report/daily carries no institution; pass --institution ID")
    rows = (
        page.select(pl.col("dates").explode())
        .filter(pl.col("dates").is_not_null())
        .unnest("dates")
        .with_row_index("n", offset=1)
        .with_columns(pl.col("date").str.strip_chars().str.to_date("%Y-%m-%d", strict=False).alias("day"))
    )
    if rows.is_empty():
        raise FormatError("no dates in the report; fetch the month again")

    def bad(condition: pl.Expr, message: str) -> None:
        found = rows.filter(condition.fill_null(False)).head(1)
        if not found.is_empty():
            raise FormatError(f"dates entry {found['n'][0]} ({found['date'][0]}): {message}")

    bad(pl.col("day").is_null(), "date is not YYYY-MM-DD")
    bad(pl.col("day").is_duplicated(), "date listed twice")
    year, month = page["year"][0], page["month"][0]
    if year and month and year.isdigit() and month.isdigit():
        bad((pl.col("day").dt.year() != int(year)) | (pl.col("day").dt.month() != int(month)),
            f"date outside the report's month {year}-{month}")
    for name in ("meetings", "participants"):
        bad(pl.col(name).fill_null("").str.starts_with("-"), f"negative {name}")
        bad(~pl.col(name).fill_null("").str.strip_chars().str.contains(_WHOLE), f"{name} is not a whole number")
    reported = rows.select(
        pl.lit(source.institution).alias("institution_id"),
        pl.col("day").alias("date"),
        pl.col("meetings").str.strip_chars().cast(pl.Int64, strict=False),
        pl.col("participants").str.strip_chars().cast(pl.Int64, strict=False),
        # Zoom's daily `meeting_minutes` are participant minutes, not meeting lengths.
        pl.lit(None, pl.Int64).alias("meeting_minutes"),
        pl.lit(None, pl.Int64).alias("active_hosts"),
        pl.lit("zoom").alias("platform"),
    )
    if reported.select(pl.any_horizontal(pl.col("meetings", "participants").is_null()).any()).item():
        raise FormatError("a count is too large to be real; check the report")
    dates = tuple(sorted(reported["date"].to_list()))
    return ReadResult(
        format="zoom-api-daily",
        coverage=Coverage("zoom", "daily", dates, scope="listed", institutions=(source.institution,)),
        reported=conform(reported, REPORTED_DAILY),
    )


MEETINGS_READER = Reader(name="zoom-api-meetings", sniff=sniff_meetings, read=read_meetings)
DAILY_READER = Reader(name="zoom-api-daily", sniff=sniff_daily, read=read_daily)
