"""Benchmark: the forecast backtest against its definition, refitting at every origin.

``detente``'s backtest fits the autoregression of every rolling origin at once, from
running sums of squares and cross-products, and the no-change and seasonal baselines
from running sums too. The reference here is the definition written out plainly: at
each origin, each lag order fitted by SVD least squares on its own rows, AIC to choose,
and the baselines' means and standard deviations computed afresh. Both score the same
series in one run; the report gives their median times, the ratio, and the largest
difference between their scores (which should be rounding only).

    python bench/backtest_speed.py
    python bench/backtest_speed.py --series 40 --length 420 --repeat 5
"""

from __future__ import annotations

import argparse
import importlib
import math
import platform
import statistics
import time
from typing import Any

import numpy as np

fm = importlib.import_module("detente.analysis._forecasting")
ar = importlib.import_module("detente.analysis._autoregression")
rules = importlib.import_module("detente.analysis._scoring_rules")


def _reference_fit(train: np.ndarray, horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """One origin: every order by least squares on its own rows, the lowest AIC kept."""
    best = None
    for p in range(1, fm.MAX_LAG + 1):
        x, target = ar._lagged(train, p, fm.MAX_LAG)
        if len(target) < 3 * (p + 1):
            continue
        beta = np.linalg.lstsq(x, target, rcond=None)[0]
        rss = float(np.sum((target - x @ beta) ** 2))
        aic = len(target) * math.log(max(rss / len(target), 1e-300)) + 2 * (p + 1)
        if best is None or aic < best[0]:
            best = (aic, p, beta, rss / max(len(target) - p - 1, 1))
    if best is None:
        raise fm.AnalysisError("too few observed periods in a row to fit an autoregression")
    _, p, beta, s2 = best
    mean, sd, _ = fm._ar_path(train, p, beta, s2, horizon)
    return mean, sd


def reference_backtest(y: np.ndarray, horizon: int = 6, season: int = 12,
                       max_origins: int = 36) -> dict[tuple[str, int], float]:
    """Mean CRPS per model and horizon, every origin computed on its own."""
    n = len(y)
    first = max(fm.MIN_TRAIN, n - horizon - max_origins + 1)
    scores: dict[tuple[str, int], list[float]] = {}
    for t in range(first, n - horizon + 1):
        train = y[:t]
        if int((~np.isnan(train)).sum()) < fm.MIN_TRAIN:
            continue
        preds = {"model": _reference_fit(train, horizon),
                 "no_change": fm._no_change(train, horizon),
                 "seasonal_mean": fm._seasonal(train, horizon, season)}
        for h in range(horizon):
            if not np.isnan(y[t + h]):
                for name, (mu, sd) in preds.items():
                    scores.setdefault((name, h + 1), []).append(rules._crps(y[t + h], mu[h], sd[h]))
    return {k: float(np.mean(v)) for k, v in scores.items()}


def detente_backtest(y: np.ndarray, horizon: int = 6) -> dict[tuple[str, int], float]:
    bt = fm.backtest(y, horizon=horizon, period="month")
    return {(s["model"], s["horizon"]): s["crps"] for s in bt.scores}


def _series(count: int, length: int, seed: int) -> list[np.ndarray]:
    """Monthly-index-like series: mean-reverting, a level shift, some empty periods."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        y = np.empty(length)
        level, value = -1.0, 0.0
        for i in range(length):
            if i == length // 2:
                level = -3.0
            value = level + 0.6 * (value - level) + rng.normal(scale=0.8)
            y[i] = value
        if k % 3 == 2:
            y[rng.random(length) < 0.1] = np.nan
        out.append(y)
    return out


def _median_time(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=30, help="series per run (default 30)")
    ap.add_argument("--length", type=int, default=420, help="periods per series (default 420)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each (default 5)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    ys = _series(args.series, args.length, args.seed)
    worst = 0.0
    for y in ys:
        ours, ref = detente_backtest(y), reference_backtest(y)
        assert ours.keys() == ref.keys()
        worst = max(worst, *(abs(ours[k] - ref[k]) for k in ref))
    fast = _median_time(lambda: [detente_backtest(y) for y in ys], args.repeat)
    slow = _median_time(lambda: [reference_backtest(y) for y in ys], args.repeat)
    print(f"machine: {platform.machine()}, python {platform.python_version()}, "
          f"numpy {np.__version__}")
    print(f"{args.series} series of {args.length} periods, 6 horizons, 36 origins each")
    print(f"  detente backtest: {fast * 1000:.0f} ms median of {args.repeat}")
    print(f"  per-origin definition: {slow * 1000:.0f} ms median of {args.repeat}")
    print(f"  ratio: {fast / slow:.2f}x the definition's time; largest difference in a mean "
          f"CRPS: {worst:.1e}")


if __name__ == "__main__":
    main()
