"""The episode: what detection produces (DESIGN.md section 5).

An episode is one drop with a scope: `institution` (one institution fell while its region did
not), `region` (many institutions of one region fell together), or `platform` (the data itself
is missing or broken). Dates are local calendar dates (Europe/Kyiv).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

SCOPES = ("institution", "region", "platform")
STATUSES = ("open", "resolved")

EPISODES: dict[str, pl.DataType] = {
    "id": pl.String(),  # stable: the same drop gets the same id on every run
    "scope": pl.String(),  # one of SCOPES
    "institution_id": pl.String(),  # null unless scope == "institution"
    "region": pl.String(),  # ISO 3166-2:UA code; null for platform episodes
    "start": pl.Date(),  # first day of the drop
    "detected_on": pl.Date(),  # first day a detector seeing data up to that day raised it
    "end": pl.Date(),  # last day of the drop; null while open
    "status": pl.String(),  # one of STATUSES
    "severity": pl.Float64(),  # 0..1, share of expected activity lost
    "expected": pl.Float64(),  # expected value of `metric` over the episode so far
    "observed": pl.Float64(),  # observed value of `metric` over the episode so far
    "metric": pl.String(),  # the daily metric judged, e.g. "participants"
    "explanation": pl.String(),  # one plain-language sentence (English)
}

# Beyond the persisted fields: the region episode an institution drop started inside, and the
# school days of learning lost (institution-days for a region episode).
EXTRA: dict[str, pl.DataType] = {"parent_id": pl.String(), "days_lost": pl.Float64()}
FRAME_SCHEMA: dict[str, pl.DataType] = {**EPISODES, **EXTRA}


def episode_id(scope: str, key: str, start: dt.date) -> str:
    """Stable id: the same drop (scope, subject, first day) gets the same id on every run."""
    return f"{scope[0].upper()}-{key}-{start:%Y%m%d}"


def _severity(expected: float, observed: float) -> float:
    if expected <= 0:
        return 0.0
    return float(min(1.0, max(0.0, 1.0 - observed / expected)))


def _explain(scope: str, row: dict, metric: str, members: int = 0) -> str:
    start = f"{row['start']:%Y-%m-%d}"
    lost = f"{row['severity']:.0%} of expected {metric} lost"
    if scope == "institution":
        region = f"; its region {row['region']} was normal" if row["region"] else ""
        return (f"Activity fell from {start}: {row['observed']:.0f} {metric} against "
                f"{row['expected']:.0f} expected ({lost}, about {row['days_lost']:.1f} school "
                f"days of learning lost){region}.")
    if scope == "region":
        return (f"Institutions across {row['region']} fell together from {start} ({lost}, about "
                f"{row['days_lost']:.0f} institution school days lost): a regional outage, "
                "not separate institution drops.")
    if row.get("missing", True):
        return (f"No export covers {start}"
                + (f" to {row['end']:%Y-%m-%d}" if row["end"] and row["end"] != row["start"] else "")
                + ": the data is missing, not a drop; no institution is blamed.")
    return (f"Activity collapsed everywhere at once on {start}: a feed or platform problem; "
            "no institution is blamed.")


def assemble(run, regions: list[str], metric: str) -> pl.DataFrame:
    """Episode records from a DetectorRun's final state (models/detector_run.py), as a frame in
    FRAME_SCHEMA order."""
    import numpy as np

    from models.attribution import platform_runs

    def day(i):
        return None if i is None or i < 0 else run.date(i)

    rows: list[dict] = []
    for rec in run.reg.closed + run.reg.still_open():
        code = regions[rec["index"]]
        row = _base(rec, day, metric)
        row.update(scope="region", institution_id=None, region=code,
                   id=episode_id("region", code, row["start"]), parent_id=None)
        rows.append(row)
    region_spans = [(r["region"], r["start"], r["end"], r["id"]) for r in rows]
    for rec in run.inst.closed + run.inst.still_open():
        row = _base(rec, day, metric)
        iid = str(run.ids[rec["index"]])
        code = run.region[rec["index"]] or None
        parent = next((pid for reg_code, s, e, pid in region_spans
                       if reg_code == code and s <= row["start"] and (e is None or row["start"] <= e)),
                      None)
        row.update(scope="institution", institution_id=iid, region=code,
                   id=episode_id("institution", iid, row["start"]), parent_id=parent)
        rows.append(row)
    last = run.days - 1
    for a, b in platform_runs(run.platform):
        expected = float(np.nansum(run.nat_expected[a:b + 1]))
        observed = float(np.nansum(run.observed[a:b + 1]))
        is_missing = bool(run.missing[a:b + 1].all())
        row = {"start": day(a), "detected_on": day(a), "end": None if b == last else day(b),
               "status": "open" if b == last else "resolved", "expected": expected,
               "observed": observed, "metric": metric, "scope": "platform",
               "institution_id": None, "region": None, "parent_id": None, "missing": is_missing,
               "id": episode_id("platform", "all", day(a)),
               "severity": 1.0 if is_missing else _severity(expected, observed),
               "days_lost": 0.0}
        rows.append(row)
    for row in rows:
        row["explanation"] = _explain(row["scope"], row, metric)
    frame = pl.DataFrame([{k: r.get(k) for k in FRAME_SCHEMA} for r in rows], schema=FRAME_SCHEMA,
                         orient="row") if rows else pl.DataFrame(schema=FRAME_SCHEMA)
    return frame.sort("start", "scope", "id")


def _base(rec: dict, day, metric: str) -> dict:
    end = day(rec["end"]) if rec["end"] is not None else None
    return {"start": day(rec["start"]), "detected_on": day(rec["detected"]), "end": end,
            "status": "open" if end is None else "resolved", "expected": rec["expected"],
            "observed": rec["observed"], "severity": _severity(rec["expected"], rec["observed"]),
            "metric": metric, "days_lost": rec["lost"]}
