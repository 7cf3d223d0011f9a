"""DropDetector: the deep CUSUM (a big, noisy institution's collapse opens by its second school
day), the episode start at the change the firing evidence points to, and a school silent past
its peers' break held only once."""

from __future__ import annotations

import datetime as dt

import polars as pl

from models.calendar import KINDS, SchoolCalendar
from models.detector import DropDetector

DAYS = 84
ONSET = dt.date(2022, 10, 24)  # a Monday, after 7 weeks of history
NO_BREAKS = SchoolCalendar(overrides={(y, k): [] for y in (2021, 2022) for k in KINDS})


def panel(build, target: str, counts, peer_factor=lambda day: 1.0) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Twelve steady peers (Poisson, 10 a school day times `peer_factor(day)`) and `target`,
    whose school-day count is `counts(day, rng)`; `build` is the school_panel fixture."""
    def count(iid, day, rng) -> int:
        return counts(day, rng) if iid == target else int(rng.poisson(10.0 * peer_factor(day)))

    regions = {f"P{k:02d}": "UA-46" for k in range(12)} | {target: "UA-46"}
    return build(regions, count, DAYS, seed=7)


def episodes(daily, directory, target, **kw) -> pl.DataFrame:
    model = DropDetector(calendar=NO_BREAKS, **kw).fit(daily, directory)
    return model.episodes_.filter(pl.col("institution_id") == target)


def overdispersed_collapse(day, rng) -> int:
    # A big university with strongly overdispersed days (gamma-Poisson, shape 4), collapsing
    # to 5% of normal: the 35% test gains only about r * log(...) a day from it.
    mean = rng.gamma(4.0, 300.0 / 4.0)
    return int(rng.poisson(mean * (0.05 if day >= ONSET else 1.0)))


def test_noisy_big_institution_collapse_opens_on_its_second_school_day(school_panel):
    daily, directory = panel(school_panel, "UNI", overdispersed_collapse)
    eps = episodes(daily, directory, "UNI")
    assert eps.height == 1
    assert eps["start"][0] == ONSET
    assert eps["detected_on"][0] == ONSET + dt.timedelta(days=1)


def test_without_the_deep_test_the_same_collapse_waits_longer(school_panel):
    daily, directory = panel(school_panel, "UNI", overdispersed_collapse)
    eps = episodes(daily, directory, "UNI", threshold_deep=1e9)
    assert eps.height == 1
    assert eps["detected_on"][0] > ONSET + dt.timedelta(days=1)


def mild_then_silent(day, rng) -> int:
    # Two mildly low days (70%) right before a collapse to silence: enough for the slow test
    # to start a run, not the change the alarm is about.
    if day >= ONSET:
        return 0
    if day >= ONSET - dt.timedelta(days=4):  # Thu, Fri (then the weekend)
        return 14
    return 20


def test_episode_starts_where_the_firing_evidence_began_not_at_earlier_mild_days(school_panel):
    daily, directory = panel(school_panel, "SCH", mild_then_silent)
    eps = episodes(daily, directory, "SCH")
    assert eps.height == 1
    assert eps["start"][0] == ONSET
    assert eps["detected_on"][0] <= ONSET + dt.timedelta(days=1)


BREAK = (dt.date(2022, 10, 31), dt.date(2022, 11, 4))  # the peers' autumn break
WINDOW = SchoolCalendar(overrides={(2022, "school"): [(dt.date(2022, 10, 24), dt.date(2022, 11, 18),
                                                      "autumn")]})


def silent_from_the_break(day, rng) -> int:
    return 0 if day >= BREAK[0] else int(rng.poisson(40.0))


def test_school_still_silent_after_its_break_allowance_is_not_held_again(school_panel):
    # Peers come back on 7 Nov; the school is given 5 school days (7-11 Nov) as its own
    # longer break, then judged from 14 Nov, still inside the window: that run is not held
    # another `window_hold` days, so it opens on the second judged day.
    daily, directory = panel(school_panel, "LATE", silent_from_the_break,
                             lambda day: 0.03 if BREAK[0] <= day <= BREAK[1] else 1.0)
    model = DropDetector(calendar=WINDOW).fit(daily, directory)
    eps = model.episodes_.filter(pl.col("institution_id") == "LATE")
    assert eps.height == 1
    assert eps["start"][0] == dt.date(2022, 11, 14)
    assert eps["detected_on"][0] == dt.date(2022, 11, 15)
    assert model.episodes_.filter(pl.col("scope") == "institution").height == 1
