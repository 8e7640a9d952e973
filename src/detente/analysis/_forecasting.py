"""Forecasts of an indicator with a predictive distribution, and a rolling-origin backtest.

Model: an autoregression AR(p) with a constant, ``p`` up to ``MAX_LAG`` chosen
by AIC on a common sample, fitted by least squares on the periods whose lags
are all observed (periods without events are left out, never filled with
zeros; a missing value among the last lags of a forecast is taken at the
series' long-run mean). Its predictive distribution for step ``h`` is
Gaussian with the model's mean and variance ``sigma^2 * sum(psi_i^2, i < h)``
(``psi`` the MA weights; parameter uncertainty is not added), which
intervals and the CRPS are computed from.

Baselines, scored the same way from the same rolling origins (as forecasting
competitions score them: per step ahead, CRPS, interval score and coverage of the
central ``COVERAGE`` interval): *last value* (``no_change``: the last observed
value; spread: the standard deviation of the training series' h-step changes),
*climatology* (``seasonal_mean``: the mean and standard deviation of the same
season in the training data: calendar month for monthly series, quarter for
quarterly, week of year for weekly; the whole series for yearly ones), *zero* (a
point forecast of 0: no events, or a neutral index) and, for counts, *Poisson*
(``poisson_last``: a Poisson distribution with the last value as its rate).

The verdict, per step ahead: the model *beats the baselines* only when at least
``MIN_ORIGINS`` (12) rolling origins were scored and the 90% interval of its mean
CRPS difference against the best baseline at that step (Diebold-Mariano, with the
Harvey-Leybourne-Newbold small-sample correction and a t quantile) lies below
zero; with fewer origins there is *not enough history to judge*. The forecast as a
whole beats the baselines when every step does.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from detente.analysis._common import AnalysisError, as_date, json_safe, to_float

__all__ = ["COVERAGE", "MAX_LAG", "MIN_ORIGINS", "Backtest", "Forecast", "backtest", "crps_normal",
           "crps_poisson", "diebold_mariano", "forecast"]

MAX_LAG = 3
COVERAGE = 0.8
MIN_TRAIN = 24
SEASONS = {"month": 12, "quarter": 4, "week": 52, "year": 1}
MIN_ORIGINS = 12
"""Fewest rolling origins per step ahead before the backtest judges the model."""
DM_LEVEL = 0.90
"""Two-sided level of the interval of the mean CRPS difference."""
VERDICTS = {"beats_baselines": "beats the baselines",
            "does_not_beat_baselines": "does not beat the baselines",
            "not_enough_history": "not enough history to judge"}
BASELINE_NAMES = {"no_change": "the last value", "seasonal_mean": "the climatology of the same season",
                  "zero": "zero", "poisson_last": "a Poisson at the last value"}
COUNT_INDICATORS = frozenset({"events", "q1", "q2", "q3", "q4", "threats", "force"})


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


def _prefix(values: np.ndarray) -> np.ndarray:
    """Return the running sums of ``values`` along the last axis, with a 0 in front."""
    zero = np.zeros((*values.shape[:-1], 1))
    out: np.ndarray = np.concatenate([zero, np.cumsum(values, axis=-1)], axis=-1)
    return out


def _spread(count: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> np.ndarray:
    """Return sample standard deviations from counts, sums and sums of squares (a spread
    within rounding of the sums, as of equal values, is 0)."""
    var = (s2 - s1 * s1 / count) / np.maximum(count - 1, 1)
    var = np.where(var <= 1e-12 * s2 / np.maximum(count, 1), 0.0, var)
    out: np.ndarray = np.sqrt(np.maximum(var, 0.0))
    return out


def _baseline_paths(y: np.ndarray, origins: np.ndarray, horizon: int,
                    season: int) -> dict[str, tuple[np.ndarray, np.ndarray]] | None:
    """Return :func:`_no_change` and :func:`_seasonal` of ``y[:t]`` for every origin ``t``
    at once (arrays origin x step), from running sums; ``None`` when an origin has too
    few observed periods for these sums (the functions then run one origin at a time).

    Values are taken relative to the series' mean, so the sums of squares lose no
    precision to a large level."""
    observed = ~np.isnan(y)
    ref = float(np.mean(y[observed])) if observed.any() else 0.0
    z = np.where(observed, y - ref, 0.0)
    obs = z[observed]
    seen = _prefix(observed.astype(float))[origins].astype(int)  # observed in y[:t]
    if (seen <= horizon + 1).any():
        return None
    nc_mu = np.repeat((obs[seen - 1] + ref)[:, None], horizon, axis=1)
    nc_sd = np.empty((len(origins), horizon))
    for h in range(1, horizon + 1):
        d = obs[h:] - obs[:-h]  # h-step changes between observed periods, in order
        m = seen - h  # those within y[:t]
        nc_sd[:, h - 1] = _spread(m, _prefix(d)[m], _prefix(d * d)[m])
    every = (seen, _prefix(z)[origins], _prefix(z * z)[origins])
    s_mu = np.empty((len(origins), horizon))
    s_sd = np.empty((len(origins), horizon))
    if season > 1:
        idx = np.arange(len(y))
        cls = np.stack([observed & (idx % season == r) for r in range(season)]).astype(float)
        c0, c1, c2 = _prefix(cls), _prefix(cls * z), _prefix(cls * z * z)
    for h in range(1, horizon + 1):
        if season > 1:
            pos = (origins + h - 1) % season
            n, s1, s2 = c0[pos, origins], c1[pos, origins], c2[pos, origins]
            few = n < 2
            n, s1, s2 = (np.where(few, a, b) for a, b in zip(every, (n, s1, s2), strict=True))
        else:
            n, s1, s2 = every
        s_mu[:, h - 1] = s1 / n + ref
        s_sd[:, h - 1] = _spread(n, s1, s2)
    return {"no_change": (nc_mu, nc_sd), "seasonal_mean": (s_mu, np.maximum(s_sd, 1e-9))}


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
    """Rolling-origin scores per step ahead for the model and the baselines, and the verdict.

    ``steps`` holds, per step ahead, the origins scored, the best baseline (lowest
    mean CRPS), the model's mean CRPS difference against it with its 90% interval,
    and the step's verdict; ``verdict`` is that of the whole forecast (one of
    ``VERDICTS``).
    """

    origins: int
    scores: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    verdict: str = "not_enough_history"

    @property
    def beats_baselines(self) -> bool:
        """Whether the model beat the best baseline at every step (see ``verdict``)."""
        return self.verdict == "beats_baselines"

    @property
    def beats_no_change(self) -> bool:
        """Older name of :attr:`beats_baselines` (the best baseline, not only the last value)."""
        return self.beats_baselines

    @property
    def verdict_text(self) -> str:
        """The verdict in words, with the evidence behind it."""
        text = VERDICTS[self.verdict]
        counts = sorted({int(s["origins"]) for s in self.steps}) or [0]
        origins = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        if self.verdict == "not_enough_history":
            return f"{text}: {origins} rolling origins per step ahead, {MIN_ORIGINS} needed"
        worst = max(self.steps, key=lambda s: s["upper"])
        best = BASELINE_NAMES.get(worst["best_baseline"], worst["best_baseline"])
        interval = (f"mean CRPS difference {worst['mean_diff']:.3g}, "
                    f"90% interval {worst['lower']:.3g} to {worst['upper']:.3g}, {origins} rolling origins")
        if self.verdict == "beats_baselines":
            return (f"{text}: its CRPS is below the best baseline's at every step ahead "
                    f"(weakest: step {worst['horizon']} against {best}, {interval})")
        return (f"{text}: at step {worst['horizon']} its CRPS is not clearly below that of {best}, "
                f"the best baseline there ({interval})")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        out: dict[str, Any] = json_safe({"origins": self.origins, "scores": self.scores, "steps": self.steps,
                          "verdict": self.verdict, "verdict_text": self.verdict_text,
                          "beats_baselines": self.beats_baselines, "beats_no_change": self.beats_baselines,
                          "min_origins": MIN_ORIGINS})
        return out


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
    bt = (backtest(y, horizon=horizon, period=period, counts=column in COUNT_INDICATORS)
          if with_backtest else None)
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
    counts: bool = False,
) -> Backtest:
    """Score the model and the baselines from rolling origins over the series' end, and judge it.

    Each origin ``t`` fits on ``y[:t]`` and forecasts ``y[t .. t+horizon-1]``;
    the last ``max_origins`` origins whose whole horizon lies in the data and
    with at least ``min_train`` periods before them are used, the same for
    every step so that steps compare. Scores per step ahead and model: MAE of
    the centre, mean CRPS, mean interval score and coverage of the central
    ``COVERAGE`` interval. ``counts`` adds the Poisson baseline.
    """
    y = to_float(values) if isinstance(values, pd.Series) else np.asarray(values, dtype=float)
    n = len(y)
    first = max(min_train, n - horizon - max_origins + 1)
    origins = list(range(first, n - horizon + 1))
    if len(origins) < 2:
        raise AnalysisError(f"series too short for a backtest: {n} periods, need more than {min_train + 2}")
    season = SEASONS.get(period, 12)
    z = NormalDist().inv_cdf(0.5 + COVERAGE / 2)
    rows: dict[tuple[str, int], dict[int, tuple[float, float, float, float]]] = {}
    fits = _ar_fits(y, np.array(origins))
    paths = _baseline_paths(y, np.array(origins), horizon, season)
    for k, (t, fit) in enumerate(zip(origins, fits, strict=True)):
        train = y[:t]
        if int((~np.isnan(train)).sum()) < min_train:
            continue
        if fit is None:
            raise AnalysisError("too few observed periods in a row to fit an autoregression")
        model_mu, model_sd = _ar_path(train, *fit, horizon)[:2]
        if paths is None:
            base = {"no_change": _no_change(train, horizon),
                    "seasonal_mean": _seasonal(train, horizon, season)}
        else:
            base = {name: (mu[k], sd[k]) for name, (mu, sd) in paths.items()}
        last = float(train[~np.isnan(train)][-1])
        for h in range(horizon):
            actual = float(y[t + h])
            if math.isnan(actual):
                continue
            preds: dict[str, _Pred] = {"model": ("normal", float(model_mu[h]), float(model_sd[h]))}
            preds |= {name: ("normal", float(mu[h]), float(sd[h])) for name, (mu, sd) in base.items()}
            preds["zero"] = ("point", 0.0, 0.0)
            if counts:
                preds["poisson_last"] = ("poisson", max(last, 0.0), 0.0)
            for name, pred in preds.items():
                rows.setdefault((name, h + 1), {})[t] = _score(actual, pred, z)
    scores: list[dict[str, Any]] = []
    for (name, h), by_origin in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        arr = np.array(list(by_origin.values()))
        scores.append({"horizon": h, "model": name, "n": len(arr), "mae": float(arr[:, 0].mean()),
                       "crps": float(arr[:, 1].mean()), "interval_score": float(arr[:, 2].mean()),
                       "coverage": float(arr[:, 3].mean())})
    steps = []
    for h in range(1, horizon + 1):
        mine = rows.get(("model", h), {})
        rivals = {name: r for (name, step), r in rows.items() if step == h and name != "model"}
        if not mine or not rivals:
            continue
        best = min(rivals, key=lambda name: float(np.mean([v[1] for v in rivals[name].values()])))
        common = sorted(set(mine) & set(rivals[best]))
        diff = [mine[t][1] - rivals[best][t][1] for t in common]
        mean, lower, upper = diebold_mariano(diff, h)
        verdict = ("not_enough_history" if len(common) < MIN_ORIGINS else
                   "beats_baselines" if upper < 0 else "does_not_beat_baselines")
        steps.append({"horizon": h, "origins": len(common), "best_baseline": best, "mean_diff": mean,
                      "lower": lower, "upper": upper, "verdict": verdict})
    if not steps or any(s["verdict"] == "not_enough_history" for s in steps):
        overall = "not_enough_history"
    elif all(s["verdict"] == "beats_baselines" for s in steps):
        overall = "beats_baselines"
    else:
        overall = "does_not_beat_baselines"
    return Backtest(origins=len(origins), scores=scores, steps=steps, verdict=overall)
