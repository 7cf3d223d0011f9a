"""DropDetector on small handcrafted panels: what it must flag, what it must not."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from models.calendar import KINDS, SchoolCalendar
from models.detector import DropDetector

START = dt.date(2022, 9, 5)  # a Monday
DAYS = 84
NO_BREAKS = SchoolCalendar(overrides={(y, k): [] for y in (2021, 2022) for k in KINDS})


def make(levels: dict[str, float], region: dict[str, str] | None = None, seed: int = 0,
         change=None, missing: tuple[dt.date, ...] = ()) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Poisson daily meetings per institution: `levels` on weekdays, ~0 at weekends.
    `change(iid, day) -> factor` alters the mean; `missing` days have no rows at all."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, (iid, level) in enumerate(sorted(levels.items())):
        for d in range(DAYS):
            day = START + dt.timedelta(days=d)
            if day in missing:
                continue
            mean = level * (1.0 if day.weekday() < 5 else 0.02)
            if change is not None:
                mean *= change(iid, day)
            rows.append((iid, day, int(rng.poisson(mean))))
    daily = pl.DataFrame(rows, schema={"institution_id": pl.String, "date": pl.Date,
                                       "meetings": pl.Int64}, orient="row")
    ids = sorted(levels)
    directory = pl.DataFrame({
        "institution_id": ids,
        "name": ids,
        "region": [(region or {}).get(i, "UA-46") for i in ids],
        "kind": ["school"] * len(ids),
    })
    return daily, directory


def peers(n: int, level: float = 10.0, region: str = "UA-46", prefix: str = "P") -> dict[str, float]:
    return {f"{prefix}{region}-{k:03d}": level for k in range(n)}


def fit(daily, directory, as_of=None, **kw) -> DropDetector:
    return DropDetector(calendar=NO_BREAKS, **kw).fit(daily, directory, as_of=as_of)


def test_big_institution_collapse_is_flagged_by_its_second_school_day():
    onset = dt.date(2022, 10, 24)  # Monday, after 7 weeks of history
    levels = {**peers(12), "BIG": 300.0}
    daily, directory = make(levels, change=lambda i, d: 0.05 if i == "BIG" and d >= onset else 1.0)
    eps = fit(daily, directory).episodes_.filter(pl.col("institution_id") == "BIG")
    assert eps.height == 1
    row = eps.row(0, named=True)
    assert row["scope"] == "institution"
    assert row["start"] == onset
    assert row["detected_on"] == onset + dt.timedelta(days=1)
    assert row["severity"] > 0.9


def test_tiny_school_with_noisy_small_counts_does_not_flap():
    levels = {**peers(12), **{f"TINY{k}": 2.0 for k in range(30)}}
    daily, directory = make(levels, seed=3)
    eps = fit(daily, directory).episodes_
    assert eps.filter(pl.col("scope") == "institution").height == 0


def test_tiny_school_going_silent_is_flagged_once_counts_can_tell():
    onset = dt.date(2022, 10, 24)
    levels = {**peers(12), "TINY": 3.0}
    daily, directory = make(levels, seed=4, change=lambda i, d: 0.0 if i == "TINY" and d >= onset else 1.0)
    eps = fit(daily, directory).episodes_.filter(pl.col("institution_id") == "TINY")
    assert eps.height == 1
    delay = (eps["detected_on"][0] - onset).days
    assert 2 <= delay <= 10


def test_gradual_decline_to_a_third_is_flagged():
    onset = dt.date(2022, 10, 17)

    def decline(iid, day):
        if iid != "DEC" or day < onset:
            return 1.0
        return max(0.3, 1.0 - 0.7 * (day - onset).days / 28)

    daily, directory = make({**peers(12), "DEC": 20.0}, seed=5, change=decline)
    eps = fit(daily, directory).episodes_.filter(pl.col("institution_id") == "DEC")
    assert eps.height >= 1
    half_gone = onset + dt.timedelta(days=20)
    assert eps["detected_on"][0] <= half_gone + dt.timedelta(days=10)


def test_recovery_resolves_the_episode_with_its_last_low_day_as_end():
    onset, back = dt.date(2022, 10, 24), dt.date(2022, 11, 7)
    daily, directory = make({**peers(12), "BIG": 100.0}, seed=6,
                            change=lambda i, d: 0.05 if i == "BIG" and onset <= d < back else 1.0)
    row = fit(daily, directory).episodes_.filter(pl.col("institution_id") == "BIG").row(0, named=True)
    assert row["status"] == "resolved"
    assert row["end"] == back - dt.timedelta(days=3)  # the last low school day, a Friday


def test_missing_day_is_a_platform_episode_that_day_and_nobody_is_blamed():
    gap = dt.date(2022, 10, 26)
    daily, directory = make({**peers(20), "BIG": 200.0}, seed=7, missing=(gap,))
    eps = fit(daily, directory).episodes_
    platform = eps.filter(pl.col("scope") == "platform")
    assert platform.select("start", "detected_on", "end").rows() == [(gap, gap, gap)]
    assert platform["institution_id"][0] is None and platform["region"][0] is None
    assert eps.filter(pl.col("scope") == "institution").height == 0


def test_regional_outage_is_one_region_episode_and_no_institution_is_blamed():
    day = dt.date(2022, 10, 25)
    regions = ("UA-46", "UA-63", "UA-30", "UA-12")
    levels, region = {}, {}
    for code in regions:
        group = peers(15, 8.0, code)
        levels.update(group)
        region.update({i: code for i in group})
    hit = lambda i, d: 0.1 if region[i] == "UA-63" and day <= d <= day + dt.timedelta(days=1) else 1.0
    daily, directory = make(levels, region=region, seed=8, change=hit)
    eps = fit(daily, directory).episodes_
    regional = eps.filter(pl.col("scope") == "region")
    assert regional.select("region", "start", "detected_on").rows() == [("UA-63", day, day)]
    assert eps.filter(pl.col("scope") == "institution").height == 0


def test_weekends_and_holidays_are_not_drops():
    # 2022-10-14 (Defenders Day, a working holiday under martial law) left almost empty.
    quiet = dt.date(2022, 10, 14)
    daily, directory = make({**peers(12), "BIG": 150.0}, seed=9,
                            change=lambda i, d: 0.05 if d == quiet else 1.0)
    assert fit(daily, directory).episodes_.height == 0


def test_a_break_taken_by_the_peer_group_is_not_a_drop():
    lo, hi = dt.date(2022, 10, 31), dt.date(2022, 11, 4)
    calendar = SchoolCalendar(overrides={(2022, "school"): [(dt.date(2022, 10, 28), dt.date(2022, 11, 8), "autumn")]})
    daily, directory = make({**peers(15), "BIG": 120.0}, seed=10,
                            change=lambda i, d: 0.03 if lo <= d <= hi else 1.0)
    eps = DropDetector(calendar=calendar).fit(daily, directory).episodes_
    assert eps.filter(pl.col("scope") != "platform").height == 0


def test_cold_start_says_insufficient_history_and_raises_nothing():
    daily, directory = make({**peers(12), "NEW": 50.0}, seed=11)
    daily = daily.filter((pl.col("institution_id") != "NEW") | (pl.col("date") >= dt.date(2022, 11, 14)))
    daily = daily.with_columns(
        pl.when((pl.col("institution_id") == "NEW") & (pl.col("date") >= dt.date(2022, 11, 21)))
        .then(0).otherwise(pl.col("meetings")).alias("meetings"))
    det = fit(daily, directory)
    status = det.expected_frame().filter(pl.col("institution_id") == "NEW", pl.col("date") == dt.date(2022, 11, 21))
    assert status["status"].to_list() == ["insufficient history"]
    assert status["expected"].to_list() == [None]
    assert det.episodes_.filter(pl.col("institution_id") == "NEW").height == 0


def test_fit_does_not_touch_its_parameters_and_scores_point_up_for_drops():
    onset = dt.date(2022, 10, 24)
    daily, directory = make({**peers(12), "BIG": 300.0}, change=lambda i, d: 0.05 if i == "BIG" and d >= onset else 1.0)
    det = DropDetector(calendar=NO_BREAKS, threshold=9.0)
    params = dict(vars(det))
    det.fit(daily, directory)
    assert {k: v for k, v in vars(det).items() if not k.endswith("_")} == params
    row = list(det.panel_.ids).index("BIG")
    col = det.panel_.dates.index(onset + dt.timedelta(days=1))
    assert det.score_[row, col] >= 9.0 > det.score_[row, col - 3]


@pytest.mark.parametrize("cut", [dt.date(2022, 10, 25), dt.date(2022, 11, 2), dt.date(2022, 11, 20)])
def test_replaying_day_by_day_agrees_with_one_run(cut):
    onset, back = dt.date(2022, 10, 24), dt.date(2022, 11, 7)
    levels = {**peers(12), "BIG": 100.0, "MID": 15.0}
    daily, directory = make(levels, seed=12,
                            change=lambda i, d: 0.05 if i[0] != "P" and onset <= d < back else 1.0)
    full = fit(daily, directory).episodes_
    partial = fit(daily, directory, as_of=cut).episodes_
    # Nothing as of `cut` depends on later data: ids, starts, detection days agree ...
    assert set(partial["id"]) == set(full.filter(pl.col("detected_on") <= cut)["id"])
    cols = ["id", "start", "detected_on"]
    assert partial.select(cols).sort("id").equals(full.filter(pl.col("detected_on") <= cut).select(cols).sort("id"))
    # ... and what was already resolved then is final.
    done = partial.filter(pl.col("status") == "resolved")
    assert done.sort("id").equals(full.filter(pl.col("id").is_in(done["id"].implode())).sort("id"))


def test_everything_dropping_at_once_is_a_platform_episode():
    day = dt.date(2022, 11, 2)
    regions = ("UA-46", "UA-63", "UA-30")
    levels, region = {}, {}
    for code in regions:
        group = peers(10, 12.0, code)
        levels.update(group)
        region.update({i: code for i in group})
    daily, directory = make(levels, region=region, seed=13, change=lambda i, d: 0.1 if d == day else 1.0)
    eps = fit(daily, directory).episodes_
    assert eps.select("scope", "start", "detected_on").rows() == [("platform", day, day)]
    assert eps["explanation"][0].startswith("Activity collapsed everywhere at once on 2022-11-02")


def test_a_school_going_silent_days_before_its_peers_break_is_not_a_drop():
    # Mildly low days before the window start a pending run; the school then goes silent three
    # school days before its peers' break (inside the window) and comes back with them.
    window = [(dt.date(2022, 10, 24), dt.date(2022, 11, 11), "autumn")]
    calendar = SchoolCalendar(overrides={(2022, "school"): window})
    mild, silent = (dt.date(2022, 10, 21), dt.date(2022, 10, 25)), (dt.date(2022, 10, 26), dt.date(2022, 10, 28))
    brk = (dt.date(2022, 10, 31), dt.date(2022, 11, 4))

    def change(iid, day):
        if brk[0] <= day <= brk[1]:
            return 0.03
        if iid == "EARLY" and silent[0] <= day <= silent[1]:
            return 0.02
        return 0.55 if iid == "EARLY" and mild[0] <= day <= mild[1] else 1.0

    daily, directory = make({**peers(15), "EARLY": 40.0}, seed=12, change=change)
    det = DropDetector(calendar=calendar).fit(daily, directory)
    assert det.episodes_.filter(pl.col("scope") == "institution").height == 0
    # The silence did build evidence: only the hold kept it from opening an episode.
    row = list(det.panel_.ids).index("EARLY")
    assert det.score_[row, det.panel_.dates.index(silent[1])] >= 9.0
