from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from models.evidence import nb_llr
from models.peers import nanmedian_rows, weighted_group_median


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1, max_size=9),
                min_size=1, max_size=6))
def test_nanmedian_rows_matches_numpy(rows):
    width = max(len(r) for r in rows)
    a = np.array([[np.nan if v is None else v for v in r] + [np.nan] * (width - len(r)) for r in rows])
    expected = np.array([np.median(r[~np.isnan(r)]) if (~np.isnan(r)).any() else np.nan for r in a])
    np.testing.assert_allclose(nanmedian_rows(a), expected, equal_nan=True)


def test_weighted_median_is_robust_to_one_heavy_member():
    groups = np.array([0, 0, 0, 0, 1, 1])
    values = np.array([1.0, 1.0, 0.9, 0.0, 0.2, 0.4])
    weights = np.array([5.0, 5.0, 5.0, 5.0, 1.0, 3.0])
    mask = np.ones(6, bool)
    median, count = weighted_group_median(groups, values, weights, mask, 3)
    assert median[0] == 0.9 and median[1] == 0.4 and np.isnan(median[2])
    assert count.tolist() == [4, 2, 0]


def test_evidence_counts_more_for_bigger_institutions_and_is_negative_when_normal():
    mu = np.array([2.0, 20.0, 200.0])
    r = np.full(3, 12.0)
    dead = nb_llr(np.zeros(3), mu, r, 0.35)
    assert dead[0] < dead[1] < dead[2] and dead[0] > 0
    assert (nb_llr(mu, mu, r, 0.35) < 0).all()
