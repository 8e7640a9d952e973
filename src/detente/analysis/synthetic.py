"""Seeded synthetic series in the indicator layout, shared by tests and docs.

Every generator takes a ``seed`` and returns the same numbers for the same
arguments, so an example in the docs and an assertion in the tests talk about
the same series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["indicator_frame", "monthly_starts", "piecewise_constant", "var_process"]


def monthly_starts(start: dt.date, n: int) -> list[dt.date]:
    """Return ``n`` consecutive first-of-month dates from ``start``'s month."""
    out: list[dt.date] = []
    year, month = start.year, start.month
    for _ in range(n):
        out.append(dt.date(year, month, 1))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def piecewise_constant(
    n: int,
    breaks: Sequence[int],
    means: Sequence[float],
    *,
    sigma: float = 1.0,
    seed: int = 0,
) -> np.ndarray:
    """Return a mean-shift series: Gaussian noise around a piecewise-constant level.

    Args:
        n: Length of the series.
        breaks: Indices where a new level starts, increasing, each in ``1..n-1``.
        means: One level per segment (``len(breaks) + 1`` of them).
        sigma: Standard deviation of the noise.
        seed: Seed of the random generator.
    """
    if len(means) != len(breaks) + 1:
        raise ValueError("means needs one level per segment: len(breaks) + 1")
    level = np.empty(n)
    bounds = [0, *breaks, n]
    for mean, a, b in zip(means, bounds[:-1], bounds[1:], strict=True):
        level[a:b] = mean
    return level + np.random.default_rng(seed).normal(0.0, sigma, n)


def var_process(
    coefs: np.ndarray,
    cov: np.ndarray,
    n: int,
    *,
    intercept: Sequence[float] | None = None,
    seed: int = 0,
    burn: int = 200,
) -> np.ndarray:
    """Simulate a VAR(p): ``y_t = c + sum_l A_l y_{t-l} + e_t``, ``e_t ~ N(0, cov)``.

    Args:
        coefs: Lag matrices, shape ``(p, k, k)``; ``coefs[l-1]`` is ``A_l``.
        cov: Residual covariance, shape ``(k, k)``.
        n: Periods returned (after ``burn`` discarded ones).
        intercept: ``c``, zeros if omitted.
        seed: Seed of the random generator.
        burn: Periods simulated and dropped so the start values do not matter.

    Returns:
        Array of shape ``(n, k)``.
    """
    coefs = np.asarray(coefs, dtype=float)
    p, k, _ = coefs.shape
    c = np.zeros(k) if intercept is None else np.asarray(intercept, dtype=float)
    rng = np.random.default_rng(seed)
    shocks = rng.multivariate_normal(np.zeros(k), cov, size=n + burn + p)
    y = np.zeros((n + burn + p, k))
    for t in range(p, n + burn + p):
        y[t] = c + shocks[t] + sum(coefs[lag] @ y[t - lag - 1] for lag in range(p))
    return y[burn + p:]


def indicator_frame(
    values: Sequence[float | None] | np.ndarray,
    *,
    start: dt.date = dt.date(2010, 1, 1),
    column: str = "relationship_index",
    events: Sequence[int] | np.ndarray | None = None,
    direction: str = "USA-RUS",
    dataset: str = "synthetic",
    extra: dict[str, Sequence[float | None] | np.ndarray] | None = None,
) -> pd.DataFrame:
    """Wrap monthly values in the layout of ``compute_indicators`` (the columns analysis reads).

    A value of ``None`` or NaN is a month without events: its ``events`` is 0
    unless ``events`` says otherwise.
    """
    vals = pd.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else float(v)
                     for v in values], dtype="Float64")
    n = len(vals)
    starts = monthly_starts(start, n)
    counts = [0 if pd.isna(v) else 10 for v in vals] if events is None else [int(e) for e in events]
    frame = pd.DataFrame({
        "dataset": dataset,
        "direction": direction,
        "issue_area": "all",
        "period_start": starts,
        "events": counts,
        column: vals,
    })
    for name, seq in (extra or {}).items():
        frame[name] = pd.array([None if v is None or (isinstance(v, float) and np.isnan(v)) else v
                                for v in seq], dtype="Float64")
    return frame
