"""The same meeting arriving twice counts once.

Two copies are the same instance when their instance keys are equal (Zoom uuid; for CSVs,
meeting id + start) or, across sources, when they share platform and meeting id and start
within 90 s of each other on the local wall clock. The wall clock, not UTC, because a CSV
time inside the repeated October hour cannot say which of the two hours it meant. Either
way the two start on the same local day or on neighbouring ones.
"""

from __future__ import annotations

import sqlite3

import polars as pl

from monitor.ingest.times import wall_clock
from monitor.store import scan_meetings

TOLERANCE = "90s"
# Keys are kept as 64-bit hashes: a month of national data is ~10 million meetings, and
# hashes keep that index at ~24 bytes a meeting. A collision (odds ~1e-6 per month) would
# drop one meeting.


class KnownMeetings:
    """Keys of stored meetings per local day, loaded a month at a time once per ingest run
    and kept up to date.

    A file is checked against the days it covers and their neighbours (a 90 s match may
    cross midnight) within its months, not against whole months: a daily export then costs
    the same on the 1st and on the 31st.

    `new_only` returns the keys of the meetings it lets through, for `add` once they are
    stored: each file's keys are computed once.
    """

    def __init__(self, conn: sqlite3.Connection, timezone: str):
        self.conn = conn
        self.timezone = timezone
        self.months: set[str] = set()
        self.days: dict[int, list[pl.DataFrame]] = {}  # days since 1970-01-01

    def _wall(self, frame: pl.DataFrame | pl.LazyFrame):
        if isinstance(frame, pl.DataFrame):  # a file's meetings
            wall = wall_clock(frame["start_utc"], self.timezone)
        else:  # a month of the store
            wall = pl.col("start_utc").dt.convert_time_zone(self.timezone).dt.replace_time_zone(None)
        return frame.select(
            pl.col("instance_key").hash(seed=1).alias("instance_hash"),
            pl.concat_str("platform", "series_key", separator="\x1f").hash(seed=2).alias("series_hash"),
            wall.alias("wall_start"),
            pl.col("local_date").alias("day"),  # every meeting record carries its local date
        )

    def _load(self, month: str) -> None:
        if month in self.months:
            return
        self.months.add(month)
        self._index(self._wall(scan_meetings(self.conn, [month])).collect())

    def _index(self, keys: pl.DataFrame) -> None:
        # Days are keyed by their number, not as Python dates: a broken export may hold a
        # year past 9999, which polars stores and Python cannot.
        for (day,), chunk in keys.group_by(pl.col("day").cast(pl.Int32)):
            self.days.setdefault(day, []).append(chunk.drop("day"))

    def new_only(self, meetings: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The meetings not stored yet (in their order), and their keys."""
        probe = self._wall(meetings).with_row_index("row")
        days = probe["day"].unique()
        months = set(days.dt.strftime("%Y-%m").to_list())
        for month in sorted(months):
            self._load(month)
        near = pl.concat([days.dt.offset_by("-1d"), days, days.dt.offset_by("1d")]).unique()
        near = near.filter(near.dt.strftime("%Y-%m").is_in(list(months))).cast(pl.Int32)
        stored = [c for d in near.sort().to_list() for c in self.days.get(d, [])]
        keys = probe.drop("row")
        if not stored:
            return meetings, keys
        known = pl.concat(stored, rechunk=False)
        # Filter the (large) index by the (small) file's keys: a hash set of the probe and one
        # linear scan, instead of a hash table over the index for every file.
        seen = known.filter(pl.col("instance_hash").is_in(probe["instance_hash"].implode()))
        if not seen.is_empty():
            probe = probe.join(seen.select("instance_hash"), on="instance_hash", how="anti")
        if probe.is_empty():
            return meetings.clear(), probe.drop("row")
        same_series = known.filter(pl.col("series_hash").is_in(probe["series_hash"].implode()))
        if not same_series.is_empty():
            matched = probe.sort("wall_start").join_asof(
                same_series.select("series_hash", pl.col("wall_start").alias("known_start")).sort("known_start"),
                left_on="wall_start", right_on="known_start", by="series_hash",
                strategy="nearest", tolerance=TOLERANCE,
                check_sortedness=False,  # both sides are sorted above; polars cannot check within `by` groups
            )
            probe = matched.filter(pl.col("known_start").is_null()).drop("known_start")
        if len(probe) == len(meetings):
            return meetings, keys
        return meetings[probe["row"].sort()], probe.drop("row")

    def mark(self) -> tuple[frozenset[str], dict[int, int]]:
        """What the index holds now, for `rewind`."""
        return frozenset(self.months), {day: len(chunks) for day, chunks in self.days.items()}

    def rewind(self, mark: tuple[frozenset[str], dict[int, int]]) -> None:
        """Back to what the index held at `mark`: the keys `add` put in since (of meetings not
        stored after all) go, and so do months loaded since (loaded again when needed)."""
        months, counts = mark
        self.months = set(months)
        self.days = {day: chunks[:counts[day]] for day, chunks in self.days.items() if day in counts}

    def add(self, keys: pl.DataFrame) -> None:
        """Index stored meetings by the keys `new_only` returned for them."""
        # A month not loaded yet will be read from the store, which then holds these.
        self._index(keys.filter(pl.col("day").dt.strftime("%Y-%m").is_in(list(self.months))))
