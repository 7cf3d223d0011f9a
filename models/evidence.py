"""Count-aware evidence of a drop, vectorised over institutions.

The per-day evidence is the log-likelihood ratio of "activity fell to `rho` times expected"
against "activity is as expected" under a negative binomial (gamma-Poisson) count with the
institution's dispersion `r`. Summed in a one-sided CUSUM it grows, per dead day, by about
(1 - rho) * mu for a small count and by r * log((mu + r) / (rho * mu + r)) for a large one:
a university expecting 300 meetings gains many times what a school expecting two gains, so
one threshold serves both sizes, and the tiny school needs several dead days before it can
be told from chance. Score direction: higher = more evidence of a drop.
"""

from __future__ import annotations

import numpy as np


def nb_llr(x: np.ndarray, mu: np.ndarray, r: np.ndarray, rho: float) -> np.ndarray:
    """log NB(x; rho*mu, r) - log NB(x; mu, r)."""
    mu = np.maximum(mu, 1e-6)
    shift = np.log((mu + r) / (rho * mu + r))
    return x * (np.log(rho) + shift) + r * shift
