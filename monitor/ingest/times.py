"""Naive local times in CSV exports -> UTC.

The date format is decided once per file from file-level evidence (a day above 12, AM/PM
markers), never per row. Localisation is DST-correct for Europe/Kyiv and any other zone: on
the October fall-back day the repeated hour is resolved by the meeting's stated duration;
a time that does not exist (the skipped March hour) is an error naming the row.
"""

from __future__ import annotations

import polars as pl

# Tried in this order; the first under which every sampled value parses wins, except that
# month-first and day-first formats that both fit are settled on the whole column.
FORMATS = (
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
)
_SWAPPED = {
    "%m/%d/%Y %H:%M:%S": "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M": "%d/%m/%Y %H:%M",
}
_SAMPLE = 2000


class TimeFormatError(ValueError):
    pass


def _parses(values: pl.Series, fmt: str) -> bool:
    parsed = values.str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True)
    return parsed.null_count() == values.null_count()


def choose_format(values: pl.Series) -> str:
    """The one date-time format of a column of strings (nulls ignored)."""
    present = values.drop_nulls().str.strip_chars()
    present = present.filter(present != "")
    if present.is_empty():
        raise TimeFormatError("no date-times found")
    sample = present.head(_SAMPLE)
    for fmt in FORMATS:
        if not _parses(sample, fmt):
            continue
        swapped = _SWAPPED.get(fmt)
        if swapped and _parses(sample, swapped):
            # Both month-first and day-first fit the sample: let the whole column decide.
            if not _parses(present, fmt):
                return swapped
        return fmt
    example = sample[0]
    raise TimeFormatError(f"unrecognised date-time '{example[:40]}'")


def parse_naive(column: str, fmt: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True)


def localize_span(start: pl.Expr, end: pl.Expr, minutes: pl.Expr, tz: str) -> tuple[pl.Expr, pl.Expr]:
    """UTC start and end of meetings given naive local times and their stated length.

    Outside the repeated hour both readings agree. Inside it, the pair of readings whose
    length is closest to `minutes` wins (earliest on a tie, e.g. a meeting wholly inside
    the repeated hour, where nothing in the file can tell).
    """
    def read(expr: pl.Expr, which: str) -> pl.Expr:
        return expr.dt.replace_time_zone(tz, ambiguous=which, non_existent="null").dt.convert_time_zone("UTC")

    s_early, s_late = read(start, "earliest"), read(start, "latest")
    e_early, e_late = read(end, "earliest"), read(end, "latest")
    stated = minutes.cast(pl.Float64) * 60.0
    candidates = [(s_early, e_early), (s_early, e_late), (s_late, e_early), (s_late, e_late)]

    def misfit(s: pl.Expr, e: pl.Expr) -> pl.Expr:
        seconds = (e - s).dt.total_seconds().cast(pl.Float64)
        # A negative length is impossible; stated minutes are rounded up, so allow 60 s.
        return pl.when(seconds < 0).then(float("inf")).otherwise((seconds - stated).abs())

    best_s, best_e, best_fit = candidates[0][0], candidates[0][1], misfit(*candidates[0])
    for s, e in candidates[1:]:
        fit = misfit(s, e)
        better = fit < best_fit
        best_s = pl.when(better).then(s).otherwise(best_s)
        best_e = pl.when(better).then(e).otherwise(best_e)
        best_fit = pl.when(better).then(fit).otherwise(best_fit)
    return best_s, best_e
