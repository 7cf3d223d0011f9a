"""Naive local times in CSV exports -> UTC, and UTC -> wall-clock times of the store's zone.

The date format is decided once per file from file-level evidence (a day above 12, AM/PM
markers), never per row. Localisation is DST-correct for Europe/Kyiv and any other zone: on
the October fall-back day the repeated hour is resolved by the meeting's stated duration;
a time that does not exist (the skipped March hour) is an error naming the row.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

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
# Hours an AM/PM marker adds, for every way of writing it (the general parser ignores case).
_MARKER_HOURS = {a + b: hours for hours, letter in ((0, "a"), (12, "p"))
                 for a in (letter, letter.upper()) for b in ("m", "M")}


class TimeFormatError(ValueError):
    pass


def _parses(values: pl.Series, fmt: str) -> bool:
    parsed = parse_naive(pl.DataFrame({"t": values}), {"t": "t"}, fmt)["t"]
    return parsed.null_count() == values.null_count()


def _present(values: pl.Series) -> pl.Series:
    present = values.drop_nulls().str.strip_chars()
    return present.filter(present != "")


def choose_format(values: pl.Series) -> str:
    """The one date-time format of a column of strings (nulls ignored)."""
    # The sample is the first _SAMPLE present values; a few times as many leading values
    # nearly always hold them, which spares cleaning the whole column.
    sample = _present(values.head(4 * _SAMPLE))
    if len(sample) < _SAMPLE and len(values) > 4 * _SAMPLE:
        sample = _present(values)
    if sample.is_empty():
        raise TimeFormatError("no date-times found")
    sample = sample.head(_SAMPLE)
    for fmt in FORMATS:
        if not _parses(sample, fmt):
            continue
        swapped = _SWAPPED.get(fmt)
        if swapped and _parses(sample, swapped):
            # Both month-first and day-first fit the sample: let the whole column decide.
            if not _parses(_present(values), fmt):
                return swapped
        return fmt
    # Name a value that does not fit the format most of the column fits, not a good one.
    fits = {fmt: parse_naive(pl.DataFrame({"t": sample}), {"t": "t"}, fmt)["t"] for fmt in FORMATS}
    best = max(FORMATS, key=lambda fmt: fits[fmt].count())
    example = sample.filter(fits[best].is_null())[0]
    raise TimeFormatError(f"unrecognised date-time '{example[:40]}'")


def parse_naive(frame: pl.DataFrame, columns: dict[str, str], fmt: str) -> pl.DataFrame:
    """`frame` with naive date-time columns {new name: text column} read in `fmt`, ignoring
    surrounding whitespace; null where a value does not fit."""
    # Values are read as they are first: exports carry no surrounding whitespace, and
    # stripping every value cost as much as parsing it. Only when some value does not fit
    # is the column read again, stripped (a value that fits as it is reads the same stripped).
    parsed = _parse(frame, columns, fmt, strip=False)
    if all(parsed[name].null_count() == frame[source].null_count() for name, source in columns.items()):
        return parsed
    return _parse(frame, columns, fmt, strip=True)


def _parse(frame: pl.DataFrame, columns: dict[str, str], fmt: str, strip: bool) -> pl.DataFrame:
    text = {name: pl.col(source).str.strip_chars() if strip else pl.col(source)
            for name, source in columns.items()}
    leap = pl.any_horizontal(pl.col(source).str.contains(":60", literal=True).any() for source in columns.values())
    if not fmt.endswith(" %p") or frame.select(leap).item():
        # A leap second (":60") rolls the clock into the next minute, maybe the next hour,
        # before an AM/PM marker could be applied: such columns take the general parser.
        return frame.with_columns(_strptime(t, fmt).alias(name) for name, t in text.items())
    # Zoom's `... %I:%M:%S %p`: polars reads %I/%p with a general parser about four times
    # slower than its fast path for numeric fields, and every meeting has two such times.
    # So the clock is read as 24-hour time without the marker, and the marker applied after.
    # The marker may be in any case and follow the time with or without spaces, as the
    # general parser allows (tests/monitor/ingest/test_time_formats.py holds them equal).
    fmt24 = fmt.removesuffix(" %p").replace("%I", "%H")
    frame = frame.with_columns(
        *(_strptime(t.str.head(-2).str.strip_chars_end(), fmt24).alias(name) for name, t in text.items()),
        *(t.str.slice(-2).alias(f"_{name}_marker") for name, t in text.items()),
    )
    return frame.with_columns(_twelve_hour(name, f"_{name}_marker") for name in columns).drop(
        f"_{name}_marker" for name in columns
    )


def _strptime(text: pl.Expr, fmt: str) -> pl.Expr:
    # No cache: start and end times are nearly all distinct, so a cache only costs.
    return text.str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True, cache=False)


def _twelve_hour(clock: str, marker: str) -> pl.Expr:
    """A clock read as 24-hour time (hour 1..12) moved to the hour its AM/PM marker says."""
    hour = pl.col(clock).dt.hour().cast(pl.Int64)
    # A lookup of the marker as written is several times cheaper than upper-casing it.
    afternoon = pl.col(marker).replace_strict(_MARKER_HOURS, default=None, return_dtype=pl.Int64)
    shift = pl.when(hour.is_between(1, 12)).then(hour % 12 + afternoon - hour)  # null: no fit
    # In integer microseconds: adding a duration column is several times slower.
    return (pl.col(clock).cast(pl.Int64) + shift * 3_600_000_000).cast(pl.Datetime("us")).alias(clock)


def localize_span(frame: pl.DataFrame, start: str, end: str, minutes: str, tz: str) -> pl.DataFrame:
    """Add `start_utc` and `end_utc` from naive local `start`/`end` columns and the stated
    length in `minutes`.

    Outside the repeated hour both readings of a time agree. Inside it, the pair of readings
    whose length is closest to `minutes` wins (earliest on a tie, e.g. a meeting wholly inside
    the repeated hour, where nothing in the file can tell).
    """
    offset = _one_offset(frame, (start, end), tz)
    if offset is not None:
        # No clock change anywhere near the file's times (nearly every export): one offset for
        # all instead of a time-zone lookup per value (as wall_clock, the other way round).
        return frame.with_columns(
            (pl.col(column) - offset).dt.replace_time_zone("UTC").alias(target)
            for column, target in ((start, "start_utc"), (end, "end_utc"))
        )
    return _localize_each(frame, start, end, minutes, tz)


def wall_clock(utc: pl.Series, tz: str) -> pl.Series:
    """Naive wall-clock times in `tz` of UTC date-times."""
    naive = utc.dt.replace_time_zone(None)
    # One offset for all when the zone keeps it around the values (nearly every file): a
    # tenth of the cost of a time-zone lookup per value. The probes run a day either side of
    # the values read as local times; a UTC time is within 14 h of its wall time, so they
    # cover the wall times too.
    offset = _one_offset(naive.to_frame("t"), ("t",), tz)
    if offset is None:
        return utc.dt.convert_time_zone(tz).dt.replace_time_zone(None)
    return naive + offset


def _one_offset(frame: pl.DataFrame, columns: tuple[str, ...], tz: str) -> dt.timedelta | None:
    """The UTC offset of every time in `columns` when the zone's offset is the same every 12
    hours from a day before the earliest to a day after the latest (at most 33 days): no clock
    change, repeated or skipped hour is then near any of them. None otherwise."""
    # As microseconds: polars holds years Python cannot (a damaged "04/02/-1025").
    lo, hi = frame.select(pl.min_horizontal(pl.col(c).min() for c in columns).cast(pl.Int64).alias("lo"),
                          pl.max_horizontal(pl.col(c).max() for c in columns).cast(pl.Int64).alias("hi")).row(0)
    if lo is None or hi - lo > 31 * 86_400_000_000:
        return None
    zone = zoneinfo.ZoneInfo(tz)
    probes = (hi - lo) // (12 * 3_600_000_000) + 5
    try:
        first = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=lo) - dt.timedelta(days=1)
        offsets = {(first + n * dt.timedelta(hours=12)).replace(tzinfo=zone).utcoffset() for n in range(probes)}
    except OverflowError:  # times at the ends of the calendar: read each
        return None
    return offsets.pop() if len(offsets) == 1 else None


def _localize_each(frame: pl.DataFrame, start: str, end: str, minutes: str, tz: str) -> pl.DataFrame:
    """localize_span for any times, each read in the zone (both readings in the repeated hour)."""
    def read(column: str, which: str) -> pl.Expr:
        return (
            pl.col(column).dt.replace_time_zone(tz, ambiguous=which, non_existent="null")
            .dt.convert_time_zone("UTC")
        )

    # One reading first: times in the repeated or the skipped hour come out null. Only those
    # few rows (two days a year) need both readings.
    frame = frame.with_columns(read(start, "null").alias("_s"), read(end, "null").alias("_e"))
    unsure = pl.col("_s").is_null() | pl.col("_e").is_null()
    if not frame.select(unsure.any()).item():
        return frame.rename({"_s": "start_utc", "_e": "end_utc"})
    frame = frame.with_columns(
        read(start, "earliest").alias("_s0"), read(start, "latest").alias("_s1"),
        read(end, "earliest").alias("_e0"), read(end, "latest").alias("_e1"),
    ).drop("_s", "_e")
    stated = pl.col(minutes).cast(pl.Float64) * 60.0
    pairs = [("_s0", "_e0"), ("_s0", "_e1"), ("_s1", "_e0"), ("_s1", "_e1")]

    def misfit(s: str, e: str) -> pl.Expr:
        seconds = (pl.col(e) - pl.col(s)).dt.total_seconds().cast(pl.Float64)
        return pl.when(seconds < 0).then(float("inf")).otherwise((seconds - stated).abs())

    frame = frame.with_columns(
        pl.concat_list([misfit(s, e) for s, e in pairs]).list.arg_min().alias("_pick")
    )
    choose = {}
    for target, index in (("start_utc", 0), ("end_utc", 1)):
        expr = pl.col(pairs[0][index])
        for number, pair in enumerate(pairs[1:], start=1):
            expr = pl.when(pl.col("_pick") == number).then(pl.col(pair[index])).otherwise(expr)
        choose[target] = expr
    return frame.with_columns(**choose).drop("_s0", "_s1", "_e0", "_e1", "_pick")
