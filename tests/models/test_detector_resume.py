"""DropDetector.fit(keep=D) then fit(resume=checkpoint_): the days after D run alone give exactly
what one run over all days gives, also after the state went through plain arrays (npz, no
pickle); a checkpoint that does not fit the data is refused."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from models.detector import DropDetector
from models.detector_run import DetectorRun
from monitor.scenario import ScenarioConfig, simulate

FIRST, LAST = dt.date(2022, 9, 1), dt.date(2023, 1, 31)


@pytest.fixture(scope="module")
def scenario():
    return simulate(ScenarioConfig(5, 600, FIRST, LAST, "harsh-winter"))


@pytest.fixture(scope="module")
def full(scenario):
    return DropDetector().fit(scenario.daily, scenario.directory)


def through_npz(run: DetectorRun) -> DetectorRun:
    buffer = io.BytesIO()
    np.savez(buffer, **run.to_arrays())
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as arrays:
        return DetectorRun.from_arrays(arrays)


# Mid-autumn, a day inside the winter break window, and a Sunday (the run stops on a rest day).
@pytest.mark.parametrize("cut", [dt.date(2022, 10, 12), dt.date(2022, 12, 27), dt.date(2023, 1, 15)])
def test_a_resumed_run_is_the_one_run_over_all_days(scenario, full, cut):
    part = DropDetector().fit(scenario.daily, scenario.directory, as_of=cut, keep=cut)
    days: list[int] = []
    rest = DropDetector().fit(scenario.daily, scenario.directory, resume=through_npz(part.checkpoint_),
                              on_day=lambda done, total: days.append(total))

    assert days[0] == (LAST - cut).days  # only the days after the checkpoint ran
    scopes = dict(full.episodes_.group_by("scope").len().rows())
    assert scopes["institution"] >= 5 and scopes["region"] >= 10 and scopes["platform"]  # to compare
    assert_frame_equal(rest.episodes_, full.episodes_)
    assert np.array_equal(rest.platform_days_, full.platform_days_)
    after = full.panel_.dates.index(cut) + 1
    assert rest.panel_.dates == full.panel_.dates[after:]
    assert np.array_equal(rest.status_, full.status_[:, after:])
    assert np.array_equal(rest.score_, full.score_[:, after:])
    assert np.array_equal(rest.expected_matrix_, full.expected_matrix_[:, after:], equal_nan=True)


def test_the_checkpoint_is_the_state_after_the_kept_day_not_the_last(scenario, full):
    cut = dt.date(2022, 11, 20)
    early = DropDetector().fit(scenario.daily, scenario.directory, keep=cut).checkpoint_
    assert early.next_day == cut + dt.timedelta(days=1)
    rest = DropDetector().fit(scenario.daily, scenario.directory, resume=early)
    assert_frame_equal(rest.episodes_, full.episodes_)


def test_a_resumed_run_with_no_day_left_keeps_the_checkpoint(scenario, full):
    whole = DropDetector().fit(scenario.daily, scenario.directory, keep=LAST)
    again = DropDetector().fit(scenario.daily, scenario.directory, resume=whole.checkpoint_, keep=LAST)
    assert again.checkpoint_ is whole.checkpoint_
    assert_frame_equal(again.episodes_, full.episodes_)


def test_a_checkpoint_of_other_institutions_is_refused(scenario):
    cut = dt.date(2022, 10, 12)
    part = DropDetector().fit(scenario.daily, scenario.directory, as_of=cut, keep=cut)
    newcomer = pl.DataFrame({"institution_id": ["NEW"], "date": [cut + dt.timedelta(days=2)], "meetings": [5]},
                            schema=scenario.daily.select("institution_id", "date", "meetings").schema)
    grown = pl.concat([scenario.daily.select(newcomer.columns), newcomer])
    with pytest.raises(ValueError):
        DropDetector().fit(grown, scenario.directory, resume=part.checkpoint_)
    moved = scenario.directory.with_columns(region=pl.lit("UA-05"))
    with pytest.raises(ValueError):
        DropDetector().fit(scenario.daily, moved, resume=part.checkpoint_)


def test_every_part_of_the_state_survives_the_arrays(scenario):
    # Parts that matter only on a few days (a school's break outlasting its peers') would not
    # show in the comparison of runs above if they were lost.
    run = DropDetector().fit(scenario.daily, scenario.directory, keep=dt.date(2022, 12, 27)).checkpoint_
    before, after = run.to_arrays(), through_npz(run).to_arrays()
    assert before.keys() == after.keys()
    for key in before:
        assert np.array_equal(before[key], after[key], equal_nan=before[key].dtype.kind == "f"), key
    assert run.inst.closed and run.reg.closed  # episodes already over travel in the meta
