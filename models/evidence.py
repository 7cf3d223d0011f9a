"""Count-aware evidence of a drop, vectorised over institutions.

The per-day evidence is the log-likelihood ratio of "activity fell to `rho` times normal"
against "activity is normal" under a Poisson model, divided by the institution's dispersion
(quasi-Poisson). Summed in a one-sided CUSUM it grows by about (1 - rho) * mu / phi per dead
day: a university expecting 300 meetings crosses the threshold in one day, a school expecting
two needs several, so the same threshold fits both sizes without flapping.
Score direction everywhere: higher = more evidence of a drop.
"""

from __future__ import annotations

import numpy as np


def poisson_llr(x: np.ndarray, mu: np.ndarray, rho: float, phi: np.ndarray) -> np.ndarray:
    """log P(x | rho*mu) - log P(x | mu), scaled by 1/phi. Positive when x is low."""
    return (x * np.log(rho) + (1.0 - rho) * mu) / phi


def robust_level(buffer: np.ndarray, min_count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median level, quasi-Poisson dispersion and history size of each row of `buffer`
    (NaN = empty slot). Rows with fewer than `min_count` values get level NaN."""
    count = np.count_nonzero(~np.isnan(buffer), axis=1)
    level = np.full(buffer.shape[0], np.nan)
    phi = np.ones(buffer.shape[0])
    ok = count >= min_count
    if ok.any():
        rows = buffer[ok]
        med = np.nanmedian(rows, axis=1)
        mad = np.nanmedian(np.abs(rows - med[:, None]), axis=1) * 1.4826
        # A trimmed mean is steadier than the median for small counts (median of Poisson(2)
        # jumps between 1, 2 and 3); the median guards it against leftover outliers.
        mean = np.nanmean(rows, axis=1)
        lvl = np.where(np.abs(mean - med) <= np.maximum(mad, 1.0), mean, med)
        level[ok] = lvl
        phi[ok] = np.clip(mad**2 / np.maximum(lvl, 1e-9), 1.0, 50.0)
    return level, phi, count
