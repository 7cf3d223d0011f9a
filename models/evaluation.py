"""Scoring episodes against labelled events (issue 3, "Evaluation harness").

Institution events (sudden drops, gradual declines): an event is caught when an institution
episode of that institution starts between onset - 3 days and reference + 10 days and was
detected by reference + 10. Every institution episode that catches no event is a false alarm,
and so is one raised (detected) during a true outage of its region or on a missing-data day.
Delay is detected_on - reference, 0 if earlier. Regional events (outages, rolling blackouts):
caught when a region episode of that region covers one of its days and was detected within
2 days of its start; a region episode overlapping no regional event is a false region alarm.
Missing-export days must each be covered by a platform episode detected that day, with no
institution episode started or detected on them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

INSTITUTION_KINDS = ("institution_drop", "gradual_decline")
REGION_KINDS = ("regional_outage", "rolling_blackout")
SIZE_BINS = ((0.0, 3.0, "tiny <3"), (3.0, 10.0, "small 3-10"), (10.0, 50.0, "medium 10-50"),
             (50.0, float("inf"), "large 50+"))
FAR = dt.date(9999, 12, 31)


def _prf(tp_pred: int, n_pred: int, tp_true: int, n_true: int) -> dict:
    p = tp_pred / n_pred if n_pred else 1.0
    r = tp_true / n_true if n_true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f}


def evaluate(episodes: pl.DataFrame, events: pl.DataFrame, size: pl.DataFrame | None,
             first: dt.date, last: dt.date, n_institutions: int) -> dict:
    """All figures of the harness as a flat dict (see the module docstring)."""
    eps = episodes.with_columns(pl.col("end").fill_null(FAR))
    reg_eps = eps.filter(pl.col("scope") == "region").with_row_index("ep")
    plat_eps = eps.filter(pl.col("scope") == "platform")
    inst_eps, inst_ev, reg_ev, missing_days = _inputs(episodes, events)
    good_eps, caught = _matches(inst_eps, inst_ev, reg_ev, missing_days)
    n_eps = inst_eps.height
    false_alarms = n_eps - len(good_eps)
    delays = (caught["detected_on"] - caught["reference"]).dt.total_days().clip(0).to_numpy() \
        if caught.height else np.zeros(0)
    weeks = n_institutions * ((last - first).days + 1) / 7.0
    out = {f"inst_{k}": v for k, v in _prf(len(good_eps), n_eps, caught.height, inst_ev.height).items()}
    out.update(
        inst_events=inst_ev.height, inst_episodes=n_eps, false_alarms=false_alarms,
        fa_per_1000_weeks=1000.0 * false_alarms / weeks if weeks else 0.0,
        delay_median=float(np.median(delays)) if len(delays) else float("nan"),
        delay_p90=float(np.percentile(delays, 90)) if len(delays) else float("nan"),
    )
    out.update(_recall_by_size(inst_ev, caught, size))
    out.update(_regional(reg_ev, reg_eps))
    out.update(_missing(missing_days, plat_eps, inst_eps))
    return out


def caught_events(episodes: pl.DataFrame, events: pl.DataFrame) -> list[str]:
    """The institution events (event_id) that `evaluate` counts as caught."""
    _, caught = _matches(*_inputs(episodes, events))
    return sorted(caught["event_id"].to_list())


def _inputs(episodes: pl.DataFrame, events: pl.DataFrame):
    """What institution events are matched with: (institution episodes, numbered `ep`;
    institution events; regional events; missing-export days)."""
    inst_eps = episodes.filter(pl.col("scope") == "institution").with_columns(
        pl.col("end").fill_null(FAR)).with_row_index("ep")
    return (inst_eps, events.filter(pl.col("kind").is_in(INSTITUTION_KINDS)),
            events.filter(pl.col("kind").is_in(REGION_KINDS)),
            _days(events.filter(pl.col("kind") == "missing_export")))


def _matches(inst_eps: pl.DataFrame, inst_ev: pl.DataFrame, reg_ev: pl.DataFrame,
             missing_days: list[dt.date]) -> tuple[set, pl.DataFrame]:
    """(the institution episodes that catch an event, the caught events with their first
    detection and reference day)."""
    pairs = inst_ev.join(inst_eps, on="institution_id", suffix="_ep").filter(
        (pl.col("start_ep") >= pl.col("start") - pl.duration(days=3))
        & (pl.col("start_ep") <= pl.col("reference") + pl.duration(days=10))
        & (pl.col("detected_on") <= pl.col("reference") + pl.duration(days=10))
    )
    # Raised during a true outage of its region, or on a missing day: a false alarm anyway.
    during = inst_eps.join(reg_ev.select("region", pl.col("start").alias("o_start"),
                                         pl.col("end").alias("o_end")), on="region").filter(
        pl.col("detected_on").is_between(pl.col("o_start"), pl.col("o_end")))["ep"]
    on_missing = inst_eps.filter(pl.col("detected_on").is_in(missing_days))["ep"]
    bad = set(during.to_list()) | set(on_missing.to_list())
    good_eps = set(pairs["ep"].to_list()) - bad
    caught = pairs.filter(~pl.col("ep").is_in(list(bad))).group_by("event_id").agg(
        pl.col("detected_on").min(), pl.col("reference").first())
    return good_eps, caught


def _days(frame: pl.DataFrame) -> list[dt.date]:
    days: list[dt.date] = []
    for a, b in zip(frame["start"].to_list(), frame["end"].to_list()):
        days += [a + dt.timedelta(days=i) for i in range((b - a).days + 1)]
    return days


def _recall_by_size(inst_ev: pl.DataFrame, caught: pl.DataFrame, size: pl.DataFrame | None) -> dict:
    if size is None:
        return {}
    tagged = inst_ev.join(size, on="institution_id", how="left").with_columns(
        hit=pl.col("event_id").is_in(caught["event_id"].implode()))
    out = {}
    for lo, hi, label in SIZE_BINS:
        part = tagged.filter(pl.col("expected_meetings").is_between(lo, hi, closed="left"))
        out[f"recall {label}"] = (part["hit"].mean() if part.height else float("nan"), part.height)
    return out


def _regional(reg_ev: pl.DataFrame, reg_eps: pl.DataFrame) -> dict:
    pairs = reg_ev.join(reg_eps, on="region", suffix="_ep").filter(
        (pl.col("start_ep") <= pl.col("end")) & (pl.col("end_ep") >= pl.col("start")))
    caught = pairs.filter(pl.col("detected_on") <= pl.col("start") + pl.duration(days=2))
    good = pairs["ep"].n_unique()
    out = {f"region_{k}": v for k, v in
           _prf(good, reg_eps.height, caught["event_id"].n_unique(), reg_ev.height).items()}
    out.update(region_events=reg_ev.height, region_episodes=reg_eps.height)
    return out


def _missing(days: list[dt.date], plat: pl.DataFrame, inst_eps: pl.DataFrame) -> dict:
    found = 0
    for d in days:
        hit = plat.filter((pl.col("start") <= d) & (pl.col("end") >= d) & (pl.col("detected_on") <= d))
        found += hit.height > 0
    blamed = inst_eps.filter(pl.col("start").is_in(days) | pl.col("detected_on").is_in(days)).height
    return {"missing_days": len(days), "missing_found": found, "inst_eps_on_missing": blamed,
            "platform_episodes": plat.height}


def format_row(name: str, m: dict) -> str:
    return (f"{name:<34} {m['inst_f1']:5.2f} {m['inst_precision']:5.2f} {m['inst_recall']:5.2f} "
            f"{m['delay_median']:5.1f} {m['delay_p90']:5.1f} {m['fa_per_1000_weeks']:6.2f} "
            f"{m['region_f1']:5.2f} {m['region_precision']:5.2f} {m['region_recall']:5.2f} "
            f"{m['missing_found']}/{m['missing_days']} {m['inst_eps_on_missing']}")


HEADER = (f"{'run':<34} {'F1':>5} {'P':>5} {'R':>5} {'dMed':>5} {'dP90':>5} {'FA/kw':>6} "
          f"{'rF1':>5} {'rP':>5} {'rR':>5} miss blamed")
