"""The same meeting arriving twice counts once.

Two copies are the same instance when their instance keys are equal (Zoom uuid; for CSVs,
meeting id + start) or, across sources, when they share platform and meeting id and start
within 90 s of each other on the local wall clock. The wall clock, not UTC, because a CSV
time inside the repeated October hour cannot say which of the two hours it meant.
"""

from __future__ import annotations

import sqlite3

import polars as pl

from monitor.store import scan_meetings

TOLERANCE = "90s"
_KEYS = ["platform", "series_key", "instance_key", "wall_start"]


class KnownMeetings:
    """Keys of stored meetings per month, loaded once per ingest run and kept up to date."""

    def __init__(self, conn: sqlite3.Connection, timezone: str):
        self.conn = conn
        self.timezone = timezone
        self.months: dict[str, pl.DataFrame] = {}

    def _wall(self, frame: pl.DataFrame | pl.LazyFrame):
        return frame.with_columns(
            pl.col("start_utc").dt.convert_time_zone(self.timezone).dt.replace_time_zone(None).alias("wall_start")
        ).select(_KEYS)

    def _month(self, month: str) -> pl.DataFrame:
        if month not in self.months:
            self.months[month] = self._wall(scan_meetings(self.conn, [month])).collect()
        return self.months[month]

    def new_only(self, meetings: pl.DataFrame) -> pl.DataFrame:
        months = meetings["local_date"].dt.strftime("%Y-%m").unique().to_list()
        known = pl.concat([self._month(m) for m in months]) if months else None
        if known is None or known.is_empty():
            return meetings
        fresh = meetings.join(known.select("instance_key"), on="instance_key", how="anti")
        if fresh.is_empty():
            return fresh
        probe = self._wall(fresh).sort("wall_start")
        matched = probe.join_asof(
            known.select("platform", "series_key", pl.col("wall_start").alias("known_start"))
            .sort("known_start"),
            left_on="wall_start", right_on="known_start", by=["platform", "series_key"],
            strategy="nearest", tolerance=TOLERANCE,
        ).filter(pl.col("known_start").is_not_null())
        return fresh.join(matched.select("instance_key"), on="instance_key", how="anti")

    def add(self, meetings: pl.DataFrame) -> None:
        keys = self._wall(meetings).with_columns(
            meetings["local_date"].dt.strftime("%Y-%m").alias("_month")
        )
        for (month,), chunk in keys.group_by("_month"):
            # A month not loaded yet will be read from the store, which now holds these.
            if month in self.months:
                self.months[month] = pl.concat([self.months[month], chunk.drop("_month")])
