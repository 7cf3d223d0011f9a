"""Naive CSV times: the 12-hour fast path must read exactly what polars' general parser reads,
and format choice must settle month-first against day-first on the whole column."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.times import (
    FORMATS,
    TimeFormatError,
    _localize_each,
    choose_format,
    localize_span,
    parse_naive,
    wall_clock,
)

TWELVE_HOUR = [f for f in FORMATS if f.endswith("%p")]


def _general(values: list[str | None], fmt: str) -> list:
    return pl.Series(values, dtype=pl.String).str.strip_chars().str.strptime(
        pl.Datetime("us"), fmt, strict=False, exact=True
    ).to_list()


def _fast(values: list[str | None], fmt: str) -> list:
    frame = pl.DataFrame({"t": values}, schema={"t": pl.String})
    return parse_naive(frame, {"parsed": "t"}, fmt)["parsed"].to_list()


EDGES = [
    "02/08/2025 03:42:49 PM", "02/08/2025 3:42:49 pm", "2/8/2025 03:42:49 PM", "02/08/2025 03:42:49PM",
    "02/08/2025 03:42:49  PM", " 02/08/2025 03:42:49 AM ", "02/08/2025 12:00:00 AM", "02/08/2025 12:59:59 PM",
    "02/08/2025 11:59:59 PM", "02/08/2025 00:42:49 AM", "02/08/2025 13:42:49 PM", "02/08/2025 03:42:49 XM",
    "02/30/2025 01:00:00 AM", "02/08/2025 03:42 PM", "02/08/2025 03:42:49", "PM", "", None,
]
# A leap second rolls into the next hour: hour 0 (no 12-hour time) and 12 AM must not shift.
LEAP = ["01/01/2024 0:59:60AM", "01/01/2024 12:59:60 AM", "01/01/2024 11:59:60 PM", "01/01/2024 03:42:49 PM"]


@pytest.mark.parametrize("fmt", TWELVE_HOUR)
def test_twelve_hour_times_read_as_the_general_parser_reads_them(fmt):
    assert _fast(EDGES, fmt) == _general(EDGES, fmt)
    assert _fast(LEAP, fmt) == _general(LEAP, fmt)
    assert _fast(["02/08/2025 12:30:00 AM"], "%m/%d/%Y %I:%M:%S %p")[0].hour == 0
    assert _fast(["02/08/2025 12:30:00 PM"], "%m/%d/%Y %I:%M:%S %p")[0].hour == 12


# Surrounding whitespace: values are parsed as they are first, stripped only when some fail.
padding = st.sampled_from(["", "", " ", "\t", "  "])
clock_text = st.builds(
    "{}{:02d}/{:02d}/{} {}:{:02d}:{:02d}{}{}{}".format,
    padding, st.integers(0, 13), st.integers(0, 32), st.sampled_from(["2024", "2025", "99"]),
    st.sampled_from(["0", "00", "1", "01", "9", "11", "12", "13", "23"]), st.integers(0, 60), st.integers(0, 60),
    st.sampled_from(["", " ", "  "]), st.sampled_from(["AM", "PM", "am", "pM", "Pm", "aM", "XM", "A", ""]), padding,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(clock_text, min_size=1, max_size=20))
def test_any_near_miss_reads_as_the_general_parser_reads_it(values):
    assert _fast(values, "%m/%d/%Y %I:%M:%S %p") == _general(values, "%m/%d/%Y %I:%M:%S %p")


@pytest.mark.parametrize("fmt", ["%Y-%m-%d %H:%M:%S", "%d.%m.%Y %H:%M"])
def test_padded_and_bad_values_read_as_the_general_parser_reads_them(fmt):
    values = ["2025-02-08 15:42:49", " 2025-02-08 15:42:49 ", "\t08.02.2025 15:42", "08.02.2025 15:42",
              "08.02.2025 15:42  ", "2025-02-30 10:00:00", "", None]
    assert _fast(values, fmt) == _general(values, fmt)
    assert _fast(values[:1] + values[-1:], fmt) == _general(values[:1] + values[-1:], fmt)


def test_format_is_chosen_from_the_column():
    assert choose_format(pl.Series(["02/08/2025 03:42:49 PM", None, ""])) == "%m/%d/%Y %I:%M:%S %p"
    assert choose_format(pl.Series(["2025-02-08 15:42:49"])) == "%Y-%m-%d %H:%M:%S"
    # Both readings fit the first values; a day above 12 further down settles it.
    days_first = ["01/02/2025 10:00"] * 5000 + ["25/02/2025 10:00"]
    assert choose_format(pl.Series(days_first)) == "%d/%m/%Y %H:%M"
    with pytest.raises(TimeFormatError, match="unrecognised date-time 'yesterday'"):
        choose_format(pl.Series(["yesterday"]))


# Local times in a zone, away from and around its clock changes (Casablanca changes twice
# within a month around Ramadan).
ZONES = {"Europe/Kyiv": ["2022-10-30", "2023-03-26", "2023-02-10"],
         "Africa/Casablanca": ["2024-03-10", "2024-04-14", "2024-06-01"], "UTC": ["2024-01-01"]}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([(z, d) for z, days in ZONES.items() for d in days]),
       st.lists(st.tuples(st.integers(-40 * 24 * 60, 40 * 24 * 60), st.integers(0, 180)), min_size=1, max_size=30),
       st.integers(0, 45))
def test_one_offset_for_a_file_reads_as_each_time_read_alone(zone_day, starts, spread):
    """A file away from clock changes takes one offset for all its times; the result is the
    one reading each time in the zone gives, whatever the zone and wherever its changes are."""
    zone, day = zone_day
    base = dt.datetime.fromisoformat(day)
    rows = [(base + dt.timedelta(minutes=m * spread // 45), m2) for m, m2 in starts]
    frame = pl.DataFrame({"s": [r[0] for r in rows], "e": [r[0] + dt.timedelta(minutes=r[1]) for r in rows],
                          "m": [r[1] for r in rows]}, schema={"s": pl.Datetime("us"), "e": pl.Datetime("us"), "m": pl.Int32})
    quick = localize_span(frame, "s", "e", "m", zone)
    assert quick.equals(_localize_each(frame, "s", "e", "m", zone))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([(z, d) for z, days in ZONES.items() for d in days]),
       st.lists(st.integers(-40 * 24 * 60, 40 * 24 * 60), min_size=1, max_size=30), st.integers(0, 45))
def test_wall_clock_reads_as_each_time_converted_alone(zone_day, minutes, spread):
    """UTC times of a file, near a clock change or far from it, get the wall-clock times a
    conversion of each one in the zone gives."""
    zone, day = zone_day
    base = dt.datetime.fromisoformat(day).replace(tzinfo=dt.timezone.utc)
    utc = pl.Series([base + dt.timedelta(minutes=m * spread // 45) for m in minutes], dtype=pl.Datetime("us", "UTC"))
    assert wall_clock(utc, zone).equals(utc.dt.convert_time_zone(zone).dt.replace_time_zone(None))
