"""How much of a simulated scenario any detector could catch: an approximate ceiling for the
institution-event scores of models/evaluation.py.

An oracle knows what no detector can: each institution's expected count on every day, its
own school days (its break dates, not its region's window), the noise dispersion, and how deep
each drop is on each day. Its evidence for an event is the expected negative-binomial
log-likelihood ratio of the dropped count against the normal one (the Kullback-Leibler
divergence), summed over the institution's own school days from the onset to reference + 10,
the last day the scoring rule accepts a detection. The event counts as catchable when that
reaches `threshold` nats; DropDetector opens an episode at 9. The day its evidence reaches
that is the oracle's detection day, which bounds the detection delay the same way.

It is a ceiling on the typical case, not a strict bound: a detector may catch an event with
less expected evidence by a lucky run of low days (and miss one with more). False alarms come
from the threshold: a one-sided CUSUM raises about one per e^threshold days judged on normal
activity, so the best F1 under that rate is reported next to the recall.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.evaluation import INSTITUTION_KINDS, SIZE_BINS

LAST_DAY = 10  # the scoring rule accepts detections up to reference + 10 days
THRESHOLD = 9.0  # nats: DropDetector's CUSUM threshold
# An event's scoring window is cut by a break when this many of its weekdays are not school
# days of the institution's own: a drop that runs into a break cannot be told from the break
# by anyone who does not know the school's own dates.
BREAK_DAYS = 3


def nb_divergence(mu_after: np.ndarray, mu_before: np.ndarray, r: np.ndarray) -> np.ndarray:
    """KL divergence (nats) of NB(mean mu_after, size r) from NB(mu_before, r): the expected
    log-likelihood ratio one day of the changed count brings."""
    after = np.maximum(mu_after, 1e-12)
    before = np.maximum(mu_before, 1e-12)
    return (r * np.log((r + before) / (r + after))
            + after * np.log(after * (r + before) / (before * (r + after))))


def event_evidence(events: pl.DataFrame, ids: list[str], first: dt.date, normal: np.ndarray,
                   factor: np.ndarray, school_day: np.ndarray, dispersion: np.ndarray,
                   threshold: float = THRESHOLD) -> pl.DataFrame:
    """Per institution event: institution_id, kind, school_days (own school days from onset to
    reference + 10), break_days (weekdays of that window that are not), evidence (nats the
    oracle gathers on the school days) and delay (calendar days from the reference day to the
    day the evidence reaches `threshold`, 0 when before it; null when it never does)."""
    row_of = {institution: i for i, institution in enumerate(ids)}
    n_days = normal.shape[1]
    rows = []
    labelled = events.filter(pl.col("kind").is_in(INSTITUTION_KINDS))
    for event in labelled.iter_rows(named=True):  # a loop over labelled events, a few hundred
        i = row_of[event["institution_id"]]
        a = (event["start"] - first).days
        b = min((event["reference"] - first).days + LAST_DAY, n_days - 1)
        window = np.arange(a, b + 1)
        weekday = np.array([(first + dt.timedelta(days=int(d))).weekday() < 5 for d in window])
        days = window[school_day[i, window]]
        break_days = int(np.count_nonzero(weekday & ~school_day[i, window]))
        before = normal[i, days].astype(np.float64)
        gain = nb_divergence(before * factor[i, days], before, np.full(len(days), float(dispersion[i])))
        reached = np.flatnonzero(np.cumsum(gain) >= threshold)
        delay = max(0, int(days[reached[0]]) - (event["reference"] - first).days) if len(reached) else None
        rows.append((event["event_id"], event["institution_id"], event["kind"], len(days), break_days,
                     float(gain.sum()), delay))
    return pl.DataFrame(rows, orient="row", schema={"event_id": pl.String, "institution_id": pl.String,
                                                    "kind": pl.String, "school_days": pl.Int64,
                                                    "break_days": pl.Int64, "evidence": pl.Float64,
                                                    "delay": pl.Int64})


def recall_by_break(evidence: pl.DataFrame, caught: list[str],
                    threshold: float = THRESHOLD) -> dict[str, tuple[float, float, int]]:
    """For the events whose scoring window a break of the school's own cuts (`BREAK_DAYS`) and
    for the rest: (a detector's recall, given the events it caught; the oracle's recall; the
    number of events)."""
    tagged = evidence.with_columns(cut=pl.col("break_days") >= BREAK_DAYS,
                                   hit=pl.col("event_id").is_in(caught))
    out = {}
    for label, cut in (("cut by its own break", True), ("clear of breaks", False)):
        part = tagged.filter(pl.col("cut") == cut)
        out[label] = ((float(part["hit"].mean()), float((part["evidence"] >= threshold).mean()), part.height)
                      if part.height else (float("nan"), float("nan"), 0))
    return out


def ceiling(evidence: pl.DataFrame, size: pl.DataFrame, school_days: int,
            threshold: float = THRESHOLD) -> dict:
    """Recall the oracle reaches at `threshold` (overall and by size, the bins of
    models/evaluation.py), the F1 that recall allows with no false alarm at all, the median and
    p90 delay of the events it catches (`evidence` gathered at the same threshold), and the
    best F1 over thresholds when false alarms come at the CUSUM rate e^-threshold per school
    day."""
    caught = evidence["evidence"] >= threshold
    n = evidence.height
    recall = float(caught.mean()) if n else float("nan")
    delays = evidence["delay"].drop_nulls().to_numpy()  # as models/evaluation.py takes them
    out = {"oracle_recall": recall,
           "oracle_f1_no_false_alarms": 2 * recall / (1 + recall) if n else float("nan"),
           "oracle_delay_median": float(np.median(delays)) if len(delays) else float("nan"),
           "oracle_delay_p90": float(np.percentile(delays, 90)) if len(delays) else float("nan")}
    tagged = evidence.join(size, on="institution_id", how="left")
    for lo, hi, label in SIZE_BINS:
        part = tagged.filter(pl.col("expected_meetings").is_between(lo, hi, closed="left"))
        out[f"oracle recall {label}"] = (float((part["evidence"] >= threshold).mean())
                                         if part.height else float("nan"), part.height)
    best = (float("nan"), float("nan"))
    for h in np.arange(4.0, 16.01, 0.5):
        hits = int((evidence["evidence"] >= h).sum())
        false_alarms = school_days * np.exp(-h)
        if n and hits:
            p, r = hits / (hits + false_alarms), hits / n
            f1 = 2 * p * r / (p + r)
            if np.isnan(best[0]) or f1 > best[0]:
                best = (f1, float(h))
    out["oracle_best_f1"], out["oracle_best_threshold"] = best
    return out
