from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from models.episodes import FRAME_SCHEMA
from models.evaluation import caught_events, evaluate

D = dt.date


def episodes(rows):
    full = [{**{k: None for k in FRAME_SCHEMA}, "severity": 0.5, "expected": 1.0, "observed": 0.5,
             "metric": "meetings", "explanation": "x", "status": "resolved", "id": f"E{i}", **r}
            for i, r in enumerate(rows)]
    return pl.DataFrame(full, schema=FRAME_SCHEMA, orient="row")


EVENTS = pl.DataFrame(
    [("EV1", "institution_drop", "institution", "A", "UA-46", D(2022, 10, 3), D(2022, 10, 20), D(2022, 10, 3), 0.9),
     ("EV2", "gradual_decline", "institution", "B", "UA-46", D(2022, 10, 3), D(2022, 12, 1), D(2022, 10, 17), 0.7),
     ("EV3", "institution_drop", "institution", "C", "UA-63", D(2022, 10, 3), D(2022, 10, 20), D(2022, 10, 3), 0.9),
     ("EV4", "regional_outage", "region", None, "UA-63", D(2022, 11, 1), D(2022, 11, 2), D(2022, 11, 1), 0.9),
     ("EV5", "missing_export", "platform", None, None, D(2022, 11, 9), D(2022, 11, 9), D(2022, 11, 9), 1.0),
     ("EV6", "single_day_dip", "distractor", "E", "UA-46", D(2022, 10, 5), D(2022, 10, 5), D(2022, 10, 5), 0.8)],
    schema=["event_id", "kind", "scope", "institution_id", "region", "start", "end", "reference", "depth"],
    orient="row",
)


def scored_episodes() -> pl.DataFrame:
    return episodes([
        # caught on day 2 of a sudden drop: delay 1
        {"scope": "institution", "institution_id": "A", "region": "UA-46", "start": D(2022, 10, 3), "detected_on": D(2022, 10, 4)},
        # gradual: starts after onset, detected before the reference: delay 0
        {"scope": "institution", "institution_id": "B", "region": "UA-46", "start": D(2022, 10, 10), "detected_on": D(2022, 10, 14)},
        # C detected too late (reference + 11): a miss and a false alarm
        {"scope": "institution", "institution_id": "C", "region": "UA-63", "start": D(2022, 10, 4), "detected_on": D(2022, 10, 14)},
        # raised during the outage of its region: false alarm
        {"scope": "institution", "institution_id": "D", "region": "UA-63", "start": D(2022, 11, 1), "detected_on": D(2022, 11, 2)},
        {"scope": "region", "region": "UA-63", "start": D(2022, 11, 1), "detected_on": D(2022, 11, 1), "end": D(2022, 11, 2)},
        {"scope": "region", "region": "UA-46", "start": D(2022, 12, 1), "detected_on": D(2022, 12, 1), "end": D(2022, 12, 1)},
        {"scope": "platform", "start": D(2022, 11, 9), "detected_on": D(2022, 11, 9), "end": D(2022, 11, 9)},
    ])


def test_scores_follow_the_issue_definitions():
    eps = scored_episodes()
    size = pl.DataFrame({"institution_id": ["A", "B", "C"], "expected_meetings": [2.0, 20.0, 80.0]})
    m = evaluate(eps, EVENTS, size, D(2022, 9, 1), D(2022, 12, 31), 70)
    assert m["inst_precision"] == pytest.approx(2 / 4)
    assert m["inst_recall"] == pytest.approx(2 / 3)
    assert m["false_alarms"] == 2
    assert m["delay_median"] == pytest.approx(0.5)
    assert m["fa_per_1000_weeks"] == pytest.approx(1000 * 2 / (70 * 122 / 7))
    assert m["recall tiny <3"] == (1.0, 1) and m["recall large 50+"] == (0.0, 1)
    assert (m["region_precision"], m["region_recall"]) == (0.5, 1.0)
    assert (m["missing_found"], m["missing_days"], m["inst_eps_on_missing"]) == (1, 1, 0)


def test_caught_events_are_the_ones_recall_counts():
    # A on day 2 and B before its reference are caught; C too late; D's episode catches nothing.
    assert caught_events(scored_episodes(), EVENTS) == ["EV1", "EV2"]
    # An episode raised during its region's outage catches nothing, even on its own event.
    during = EVENTS.vstack(pl.DataFrame(
        [("EV7", "institution_drop", "institution", "D", "UA-63", D(2022, 11, 1), D(2022, 11, 20), D(2022, 11, 1), 0.9)],
        schema=EVENTS.schema, orient="row"))
    assert caught_events(scored_episodes(), during) == ["EV1", "EV2"]
