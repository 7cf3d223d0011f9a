"""The Ukrainian school calendar as detection needs it: weekends, public holidays and the
windows in which term breaks and exam sessions may fall.

Breaks are not fixed nationally: each school (or its region) picks its autumn, winter and spring
break inside a customary window. The calendar therefore gives *windows*, per school year and
institution kind; the detector decides inside a window, from the institution's peers, whether
a quiet day is a break or a drop. Defaults below follow the Ministry's recommendations of
2022-2024; pass `overrides` to replace the windows of a given school year and kind.

Public holidays come from the `holidays` package's UA calendar, which applies the martial-law
rule: since 24 February 2022 public holidays are working days (Law 2136-IX); the package lists
them in its "workday" category instead of "public".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

KINDS = ("school", "vocational", "college", "university")

Window = tuple[dt.date, dt.date, str]  # first day, last day, label

# (month, day) pairs relative to the school year that starts in September of year Y; months
# before September fall in Y + 1. Windows are wider than any single school's break.
_SCHOOL = [((10, 22), (11, 13), "autumn break"), ((12, 19), (1, 22), "winter break"),
           ((3, 10), (4, 8), "spring break"), ((5, 14), (8, 31), "summer")]
_UNIVERSITY = [((12, 10), (2, 12), "winter exam session and break"),
               ((5, 20), (8, 31), "summer session and break")]
# Kinds that share break dates (set by the region) are one peer family for break detection;
# universities set their own sessions, so peers cannot vouch for them.
FAMILY = {"school": 0, "vocational": 0, "college": 0, "university": 1}
DEFAULT_WINDOWS: dict[str, list] = {
    "school": _SCHOOL,
    "vocational": _SCHOOL,
    "college": _SCHOOL,
    "university": _UNIVERSITY,
}


def school_year_of(day: dt.date) -> int:
    """The calendar year in which the school year containing `day` began (1 Sept)."""
    return day.year if day.month >= 9 else day.year - 1


def _resolve(year: int, md: tuple[int, int]) -> dt.date:
    month, day = md
    return dt.date(year if month >= 9 else year + 1, month, day)


def default_windows(school_year: int, kind: str) -> list[Window]:
    return [(_resolve(school_year, a), _resolve(school_year, b), label)
            for a, b, label in DEFAULT_WINDOWS[kind]]


@dataclass(frozen=True)
class SchoolCalendar:
    """Break windows and holidays. `overrides` maps (school_year, kind) to a list of
    (first, last, label) windows that replace the defaults for that year and kind."""

    overrides: dict[tuple[int, str], list[Window]] = field(default_factory=dict)
    judge_working_holidays: bool = False
    extra_holidays: tuple[dt.date, ...] = ()

    def windows(self, school_year: int, kind: str) -> list[Window]:
        if (school_year, kind) in self.overrides:
            return list(self.overrides[(school_year, kind)])
        return default_windows(school_year, kind if kind in DEFAULT_WINDOWS else "school")

    def holidays(self, first: dt.date, last: dt.date) -> dict[dt.date, str]:
        """Days not judged between first and last inclusive: public days off and, unless
        `judge_working_holidays`, the holidays martial law turned into working days (lessons
        are held but many schools ease off, so a dip there is not a drop)."""
        import holidays as holidays_pkg

        categories = ("public",) if self.judge_working_holidays else ("public", "workday")
        years = range(first.year, last.year + 1)
        found = dict(holidays_pkg.Ukraine(years=years, categories=categories).items())
        for day in self.extra_holidays:
            found.setdefault(day, "extra day off")
        return {d: n for d, n in found.items() if first <= d <= last}

    def masks(self, dates: list[dt.date], kinds: tuple[str, ...] = KINDS) -> CalendarMasks:
        """Boolean masks over `dates` (consecutive days): rest days for everyone, and for each
        kind whether the day lies in a break/exam window (label kept for explanations)."""
        if not dates:
            return CalendarMasks(np.zeros(0, bool), np.zeros((len(kinds), 0), bool), [],
                                 np.zeros((len(kinds), 0), np.int64))
        first, last = dates[0], dates[-1]
        offs = self.holidays(first, last)
        rest = np.array([d.weekday() >= 5 or d in offs for d in dates], dtype=bool)
        window = np.zeros((len(kinds), len(dates)), dtype=bool)
        index = {d: i for i, d in enumerate(dates)}
        for k, kind in enumerate(kinds):
            for year in range(school_year_of(first), school_year_of(last) + 1):
                for lo, hi, _label in self.windows(year, kind):
                    a = index.get(max(lo, first))
                    b = index.get(min(hi, last))
                    if a is not None and b is not None and lo <= last and hi >= first:
                        window[k, a:b + 1] = True
        # First day of the window run each day belongs to (T where not in a window).
        first_day = np.full(window.shape, len(dates), dtype=np.int64)
        for k in range(len(kinds)):
            starts = np.flatnonzero(window[k] & ~np.concatenate([[False], window[k, :-1]]))
            run_id = np.cumsum(window[k] & ~np.concatenate([[False], window[k, :-1]])) - 1
            first_day[k] = np.where(window[k], starts[np.maximum(run_id, 0)] if len(starts) else 0,
                                    len(dates))
        return CalendarMasks(rest, window, sorted(offs), first_day)


@dataclass(frozen=True)
class CalendarMasks:
    rest: np.ndarray  # (T,) weekend or public day off
    window: np.ndarray  # (K, T) inside a break / exam window for kind k
    holidays: list[dt.date]
    window_first: np.ndarray  # (K, T) first day index of the window containing the day
