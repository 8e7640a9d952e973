"""Scoring rules for predictive distributions: the CRPS of a normal and of a Poisson
forecast, the interval score, and the Diebold-Mariano interval of a mean loss difference.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

COVERAGE = 0.8
"""The central interval the forecast gives and the backtest scores."""
DM_LEVEL = 0.90
"""Two-sided level of the interval of the mean CRPS difference."""


def crps_normal(y: np.ndarray | float, mu: np.ndarray | float, sd: np.ndarray | float) -> np.ndarray:
    """Return the CRPS of a normal predictive distribution ``N(mu, sd^2)`` at outcome ``y``."""
    sd_arr = np.maximum(np.asarray(sd, dtype=float), 1e-12)
    z = (np.asarray(y, dtype=float) - np.asarray(mu, dtype=float)) / sd_arr
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return np.asarray(sd_arr * (z * (2 * cdf - 1) + 2 * pdf - 1 / math.sqrt(math.pi)))


def _crps(y: float, mu: float, sd: float) -> float:
    """:func:`crps_normal` of one outcome, in plain floats (the backtest scores hundreds)."""
    sd = max(float(sd), 1e-12)
    z = (float(y) - float(mu)) / sd
    cdf = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return sd * (z * (2 * cdf - 1) + 2 * pdf - 1 / math.sqrt(math.pi))


_erf = np.vectorize(math.erf, otypes=[float])
# the standard normal from the standard library: scipy.stats takes over a second to import


def crps_poisson(y: float, lam: float) -> float:
    """Return the CRPS of a Poisson predictive distribution with rate ``lam`` at count ``y``:
    ``sum_k (F(k) - 1{y <= k})^2`` over the counts ``k``."""
    lam = max(float(lam), 0.0)
    if lam == 0.0:
        return abs(float(y))
    top = int(max(y, lam + 12 * math.sqrt(lam) + 12)) + 1
    k = np.arange(top + 1, dtype=float)
    logfact = np.concatenate([[0.0], np.cumsum(np.log(k[1:]))])
    cdf = np.minimum(np.cumsum(np.exp(k * math.log(lam) - lam - logfact)), 1.0)
    step = (k >= y).astype(float)
    return float(np.sum((cdf - step) ** 2))


def _poisson_interval(lam: float, coverage: float) -> tuple[float, float]:
    """Return the central ``coverage`` interval of a Poisson(``lam``) (quantiles, as counts)."""
    lam = max(float(lam), 0.0)
    if lam == 0.0:
        return 0.0, 0.0
    top = int(lam + 12 * math.sqrt(lam) + 12) + 1
    k = np.arange(top + 1, dtype=float)
    logfact = np.concatenate([[0.0], np.cumsum(np.log(k[1:]))])
    cdf = np.cumsum(np.exp(k * math.log(lam) - lam - logfact))
    tail = (1 - coverage) / 2
    return float(np.searchsorted(cdf, tail)), float(np.searchsorted(cdf, 1 - tail))


def interval_score(y: float, lower: float, upper: float, coverage: float = COVERAGE) -> float:
    """Return the interval score of a central ``coverage`` interval (Gneiting and Raftery 2007):
    its width plus ``2 / alpha`` times the distance by which ``y`` falls outside it."""
    alpha = 1 - coverage
    return (upper - lower) + 2 / alpha * (max(lower - y, 0.0) + max(y - upper, 0.0))


_Pred = tuple[str, float, float]
"""A predictive distribution: ``("normal", mean, sd)``, ``("point", value, 0)`` or
``("poisson", rate, 0)``."""


def _score(y: float, pred: _Pred, z: float) -> tuple[float, float, float, float]:
    """Return absolute error of the centre, CRPS, interval score and coverage (0/1)."""
    kind, a, b = pred
    if kind == "normal":
        lo, hi, crps = a - z * b, a + z * b, _crps(y, a, b)
    elif kind == "poisson":
        (lo, hi), crps = _poisson_interval(a, COVERAGE), crps_poisson(y, a)
    else:
        lo = hi = a
        crps = abs(y - a)
    return abs(y - a), crps, interval_score(y, lo, hi), float(lo <= y <= hi)


def _t_quantile(p: float, df: int) -> float:
    """Return the ``p`` quantile of Student's t with ``df`` degrees of freedom (Cornish-Fisher
    expansion around the normal; within 1e-3 for ``df >= 5``)."""
    z = NormalDist().inv_cdf(p)
    if df <= 0:
        return z
    v = float(df)
    return (z + (z**3 + z) / (4 * v) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3))


def diebold_mariano(diff: np.ndarray | list[float], horizon: int = 1,
                    level: float = DM_LEVEL) -> tuple[float, float, float]:
    """Return the mean loss difference and its ``level`` interval (Diebold and Mariano 1995).

    The variance of the mean counts the autocovariances up to lag ``horizon - 1``
    (forecasts ``h`` steps ahead from consecutive origins overlap), with the
    small-sample correction of Harvey, Leybourne and Newbold (1997) and a t
    quantile on ``n - 1`` degrees of freedom. A negative interval means the first
    forecast's losses are lower.
    """
    d = np.asarray(diff, dtype=float)
    n = len(d)
    mean = float(np.mean(d)) if n else float("nan")
    if n < 2:
        return mean, float("-inf"), float("inf")
    e = d - mean
    var = float(e @ e) / n
    hac = var + sum(2 * float(e[lag:] @ e[:-lag]) / n for lag in range(1, min(horizon, n)))
    if hac > 0:  # a negative estimate (strongly alternating differences): the lag-0 variance
        var = hac
    h = min(horizon, n)
    correction = math.sqrt(max((n + 1 - 2 * h + h * (h - 1) / n) / n, 1e-12))
    se = math.sqrt(max(var, 0.0) / n) / correction
    q = _t_quantile(0.5 + level / 2, n - 1)
    return mean, mean - q * se, mean + q * se
