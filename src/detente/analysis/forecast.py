"""Forecasts of an indicator with a predictive distribution, and a rolling-origin backtest.

Model: an autoregression AR(p) with a constant, ``p`` up to ``MAX_LAG`` chosen
by AIC on a common sample, fitted by least squares on the periods whose lags
are all observed (periods without events are left out, never filled with
zeros; a missing value among the last lags of a forecast is taken at the
series' long-run mean). Its predictive distribution for step ``h`` is
Gaussian with the model's mean and variance ``sigma^2 * sum(psi_i^2, i < h)``
(``psi`` the MA weights; parameter uncertainty is not added), which
intervals and the CRPS are computed from.

Baselines, scored the same way (as the VIEWS forecasting project scores its
models): *no change* (the last observed value; spread: the standard deviation
of the training series' h-step changes) and *seasonal mean* (the mean and
standard deviation of the same season in the training data: calendar month
for monthly series, quarter for quarterly, week of year for weekly; the
whole series for yearly ones). A model that does not beat no-change on mean
CRPS is reported as not beating it (``beats_no_change`` false).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from detente.analysis._common import AnalysisError, as_date, to_float

__all__ = ["COVERAGE", "MAX_LAG", "Backtest", "Forecast", "backtest", "crps_normal", "forecast"]

MAX_LAG = 3
COVERAGE = 0.8
MIN_TRAIN = 24
SEASONS = {"month": 12, "quarter": 4, "week": 52, "year": 1}


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
    best: tuple[float, int, np.ndarray, float] | None = None
    # With no gap in the series every order keeps the same rows, and its design is the
    # first columns of the largest order's: built once (the same numbers, a third the work).
    full = _lagged(y, MAX_LAG, MAX_LAG) if not np.isnan(y).any() else None
    for p in range(1, MAX_LAG + 1):
        x, target = (full[0][:, :p + 1], full[1]) if full is not None else _lagged(y, p, MAX_LAG)
        if len(target) < 3 * (p + 1):
            continue
        beta, *_ = np.linalg.lstsq(x, target, rcond=None)
        resid = target - x @ beta
        s2 = float(resid @ resid / len(target))
        aic = len(target) * math.log(max(s2, 1e-300)) + 2 * (p + 1)
        if best is None or aic < best[0]:
            best = (aic, p, beta, float(resid @ resid / max(len(target) - p - 1, 1)))
    if best is None:
        raise AnalysisError("too few observed periods in a row to fit an autoregression")
    _, p, beta, s2 = best
    phi = beta[1:]
    persistence = float(np.sum(phi))
    level = beta[0] / (1 - persistence) if abs(1 - persistence) > 1e-9 else float(np.nanmean(y))
    hist = [level if np.isnan(v) else float(v) for v in y[-p:]]
    mean = np.empty(horizon)
    for h in range(horizon):
        nxt = beta[0] + float(np.dot(phi, hist[::-1][:p]))
        mean[h] = nxt
        hist = [*hist[1:], nxt]
    psi = np.zeros(horizon)
    psi[0] = 1.0
    for h in range(1, horizon):
        psi[h] = sum(phi[i] * psi[h - i - 1] for i in range(min(p, h)))
    sd = np.sqrt(s2 * np.cumsum(psi**2))
    return mean, sd, p


def _no_change(y: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    obs = y[~np.isnan(y)]
    mu = np.full(horizon, obs[-1])
    sd = np.empty(horizon)
    for h in range(1, horizon + 1):
        diffs = obs[h:] - obs[:-h] if len(obs) > h + 1 else np.diff(obs)
        sd[h - 1] = float(np.std(diffs, ddof=1)) if len(diffs) > 1 else float(np.std(obs))
    return mu, sd


def _seasonal(y: np.ndarray, horizon: int, season: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(y)
    mu, sd = np.empty(horizon), np.empty(horizon)
    overall = y[~np.isnan(y)]
    for h in range(1, horizon + 1):
        pos = (n + h - 1) % season if season > 1 else 0
        same = y[pos::season] if season > 1 else overall
        same = same[~np.isnan(same)]
        if len(same) < 2:
            same = overall
        mu[h - 1] = float(np.mean(same))
        sd[h - 1] = float(np.std(same, ddof=1))
    return mu, np.maximum(sd, 1e-9)


@dataclass
class Forecast:
    """Predictive distributions for the next periods (Gaussian: mean and standard deviation)."""

    indicator: str
    lag_order: int
    period_starts: list[dt.date | None]
    mean: list[float]
    sd: list[float]
    lower: list[float]
    upper: list[float]
    coverage: float = COVERAGE
    backtest: Backtest | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return {"indicator": self.indicator, "lag_order": self.lag_order,
                "period_starts": [d.isoformat() if d else None for d in self.period_starts],
                "mean": self.mean, "sd": self.sd, "lower": self.lower, "upper": self.upper,
                "coverage": self.coverage,
                "backtest": self.backtest.to_dict() if self.backtest else None}


@dataclass
class Backtest:
    """Rolling-origin scores per horizon for the model and the two baselines."""

    origins: int
    scores: list[dict[str, Any]] = field(default_factory=list)
    beats_no_change: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return {"origins": self.origins, "scores": self.scores, "beats_no_change": self.beats_no_change}


def _series(data: pd.Series | pd.DataFrame, column: str) -> tuple[np.ndarray, list[dt.date | None]]:
    if isinstance(data, pd.DataFrame):
        if column not in data.columns:
            raise AnalysisError(f"indicator {column!r} is not a column of the indicator table")
        rows = data.sort_values("period_start")
        return to_float(rows[column]), [as_date(v) for v in rows["period_start"]]
    return to_float(data), [as_date(v) if not isinstance(v, int | np.integer) else None for v in data.index]


def _next_starts(last: dt.date | None, horizon: int, period: str) -> list[dt.date | None]:
    if last is None:
        return [None] * horizon
    ts = pd.Timestamp(last)
    step = {"month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3),
            "year": pd.DateOffset(years=1), "week": pd.DateOffset(weeks=1)}[period]
    return [(ts + step * h).date() for h in range(1, horizon + 1)]


def forecast(
    data: pd.Series | pd.DataFrame,
    column: str = "relationship_index",
    *,
    horizon: int = 6,
    period: str = "month",
    with_backtest: bool = True,
) -> Forecast:
    """Forecast the next ``horizon`` periods of one indicator series.

    Raises:
        AnalysisError: Horizon outside 1-6, or fewer than ``MIN_TRAIN`` observed periods.
    """
    if not 1 <= horizon <= 6:
        raise AnalysisError(f"horizon {horizon} must be between 1 and 6 periods")
    if period not in SEASONS:
        raise AnalysisError(f"period {period!r} is not one of {', '.join(SEASONS)}")
    y, starts = _series(data, column)
    observed = int((~np.isnan(y)).sum())
    if observed < MIN_TRAIN:
        raise AnalysisError(f"series too short to forecast: {observed} observed periods, need {MIN_TRAIN}")
    mu, sd, p = _ar_predict(y, horizon)
    z = NormalDist().inv_cdf(0.5 + COVERAGE / 2)
    bt = backtest(y, horizon=horizon, period=period) if with_backtest else None
    return Forecast(indicator=column, lag_order=p, period_starts=_next_starts(starts[-1], horizon, period),
                    mean=mu.tolist(), sd=sd.tolist(), lower=(mu - z * sd).tolist(),
                    upper=(mu + z * sd).tolist(), backtest=bt)


def backtest(
    values: np.ndarray | pd.Series,
    *,
    horizon: int = 6,
    period: str = "month",
    min_train: int = MIN_TRAIN,
    max_origins: int = 36,
) -> Backtest:
    """Score the model and both baselines from rolling origins over the series' end.

    Each origin ``t`` fits on ``y[:t]`` and forecasts ``y[t .. t+horizon-1]``;
    the last ``max_origins`` origins whose whole horizon lies in the data and
    with at least ``min_train`` periods before them are used, the same for
    every horizon so that horizons compare. Scores per horizon: MAE of the mean, mean CRPS and
    the share of outcomes inside the central ``COVERAGE`` interval.
    """
    y = to_float(values) if isinstance(values, pd.Series) else np.asarray(values, dtype=float)
    n = len(y)
    first = max(min_train, n - horizon - max_origins + 1)
    origins = list(range(first, n - horizon + 1))
    if len(origins) < 2:
        raise AnalysisError(f"series too short for a backtest: {n} periods, need more than {min_train + 2}")
    season = SEASONS.get(period, 12)
    z = NormalDist().inv_cdf(0.5 + COVERAGE / 2)
    rows: dict[tuple[str, int], list[tuple[float, float, float]]] = {}
    for t in origins:
        train = y[:t]
        if int((~np.isnan(train)).sum()) < min_train:
            continue
        steps = horizon
        preds = {"model": _ar_predict(train, steps)[:2], "no_change": _no_change(train, steps),
                 "seasonal_mean": _seasonal(train, steps, season)}
        for h in range(steps):
            actual = y[t + h]
            if np.isnan(actual):
                continue
            for name, (mu, sd) in preds.items():
                rows.setdefault((name, h + 1), []).append(
                    (abs(actual - mu[h]), _crps(actual, mu[h], sd[h]),
                     float(abs(actual - mu[h]) <= z * sd[h])))
    scores = []
    for (name, h), vals in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        arr = np.array(vals)
        scores.append({"horizon": h, "model": name, "n": len(vals), "mae": float(arr[:, 0].mean()),
                       "crps": float(arr[:, 1].mean()), "coverage": float(arr[:, 2].mean())})
    crps = {name: np.mean([s["crps"] for s in scores if s["model"] == name])
            for name in ("model", "no_change")}
    beats = bool(scores) and bool(crps["model"] < crps["no_change"])
    return Backtest(origins=len(origins), scores=scores, beats_no_change=beats)
