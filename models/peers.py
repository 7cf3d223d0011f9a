"""Peer statistics: how a group of institutions did today, robust to any single member.

The statistic is a weighted median of each member's ratio observed / expected. Weights grow
with the member's size but are capped, so one big university cannot speak for its region and
tiny schools (whose ratios jump between 0, 1/2 and 1) do not dominate either.
"""

from __future__ import annotations

import numpy as np


def weighted_group_median(
    groups: np.ndarray, values: np.ndarray, weights: np.ndarray, mask: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per group: (weighted median of `values` over members where `mask`, member count).
    Values must lie in 0..4 (they are clipped ratios). Groups without members get NaN."""
    g = groups[mask]
    v = values[mask]
    w = weights[mask]
    median = np.full(n_groups, np.nan)
    count = np.bincount(g, minlength=n_groups)
    if len(g) == 0:
        return median, count
    # One float sort key instead of a lexsort: values are bounded ratios (clipped to 0..3).
    order = np.argsort(g * 8.0 + np.clip(v, 0.0, 4.0))
    g, v, w = g[order], v[order], w[order]
    cum = np.cumsum(w)
    total = np.bincount(g, weights=w, minlength=n_groups)
    before = np.concatenate([[0.0], np.cumsum(total)[:-1]])
    present = count > 0
    target = before[present] + total[present] / 2.0
    idx = np.searchsorted(cum, target, side="left")
    median[present] = v[np.minimum(idx, len(v) - 1)]
    return median, count


def peer_factor(ratios: np.ndarray, weights: np.ndarray, mask: np.ndarray,
                groupings: tuple[np.ndarray, ...], sizes: tuple[int, ...], min_peers: int) -> np.ndarray:
    """Each institution's peer factor: the weighted median ratio of its first grouping (finest
    first) that has at least `min_peers` members today; 1 when none has (nothing to compare)."""
    factor = np.ones(len(ratios))
    settled = np.zeros(len(ratios), bool)
    for groups, size in zip(groupings, sizes):  # a few groupings, each vectorised
        median, count = weighted_group_median(groups, ratios, weights, mask, size)
        take = ~settled & (count[groups] >= min_peers)
        factor = np.where(take, median[groups], factor)
        settled |= take
    return np.nan_to_num(factor, nan=1.0)


def peer_weights(level: np.ndarray, cap: float) -> np.ndarray:
    return np.minimum(np.nan_to_num(level, nan=0.0), cap)


def nanmedian_rows(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """Median along `axis` ignoring NaN (NaN where a row has none). Much faster than
    np.nanmedian on many short rows: one sort (NaN sorts last) and two gathers."""
    s = np.sort(a, axis=axis)
    k = np.count_nonzero(~np.isnan(s), axis=axis)
    lo = np.expand_dims(np.maximum((k - 1) // 2, 0), axis)
    hi = np.expand_dims(np.maximum(k // 2, 0), axis)
    hi = np.where(np.expand_dims(k, axis) > 0, np.minimum(hi, s.shape[axis] - 1), 0)
    med = (np.take_along_axis(s, lo, axis) + np.take_along_axis(s, hi, axis)) / 2.0
    med = np.squeeze(med, axis)
    return np.where(k > 0, med, np.nan)
