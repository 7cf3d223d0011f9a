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
# Keys are kept as 64-bit hashes: a month of national data is ~10 million meetings, and
# hashes keep that index at ~24 bytes a meeting. A collision (odds ~1e-6 per month) would
# drop one meeting.
_KEYS = ["instance_hash", "series_hash", "wall_start"]


class KnownMeetings:
    """Keys of stored meetings per month, loaded once per ingest run and kept up to date."""

    def __init__(self, conn: sqlite3.Connection, timezone: str):
        self.conn = conn
        self.timezone = timezone
        self.months: dict[str, pl.DataFrame] = {}

    def _wall(self, frame: pl.DataFrame | pl.LazyFrame):
        return frame.select(
            pl.col("instance_key").hash(seed=1).alias("instance_hash"),
            pl.concat_str("platform", "series_key", separator="\x1f").hash(seed=2).alias("series_hash"),
            pl.col("start_utc").dt.convert_time_zone(self.timezone).dt.replace_time_zone(None)
            .alias("wall_start"),
        )

    def _month(self, month: str) -> pl.DataFrame:
        if month not in self.months:
            self.months[month] = self._wall(scan_meetings(self.conn, [month])).collect()
        return self.months[month]

    def new_only(self, meetings: pl.DataFrame) -> pl.DataFrame:
        months = meetings["local_date"].dt.strftime("%Y-%m").unique().to_list()
        known = pl.concat([self._month(m) for m in months], rechunk=False) if months else None
        if known is None or known.is_empty():
            return meetings
        probe = self._wall(meetings).with_row_index("row")
        # Filter the (large) index by the (small) file's keys: a hash set of the probe and one
        # linear scan, instead of a hash table over a month of meetings for every file.
        seen = known.filter(pl.col("instance_hash").is_in(probe["instance_hash"].implode()))
        probe = probe.join(seen.select("instance_hash"), on="instance_hash", how="anti")
        if probe.is_empty():
            return meetings.clear()
        same_series = known.filter(pl.col("series_hash").is_in(probe["series_hash"].implode()))
        matched = probe.sort("wall_start").join_asof(
            same_series.select("series_hash", pl.col("wall_start").alias("known_start")).sort("known_start"),
            left_on="wall_start", right_on="known_start", by="series_hash",
            strategy="nearest", tolerance=TOLERANCE,
            check_sortedness=False,  # both sides are sorted above; polars cannot check within `by` groups
        )
        keep = matched.filter(pl.col("known_start").is_null())["row"]
        return meetings.with_row_index("row").filter(pl.col("row").is_in(keep.implode())).drop("row")

    def add(self, meetings: pl.DataFrame) -> None:
        keys = self._wall(meetings).with_columns(
            meetings["local_date"].dt.strftime("%Y-%m").alias("_month")
        )
        for (month,), chunk in keys.group_by("_month"):
            # A month not loaded yet will be read from the store, which now holds these.
            if month in self.months:
                self.months[month] = pl.concat([self.months[month], chunk.drop("_month")], rechunk=False)
