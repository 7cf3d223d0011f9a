"""Zoom REST API JSON pages, byte-realistic (formats.md 2.1, 2.3, 2.5).

Pages are compact JSON (as the API sends them), UTF-8, times in UTC with `Z`. Each writer
returns a list of pages (bytes), `page_size` meetings per page, chained by `next_page_token`
(empty on the last page).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import polars as pl

ISO_Z = "%Y-%m-%dT%H:%M:%SZ"


def _z(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime(ISO_Z)


def _token(*parts: object) -> str:
    # Zoom tokens are opaque 32-character strings; a stable digest keeps output deterministic.
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def _pages(records: pl.DataFrame, envelope: dict, page_size: int, key: str) -> list[bytes]:
    total = records.height
    count = max(1, -(-total // page_size))
    pages = []
    for number in range(count):
        chunk = records.slice(number * page_size, page_size)
        token = _token(envelope.get("from"), envelope.get("to"), key, number + 1) \
            if number + 1 < count else ""
        head = {**envelope, "page_count": count, "page_size": page_size,
                "total_records": total, "next_page_token": token}
        prefix = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
        body = chunk.write_json() if chunk.height else "[]"
        pages.append(f'{prefix},"meetings":{body}}}'.encode())
    return pages


def report_user_meetings(meetings: pl.DataFrame, start: dt.date, end: dt.date, *,
                         page_size: int = 300, key: str = "", full: bool = True) -> list[bytes]:
    """GET /report/users/{userId}/meetings?from=&to=&type=past pages. `duration` is whole
    minutes, ceil of end - start; `total_minutes` sums all participants' minutes;
    `participants_count` counts joins. `full=False` leaves out the feature flags (the API
    sends them; bulk scenario files skip them to stay small)."""
    records = meetings.sort("start_utc", "mid").select(
        "uuid", pl.col("meeting_id").alias("id"), "type", "topic",
        pl.col("host_name").alias("user_name"), pl.col("host_email").alias("user_email"),
        _z("start_utc").alias("start_time"), _z("end_utc").alias("end_time"),
        pl.col("minutes").alias("duration"),
        pl.col("participant_minutes").alias("total_minutes"),
        pl.col("participants").alias("participants_count"),
        pl.lit("Zoom").alias("source"),
        *(_USER_FLAGS if full else []),
    )
    return _pages(records, {"from": start.isoformat(), "to": end.isoformat()}, page_size, key)


_USER_FLAGS = [
    pl.lit("").alias("session_key"),
    (pl.col("participants") > 2).alias("has_screen_share"),
    pl.lit(False).alias("has_recording"),
    (pl.col("participants") > 3).alias("has_chat"),
    pl.lit("E2E").alias("meeting_encryption_status"),
    pl.col("participants").alias("participants_count_my_account"),
]


def _mixed_case(column: str) -> pl.Expr:
    """Some e-mails as users typed them (`Olena.Kovalenko@...`): hosts are case-insensitive."""
    e = pl.col(column)
    return pl.when(pl.col("mid") % 17 == 0).then(
        e.str.slice(0, 1).str.to_uppercase() + e.str.slice(1)).otherwise(e)


def dashboard_duration(seconds: pl.Expr) -> pl.Expr:
    """The Dashboard `duration` string: `mm:ss`, or `h:mm:ss` from one hour on."""
    h, m, s = seconds // 3600, (seconds % 3600) // 60, seconds % 60
    two = lambda e: e.cast(pl.String).str.zfill(2)  # noqa: E731
    return (pl.when(h > 0).then(h.cast(pl.String) + ":" + two(m) + ":" + two(s))
            .otherwise(two(m) + ":" + two(s)))


def dashboard_meetings(meetings: pl.DataFrame, directory: pl.DataFrame, start: dt.date,
                       end: dt.date, *, page_size: int = 300, key: str = "",
                       full: bool = True) -> list[bytes]:
    """GET /metrics/meetings?type=past&from=&to= pages (Dashboard API). `full=False` leaves
    out the has_* feature flags."""
    groups = directory.select("institution_id", pl.col("zoom_group").fill_null(""))
    ordered = meetings.join(groups, on="institution_id", how="left").sort("start_utc", "mid")
    records = ordered.select(
        "uuid", pl.col("meeting_id").alias("id"), "topic", pl.col("host_name").alias("host"),
        _mixed_case("host_email").alias("email"), pl.lit("Licensed").alias("user_type"),
        _z("start_utc").alias("start_time"), _z("end_utc").alias("end_time"),
        dashboard_duration(pl.col("duration_s")).alias("duration"),
        "participants", pl.col("zoom_group").alias("dept"),
        *(_DASHBOARD_FLAGS if full else []),
    )
    return _pages(records, {"from": start.isoformat(), "to": end.isoformat()}, page_size, key)


_DASHBOARD_FLAGS = [
    pl.lit(False).alias("has_pstn"), pl.lit(True).alias("has_voip"),
    pl.lit(False).alias("has_3rd_party_audio"), pl.lit(True).alias("has_video"),
    (pl.col("participants") > 2).alias("has_screen_share"),
    pl.lit(False).alias("has_recording"), pl.lit(False).alias("has_sip"),
    pl.lit(False).alias("has_archiving"),
]


def report_daily(truth: pl.DataFrame, year: int, month: int) -> bytes:
    """GET /report/daily?year=&month= for one sub-account or group (one institution):
    `{year, month, dates[]}`, one entry per day of the month present in `truth`."""
    days = truth.filter((pl.col("date").dt.year() == year) & (pl.col("date").dt.month() == month))
    dates = days.sort("date").select(
        pl.col("date").dt.strftime("%Y-%m-%d"), pl.lit(0).alias("new_users"),
        "meetings", "participants", "meeting_minutes")
    body = dates.write_json() if dates.height else "[]"
    return f'{{"year":{year},"month":{month},"dates":{body}}}'.encode()
