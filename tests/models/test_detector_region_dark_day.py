"""DropDetector: a region whose institutions all sit inside a break window they have not had
yet is judged by nobody on the day they all fall (the fall may be its schools' break
beginning). Breaks last a week or more, so when the region is back to normal the next school
day, the fall was an outage: one resolved region episode, raised that next day."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.detector import DropDetector

START = dt.date(2022, 11, 14)  # a Monday, after the autumn window
END = dt.date(2023, 1, 13)
REGIONS = ("UA-46", "UA-63", "UA-30")
# Inside every kind's winter window (schools from 19 Dec, universities from 10 Dec), before
# any break: a one-day strike on UA-46.
STRIKE = dt.date(2022, 12, 20)
BREAK = (dt.date(2022, 12, 26), dt.date(2023, 1, 6))


def shape(strike: bool = True, early_break_from: dt.date | None = None,
          busy_break: bool = False, university_dip: dt.date | None = None):
    def factor(region: np.ndarray, school: np.ndarray, day: np.ndarray) -> np.ndarray:
        struck = (region == "UA-46") & (day == STRIKE) & strike
        in_break = school & (day >= BREAK[0]) & (day <= BREAK[1])
        if early_break_from is not None:  # UA-46's schools start their break early
            in_break |= (region == "UA-46") & school & (day >= early_break_from)
        busy = np.ones(in_break.shape)
        if busy_break:  # UA-46's universities busy in its schools' break, but its last day
            during = (region == "UA-46") & ~school & (day >= BREAK[0]) & (day <= BREAK[1])
            busy = np.where(during, np.where(day == BREAK[1], 0.5, 1.5), 1.0)
        dip = ~school & (day == university_dip)  # every university low that day only
        return np.where(struck, 0.1, 1.0) * np.where(in_break, 0.04, 1.0) * busy * np.where(dip, 0.3, 1.0)

    return factor


def test_a_one_day_fall_inside_a_window_is_an_outage_raised_the_next_school_day(region_panel):
    daily, directory = region_panel(REGIONS, START, END, shape(), seed=11)
    det = DropDetector().fit(daily, directory)
    eps = det.episodes_
    regional = eps.filter(pl.col("scope") == "region")
    assert regional.select("region", "start", "end", "detected_on", "status").rows() == [
        ("UA-46", STRIKE, STRIKE, STRIKE + dt.timedelta(days=1), "resolved")]
    assert regional["severity"][0] > 0.8  # a tenth of normal
    # Nobody was judged that day, so no institution is blamed.
    assert eps.filter(pl.col("scope") == "institution").height == 0
    day = det.expected_frame().filter(pl.col("date") == STRIKE,
                                      pl.col("institution_id").str.contains("UA-46"))
    assert set(day["status"]) == {"peers quiet", "session"}  # universities: their window


def test_a_region_whose_schools_start_their_break_early_makes_no_episode(region_panel):
    # Control: the same first low day, but UA-46's schools stay low from then on (their
    # break came a week early) while its universities carry on. Not back the next day: no
    # outage.
    daily, directory = region_panel(REGIONS, START, END, shape(early_break_from=STRIKE), seed=11)
    eps = DropDetector().fit(daily, directory).episodes_
    assert eps.filter(pl.col("scope") == "region").height == 0
    assert eps.filter(pl.col("scope") == "institution").height == 0


def test_the_last_day_of_a_break_is_no_outage_even_when_it_alone_reads_dark(region_panel):
    # UA-46's universities keep its total up through its schools' break, but for the last
    # day: only that day reads as an outage-deep fall, and the next school day is normal. A
    # fall counts only from a normal day, so this is no outage.
    daily, directory = region_panel(REGIONS, START, END, shape(strike=False, busy_break=True),
                                    seed=11)
    eps = DropDetector().fit(daily, directory).episodes_
    assert eps.filter(pl.col("scope") == "region").height == 0


def test_a_break_beginning_while_many_universities_carry_on_is_no_outage(region_panel):
    # The schools' break begins on a day their universities are low too: nobody judges the
    # regions, all of whose members fell. The next day 20 universities, normal again, judge
    # each region alone. That is no outage: its schools are not back.
    daily, directory = region_panel(REGIONS, START, END, shape(strike=False, university_dip=BREAK[0]),
                                    seed=11, universities=20)
    eps = DropDetector().fit(daily, directory).episodes_
    assert eps.filter(pl.col("scope") == "region").height == 0
