"""Change points of an indicator series (PELT, a fixed BIC penalty; ``ruptures`` for plain series).

Two models, both scored as -2 log-likelihood so that one penalty rule serves:

* ``mean``: a Gaussian series whose level shifts. Cost: the within-segment
  sum of squares over sigma^2 (periods without a value weigh nothing).
* ``events``: a mean of events (the relationship index, net cooperation, a
  share), each period's value resting on ``events`` observations. The mean of
  ``n`` events has variance ``sigma^2 / n``, so periods weigh by their events,
  and the count of events is itself modelled (Poisson, with a rate per
  segment): a crisis in a chronology or in the news shows as a burst of events
  *and* a drop of the mean. This is a marked Poisson process with a rate and a
  mark mean per segment.

Penalty rule, the same for every series, never tuned to one: each break costs
``k * log(n)`` on the -2 log-likelihood scale with ``k = 2`` (the BIC charge of
``log n`` for each of the two parameters a break brings), ``n`` the number of
periods; sigma is estimated robustly from first differences
(:func:`detente.analysis._common.robust_sigma`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from detente.analysis._common import AnalysisError, as_date, json_safe, one_series, robust_sigma, to_float

__all__ = ["PENALTY_K", "ChangePoint", "CostEventMeans", "break_indices", "change_points"]

PENALTY_K = 2.0
"""Parameters charged per break in the BIC penalty ``PENALTY_K * log(n)``."""

MEAN_COLUMNS = frozenset({
    "relationship_index", "goldstein_mean", "goldstein_weighted", "net_cooperation",
    "material_conflict_share", "q1_share", "q2_share", "q3_share", "q4_share",
})
"""Indicators that are means of the period's events (the ``events`` model fits them)."""


class CostEventMeans:
    """Cost of a segment of event means: weighted Gaussian marks, optional Poisson counts.

    The signal has two columns: the period's mean (any value where the weight
    is 0) and its weight (events, or 1/0 for observed/missing).
    """

    model = "event_means"
    min_size = 2

    def __init__(self, sigma2: float, counts: bool) -> None:
        self.sigma2 = sigma2
        self.counts = counts

    def fit(self, signal: np.ndarray) -> CostEventMeans:
        """Precompute cumulative sums of the weights and weighted values."""
        self.signal = signal
        w = signal[:, 1]
        y = np.where(w > 0, signal[:, 0], 0.0)
        self._w = np.concatenate([[0.0], np.cumsum(w)])
        self._wy = np.concatenate([[0.0], np.cumsum(w * y)])
        self._wy2 = np.concatenate([[0.0], np.cumsum(w * y * y)])
        return self

    def error(self, start: int, end: int) -> float:
        """Return -2 log-likelihood (up to a constant) of ``signal[start:end]``."""
        weight = self._w[end] - self._w[start]
        if weight <= 0:
            return 0.0
        s = self._wy[end] - self._wy[start]
        s2 = self._wy2[end] - self._wy2[start]
        cost = max(s2 - s * s / weight, 0.0) / self.sigma2
        if self.counts:
            cost -= 2.0 * (weight * np.log(weight / (end - start)) - weight)
        return float(cost)

    def errors(self, starts: np.ndarray, end: int) -> np.ndarray:
        """Return :meth:`error` for many segments ``signal[start:end]`` at once."""
        weight = self._w[end] - self._w[starts]
        safe = np.where(weight > 0, weight, 1.0)
        s = self._wy[end] - self._wy[starts]
        s2 = self._wy2[end] - self._wy2[starts]
        cost = np.maximum(s2 - s * s / safe, 0.0) / self.sigma2
        if self.counts:
            cost = cost - 2.0 * (safe * np.log(safe / (end - starts)) - safe)
        out: np.ndarray = np.where(weight > 0, cost, 0.0)
        return out


def _pelt(cost: CostEventMeans, n: int, min_size: int, pen: float) -> list[int]:
    """PELT with every start admissible (``jump=1``), the costs of one end at once.

    The same recursion, pruning rule and tie-breaking (first minimum) as
    ``ruptures.Pelt``, each partition's total summed in the same order, so the
    breaks are the same; returns the segment ends, ``n`` last.
    """
    total = np.full(n + 1, np.nan)  # optimal -2 log-likelihood of signal[0:t], penalties included
    total[0] = 0.0
    previous = np.zeros(n + 1, dtype=np.int64)
    admissible = np.zeros(0, dtype=np.int64)
    for end in [*range(min_size, n), n]:
        admissible = np.append(admissible, end - min_size)
        admissible = admissible[~np.isnan(total[admissible])]
        values = total[admissible] + (cost.errors(admissible, end) + pen)
        best = int(np.argmin(values))
        total[end] = values[best]
        previous[end] = admissible[best]
        admissible = admissible[values <= values[best] + pen]
    ends = [n]
    while previous[ends[-1]] > 0:
        ends.append(int(previous[ends[-1]]))
    return ends[::-1]


def break_indices(
    values: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    counts: bool = False,
    min_size: int = 2,
    penalty_k: float = PENALTY_K,
) -> list[int]:
    """Return the indices where a new segment starts (PELT with the stated penalty).

    Args:
        values: The series; NaN marks a period without a value.
        weights: Observations behind each value (events); ``None`` weighs
            every observed period 1.
        counts: Also model the weights as Poisson counts (the ``events`` model).
        min_size: Fewest periods in a segment.
        penalty_k: ``k`` of the penalty ``k * log(n)``.

    Raises:
        AnalysisError: Fewer than ``2 * min_size`` observed periods.
    """
    y = np.asarray(values, dtype=float)
    w = (~np.isnan(y)).astype(float) if weights is None else np.asarray(weights, dtype=float)
    w = np.where(np.isnan(y), 0.0, np.nan_to_num(w))
    observed = int((w > 0).sum())
    if observed < 2 * min_size:
        raise AnalysisError(f"series too short for change points: {observed} observed periods, "
                            f"need at least {2 * min_size}")
    sigma = robust_sigma(y, w if weights is not None else None)
    if not np.isfinite(sigma) or sigma <= 0:
        return []
    n = len(y)
    pen = penalty_k * float(np.log(n))
    if weights is None and observed == n and not counts:
        # A complete plain series: ruptures' own l2 cost, the penalty on its scale. Imported
        # here: ruptures loads scipy.stats and scipy.spatial, over a second on a slow machine.
        import ruptures as rpt

        algo = rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(y.reshape(-1, 1))
        ends = algo.predict(pen=pen * sigma**2)
    else:
        cost = CostEventMeans(sigma**2, counts)
        cost.min_size = min_size
        cost.fit(np.column_stack([np.nan_to_num(y), w]))
        ends = _pelt(cost, n, max(min_size, 1), pen)
    return [int(e) for e in ends[:-1]]


@dataclass(frozen=True)
class ChangePoint:
    """A break: the first period of the new segment and the levels either side."""

    index: int
    period_start: dt.date | None
    before: float
    after: float
    size: float
    direction: Literal["up", "down"]
    rate_before: float | None = None
    rate_after: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict (dates as ISO strings)."""
        out = asdict(self)
        out["period_start"] = self.period_start.isoformat() if self.period_start else None
        safe: dict[str, Any] = json_safe(out)
        return safe


def _segment_mean(y: np.ndarray, w: np.ndarray, a: int, b: int) -> float:
    ww = w[a:b]
    if ww.sum() <= 0:
        return float("nan")
    return float(np.sum(np.nan_to_num(y[a:b]) * ww) / ww.sum())


def change_points(
    data: pd.DataFrame | pd.Series,
    column: str = "relationship_index",
    *,
    model: Literal["auto", "mean", "events"] = "auto",
    min_size: int = 2,
    penalty_k: float = PENALTY_K,
) -> list[ChangePoint]:
    """Find the breaks of one indicator series.

    Args:
        data: An indicator table holding one series (rows by ``period_start``)
            or a plain series (index = period starts or positions).
        column: The indicator, when ``data`` is a table.
        model: ``events`` weighs each period by its events and models their
            count; ``mean`` treats the values alone; ``auto`` picks ``events``
            for a mean-of-events indicator in a table with an ``events``
            column, else ``mean``.
        min_size: Fewest periods in a segment.
        penalty_k: ``k`` of the penalty ``k * log(n)`` (default 2, BIC).

    Returns:
        The breaks in time order, each with the segment means either side.

    Raises:
        AnalysisError: Missing column, several series, or too few periods.
    """
    if isinstance(data, pd.Series):
        y = to_float(data)
        starts: list[dt.date | None] = [as_date(i) if not isinstance(i, int | np.integer) else None
                                         for i in data.index]
        events: np.ndarray | None = None
    else:
        frame = one_series(data, column)
        y = to_float(frame[column])
        starts = [as_date(v) for v in frame["period_start"]] if "period_start" in frame else [None] * len(y)
        events = frame["events"].to_numpy(dtype=float) if "events" in frame.columns else None
    use_events = model == "events" or (model == "auto" and events is not None and column in MEAN_COLUMNS)
    if use_events and events is None:
        raise AnalysisError("the events model needs an 'events' column")
    weights = events if use_events else None
    w = np.where(np.isnan(y), 0.0, 1.0) if weights is None else np.where(np.isnan(y), 0.0, weights)
    # Before the first observed period and after the last lies the data's coverage, not the
    # relationship: a dataset that starts in 2015 must not show a "break" in its event rate there.
    seen = np.nonzero(w > 0)[0]
    lo, hi = (int(seen[0]), int(seen[-1]) + 1) if len(seen) else (0, len(y))
    idx = [lo + i for i in break_indices(y[lo:hi], None if weights is None else weights[lo:hi],
                                         counts=use_events, min_size=min_size, penalty_k=penalty_k)]
    bounds = [lo, *idx, hi]
    means = [_segment_mean(y, w, a, b) for a, b in itertools.pairwise(bounds)]
    out: list[ChangePoint] = []
    for j, i in enumerate(idx):
        # A segment without events (a lull) has no mean: compare the nearest ones that have.
        before = next((m for m in reversed(means[:j + 1]) if not np.isnan(m)), float("nan"))
        after = next((m for m in means[j + 1:] if not np.isnan(m)), float("nan"))
        rates: tuple[float | None, float | None] = (None, None)
        if use_events and events is not None:
            rates = (float(events[bounds[j]:i].mean()), float(events[i:bounds[j + 2]].mean()))
        out.append(ChangePoint(index=i, period_start=starts[i], before=before, after=after,
                               size=after - before, direction="up" if after >= before else "down",
                               rate_before=rates[0], rate_after=rates[1]))
    return out
