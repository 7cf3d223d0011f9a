"""A level learnt in an earlier school year (before the summer) is held less certain: its
negative-binomial size r is smaller, and shrinks further the older the level's days are."""

from __future__ import annotations

import numpy as np

from models.detector_state import InstitutionState


def learnt_state() -> InstitutionState:
    """Two institutions that learnt the same 30 ordinary days (days 0-29)."""
    state = InstitutionState(2, window=45, recover_days=7)
    five = np.full(2, 5.0)
    for day in range(30):
        state.learn(day, np.ones(2, bool), five, five, five, day % 5, five, np.ones(2))
    return state


def test_a_level_from_last_school_year_is_held_less_certain():
    state = learnt_state()
    level_now, r_now, ready_now = state.baseline(15, 150, 28, year_first=0)
    level_old, r_old, ready_old = state.baseline(15, 150, 28, year_first=100)
    assert ready_now.all() and ready_old.all()
    np.testing.assert_allclose(level_old, level_now)  # the level itself is the same
    assert (r_old < 0.6 * r_now).all()
    _, r_older, _ = state.baseline(15, 220, 28, year_first=100)
    assert (r_older < r_old).all()


def test_a_level_from_this_school_year_is_not_widened_by_a_pause():
    state = learnt_state()
    _, r_soon, _ = state.baseline(15, 60, 28, year_first=0)
    _, r_late, _ = state.baseline(15, 150, 28, year_first=0)
    np.testing.assert_allclose(r_late, r_soon)
