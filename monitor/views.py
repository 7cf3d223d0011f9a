"""`monitor institution ID` and `monitor region CODE`: weekly activity against expected over
the last year, with sparklines, and the stored episodes.

The weeks come from the detector's expectation. Replaying it for a view takes half a minute on
years of national history, so `monitor detect`, which replays everything anyway, keeps every
institution's weeks of its run (`store/views/`). A view reads them when they are current: the
run was as of the last day with data, and the daily metrics, the directory, the calendar
settings and the detector's code are what they were then (a fingerprint of those). Otherwise
the view replays from a year before its weeks, as it would without the kept weeks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from monitor.detection import OnDay, list_episodes, load_inputs, run_detector
from monitor.errors import QueryError, StoreError
from monitor.home import Home
from monitor.state import connect

VIEW_WEEKS = 52  # the views show the last year
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


def keep_weeks(home: Home, detector, as_of: dt.date) -> None:
    """Keep each institution's weeks, and its word for the day `as_of`, the last day with
    data, of a detector run up to that day or later (a day whose export is late): detection is
    causal, so the days up to `as_of` are what a run stopping there gives."""
    from models.summary import detector_weeks
    from monitor.store import write_atomic

    folder = _folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").unlink(missing_ok=True)  # never current while the files change
    write_atomic(detector_weeks(detector, first_week(as_of)), folder / "weeks.parquet")
    write_atomic(_latest(detector, as_of), folder / "latest.parquet")
    meta = {"as_of": as_of.isoformat(), "fingerprint": _fingerprint(home)}
    tmp = folder / "meta.json.tmp"
    tmp.write_text(json.dumps(meta), encoding="utf-8")
    tmp.replace(folder / "meta.json")


def first_week(as_of: dt.date) -> dt.date:
    """The Monday of the first week a view as of `as_of` shows (whole weeks, kept or replayed)."""
    since = as_of - dt.timedelta(weeks=VIEW_WEEKS)
    return since - dt.timedelta(days=since.weekday())


def _latest(detector, day: dt.date | None = None) -> pl.DataFrame:
    """Each institution's word for `day` (default: the last day of the detector run)."""
    from models.detector_state import STATUS

    names = list(STATUS)
    dates = detector.panel_.dates
    latest = detector.status_[:, dates.index(day) if day else -1] if dates else []
    return pl.DataFrame({"institution_id": detector.panel_.ids, "status": [names[s] for s in latest]},
                        schema={"institution_id": pl.String, "status": pl.String})


def _folder(home: Home) -> Path:
    return home.store / "views"


def _fingerprint(home: Home) -> str:
    """What the kept weeks depend on: the daily metrics files, the directory, the calendar
    settings and the detector's code."""
    import models
    from monitor.directory import directory_frame

    digest = hashlib.sha256()
    for path in sorted((home.store / "daily").glob("*.parquet")):
        stat = path.stat()
        digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    with connect(home.state_db) as conn:
        directory = directory_frame(conn)
    digest.update(f"{directory.height} {directory.hash_rows().sum() if directory.height else 0}\n".encode())
    digest.update(repr(home.settings.calendar).encode())
    for path in sorted(Path(models.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _current(home: Home) -> dt.date | None:
    """The day the kept weeks run to, when they are current (else None)."""
    try:
        meta = json.loads((_folder(home) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("fingerprint") != _fingerprint(home):
        return None
    return dt.date.fromisoformat(meta["as_of"])


def _kept_weeks(home: Home, as_of: dt.date) -> tuple[pl.LazyFrame, pl.LazyFrame] | None:
    """(weeks, latest) kept by `monitor detect`, when current for a view as of `as_of`."""
    if _current(home) != as_of:
        return None
    folder = _folder(home)
    return pl.scan_parquet(folder / "weeks.parquet"), pl.scan_parquet(folder / "latest.parquet")


def kept_weeks_between(home: Home, first: dt.date, last: dt.date) -> pl.DataFrame | None:
    """The kept weeks from the Monday `first` to the day `last`, when they are current and
    hold that span (the weekly report reads them instead of replaying the detector)."""
    as_of = _current(home)
    if as_of is None or first < first_week(as_of) or last > as_of:
        return None
    return (pl.scan_parquet(_folder(home) / "weeks.parquet")
            .filter(pl.col("week").is_between(first, last)).collect())


def _replayed_weeks(home: Home, daily: pl.DataFrame, directory: pl.DataFrame, since: dt.date,
                    on_day: OnDay | None) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    from models.summary import detector_weeks

    # A view shows expectations, not episodes (those are the stored ones), so it replays from
    # a year before the weeks it shows, not from the first day of years of history: a year
    # covers nearly all the detector remembers (levels, weekday profiles, noise).
    start = max(daily["date"].min(), since - dt.timedelta(days=VIEW_WARMUP_DAYS))
    detector = run_detector(home, daily, directory, None, start=start, on_day=on_day)
    return detector_weeks(detector, since).lazy(), _latest(detector).lazy()


def _view(home: Home, institution_id: str | None, region: str | None, on_day: OnDay | None) -> View:
    from models.summary import sparkline, weekly
    from monitor.directory import directory_frame
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
    kept = _kept_weeks(home, as_of)
    if kept is None:
        daily, directory = load_inputs(home)
        kept = _replayed_weeks(home, daily, directory, since, on_day)
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
