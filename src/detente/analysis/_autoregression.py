"""The forecasting model: an autoregression AR(p), ``p`` up to ``MAX_LAG`` by AIC, fitted by
least squares on the periods whose lags are observed (at many origins at once), and its
Gaussian forecast path.
"""

from __future__ import annotations

import math

import numpy as np

from detente.analysis._common import AnalysisError

MAX_LAG = 3


def _lagged(y: np.ndarray, p: int, first: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the design (1, y[t-1], ..., y[t-p]) and targets y[t] for each t >= first
    (first >= p) whose window y[t-p..t] is fully observed."""
    if len(y) <= first:
        return np.empty((0, p + 1)), y[:0]
    windows = np.lib.stride_tricks.sliding_window_view(y, p + 1)  # windows[i] = y[i..i+p]
    ts = np.arange(first, len(y))
    rows = ts[~np.isnan(windows[ts - p]).any(axis=1)]
    x = np.empty((len(rows), p + 1))
    x[:, 0] = 1.0
    x[:, 1:] = windows[rows - p, :p][:, ::-1]
    return x, y[rows]


def _ar_predict(y: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Fit AR(p) by least squares (p by AIC on a common sample) and forecast ``horizon`` steps."""
    fit = _ar_fits(y, np.array([len(y)]))[0]
    if fit is None:
        raise AnalysisError("too few observed periods in a row to fit an autoregression")
    return _ar_path(y, *fit, horizon)


_Fit = tuple[int, np.ndarray, float]
"""An autoregression fitted: its order ``p``, coefficients (constant first) and the
residual variance (on ``n - p - 1`` degrees of freedom)."""


def _ar_fits(y: np.ndarray, ends: np.ndarray) -> list[_Fit | None]:
    """Fit AR(p) on ``y[:end]`` for each end at once; ``None`` where too few rows.

    Each order ``p`` uses the periods ``t >= MAX_LAG`` whose window ``y[t-p..t]`` is
    observed. The sums of squares and cross-products of those rows are summed
    cumulatively once, so the fit on any first ``end`` periods solves the normal
    equations of its prefix (a backtest refits at dozens of origins); a prefix whose
    equations are close to singular is fitted by SVD least squares instead. ``p`` is
    chosen by AIC among the orders with at least ``3 (p + 1)`` rows, the lowest on a tie.
    """
    n, top = len(y), MAX_LAG
    out: list[_Fit | None] = [None] * len(ends)
    if n <= top:
        return out
    win = np.lib.stride_tricks.sliding_window_view(y, top + 1)  # row t - top: y[t-top..t]
    design = np.ones((len(win), top + 1))
    design[:, 1:] = win[:, :top][:, ::-1]  # 1, y[t-1], ..., y[t-top]
    target = win[:, top]
    last = np.asarray(ends) - top - 1  # the last row of each prefix (rows t < end)
    best_aic = np.full(len(ends), np.inf)
    for p in range(1, top + 1):
        valid = ~np.isnan(win[:, top - p:]).any(axis=1)
        x = np.where(valid[:, None], design[:, :p + 1], 0.0)
        t = np.where(valid, target, 0.0)
        xtx = np.cumsum(x[:, :, None] * x[:, None, :], axis=0)
        xty = np.cumsum(x * t[:, None], axis=0)
        tt = np.cumsum(t * t)
        rows = np.cumsum(valid)
        at = np.clip(last, 0, None)
        fit = (last >= 0) & (rows[at] >= 3 * (p + 1))
        if not fit.any():
            continue
        k = np.flatnonzero(fit)
        a, b, count = xtx[at[k]], xty[at[k]], rows[at[k]].astype(float)
        beta = np.zeros((len(k), p + 1))
        rss = np.zeros(len(k))
        solid = np.linalg.cond(a) < 1e10
        if solid.any():
            beta[solid] = np.linalg.solve(a[solid], b[solid][:, :, None])[:, :, 0]
            bs, as_, ss = beta[solid], a[solid], b[solid]
            rss[solid] = np.maximum(tt[at[k][solid]] - 2 * np.einsum("ki,ki->k", bs, ss)
                                    + np.einsum("ki,kij,kj->k", bs, as_, bs), 0.0)
        for m in np.flatnonzero(~solid):  # near-collinear (a flat stretch): least squares
            row = at[k[m]]
            keep = valid[:row + 1]
            xs, ts = design[:row + 1][keep][:, :p + 1], target[:row + 1][keep]
            beta[m] = np.linalg.lstsq(xs, ts, rcond=None)[0]
            resid = ts - xs @ beta[m]
            rss[m] = float(resid @ resid)
        aic = count * np.log(np.maximum(rss / count, 1e-300)) + 2 * (p + 1)
        better = aic < best_aic[k]
        for m in np.flatnonzero(better):
            best_aic[k[m]] = aic[m]
            out[k[m]] = (p, beta[m], float(rss[m] / max(count[m] - p - 1, 1)))
    return out


def _ar_path(y: np.ndarray, p: int, beta: np.ndarray, s2: float,
             horizon: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Forecast ``horizon`` steps after ``y`` with a fitted AR(p): means, spreads, ``p``."""
    phi = beta[1:]
    persistence = float(np.sum(phi))
    level = beta[0] / (1 - persistence) if abs(1 - persistence) > 1e-9 else float(np.nanmean(y))
    hist = [level if math.isnan(v) else float(v) for v in y[-p:]]
    mean = np.empty(horizon)
    for h in range(horizon):
        nxt = float(beta[0]) + sum(float(phi[i]) * hist[-1 - i] for i in range(p))
        mean[h] = nxt
        hist = [*hist[1:], nxt]
    psi = np.zeros(horizon)
    psi[0] = 1.0
    for h in range(1, horizon):
        psi[h] = sum(phi[i] * psi[h - i - 1] for i in range(min(p, h)))
    sd = np.sqrt(s2 * np.cumsum(psi**2))
    return mean, sd, p
