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

from detente.analysis._autoregression import MAX_LAG, _ar_fits, _ar_path, _ar_predict
from detente.analysis._baselines import _baseline_paths, _no_change, _seasonal
from detente.analysis._common import AnalysisError, as_date, json_safe, to_float
from detente.analysis._scoring_rules import (
    COVERAGE,
    DM_LEVEL,
    _Pred,
    _score,
    crps_normal,
    crps_poisson,
    diebold_mariano,
    interval_score,
)

__all__ = ["COVERAGE", "DM_LEVEL", "MAX_LAG", "MIN_ORIGINS", "Backtest", "Forecast", "backtest",
           "crps_normal", "crps_poisson", "diebold_mariano", "forecast", "interval_score"]

MIN_TRAIN = 24
SEASONS = {"month": 12, "quarter": 4, "week": 52, "year": 1}
MIN_ORIGINS = 12
"""Fewest rolling origins per step ahead before the backtest judges the model."""
VERDICTS = {"beats_baselines": "beats the baselines",
            "does_not_beat_baselines": "does not beat the baselines",
            "not_enough_history": "not enough history to judge"}
BASELINE_NAMES = {"no_change": "the last value", "seasonal_mean": "the climatology of the same season",
                  "zero": "zero", "poisson_last": "a Poisson at the last value"}
COUNT_INDICATORS = frozenset({"events", "q1", "q2", "q3", "q4", "threats", "force"})


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
