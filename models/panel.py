"""Daily metrics as a dense institution x day panel, the shape every detector works on.

A covered day is a number (zero included); an uncovered day is NaN, never zero. Institutions
are the union of the directory and the daily frame; ones missing from the directory get
region "" and kind "school" so they are still judged (attribution just cannot group them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from models.calendar import KINDS


@dataclass(frozen=True)
class Panel:
    ids: np.ndarray  # (N,) institution ids, sorted
    dates: list[dt.date]  # (T,) consecutive days
    values: np.ndarray  # (N, T) float64, NaN where uncovered
    region: np.ndarray  # (N,) region code ("" when unknown)
    kind: np.ndarray  # (N,) index into KINDS
    day_covered: np.ndarray  # (T,) any institution has a row that day

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape


def build_panel(
    daily: pl.DataFrame,
    directory: pl.DataFrame | None,
    metric: str,
    first: dt.date | None = None,
    last: dt.date | None = None,
    institutions: np.ndarray | None = None,
) -> Panel:
    """Pivot `daily` into a Panel over [first, last] (defaults: the data's own span). Its rows
    are the institutions of the directory and of the data in that span, or exactly
    `institutions` (sorted: those of an earlier panel) when given: ValueError if that leaves one out."""
    if first is None:
        first = daily["date"].min() if daily.height else last
    if last is None:
        last = daily["date"].max() if daily.height else first
    if first is None or last is None or last < first:
        dates: list[dt.date] = []
    else:
        dates = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    # Lazily, so that only the columns asked for are materialised: years of national history
    # are tens of millions of rows, and a filtered copy of the frame or a join on the id
    # strings held several copies of them (1.2 GB more at peak for three years of 16,000
    # institutions).
    rows = daily.lazy().filter(
        pl.col("date").is_between(first, last) & pl.col("institution_id").is_not_null()
        if dates else pl.lit(False)
    )
    known = directory.select("institution_id", "region", "kind") if directory is not None else None
    ids = rows.select(pl.col("institution_id").unique()).collect()["institution_id"]
    if known is not None:
        ids = pl.concat([ids, known["institution_id"]]).unique()
    ids_sorted = ids.sort()
    if institutions is not None:
        if not set(ids_sorted.to_list()) <= set(institutions.tolist()):
            raise ValueError("the data or the directory has institutions the given rows lack")
        ids_sorted = pl.Series("institution_id", institutions, dtype=pl.String)
    index = pl.DataFrame({"institution_id": ids_sorted, "row": np.arange(len(ids_sorted))})
    values = np.full((len(ids_sorted), len(dates)), np.nan)
    located = rows.select(
        # Each row's flat position in the panel (row-major).
        (pl.col("institution_id").cast(pl.Enum(ids_sorted)).to_physical().cast(pl.Int64) * len(dates)
         + (pl.col("date") - pl.lit(first)).dt.total_days()).alias("flat"),
        pl.col(metric).cast(pl.Float64).alias("value"),
    ).collect()
    values.ravel()[located["flat"].to_numpy()] = located["value"].to_numpy()
    meta = index.join(known, on="institution_id", how="left") if known is not None else index
    region = (meta["region"].fill_null("").to_numpy() if "region" in meta.columns
              else np.full(len(ids_sorted), "", dtype=object))
    kind_col = meta["kind"] if "kind" in meta.columns else pl.Series([None] * meta.height, dtype=pl.String)
    kind = kind_col.replace_strict({k: i for i, k in enumerate(KINDS)}, default=0,
                                   return_dtype=pl.Int64).to_numpy()
    # A null metric (active_hosts from sources without hosts) is NaN: uncovered for that metric.
    covered = ~np.isnan(values).all(axis=0) if len(ids_sorted) else np.zeros(len(dates), bool)
    return Panel(ids_sorted.to_numpy(), dates, values, np.asarray(region, dtype=object), kind,
                 covered)
