"""What `monitor detect` keeps for later runs (`store/kept/`), so that they need not replay
years of history:

- every institution's weeks of the last year against expected, and its word for the last day
  with data: the institution and region views and the weekly report read them while they are
  current, that is while the daily metrics files, the directory, the calendar settings and the
  detector's code are what they were (a fingerprint of those, cheap to take). When exports
  came in since, they run the kept state (below) on over the new days, without keeping it;
- the detector's state after that day (models/detector_run.py): the next `monitor detect`
  resumes from it and runs only the days after it, when the data up to that day, the
  directory, the calendar settings, the detector's code and the libraries are unchanged (a
  second fingerprint, of the data's content up to that day). Detection is causal, so the
  result is exactly that of a replay of every day: 3 years of national history take ~40 s to
  replay, a day after them a few seconds.

`meta.json` is written last and removed first: without it nothing here is used, so a run
that dies while writing leaves the next one to replay, never to read a mixed state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl

from monitor.home import Home
from monitor.state import connect

VIEW_WEEKS = 52  # the views show the last year


def first_week(as_of: dt.date) -> dt.date:
    """The Monday of the first week a view as of `as_of` shows (whole weeks, kept or replayed)."""
    since = as_of - dt.timedelta(weeks=VIEW_WEEKS)
    return since - dt.timedelta(days=since.weekday())


def keep(home: Home, detector, last_day: dt.date, inputs: str, resumed: bool) -> None:
    """Keep the weeks, the words and the state (`detector.checkpoint_`, taken after
    `last_day`) of a detector run up to `last_day`, the last day with data, or past it (a day
    whose export is late): the days up to `last_day` are what a run stopping there gives.
    `inputs` is the `inputs_fingerprint` taken before the run read the data. A run `resumed`
    from the kept state adds its weeks to the kept ones (its first week may have begun before
    it); one resumed after `last_day` (only late days) changes nothing here."""
    from models.summary import detector_weeks
    from monitor.store import replace_atomically, write_atomic

    dates = detector.panel_.dates
    if not dates or dates[0] > last_day:
        return
    folder = _folder(home)
    since = first_week(last_day)
    weeks = _with_kept_weeks(home, detector_weeks(detector, since), since) if resumed else \
        detector_weeks(detector, since)
    (folder / "meta.json").unlink(missing_ok=True)  # never current while the files change
    shutil.rmtree(home.store / "views", ignore_errors=True)  # kept by earlier versions, read by none
    write_atomic(weeks, folder / "weeks.parquet")
    write_atomic(latest_words(detector, last_day), folder / "latest.parquet")
    replace_atomically(folder / "detector.npz", partial(_write_npz, detector.checkpoint_.to_arrays()))
    meta = {"as_of": last_day.isoformat(), "fingerprint": _fingerprint(home), "inputs": inputs}
    replace_atomically(folder / "meta.json", lambda tmp: tmp.write_text(json.dumps(meta), encoding="utf-8"))


def resumable_run(home: Home, as_of: dt.date, fingerprint: Callable[[dt.date], str]):
    """The kept detector state (a DetectorRun) when a run to `as_of` can resume from it: kept
    on or before `as_of`, of the same inputs up to its day (`fingerprint(day)`: the current
    `inputs_fingerprint`), and with every institution the data has since then. Else None."""
    import zipfile

    import numpy as np

    from models.detector_run import DetectorRun
    from monitor.store import scan_daily

    meta, folder = _meta(home), _folder(home)
    if meta is None or "inputs" not in meta or not (folder / "weeks.parquet").is_file():
        return None  # the weeks of a resumed run add to the kept ones
    day = dt.date.fromisoformat(meta["as_of"])
    if day > as_of or meta["inputs"] != fingerprint(day):
        return None
    try:
        # Opened here: np.load leaves a file it fails to read open.
        with open(folder / "detector.npz", "rb") as handle, np.load(handle, allow_pickle=False) as arrays:
            run = DetectorRun.from_arrays(arrays)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None  # damaged: a replay rebuilds it
    later = set(scan_daily(home).filter(pl.col("date") > day).select(pl.col("institution_id").unique())
                .collect()["institution_id"].to_list())
    if run.next_day != day + dt.timedelta(days=1) or not later <= set(run.ids.tolist()):
        return None
    return run


def _with_kept_weeks(home: Home, weeks: pl.DataFrame, since: dt.date) -> pl.DataFrame:
    """The weeks of a run resumed from the kept state added to the kept ones from `since`: the
    resumed run's first week may have begun in the kept run."""
    earlier = pl.read_parquet(_folder(home) / "weeks.parquet").filter(pl.col("week") >= since)
    return (pl.concat([earlier, weeks]).group_by("institution_id", "week", maintain_order=True)
            .agg(pl.all().sum()).sort("institution_id", "week"))


def _resumed_weeks(home: Home, directory: pl.DataFrame, as_of: dt.date,
                   on_day: Callable[[int, int], None] | None = None) -> tuple[pl.LazyFrame, pl.LazyFrame] | None:
    """(weeks, latest) as of `as_of` when the kept weeks are not current but the kept state is
    (exports came in after the last `monitor detect`): that state run on over the days after
    it, a few seconds instead of a replay of a year. Nothing is kept: a view only reads. None
    when the kept state cannot be resumed."""
    from models.summary import detector_weeks
    from monitor.detection import detected_daily, run_detector

    run = resumable_run(home, as_of, partial(inputs_fingerprint, home, directory))
    if run is None:
        return None
    if run.next_day > as_of:  # nothing after the kept day (only, say, a name changed)
        return _kept_files(home)
    daily = detected_daily(home, since=run.next_day)
    detector = run_detector(home, daily, directory, as_of, on_day=on_day, resume=run)
    since = first_week(as_of)
    weeks = _with_kept_weeks(home, detector_weeks(detector, since), since)
    return weeks.lazy(), latest_words(detector).lazy()


def current(home: Home) -> dt.date | None:
    """The day the kept weeks run to, when they are current for the views (else None)."""
    meta = _meta(home)
    if meta is None or meta.get("fingerprint") != _fingerprint(home):
        return None
    return dt.date.fromisoformat(meta["as_of"])


def kept_weeks(home: Home, directory: pl.DataFrame, as_of: dt.date,
               on_day: Callable[[int, int], None] | None = None) -> tuple[pl.LazyFrame, pl.LazyFrame] | None:
    """(weeks, latest) for a view as of `as_of`, the last day with data: the kept ones while
    current, else the kept state run on over the days ingested since (_resumed_weeks); None
    when neither will do."""
    if current(home) == as_of:
        return _kept_files(home)
    return _resumed_weeks(home, directory, as_of, on_day)


def _kept_files(home: Home) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    folder = _folder(home)
    return pl.scan_parquet(folder / "weeks.parquet"), pl.scan_parquet(folder / "latest.parquet")


def kept_weeks_between(home: Home, first: dt.date, last: dt.date, directory: pl.DataFrame,
                       on_day: Callable[[int, int], None] | None = None) -> pl.DataFrame | None:
    """The weeks from the Monday `first` to the day `last` as of the last day with data, when
    the kept weeks hold that span and are current, or the kept state can be run on to that
    day (kept_weeks): the weekly report reads them instead of replaying the detector."""
    from monitor.store import scan_daily

    kept_day = current(home)
    as_of = kept_day or scan_daily(home).select(pl.col("date").max()).collect().item()
    if as_of is None or first < first_week(as_of) or last > as_of:
        return None
    weeks = _kept_files(home) if kept_day is not None else _resumed_weeks(home, directory, as_of, on_day)
    if weeks is None:
        return None
    return weeks[0].filter(pl.col("week").is_between(first, last)).collect()


def latest_words(detector, day: dt.date | None = None) -> pl.DataFrame:
    """Each institution's word for `day` (default: the last day of the detector run)."""
    from models.detector_state import STATUS

    names = list(STATUS)
    dates = detector.panel_.dates
    latest = detector.status_[:, dates.index(day) if day else -1] if dates else []
    return pl.DataFrame({"institution_id": detector.panel_.ids, "status": [names[s] for s in latest]},
                        schema={"institution_id": pl.String, "status": pl.String})


def _write_npz(arrays: dict, path: Path) -> None:
    import numpy as np

    with open(path, "wb") as handle:  # a handle: given a path, numpy adds ".npz" to its name
        np.savez(handle, **arrays)


def _folder(home: Home) -> Path:
    return home.store / "kept"


def _meta(home: Home) -> dict | None:
    try:
        return json.loads((_folder(home) / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _fingerprint(home: Home) -> str:
    """What the kept weeks depend on: the daily metrics files, the directory, the calendar
    settings and the detector's code."""
    from monitor.directory import directory_frame

    digest = hashlib.sha256()
    for path in sorted((home.store / "daily").glob("*.parquet")):
        stat = path.stat()
        digest.update(f"{path.name} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    with connect(home.state_db) as conn:
        directory = directory_frame(conn)
    digest.update(f"{directory.height} {directory.hash_rows().sum() if directory.height else 0}\n".encode())
    _common(digest, home)
    return digest.hexdigest()


def inputs_fingerprint(home: Home, directory: pl.DataFrame, day: dt.date) -> str:
    """What the detector's state after `day` depends on: the daily rows it reads up to that
    day (their content: a new month's file must not void the state of the months before it;
    streamed, not loaded), the directory's institutions, regions and kinds, the calendar
    settings, the detector's code and the libraries it computes with."""
    import numpy as np

    from monitor.detection import DETECTED_METRIC
    from monitor.store import scan_daily

    digest = hashlib.sha256()
    rows = scan_daily(home).filter(pl.col("date") <= day).select("institution_id", "date", DETECTED_METRIC)
    for frame in (rows, directory.lazy().select("institution_id", "region", "kind")):
        count, total = frame.select(pl.len(), pl.struct(pl.all()).hash().sum()).collect(engine="streaming").row(0)
        digest.update(f"{count} {total}\n".encode())
    digest.update(f"polars {pl.__version__} numpy {np.__version__}\n".encode())
    _common(digest, home)
    return digest.hexdigest()


def _common(digest, home: Home) -> None:
    import models

    digest.update(repr(home.settings.calendar).encode())
    for path in sorted(Path(models.__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
