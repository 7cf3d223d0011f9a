"""Weekly activity against expected, and a terminal sparkline, for the institution and region
views. Pure: frames in, frames and strings out."""

from __future__ import annotations

import polars as pl

BARS = "▁▂▃▄▅▆▇█"


def weekly(expected: pl.DataFrame) -> pl.DataFrame:
    """From DropDetector.expected_frame() rows (one or many institutions): per ISO week, the
    observed and expected totals over days that had an expectation, and their ratio."""
    judged = expected.filter(pl.col("expected").is_not_null())
    return (
        judged.group_by(pl.col("date").dt.truncate("1w").alias("week"))
        .agg(pl.col("observed").sum(), pl.col("expected").sum(), pl.len().alias("days"))
        .with_columns(ratio=pl.when(pl.col("expected") > 0)
                      .then(pl.col("observed") / pl.col("expected")).otherwise(None))
        .sort("week")
    )


def sparkline(values: list[float | None], top: float | None = None) -> str:
    """One block character per value, scaled to `top` (default: the largest); gaps as spaces."""
    present = [v for v in values if v is not None]
    if not present:
        return " " * len(values)
    top = top or max(present) or 1.0
    out = []
    for v in values:
        if v is None:
            out.append(" ")
            continue
        level = round(min(max(v / top, 0.0), 1.0) * (len(BARS) - 1))
        out.append(BARS[level])
    return "".join(out)
