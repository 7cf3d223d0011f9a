"""DropDetector: inside a school-break window a region is judged by the few institutions outside
it (its universities) for outage-deep falls only. A strike on the first school day after the
region's own break is an outage, not the break going on; a bad day of a handful of
universities is not."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.detector import DropDetector

START = dt.date(2022, 9, 5)  # a Monday
END = dt.date(2022, 11, 18)
# Each region's schools take their autumn break in a different week (inside the default
# window, 22 Oct - 13 Nov); universities take none.
BREAKS = {"UA-46": dt.date(2022, 10, 24), "UA-63": dt.date(2022, 10, 31), "UA-30": dt.date(2022, 11, 7)}
STRIKE = dt.date(2022, 10, 31)  # UA-46: first school day after its break
BAD_DAY = dt.date(2022, 11, 2)  # UA-63's universities at 55% during its schools' break


def scenario() -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(11)
    ids, regions, kinds, levels = [], [], [], []
    for code in BREAKS:
        for k in range(40):
            ids.append(f"S{code}-{k:02d}"), regions.append(code), kinds.append("school"), levels.append(8.0)
        for k in range(5):
            ids.append(f"U{code}-{k}"), regions.append(code), kinds.append("university"), levels.append(40.0)
    days = [START + dt.timedelta(days=d) for d in range((END - START).days + 1)]
    level = np.array(levels)[:, None]
    region = np.array(regions)[:, None]
    school = (np.array(kinds) == "school")[:, None]
    day = np.array(days)[None, :]
    weekend = np.array([d.weekday() >= 5 for d in days])[None, :]
    in_break = np.zeros((len(ids), len(days)), bool)
    for code, first in BREAKS.items():
        in_break |= (region == code) & school & (day >= first) & (day <= first + dt.timedelta(days=6))
    mean = level * np.where(weekend, 0.02, 1.0) * np.where(in_break, 0.04, 1.0)
    mean = mean * np.where((region == "UA-46") & (day == STRIKE), 0.1, 1.0)
    mean = mean * np.where((region == "UA-63") & ~school & (day == BAD_DAY), 0.55, 1.0)
    counts = rng.poisson(mean)
    daily = pl.DataFrame({
        "institution_id": np.repeat(ids, len(days)),
        "date": pl.Series(days * len(ids), dtype=pl.Date),
        "meetings": counts.ravel(),
    })
    directory = pl.DataFrame({"institution_id": ids, "name": ids, "region": regions, "kind": kinds})
    return daily, directory


def test_strike_right_after_a_regions_break_is_a_region_episode_and_breaks_are_not():
    daily, directory = scenario()
    eps = DropDetector().fit(daily, directory).episodes_
    regional = eps.filter(pl.col("scope") == "region")
    # Only the strike: neither the breaks nor the universities' bad day make a region episode.
    assert regional.select("region", "start", "detected_on").rows() == [("UA-46", STRIKE, STRIKE)]
    assert regional["end"][0] == STRIKE
    assert eps.filter(pl.col("scope") == "institution").height == 0
