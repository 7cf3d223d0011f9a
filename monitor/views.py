"""`monitor institution ID` and `monitor region CODE`: weekly activity against expected over
the last year, with sparklines, and the stored episodes.

The weeks come from the detector's expectation. Replaying it for a view takes half a minute on
years of national history, so a view reads the weeks `monitor detect` keeps (monitor/kept.py)
while they are current. When exports came in after the last detect, it runs the kept detector
state on over the new days; only without a usable kept state does it replay, from a year
before its weeks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from monitor.detection import OnDay, detected_daily, list_episodes, run_detector
from monitor.errors import QueryError, StoreError
from monitor.home import Home
from monitor.state import connect

VIEW_WARMUP_DAYS = 365  # a replay for a view starts this long before its weeks


@dataclass(frozen=True)
class View:
    """What `monitor institution` / `monitor region` print."""

    title: str
    weeks: pl.DataFrame  # week, observed, expected, days, ratio
    spark_observed: str
    spark_ratio: str
    status: str  # the detector's word for the latest day (e.g. "insufficient history")
    episodes: pl.DataFrame


def institution_view(home: Home, institution_id: str, on_day: OnDay | None = None) -> View:
    return _view(home, institution_id, None, on_day)


def region_view(home: Home, region: str, on_day: OnDay | None = None) -> View:
    from monitor.regions import REGIONS

    if region not in REGIONS:
        raise QueryError(f"unknown region code '{region}'; use ISO 3166-2:UA codes such as UA-63")
    return _view(home, None, region, on_day)


def _replayed_weeks(home: Home, daily: pl.DataFrame, directory: pl.DataFrame, since: dt.date,
                    on_day: OnDay | None) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    from models.summary import detector_weeks
    from monitor.kept import latest_words

    # A view shows expectations, not episodes (those are the stored ones), so it replays from
    # a year before the weeks it shows, not from the first day of years of history: a year
    # covers nearly all the detector remembers (levels, weekday profiles, noise).
    start = max(daily["date"].min(), since - dt.timedelta(days=VIEW_WARMUP_DAYS))
    detector = run_detector(home, daily, directory, None, start=start, on_day=on_day)
    return detector_weeks(detector, since).lazy(), latest_words(detector).lazy()


def _view(home: Home, institution_id: str | None, region: str | None, on_day: OnDay | None) -> View:
    from models.summary import sparkline, weekly
    from monitor.directory import directory_frame
    from monitor.kept import first_week, kept_weeks
    from monitor.queries import require_institution
    from monitor.store import scan_daily

    # Only the last day and the directory are read up front: with the kept weeks current, the
    # years of daily metrics a replay needs are never loaded.
    stored = scan_daily(home)
    with connect(home.state_db) as conn:
        directory = directory_frame(conn)
    known = directory.filter(pl.col("institution_id") == institution_id) if institution_id else \
        directory.filter(pl.col("region") == region)
    if institution_id and known.is_empty():
        require_institution(home, institution_id)  # one stored without a directory entry will do
    elif known.is_empty():
        raise QueryError(f"region '{region}' is not in the directory or the data; check the id "
                         "(`monitor daily` lists what is stored)")
    as_of = stored.select(pl.col("date").max()).collect().item()
    if as_of is None:
        raise StoreError("the store holds no daily metrics; ingest exports with `monitor ingest` first")
    since = first_week(as_of)
    kept = kept_weeks(home, directory, as_of, on_day)
    if kept is None:
        kept = _replayed_weeks(home, detected_daily(home), directory, since, on_day)
    members = [institution_id] if institution_id else known["institution_id"].to_list()
    weeks, latest = (frame.filter(pl.col("institution_id").is_in(members)).collect() for frame in kept)
    if institution_id:
        episodes = list_episodes(home).filter(pl.col("institution_id") == institution_id)
        name = known["name"][0] if known.height else institution_id
        title = f"{institution_id} {name} ({known['region'][0] if known.height else '?'})"
        status = latest["status"][0] if latest.height else ""
    else:
        episodes = list_episodes(home, region=region)
        title = f"{region}: {known.height} institutions"
        status = ""
    summary = weekly(weeks)
    ratios = [min(r, 1.5) if r is not None else None for r in summary["ratio"].to_list()]
    return View(title, summary, sparkline(summary["observed"].to_list()), sparkline(ratios, top=1.2),
                status, episodes)
