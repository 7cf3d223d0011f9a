"""The oracle ceiling: evidence an all-knowing detector gathers for each labelled event."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from models.oracle import ceiling, event_evidence, nb_divergence, recall_by_break

FIRST = dt.date(2023, 2, 1)


def nb_logpmf(x: int, mu: float, r: float) -> float:
    return (math.lgamma(x + r) - math.lgamma(r) - math.lgamma(x + 1)
            + r * math.log(r / (r + mu)) + (x * math.log(mu / (r + mu)) if x else 0.0))


@pytest.mark.parametrize(("after", "before", "r"), [(0.0, 5.0, 4.0), (1.0, 5.0, 4.0), (12.0, 40.0, 30.0),
                                                     (0.3, 2.0, 10.0), (5.0, 5.0, 8.0)])
def test_divergence_is_the_expected_log_likelihood_ratio(after, before, r):
    direct = sum(math.exp(nb_logpmf(x, after, r)) * (nb_logpmf(x, after, r) - nb_logpmf(x, before, r))
                 for x in range(0, 600)) if after > 0 else -nb_logpmf(0, before, r)
    assert nb_divergence(np.array([after]), np.array([before]), np.array([r]))[0] == pytest.approx(direct, rel=1e-6)


def scenario():
    """Three institutions over 40 days: school on weekdays only, a drop to nothing at a big one
    and at a tiny one from day 10, a gradual decline at a small one (reference day 20)."""
    days = 40
    weekday = np.array([(FIRST + dt.timedelta(days=d)).weekday() < 5 for d in range(days)])
    normal = np.array([[60.0] * days, [0.5] * days, [6.0] * days])
    factor = np.ones((3, days))
    factor[0, 10:] = 0.0
    factor[1, 10:] = 0.0
    factor[2, 10:] = np.clip(1 - 0.05 * np.arange(1, days - 9), 0.3, 1.0)
    events = pl.DataFrame({
        "event_id": ["e1", "e2", "e3"], "kind": ["institution_drop", "institution_drop", "gradual_decline"],
        "institution_id": ["big", "tiny", "small"],
        "start": [FIRST + dt.timedelta(days=10)] * 3,
        "reference": [FIRST + dt.timedelta(days=10)] * 2 + [FIRST + dt.timedelta(days=20)],
    })
    size = pl.DataFrame({"institution_id": ["big", "tiny", "small"], "expected_meetings": [60.0, 0.5, 6.0]})
    school = np.tile(weekday, (3, 1))
    return events, size, normal, factor, school, np.array([10.0, 10.0, 10.0])


def test_evidence_counts_own_school_days_up_to_reference_plus_ten():
    events, size, normal, factor, school, r = scenario()
    found = event_evidence(events, ["big", "tiny", "small"], FIRST, normal, factor, school, r)
    assert found["event_id"].to_list() == ["e1", "e2", "e3"]
    window = [d for d in range(10, 21) if school[0, d]]
    assert found["school_days"][0] == len(window) == 7  # days 10..20, weekends left out
    per_day = nb_divergence(np.array([0.0]), np.array([60.0]), np.array([10.0]))[0]
    assert found["evidence"][0] == pytest.approx(per_day * 7)
    decline = [d for d in range(10, 31) if school[2, d]]
    assert found["school_days"][2] == len(decline)
    expected = nb_divergence(6.0 * factor[2, decline], np.full(len(decline), 6.0), np.full(len(decline), 10.0))
    assert found["evidence"][2] == pytest.approx(expected.sum())
    # Without school on the drop days there is nothing to gather.
    none = event_evidence(events, ["big", "tiny", "small"], FIRST, normal, factor, np.zeros_like(school), r)
    assert none["evidence"].to_list() == [0.0, 0.0, 0.0]


def test_ceiling_catches_what_the_counts_can_tell():
    events, size, normal, factor, school, r = scenario()
    found = event_evidence(events, ["big", "tiny", "small"], FIRST, normal, factor, school, r)
    top = ceiling(found, size, school_days=0)
    # The big collapse and the small decline are plain; half a meeting a day cannot tell in 7 school days.
    assert top["oracle_recall"] == pytest.approx(2 / 3)
    assert top["oracle recall tiny <3"] == (0.0, 1) and top["oracle recall large 50+"] == (1.0, 1)
    assert top["oracle_f1_no_false_alarms"] == pytest.approx(0.8)
    # With no school days to raise false alarms on, the lowest threshold is best.
    assert top["oracle_best_threshold"] == 4.0 and top["oracle_best_f1"] == pytest.approx(0.8)
    # Many judged days make low thresholds costly.
    busy = ceiling(found, size, school_days=5_000_000)
    assert busy["oracle_best_f1"] < 0.8 and busy["oracle_best_threshold"] > 9


def test_delay_is_the_first_day_the_evidence_reaches_the_threshold():
    events, size, normal, factor, school, r = scenario()
    found = event_evidence(events, ["big", "tiny", "small"], FIRST, normal, factor, school, r)
    # The big collapse starts on a Saturday (day 10): its first school day, Monday, tells at once.
    assert found["delay"][0] == 2
    assert found["delay"][1] is None  # half a meeting a day never gathers 9 nats
    decline = [d for d in range(10, 31) if school[2, d]]
    gain = nb_divergence(6.0 * factor[2, decline], np.full(len(decline), 6.0), np.full(len(decline), 10.0))
    reached = decline[int(np.argmax(np.cumsum(gain) >= 9.0))]
    assert found["delay"][2] == max(0, reached - 20)
    # A higher bar is reached later, or not at all.
    strict = event_evidence(events, ["big", "tiny", "small"], FIRST, normal, factor, school, r, threshold=30.0)
    assert strict["delay"][0] == 3 and strict["delay"][1] is None
    top = ceiling(found, size, school_days=0)
    assert top["oracle_delay_median"] == pytest.approx(np.median([2, max(0, reached - 20)]))


def test_break_days_are_the_weekdays_of_the_window_off_the_schools_own_calendar():
    events, _, normal, factor, school, r = scenario()
    school[0, 12:19] = False  # the big school's own break: Monday 13 to Friday 17 February
    found = event_evidence(events, ["big", "tiny", "small"], FIRST, normal, factor, school, r)
    assert found["break_days"].to_list() == [5, 0, 0]
    assert found["school_days"][0] == 2  # Monday 20 and Tuesday 21 (reference + 10) are left
    # The split: the big drop is cut by its break (and caught by the detector given here);
    # of the two clear ones the oracle catches the decline, the detector none.
    split = recall_by_break(found, caught=["e1"])
    assert split["cut by its own break"] == (1.0, 1.0, 1)
    assert split["clear of breaks"] == (0.0, 0.5, 2)
