"""DropDetector: a school with no peers in its own region is not judged inside break windows
(nobody can vouch for its break dates), yet its drops outside them are still flagged."""

from __future__ import annotations

import datetime as dt

import polars as pl

from models.calendar import SchoolCalendar
from models.detector import DropDetector

DAYS = 84
WINDOW = (dt.date(2022, 10, 17), dt.date(2022, 11, 18))
CALENDAR = SchoolCalendar(overrides={(2022, "school"): [(*WINDOW, "autumn")]})
NATION_BREAK = (dt.date(2022, 10, 31), dt.date(2022, 11, 4))
LONE_BREAK = (dt.date(2022, 10, 24), dt.date(2022, 10, 28))  # its region's break: a week earlier


def panel(build, lone_ratio) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Twelve schools of UA-46 (Poisson 10 a school day, 3% in their break) and LONE, the
    only school of UA-43 (Poisson 20 times `lone_ratio(day)`); `build` is the school_panel
    fixture."""
    def count(iid, day, rng) -> int:
        if iid == "LONE":
            return int(rng.poisson(20.0 * lone_ratio(day)))
        return int(rng.poisson(10.0 * (0.03 if NATION_BREAK[0] <= day <= NATION_BREAK[1] else 1.0)))

    regions = {f"P{k:02d}": "UA-46" for k in range(12)} | {"LONE": "UA-43"}
    return build(regions, count, DAYS, seed=5)


def own_break(day) -> float:
    return 0.03 if LONE_BREAK[0] <= day <= LONE_BREAK[1] else 1.0


def test_lone_school_taking_its_regions_break_is_not_a_drop(school_panel):
    model = DropDetector(calendar=CALENDAR).fit(*panel(school_panel, own_break))
    assert model.episodes_.filter(pl.col("scope") != "platform").height == 0
    frame = model.expected_frame().filter(pl.col("institution_id") == "LONE")
    status = dict(zip(frame["date"], frame["status"]))
    assert status[LONE_BREAK[0]] == "no peers in window"
    assert status[dt.date(2022, 10, 13)] == "judged"  # a school day before the window


def test_the_same_break_is_a_drop_when_it_lies_outside_every_window(school_panel):
    # Outside break windows the lone school is judged against the nation as before.
    no_windows = SchoolCalendar(overrides={(2022, "school"): []})
    eps = DropDetector(calendar=no_windows).fit(*panel(school_panel, own_break)).episodes_
    assert eps.filter(pl.col("institution_id") == "LONE")["start"].to_list() == [LONE_BREAK[0]]


def test_lone_school_drop_before_the_window_is_flagged(school_panel):
    onset = dt.date(2022, 10, 3)
    eps = DropDetector(calendar=CALENDAR).fit(*panel(school_panel, lambda day: 0.1 if day >= onset else 1.0)).episodes_
    lone = eps.filter(pl.col("institution_id") == "LONE")
    assert lone.height == 1
    assert lone["start"][0] == onset
    assert lone["detected_on"][0] <= onset + dt.timedelta(days=2)
