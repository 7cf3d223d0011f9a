from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from models.baselines import RollingZScore, SeasonalResidual
from models.summary import institution_weeks, sparkline, weekly

START = dt.date(2022, 9, 5)


def frame(onset: dt.date, days: int = 70) -> pl.DataFrame:
    rng = np.random.default_rng(1)
    rows = []
    for d in range(days):
        day = START + dt.timedelta(days=d)
        mean = (40.0 if day.weekday() < 5 else 2.0) * (0.05 if day >= onset else 1.0)
        rows.append(("A", day, int(rng.poisson(mean))))
    return pl.DataFrame(rows, schema={"institution_id": pl.String, "date": pl.Date, "meetings": pl.Int64},
                        orient="row")


def test_baselines_flag_a_collapse_on_its_second_day_and_only_then():
    onset = dt.date(2022, 10, 26)  # a Wednesday, after 7 weeks
    for model in (RollingZScore(), SeasonalResidual()):
        eps = model.fit(frame(onset)).episodes_
        assert eps.select("start", "detected_on").rows()[0] == (onset, onset + dt.timedelta(days=1)), type(model)


def test_baselines_are_causal():
    onset = dt.date(2022, 10, 26)
    daily = frame(onset)
    full = RollingZScore().fit(daily).score_
    cut = RollingZScore().fit(daily, as_of=dt.date(2022, 10, 20)).score_
    np.testing.assert_allclose(cut, full[:, : cut.shape[1]], equal_nan=True)


def test_weekly_summary_and_sparkline():
    dates = [dt.date(2022, 10, 3) + dt.timedelta(days=d) for d in range(13)]  # Mon 3 .. Sat 15 Oct
    observed, expected = np.full((2, 13), np.nan), np.full((2, 13), np.nan)
    observed[0, [0, 1, 7, 12]], expected[0, [0, 1, 7]] = [10, 10, 5, 4], [10, 10, 10]  # Sat 15: not judged
    observed[1, 7], expected[1, 7] = 3, 6
    weeks = institution_weeks(np.array(["A", "B"]), dates, observed, expected)
    assert weeks.rows() == [("A", dt.date(2022, 10, 3), 20.0, 20.0, 20.0, 2, 2),
                            ("A", dt.date(2022, 10, 10), 9.0, 5.0, 10.0, 1, 2),
                            ("B", dt.date(2022, 10, 10), 3.0, 3.0, 6.0, 1, 1)]
    w = weekly(weeks)
    assert w.select("observed", "expected", "days").rows() == [(20.0, 20.0, 2), (12.0, 16.0, 2)]
    assert w["ratio"].to_list() == [1.0, 0.5]  # judged days only: (5 + 3) / 16
    # From a Tuesday on, the first week is still labelled by its Monday.
    assert institution_weeks(np.array(["A", "B"]), dates, observed, expected, first=1)["week"][0] == dt.date(2022, 10, 3)
    assert sparkline([0.0, 0.5, 1.0, None]) == "▁▅█ "
