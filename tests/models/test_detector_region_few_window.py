"""DropDetector: a region whose schools are on their winter break is judged by its handful of
universities only when every one of them is outside any calendar window of its own. Inside
their winter window (10 Dec - 12 Feb by default) universities have exam sessions and holidays
of their own; their low days there are no outage and must not raise a region episode."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.calendar import SchoolCalendar
from models.detector import DropDetector

START = dt.date(2022, 11, 14)  # a Monday, after the autumn window
END = dt.date(2023, 1, 20)
REGIONS = ("UA-46", "UA-63", "UA-30")
# Every university's exam session (a quiet run of school days, then back): afterwards the rest
# of the university window counts as "break done" and the universities speak for regions again.
SESSION = (dt.date(2022, 12, 19), dt.date(2022, 12, 30))
# Schools' winter breaks: UA-46 takes a late one, so its universities alone are in session.
BREAKS = {"UA-46": (dt.date(2023, 1, 9), dt.date(2023, 1, 20)),
          "UA-63": (dt.date(2022, 12, 26), dt.date(2023, 1, 6)),
          "UA-30": (dt.date(2022, 12, 26), dt.date(2023, 1, 6))}
# UA-46's universities at 15% (their between-semester holiday) during its schools' break: as
# deep as a strike, but inside the universities' own window.
LOW = (dt.date(2023, 1, 16), dt.date(2023, 1, 19))


def shape(region: np.ndarray, school: np.ndarray, day: np.ndarray) -> np.ndarray:
    in_break = np.zeros((len(region), day.shape[1]), bool)
    for code, (first, last) in BREAKS.items():
        in_break |= (region == code) & school & (day >= first) & (day <= last)
    exams = ~school & (day >= SESSION[0]) & (day <= SESSION[1])
    holiday = (region == "UA-46") & ~school & (day >= LOW[0]) & (day <= LOW[1])
    return np.where(in_break, 0.04, 1.0) * np.where(exams, 0.3, 1.0) * np.where(holiday, 0.15, 1.0)


def test_universities_low_inside_their_own_window_do_not_make_a_region_episode(region_panel):
    daily, directory = region_panel(REGIONS, START, END, shape, seed=7)
    det = DropDetector().fit(daily, directory)
    eps = det.episodes_
    regional = eps.filter(pl.col("scope") == "region")
    assert regional.select("region", "start", "detected_on", "end").rows() == []
    assert eps.filter(pl.col("scope") == "institution").height == 0
    # The fall is there and deep, yet the universities are not judged inside their window.
    low = det.expected_frame().filter(
        pl.col("institution_id").str.starts_with("UUA-46"), pl.col("date").is_between(*LOW))
    assert low.height == 5 * 4
    assert low["observed"].mean() < 0.3 * 40  # their normal day is 40 meetings
    assert set(low["status"]) == {"session"}


def test_same_fall_outside_the_universities_window_is_a_region_episode(region_panel):
    # Control: end the universities' winter window before the fall. Now the handful is plainly
    # outside any window of its own, and the same fall reads as an outage of the region.
    calendar = SchoolCalendar(overrides={(2022, "university"): [
        (dt.date(2022, 12, 10), dt.date(2023, 1, 13), "winter exam session and break")]})
    daily, directory = region_panel(REGIONS, START, END, shape, seed=7)
    regional = DropDetector(calendar=calendar).fit(daily, directory).episodes_.filter(
        pl.col("scope") == "region")
    assert regional.select("region", "start", "detected_on").rows() == [("UA-46", LOW[0], LOW[0])]
    assert regional["end"][0] == LOW[1]


def test_universities_in_their_summer_session_do_not_speak_for_a_region_whose_schools_broke_up(region_panel):
    # Enough universities (20) to judge a region alone. In their summer window they hold their
    # session at 45% of normal from 22 May; UA-46's schools begin their summer break on 29 May
    # while everybody else's go on. The universities' session is not the region going dark:
    # inside their own window they never speak for it before their break is done.
    session, summer = dt.date(2023, 5, 22), dt.date(2023, 5, 29)

    def summer_shape(region: np.ndarray, school: np.ndarray, day: np.ndarray) -> np.ndarray:
        broke_up = (region == "UA-46") & school & (day >= summer)
        return np.where(broke_up, 0.04, 1.0) * np.where(~school & (day >= session), 0.45, 1.0)

    daily, directory = region_panel(REGIONS, dt.date(2023, 3, 27), dt.date(2023, 6, 9), summer_shape,
                                    seed=7, universities=20, school_level=20.0)
    eps = DropDetector().fit(daily, directory).episodes_
    assert eps.filter(pl.col("scope") == "region").height == 0
    assert eps.filter(pl.col("scope") == "institution").height == 0
