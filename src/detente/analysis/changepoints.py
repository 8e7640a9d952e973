"""Change points of an indicator series: exact optimal partitioning, an MBIC penalty, a penalty path.

Three segment models, each scored as -2 log-likelihood so that one penalty rule serves:

* ``counts`` (event counts and other counts of events): negative-binomial
  counts with a mean per segment and one size (dispersion) for the series,
  estimated by maximum likelihood; a series no more variable than Poisson
  is fitted as Poisson. Month-to-month variation of news-driven counts is
  far above Poisson, and a Poisson cost would read it as breaks.
* ``events`` (means of events: the relationship index, net cooperation, a
  share): Gaussian periods whose mean shifts, each with variance
  ``tau^2 + s^2 / n_t``: the variation between periods (``tau``) plus that of
  a mean of ``n_t`` events (``s``). Both are estimated from first
  differences, so a period of many events weighs more than one of a few, but
  never as if each event were an independent draw.
* ``mean`` (any other series): Gaussian with one variance, from the first
  differences.

The noise (size, or ``tau`` and ``s``) is fitted to the whole series first; when
that search finds breaks, it is fitted again within the segments found (a
difference across a break is not noise) and the search repeated until the
segmentation holds (``REFITS`` times at most). A series without a break keeps
its first fit.

Only observed periods take part (a period without a value, such as a month
without events for a mean, is left out), and a break is placed at the first
observed period of its new segment.

Penalty: the modified BIC of Zhang and Siegmund (2007): a segmentation with
``m`` breaks and segments of ``l_j`` observed periods costs
``3 m log(n) + sum_j log(l_j / n)`` on top of its -2 log-likelihood, ``n`` the
observed periods. The optimum is exact (optimal partitioning with PELT's
pruning). A penalty path (CROPS, Haynes, Eckley and Fearnhead 2017) finds every
optimal segmentation for per-break penalties from half to four times the
default, with the noise fitted at the default; each break reports the range
of that multiplier over which a break within one period of it stays. The defaults were calibrated on simulated
steady and one-break series (``validation/changepoint_calibration.py``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from detente.analysis._common import AnalysisError, as_date, json_safe, one_series, to_float
from detente.analysis._cp_costs import (
    _Cost,
    _GaussCost,
    _NegBinCost,
    index_variances,
    nb_size,
    nb_size_ml,
    segment_variances,
)
from detente.analysis._cp_search import Segmentation, _path, _pelt

__all__ = [
    "COUNT_COLUMNS",
    "MEAN_COLUMNS",
    "PATH_RANGE",
    "PENALTY_K",
    "REFITS",
    "ChangePoint",
    "Segmentation",
    "break_indices",
    "change_points",
    "index_variances",
    "nb_size",
    "nb_size_ml",
    "segment",
]

PENALTY_K = 3.0
"""MBIC's charge per break, in units of ``log(n)`` on the -2 log-likelihood scale."""

REFITS = 3
"""Times the noise is refitted to the differences within the segments found (0: never)."""

PATH_RANGE = (0.5, 4.0)
"""Multipliers of the per-break penalty over which the penalty path is traced."""

MEAN_COLUMNS = frozenset({
    "relationship_index", "goldstein_mean", "goldstein_weighted", "net_cooperation",
    "material_conflict_share", "q1_share", "q2_share", "q3_share", "q4_share",
})
"""Indicators that are means of the period's events (the ``events`` model fits them)."""

COUNT_COLUMNS = frozenset({"events", "q1", "q2", "q3", "q4", "threats", "force"})
"""Indicators that are counts of events (the ``counts`` model fits them)."""

Model = Literal["auto", "mean", "events", "counts"]


def _model_cost(y: np.ndarray, events: np.ndarray | None, kind: str,
                ends: list[int] | None = None) -> tuple[_Cost, dict[str, float]] | None:
    """Return the cost of the observed series and its fitted noise, ``None`` for a flat series.

    ``ends``: the segment ends of a segmentation found before; the noise is then fitted
    within its segments (each count, or each mean of events, around its segment's mean)."""
    bounds = [0, *(ends or [len(y)])]
    if kind == "counts":
        if np.any(y < 0):
            raise AnalysisError("the counts model needs counts (values of 0 or more)")
        means = np.concatenate([np.full(b - a, float(np.mean(y[a:b])))
                                for a, b in itertools.pairwise(bounds)])
        r = nb_size_ml(y, means)
        return _NegBinCost(y, r), {"size": r}
    ev = events if kind == "events" else None
    var = index_variances(y, ev) if ends is None else segment_variances(y, ev, ends)
    if not np.all(np.isfinite(var)) or np.any(var <= 0):
        return None
    return _GaussCost(y, var), {"sd": float(np.sqrt(np.median(var)))}


def _fit(y: np.ndarray, events: np.ndarray | None, kind: str, min_size: int,
         pen: float) -> tuple[list[int], _Cost, dict[str, float]] | None:
    """The optimal segment ends of the observed series at one penalty, the cost they are
    optimal for and its noise; ``None`` for a flat series.

    The noise is fitted to the whole series first; while the segmentation has breaks, it
    is fitted again within the segments found (a difference across a break is the break,
    not noise) and the search repeated, until the segmentation holds or ``REFITS`` times.
    A series without a break keeps its first fit.
    """
    fitted = _model_cost(y, events, kind)
    if fitted is None:
        return None
    cost, noise = fitted
    n = len(y)
    ends, _ = _pelt(cost, n, min_size, pen)
    for _ in range(REFITS):
        if len(ends) == 1:
            break
        refit = _model_cost(y, events, kind, ends)
        if refit is None:
            break
        new, _ = _pelt(refit[0], n, min_size, pen)
        cost, noise = refit
        if new == ends:
            break
        ends = new
    return ends, cost, noise


def segment(
    values: np.ndarray,
    events: np.ndarray | None = None,
    *,
    kind: Literal["mean", "events", "counts"] = "mean",
    min_size: int = 2,
    penalty_k: float = PENALTY_K,
    path: bool = True,
) -> tuple[list[int], list[Segmentation], dict[str, float]]:
    """Segment the observed periods of a series.

    Args:
        values: The series (NaN: no value); only observed periods take part.
        events: Events behind each value (the ``events`` model).
        kind: The segment model.
        min_size: Fewest observed periods in a segment.
        penalty_k: MBIC's charge per break in units of ``log(n)``.
        path: Also trace the penalty path.

    Returns:
        The breaks (indices into ``values``: the first observed period of each new
        segment), the penalty path (penalties as multipliers of the default, traced
        with the noise fitted at the default) and the fitted noise (``size`` or ``sd``).

    Raises:
        AnalysisError: Fewer than ``2 * min_size`` observed periods.
    """
    y = np.asarray(values, dtype=float)
    ok = ~np.isnan(y)
    if kind == "events" and events is not None:
        ok &= np.nan_to_num(np.asarray(events, dtype=float)) > 0
    where = np.flatnonzero(ok)
    n = len(where)
    if n < 2 * min_size:
        raise AnalysisError(f"series too short for change points: {n} observed periods, "
                            f"need at least {2 * min_size}")
    ev = None if events is None else np.asarray(events, dtype=float)[where]
    pen = (penalty_k - 1.0) * math.log(n)  # MBIC: 3 log n a break, less the log n of sum log(l_j / n)
    fitted = _fit(y[where], ev, kind, max(min_size, 1), pen)
    if fitted is None:
        return [], [], {}
    ends, cost, noise = fitted
    breaks = [int(where[e]) for e in ends[:-1]]
    segs: list[Segmentation] = []
    if path:
        low, high = PATH_RANGE
        segs = [Segmentation(tuple(int(where[b]) for b in s.breaks), s.cost,
                             s.pen_low / pen, s.pen_high / pen)
                for s in _path(cost, n, max(min_size, 1), low * pen, high * pen)]
    return breaks, segs, noise


def break_indices(
    values: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    counts: bool = False,
    min_size: int = 2,
    penalty_k: float = PENALTY_K,
) -> list[int]:
    """Return the indices where a new segment starts.

    Args:
        values: The series; NaN marks a period without a value.
        weights: Events behind each value (the ``events`` model); ``None``: one variance.
        counts: Fit ``values`` as counts (the ``counts`` model).
        min_size: Fewest observed periods in a segment.
        penalty_k: MBIC's charge per break, in units of ``log(n)``.

    Raises:
        AnalysisError: Fewer than ``2 * min_size`` observed periods.
    """
    kind: Literal["mean", "events", "counts"] = (
        "counts" if counts else ("mean" if weights is None else "events"))
    return segment(values, weights, kind=kind, min_size=min_size, penalty_k=penalty_k, path=False)[0]


@dataclass(frozen=True)
class ChangePoint:
    """A break: the first period of the new segment, the levels either side, and its stability.

    ``holds_from`` and ``holds_to`` bound the multipliers of the default penalty
    (traced from 0.5 to 4) over which a break within one period of this one stays;
    a break that holds to 4 is kept by any reasonable penalty, one that holds only
    to 1.1 is a candidate to check.
    """

    index: int
    period_start: dt.date | None
    before: float
    after: float
    size: float
    direction: Literal["up", "down"]
    rate_before: float | None = None
    rate_after: float | None = None
    model: str = "mean"
    holds_from: float | None = None
    holds_to: float | None = None

    @property
    def stability(self) -> str:
        """``strong`` (holds to twice the penalty or more), ``moderate`` (1.5) or ``weak``."""
        top = self.holds_to or 0.0
        return "strong" if top >= 2.0 else "moderate" if top >= 1.5 else "weak"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict (dates as ISO strings)."""
        out = asdict(self)
        out["period_start"] = self.period_start.isoformat() if self.period_start else None
        out["stability"] = self.stability
        safe: dict[str, Any] = json_safe(out)
        return safe


def _segment_mean(y: np.ndarray, w: np.ndarray, a: int, b: int) -> float:
    ww = w[a:b]
    if ww.sum() <= 0:
        return float("nan")
    return float(np.sum(np.nan_to_num(y[a:b]) * ww) / ww.sum())


def _holds(index: int, path: list[Segmentation], positions: np.ndarray) -> tuple[float | None, float | None]:
    """The contiguous range of penalty multipliers, around 1, where a break within one observed
    period of ``index`` is in the optimal segmentation."""
    rank = int(np.searchsorted(positions, index))

    def near(seg: Segmentation) -> bool:
        ranks = np.searchsorted(positions, np.asarray(seg.breaks, dtype=np.int64))
        return bool(np.any(np.abs(ranks - rank) <= 1))

    home = next((k for k, s in enumerate(path) if s.pen_low <= 1.0 <= s.pen_high), None)
    if home is None or not near(path[home]):
        return None, None
    lo = hi = home
    while lo > 0 and near(path[lo - 1]):
        lo -= 1
    while hi < len(path) - 1 and near(path[hi + 1]):
        hi += 1
    return round(path[lo].pen_low, 3), round(path[hi].pen_high, 3)


def change_points(
    data: pd.DataFrame | pd.Series,
    column: str = "relationship_index",
    *,
    model: Model = "auto",
    min_size: int = 2,
    penalty_k: float = PENALTY_K,
) -> list[ChangePoint]:
    """Find the breaks of one indicator series.

    Args:
        data: An indicator table holding one series (rows by ``period_start``)
            or a plain series (index = period starts or positions).
        column: The indicator, when ``data`` is a table.
        model: ``counts`` (negative binomial), ``events`` (means of events, weighed
            by their events and the variation between periods), ``mean`` (one
            variance); ``auto`` picks ``counts`` for a count indicator, ``events``
            for a mean-of-events indicator in a table with an ``events`` column,
            else ``mean``.
        min_size: Fewest observed periods in a segment.
        penalty_k: MBIC's charge per break, in units of ``log(n)`` (default 3).

    Returns:
        The breaks in time order, each with the segment means either side, the
        events per period either side (when the table has them) and the range of
        penalties over which it holds.

    Raises:
        AnalysisError: Missing column, several series, or too few periods.
    """
    if isinstance(data, pd.Series):
        y = to_float(data)
        starts: list[dt.date | None] = [as_date(i) if not isinstance(i, int | np.integer) else None
                                         for i in data.index]
        events: np.ndarray | None = None
        name = str(data.name) if data.name is not None else ""
    else:
        frame = one_series(data, column)
        y = to_float(frame[column])
        starts = [as_date(v) for v in frame["period_start"]] if "period_start" in frame else [None] * len(y)
        events = frame["events"].to_numpy(dtype=float) if "events" in frame.columns else None
        name = column
    kind: Literal["mean", "events", "counts"]
    if model == "auto":
        kind = ("counts" if name in COUNT_COLUMNS else
                "events" if events is not None and name in MEAN_COLUMNS else "mean")
    else:
        kind = model
    if kind == "events" and events is None:
        raise AnalysisError("the events model needs an 'events' column")
    weights = events if kind == "events" else None
    if weights is not None:
        y = np.where(np.nan_to_num(weights) > 0, y, np.nan)
    # Before the first observed period and after the last lies the data's coverage, not the
    # relationship: a dataset that starts in 2015 must not show a "break" there.
    if kind == "counts":  # coverage: the periods with any event (a count of threats may be 0)
        seen = np.flatnonzero(np.nan_to_num(events if events is not None else y) > 0)
    else:
        seen = np.flatnonzero(~np.isnan(y))
    lo, hi = (int(seen[0]), int(seen[-1]) + 1) if len(seen) else (0, len(y))
    found, path, _ = segment(y[lo:hi], None if weights is None else weights[lo:hi], kind=kind,
                             min_size=min_size, penalty_k=penalty_k)
    idx = [lo + i for i in found]
    # the segment's level: the mean of its events for a mean of events, else of its periods
    w = np.where(np.isnan(y), 0.0, 1.0 if weights is None else np.nan_to_num(weights))
    bounds = [lo, *idx, hi]
    means = [_segment_mean(y, w, a, b) for a, b in itertools.pairwise(bounds)]
    positions = np.flatnonzero(~np.isnan(y[lo:hi])) + lo
    shifted = [Segmentation(tuple(lo + b for b in s.breaks), s.cost, s.pen_low, s.pen_high) for s in path]
    out: list[ChangePoint] = []
    for j, i in enumerate(idx):
        before, after = means[j], means[j + 1]
        rates: tuple[float | None, float | None] = (None, None)
        if events is not None:
            rates = (float(events[bounds[j]:i].mean()), float(events[i:bounds[j + 2]].mean()))
        holds = _holds(i, shifted, positions)
        out.append(ChangePoint(index=i, period_start=starts[i], before=before, after=after,
                               size=after - before, direction="up" if after >= before else "down",
                               rate_before=rates[0], rate_after=rates[1], model=kind,
                               holds_from=holds[0], holds_to=holds[1]))
    return out
