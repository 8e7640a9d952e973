"""Segment costs of the change-point models and the noise each is fitted with.

Every cost is -2 log-likelihood of a segment plus MBIC's ``log(l)`` for its length,
so that one penalty rule serves all models (see :mod:`detente.analysis.changepoints`).
"""

from __future__ import annotations

import itertools
import math
from typing import Protocol

import numpy as np

TABLE_MAX = 2000
"""Longest series whose segment errors are all computed at once, as a table of ``(n + 1)^2``
floats (32 MB at most); a longer one has them computed end by end, for the starts the
search keeps."""


class _Cost(Protocol):
    def errors(self, starts: np.ndarray, end: int) -> np.ndarray: ...

    def table(self, n: int) -> np.ndarray | None: ...


class _Tabled:
    """A segment cost whose errors can be tabled: row ``end``, column ``start`` (``start < end``).

    Each entry is computed by the same arithmetic as :meth:`errors` on one end, element
    by element, so a search reads the same numbers from the table as it would compute.
    The table is kept for the cost's later searches (a penalty path runs several)."""

    _table: tuple[int, np.ndarray] | None = None

    def errors(self, starts: np.ndarray, end: int | np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def table(self, n: int) -> np.ndarray | None:
        """Every segment's error up to ``n`` (entries with ``start >= end`` are meaningless);
        ``None`` when ``n`` exceeds :data:`TABLE_MAX`."""
        if n > TABLE_MAX:
            return None
        if self._table is None or self._table[0] != n:
            idx = np.arange(n + 1, dtype=np.int64)
            table = np.zeros((n + 1, n + 1))
            # in bands of ends, each with the starts before its last end: about half the square
            step = min(128, max(32, (n + 8) // 8))
            with np.errstate(all="ignore"):
                for lo in range(1, n + 1, step):
                    hi = min(lo + step, n + 1)
                    table[lo:hi, :hi] = self.errors(idx[:hi], idx[lo:hi, None])
            self._table = (n, table)
        return self._table[1]


class _GaussCost(_Tabled):
    """Gaussian segments with known variances: ``sum w (y - mean_w)^2`` plus MBIC's ``log(l)``."""

    def __init__(self, y: np.ndarray, var: np.ndarray) -> None:
        w = 1.0 / var
        # centred first: the sums of squares then lose nothing to a large level
        z = y - float(np.average(y, weights=w))
        self._w = np.concatenate([[0.0], np.cumsum(w)])
        self._wy = np.concatenate([[0.0], np.cumsum(w * z)])
        self._wy2 = np.concatenate([[0.0], np.cumsum(w * z * z)])

    def errors(self, starts: np.ndarray, end: int | np.ndarray) -> np.ndarray:
        weight = self._w[end] - self._w[starts]
        s = self._wy[end] - self._wy[starts]
        s2 = self._wy2[end] - self._wy2[starts]
        out: np.ndarray = np.maximum(s2 - s * s / weight, 0.0) + np.log(end - starts)
        return out


class _NegBinCost(_Tabled):
    """Negative-binomial segments of one size ``r`` (``inf``: Poisson), plus MBIC's ``log(l)``.

    With the segment's mean ``mu = S / l`` (its maximum-likelihood estimate),
    -2 log-likelihood is ``-2 (r l log(r / (r + mu)) + S log(mu / (r + mu)))``
    up to terms that depend on the counts alone (the same for every segmentation).
    """

    def __init__(self, y: np.ndarray, size: float) -> None:
        self.size = size
        self._s = np.concatenate([[0.0], np.cumsum(y)])

    def errors(self, starts: np.ndarray, end: int | np.ndarray) -> np.ndarray:
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


def nb_size(counts: np.ndarray, within: np.ndarray | None = None) -> float:
    """Estimate the negative-binomial size ``r`` of a count series from consecutive periods.

    ``Var = mu + mu^2 / r``. Over pairs of consecutive periods, half the squared
    difference estimates the variance and the product the squared mean, both
    without bias while the mean holds, and a few breaks barely move the sums:
    ``1 / r = (sum d^2 / 2 - sum m) / sum y_t y_(t-1)``. Returns ``inf`` (Poisson)
    when the series is no more variable than Poisson. ``within`` (one flag per pair
    of consecutive observed periods) keeps only the pairs inside one segment of a
    segmentation found before: a difference across a break is not noise.
    """
    y = np.asarray(counts, dtype=float)
    y = y[~np.isnan(y)]
    if len(y) < 3:
        return math.inf
    pair = np.ones(len(y) - 1, dtype=bool) if within is None else np.asarray(within, dtype=bool)
    if pair.sum() < 2:
        pair = np.ones(len(y) - 1, dtype=bool)
    lo, hi = y[:-1][pair], y[1:][pair]
    d2 = float(np.sum((hi - lo) ** 2)) / 2
    m = float(np.sum(hi + lo)) / 2
    pp = float(np.sum(hi * lo))
    if pp <= 0 or d2 <= m:
        return math.inf
    return pp / (d2 - m)


_LGAMMA = np.frompyfunc(math.lgamma, 1, 1)


def _lgamma(x: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.asarray(_LGAMMA(x), dtype=float)
    return out
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def nb_size_ml(counts: np.ndarray, means: np.ndarray | None = None) -> float:
    """Estimate the negative-binomial size ``r`` by maximum likelihood, the means given.

    ``means``: each period's mean (its segment's mean count); ``None``: the series'
    mean. The likelihood in ``log r`` is maximised by golden-section search over
    ``r`` from ``e^-5`` to ``e^12``; a series no more variable than its means allow
    (the moment estimate of :func:`nb_size` is ``inf``) is Poisson. For very
    overdispersed counts (``r`` near 1) the moment estimate rests on fourth powers
    and varies far more from series to series than this one, and a size set too
    large reads noise as breaks.
    """
    y = np.asarray(counts, dtype=float)
    mu = np.full(len(y), float(np.mean(y))) if means is None else np.asarray(means, dtype=float)
    if len(y) < 3 or float(np.sum((y - mu) ** 2)) <= float(np.sum(mu)):
        return math.inf
    base = _lgamma(y + 1.0)
    # lgamma of each distinct count only (counts repeat): the same numbers, fewer calls
    distinct, where = np.unique(y, return_inverse=True)

    def loglik(log_r: float) -> float:
        r = math.exp(log_r)
        terms = (_lgamma(distinct + r)[where] - base - math.lgamma(r)
                 + r * np.log(r / (r + mu)) - y * np.log(r + mu))
        return float(np.sum(terms))

    lo, hi = -5.0, 12.0
    a, b = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
    fa, fb = loglik(a), loglik(b)
    while hi - lo > 1e-4:
        if fa >= fb:
            hi, b, fb = b, a, fa
            a = hi - _GOLDEN * (hi - lo)
            fa = loglik(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + _GOLDEN * (hi - lo)
            fb = loglik(b)
    return math.exp((lo + hi) / 2)


def _close(x: np.ndarray, y: np.ndarray) -> bool:
    """``np.allclose(x, y, rtol=1e-7, atol=1e-12)`` by its own formula, without its checks."""
    with np.errstate(invalid="ignore"):
        return bool(np.all((np.abs(x - y) <= 1e-12 + 1e-7 * np.abs(y)) & np.isfinite(y) | (x == y)))


def index_variances(values: np.ndarray, events: np.ndarray | None = None, *,
                    between: bool = True, within: np.ndarray | None = None) -> np.ndarray:
    """Return each observed period's variance ``tau^2 + s^2 / n_t`` (``values`` observed only).

    The difference of consecutive means has expectation 0 and variance
    ``2 tau^2 + s^2 (1/n_t + 1/n_(t-1))`` while the level holds. The two
    parameters are fitted to the squared differences by iteratively reweighted
    least squares (the Gaussian likelihood's equations). Without ``events`` the
    variance is ``tau^2`` alone; ``between=False`` fits ``s^2 / n_t`` alone (each
    event an independent draw: the comparison the calibration reports). Exact ties
    (a hand-picked series repeats the same score) are data too, unlike for a median,
    which they can drive to zero.

    ``within`` (one flag per pair of consecutive periods) keeps only the differences
    inside one segment of a segmentation found before, as :func:`nb_size` does: a
    difference across a break is the break, not noise. Nothing else is cut: a
    trimmed fit corrected as if the differences were Gaussian under-states the
    variance of means of a few events (their differences have heavier tails), which
    reads as breaks in months of few events.
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
    if within is not None and int(np.sum(within)) >= 2:
        keep = np.asarray(within, dtype=bool)
        d2, a = d2[keep], a[keep]
    if events is None:
        tau2, s2 = float(np.mean(d2)) / 2, 0.0
    elif not between:
        tau2, s2 = 0.0, float(np.mean(d2 / a))
    else:
        x = np.column_stack([np.full(len(a), 2.0), a])
        beta = np.array([float(np.mean(d2)) / 2, 0.0])
        for _ in range(50):
            w = 1.0 / np.maximum(x @ beta, 1e-12)
            fit = np.linalg.lstsq(x * w[:, None], d2 * w, rcond=None)[0]
            if fit[0] < 0:  # the boundary: no variation between periods
                fit = np.array([0.0, float(np.sum(a * d2 * w * w) / np.sum(a * a * w * w))])
            elif fit[1] < 0:  # no variation within: one variance for every period
                fit = np.array([float(np.mean(d2)) / 2, 0.0])
            new = np.maximum(fit, 0.0)
            if _close(new, beta):
                beta = new
                break
            beta = new
        tau2, s2 = float(beta[0]), float(beta[1])
    if tau2 + s2 <= 0 and float(np.max(d2, initial=0.0)) > 0:  # steps between exactly flat stretches
        tau2 = 1e-9 * float(np.max(d2))
    out: np.ndarray = np.full(len(y), tau2) if events is None else tau2 + s2 / np.asarray(events, dtype=float)
    return out


def segment_variances(values: np.ndarray, events: np.ndarray | None, ends: list[int]) -> np.ndarray:
    """Return each period's variance ``tau^2 + s^2 / n_t`` fitted to the deviations of the
    periods from their segment's mean (``ends``: the segments' ends, the last ``len(values)``).

    Once the segments are known, the deviations from their means carry the noise more
    fully than the differences of neighbours (each deviation is one period's, a difference
    mixes two, and neighbouring differences share one), so the split between ``tau`` and
    ``s`` is estimated better. Each squared deviation is divided by ``1 - h_t`` (``h_t``
    the period's weight in its segment's mean) and the two parameters are fitted by
    reweighted least squares, as in :func:`index_variances`, which gives the start.
    Without ``events`` the variance is ``tau^2`` alone.
    """
    y = np.asarray(values, dtype=float)
    bounds = [0, *ends]
    within = np.ones(len(y) - 1, dtype=bool)
    within[np.asarray(ends[:-1], dtype=np.int64) - 1] = False
    start = index_variances(y, events, within=within)
    if events is None:
        x = np.ones((len(y), 1))
        beta = np.array([float(start[0])])
    else:
        n = np.asarray(events, dtype=float)
        x = np.column_stack([np.ones(len(y)), 1.0 / n])
        beta = np.maximum(np.linalg.lstsq(x, start, rcond=None)[0], 0.0)
    # a segment of one period has no deviation to tell: it takes no part
    alone = np.zeros(len(y), dtype=bool)
    for a, b in itertools.pairwise(bounds):
        alone[a:b] = b - a < 2
    if not np.all(np.isfinite(beta)) or beta.sum() <= 0 or np.sum(~alone) < 3:
        return start
    told = [(a, b, y[a:b]) for a, b in itertools.pairwise(bounds) if b - a >= 2]
    for _ in range(50):
        v = np.maximum(x @ beta, 1e-12)
        inv = 1.0 / v
        z = np.zeros(len(y))
        for a, b, ys in told:
            h = inv[a:b] / np.sum(inv[a:b])
            mean = float(np.sum(h * ys))
            z[a:b] = (ys - mean) ** 2 / np.maximum(1.0 - h, 1e-6)
        w = np.where(alone, 0.0, inv)
        fit = np.linalg.lstsq(x * w[:, None], z * w, rcond=None)[0]
        if len(fit) == 2 and fit[0] < 0:
            fit = np.array([0.0, float(np.sum(x[:, 1] * z * w * w) / np.sum(x[:, 1] ** 2 * w * w))])
        elif len(fit) == 2 and fit[1] < 0:
            fit = np.array([float(np.sum(z * w * w) / np.sum(w * w)), 0.0])
        new = np.maximum(fit, 0.0)
        if _close(new, beta):
            beta = new
            break
        beta = new
    out: np.ndarray = x @ beta
    return out
