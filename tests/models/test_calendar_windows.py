from __future__ import annotations

import datetime as dt

from models.calendar import SchoolCalendar, default_windows, school_year_of


def test_school_year_starts_in_september():
    assert school_year_of(dt.date(2022, 9, 1)) == 2022
    assert school_year_of(dt.date(2023, 5, 31)) == 2022


def test_default_windows_differ_by_kind_and_cross_the_new_year():
    school = default_windows(2022, "school")
    assert ("winter break" in [w[2] for w in school])
    winter = next(w for w in school if w[2] == "winter break")
    assert winter[0].year == 2022 and winter[1].year == 2023
    uni = default_windows(2022, "university")
    assert [w[2] for w in uni] == ["winter exam session and break", "summer session and break"]


def test_overrides_replace_the_windows_of_one_year_and_kind_only():
    mine = [(dt.date(2022, 10, 31), dt.date(2022, 11, 6), "autumn")]
    cal = SchoolCalendar(overrides={(2022, "school"): mine})
    assert cal.windows(2022, "school") == mine
    assert cal.windows(2022, "college") == default_windows(2022, "college")
    assert cal.windows(2023, "school") == default_windows(2023, "school")


def test_masks_mark_weekends_holidays_and_windows():
    days = [dt.date(2022, 10, 10) + dt.timedelta(days=i) for i in range(30)]
    masks = SchoolCalendar().masks(days)
    rest = {d for d, r in zip(days, masks.rest) if r}
    assert dt.date(2022, 10, 15) in rest and dt.date(2022, 10, 16) in rest  # weekend
    assert dt.date(2022, 10, 14) in rest  # Defenders Day: a working holiday under martial law
    assert dt.date(2022, 10, 13) not in rest
    school = masks.window[0]
    assert not school[days.index(dt.date(2022, 10, 21))] and school[days.index(dt.date(2022, 10, 24))]
    first = masks.window_first[0][days.index(dt.date(2022, 11, 1))]
    assert days[first] == dt.date(2022, 10, 22)


def test_holidays_follow_martial_law():
    cal = SchoolCalendar()
    before = cal.holidays(dt.date(2022, 1, 1), dt.date(2022, 1, 10))
    assert dt.date(2022, 1, 7) in before  # a day off before the full-scale invasion
    after = cal.holidays(dt.date(2023, 3, 1), dt.date(2023, 3, 31))
    assert dt.date(2023, 3, 8) in after  # kept as a working holiday: not judged
    judged = SchoolCalendar(judge_working_holidays=True).holidays(dt.date(2023, 3, 1), dt.date(2023, 3, 31))
    assert dt.date(2023, 3, 8) not in judged
