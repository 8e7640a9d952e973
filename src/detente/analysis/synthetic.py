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

__all__ = ["GOLDSTEIN_MIX", "event_index", "index_sd", "indicator_frame", "monthly_starts", "nb_counts",
           "piecewise_constant", "var_process"]


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


GOLDSTEIN_MIX = ((1.0, 0.30), (3.0, 0.15), (-2.0, 0.15), (4.0, 0.10), (-4.0, 0.08),
                 (7.0, 0.05), (-5.0, 0.10), (-10.0, 0.02), (8.0, 0.05))
"""A fixed mix of event scores (Goldstein value, share of events): statements, consultations,
demands, cooperation, threats, treaties, coercion, force."""


def nb_counts(means: Sequence[float] | np.ndarray, size: float, *, seed: int = 0) -> np.ndarray:
    """Return negative-binomial counts with the given mean per period and size ``size``
    (variance ``mu + mu^2 / size``)."""
    mu = np.asarray(means, dtype=float)
    rng = np.random.default_rng(seed)
    return rng.negative_binomial(size, size / (size + mu)).astype(float)


def event_index(
    counts: Sequence[float] | np.ndarray,
    *,
    shift: Sequence[float] | np.ndarray | float = 0.0,
    mix: Sequence[tuple[float, float]] = GOLDSTEIN_MIX,
    seed: int = 0,
) -> np.ndarray:
    """Return the mean score of each period's events, each event drawn from ``mix`` (plus
    ``shift``, per period); NaN for a period without events."""
    n = np.asarray(counts, dtype=int)
    scores = np.array([v for v, _ in mix])
    probs = np.array([p for _, p in mix])
    probs = probs / probs.sum()
    rng = np.random.default_rng(seed)
    total = rng.multinomial(n, probs) @ scores if len(n) else np.zeros(0)
    plus = np.broadcast_to(np.asarray(shift, dtype=float), n.shape)
    out: np.ndarray = np.where(n > 0, total / np.maximum(n, 1) + plus, np.nan)
    return out


def index_sd(counts: Sequence[float] | np.ndarray,
             mix: Sequence[tuple[float, float]] = GOLDSTEIN_MIX) -> float:
    """Return the standard deviation of :func:`event_index` around its level over these
    counts' periods with events: ``s * sqrt(mean(1 / n))``, ``s`` that of the mix."""
    scores = np.array([v for v, _ in mix])
    probs = np.array([p for _, p in mix]) / sum(p for _, p in mix)
    s2 = float(probs @ (scores - probs @ scores) ** 2)
    n = np.asarray(counts, dtype=float)
    n = n[n > 0]
    return float(np.sqrt(s2 * np.mean(1.0 / n)))
