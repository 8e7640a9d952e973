"""Segment costs of the change-point models and the noise each is fitted with.

Every cost is -2 log-likelihood of a segment plus MBIC's ``log(l)`` for its length,
so that one penalty rule serves all models (see :mod:`detente.analysis.changepoints`).
"""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np


class _Cost(Protocol):
    def errors(self, starts: np.ndarray, end: int) -> np.ndarray: ...


class _GaussCost:
    """Gaussian segments with known variances: ``sum w (y - mean_w)^2`` plus MBIC's ``log(l)``."""

    def __init__(self, y: np.ndarray, var: np.ndarray) -> None:
        w = 1.0 / var
        # centred first: the sums of squares then lose nothing to a large level
        z = y - float(np.average(y, weights=w))
        self._w = np.concatenate([[0.0], np.cumsum(w)])
        self._wy = np.concatenate([[0.0], np.cumsum(w * z)])
        self._wy2 = np.concatenate([[0.0], np.cumsum(w * z * z)])

    def errors(self, starts: np.ndarray, end: int) -> np.ndarray:
        weight = self._w[end] - self._w[starts]
        s = self._wy[end] - self._wy[starts]
        s2 = self._wy2[end] - self._wy2[starts]
        out: np.ndarray = np.maximum(s2 - s * s / weight, 0.0) + np.log(end - starts)
        return out


class _NegBinCost:
    """Negative-binomial segments of one size ``r`` (``inf``: Poisson), plus MBIC's ``log(l)``.

    With the segment's mean ``mu = S / l`` (its maximum-likelihood estimate),
    -2 log-likelihood is ``-2 (r l log(r / (r + mu)) + S log(mu / (r + mu)))``
    up to terms that depend on the counts alone (the same for every segmentation).
    """

    def __init__(self, y: np.ndarray, size: float) -> None:
        self.size = size
        self._s = np.concatenate([[0.0], np.cumsum(y)])

    def errors(self, starts: np.ndarray, end: int) -> np.ndarray:
        length = (end - starts).astype(float)
        s = self._s[end] - self._s[starts]
        mu = s / length
        safe = np.where(s > 0, mu, 1.0)
        r = self.size
        if math.isinf(r):
            loglik = np.where(s > 0, s * np.log(safe) - s, 0.0)
        else:
            loglik = r * length * np.log(r / (r + mu)) + np.where(s > 0, s * np.log(safe / (r + safe)), 0.0)
        out: np.ndarray = -2.0 * loglik + np.log(length)
        return out


def nb_size(counts: np.ndarray) -> float:
    """Estimate the negative-binomial size ``r`` of a count series from consecutive periods.

    ``Var = mu + mu^2 / r``. Over pairs of consecutive periods, half the squared
    difference estimates the variance and the product the squared mean, both
    without bias while the mean holds, and a few breaks barely move the sums:
    ``1 / r = (sum d^2 / 2 - sum m) / sum y_t y_(t-1)``. Returns ``inf`` (Poisson)
    when the series is no more variable than Poisson.
    """
    y = np.asarray(counts, dtype=float)
    y = y[~np.isnan(y)]
    if len(y) < 3:
        return math.inf
    d2 = float(np.sum(np.diff(y) ** 2)) / 2
    m = float(np.sum(y[1:] + y[:-1])) / 2
    pp = float(np.sum(y[1:] * y[:-1]))
    if pp <= 0 or d2 <= m:
        return math.inf
    return pp / (d2 - m)


_TRIM = 0.95
_Q95 = 1.959963984540054**2  # the 0.95 quantile of chi-square(1)
# E[X | X <= q] for X ~ chi-square(1), q its 0.95 quantile: P(chi2_3 <= q) / 0.95
_TRIM_MEAN = (0.95 - math.sqrt(2 * _Q95 / math.pi) * math.exp(-_Q95 / 2)) / 0.95


def index_variances(values: np.ndarray, events: np.ndarray | None = None, *,
                    between: bool = True) -> np.ndarray:
    """Return each observed period's variance ``tau^2 + s^2 / n_t`` (``values`` observed only).

    The difference of consecutive means has expectation 0 and variance
    ``2 tau^2 + s^2 (1/n_t + 1/n_(t-1))`` while the level holds. The two
    parameters are fitted to the squared differences by iteratively reweighted
    least squares, leaving out the largest 5% of the standardised ones (a break
    is one large difference) and correcting for the cut. Without ``events`` the
    variance is ``tau^2`` alone; ``between=False`` fits ``s^2 / n_t`` alone (each
    event an independent draw: the comparison the calibration reports). Exact ties
    (a hand-picked series repeats the same score) are data too, unlike for a median,
    which they can drive to zero.
    """
    y = np.asarray(values, dtype=float)
    if len(y) < 3:
        return np.full(len(y), np.nan)
    d2 = np.diff(y) ** 2
    if events is None:
        a = np.zeros(len(d2))
    else:
        n = np.asarray(events, dtype=float)
        a = 1.0 / n[1:] + 1.0 / n[:-1]
    x = np.column_stack([np.full(len(a), 2.0), a])
    beta = np.array([float(np.mean(d2)) / 2, 0.0])
    if events is not None and not between:
        x[:, 0] = 0.0
        beta = np.array([0.0, float(np.mean(d2 / a))])
    for _ in range(25):
        m = np.maximum(x @ beta, 1e-12)
        r = d2 / m
        keep = r <= np.quantile(r, _TRIM)
        sw = 1.0 / m[keep]
        cols = x[keep] if events is not None else x[keep][:, :1]
        if events is not None and not between:
            cols = cols[:, 1:]
        fit = np.linalg.lstsq(cols * sw[:, None], d2[keep] * sw, rcond=None)[0]
        if events is not None and not between:
            fit = np.r_[0.0, fit]
        new = np.maximum(np.r_[fit, 0.0][:2] if events is None else fit, 0.0)
        if new.sum() <= 0:
            new = (np.array([0.0, float(np.mean(d2[keep] / a[keep]))]) if events is not None and not between
                   else np.array([float(np.mean(d2[keep])) / 2, 0.0]))
        if np.allclose(new, beta, rtol=1e-6, atol=1e-12):
            beta = new
            break
        beta = new
    tau2, s2 = beta / _TRIM_MEAN
    if tau2 + s2 <= 0 and float(np.max(d2)) > 0:  # steps between exactly flat stretches
        tau2 = 1e-9 * float(np.max(d2))
    out: np.ndarray = np.full(len(y), tau2) if events is None else tau2 + s2 / np.asarray(events, dtype=float)
    return out
