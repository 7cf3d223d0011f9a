"""The school calendar detection uses, from the [calendar] settings: break and exam-session
windows per school year and institution kind (replacing the defaults of models/calendar.py),
extra days off, and whether martial-law working holidays are judged.

A window is written "YYYY-MM-DD..YYYY-MM-DD label" (first and last day, inclusive). It is
where a break *may* fall, not the break itself: make it wide enough for every school of that
kind, since the detector tells a break from a drop inside it by comparing with peers.
"""

from __future__ import annotations

import datetime as dt
import re

from models.calendar import FAMILY, KINDS, SchoolCalendar, Window
from monitor.errors import ConfigError

# Kinds whose breaks the region sets with the schools' (models/calendar.py FAMILY).
SCHOOL_LIKE = tuple(k for k in KINDS if k != "school" and FAMILY[k] == FAMILY["school"])
_WINDOW = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})\s*(.*?)\s*$")


def parse_window(text: str, school_year: int) -> Window:
    """One window of the school year that starts in September of `school_year`."""
    match = _WINDOW.match(text)
    if not match:
        raise ConfigError(f"[calendar] window '{text}' is not 'YYYY-MM-DD..YYYY-MM-DD label'; "
                          "write it like \"2024-10-21..2024-11-03 autumn break\"")
    try:
        first, last = (dt.date.fromisoformat(match[i]) for i in (1, 2))
    except ValueError:
        raise ConfigError(f"[calendar] window '{text}' holds an impossible date; check the days") from None
    if last < first:
        raise ConfigError(f"[calendar] window '{text}' ends before it starts; swap the dates")
    opens, closes = dt.date(school_year, 9, 1), dt.date(school_year + 1, 8, 31)
    if first < opens or last > closes:
        raise ConfigError(f"[calendar] window '{text}' lies outside school year {school_year} "
                          f"({opens}..{closes}); list it under the year its school year starts in")
    return first, last, match[3] or "break"


def parse_windows(windows: dict[str, dict[str, list[str]]]) -> dict[tuple[int, str], list[Window]]:
    """{school year: {kind: [window, ...]}} from the settings -> SchoolCalendar overrides."""
    overrides: dict[tuple[int, str], list[Window]] = {}
    for year_text, kinds in windows.items():
        if not re.fullmatch(r"\d{4}", year_text):
            raise ConfigError(f"[calendar.windows] '{year_text}' is not a year; key windows by the "
                              "year the school year starts in, e.g. [calendar.windows.2024]")
        year = int(year_text)
        for kind, texts in kinds.items():
            if kind not in KINDS:
                raise ConfigError(f"[calendar.windows.{year}] unknown institution kind '{kind}'; "
                                  f"use {', '.join(KINDS)}")
            overrides[(year, kind)] = sorted(parse_window(text, year) for text in texts)
        # Vocational schools and colleges keep school breaks unless given their own.
        if (year, "school") in overrides:
            for kind in SCHOOL_LIKE:
                overrides.setdefault((year, kind), overrides[(year, "school")])
    return overrides


def parse_days(days: list[str]) -> tuple[dt.date, ...]:
    parsed = []
    for text in days:
        try:
            parsed.append(dt.date.fromisoformat(text.strip()))
        except ValueError:
            raise ConfigError(f"[calendar] extra_days_off: '{text}' is not a date; write YYYY-MM-DD") from None
    return tuple(sorted(parsed))


def school_calendar(settings) -> SchoolCalendar:
    """The SchoolCalendar of a CalendarSettings section."""
    return SchoolCalendar(overrides=parse_windows(settings.windows),
                          judge_working_holidays=settings.judge_working_holidays,
                          extra_holidays=parse_days(settings.extra_days_off))
