"""[calendar] settings: break windows per school year and kind, extra days off; bad values are
clear errors naming what to write instead."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.school_calendar import school_calendar
from monitor.settings import load_settings

GOOD = """
[calendar]
extra_days_off = ["2024-11-04"]
judge_working_holidays = true

[calendar.windows.2024]
school = ["2024-10-21..2024-11-10 autumn break", "2024-12-20..2025-01-19 winter break"]
university = []
"""


def calendar_of(tmp_path: Path, text: str):
    path = tmp_path / "monitor.toml"
    path.write_text(text, encoding="utf-8")
    return school_calendar(load_settings(path).calendar)


def test_windows_replace_the_defaults_of_their_year_and_kind_only(tmp_path):
    calendar = calendar_of(tmp_path, GOOD)
    assert calendar.windows(2024, "school") == [
        (dt.date(2024, 10, 21), dt.date(2024, 11, 10), "autumn break"),
        (dt.date(2024, 12, 20), dt.date(2025, 1, 19), "winter break"),
    ]
    assert calendar.windows(2024, "university") == []  # judged all year
    # Colleges keep school breaks unless given their own; other years keep the defaults.
    assert calendar.windows(2024, "college") == calendar.windows(2024, "vocational") == calendar.windows(2024, "school")
    own = calendar_of(tmp_path, GOOD.replace("university = []", 'college = ["2024-10-28..2024-11-03 autumn"]'))
    assert own.windows(2024, "college") == [(dt.date(2024, 10, 28), dt.date(2024, 11, 3), "autumn")]
    assert calendar.windows(2025, "school") == calendar_of(tmp_path, "").windows(2025, "school")
    assert calendar.holidays(dt.date(2024, 11, 4), dt.date(2024, 11, 4)) == {dt.date(2024, 11, 4): "extra day off"}
    assert calendar.judge_working_holidays


@pytest.mark.parametrize(("window", "message"), [
    ("2024-10-21 - 2024-11-10", "is not 'YYYY-MM-DD..YYYY-MM-DD label'"),
    ("2024-10-21..2024-02-30 x", "holds an impossible date"),
    ("2024-11-10..2024-10-21 x", "ends before it starts; swap the dates"),
    ("2025-10-21..2025-11-10 x", "lies outside school year 2024 (2024-09-01..2025-08-31)"),
])
def test_a_bad_window_is_named(tmp_path, window, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        calendar_of(tmp_path, f'[calendar.windows.2024]\nschool = ["{window}"]\n')
    assert str(caught.value).startswith(f"{tmp_path / 'monitor.toml'}: [calendar] window '{window}'")


@pytest.mark.parametrize(("text", "message"), [
    ('[calendar.windows.2024]\nkindergarten = []\n', "unknown institution kind 'kindergarten'; use school, "),
    ('[calendar.windows.next]\nschool = []\n', "'next' is not a year"),
    ('[calendar]\nextra_days_off = ["4 Nov"]\n', "extra_days_off: '4 Nov' is not a date"),
    ('[calendar]\nwindows = {"2024" = {school = "2024-10-21..2024-11-10"}}\n', "'windows' must be a table"),
])
def test_other_mistakes_are_named(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message):
        calendar_of(tmp_path, text)
