"""The episode: what detection produces (DESIGN.md section 5).

An episode is one drop with a scope: `institution` (one institution fell while its region did
not), `region` (many institutions of one region fell together), or `platform` (the data itself
is missing or broken). Dates are local calendar dates (Europe/Kyiv).
"""

from __future__ import annotations

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
