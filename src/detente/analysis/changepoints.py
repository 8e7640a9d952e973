"""Change points of an indicator series: exact optimal partitioning, an MBIC penalty, a penalty path.

Three segment models, each scored as -2 log-likelihood so that one penalty rule serves:

* ``counts`` (event counts and other counts of events): negative-binomial
  counts with a mean per segment and one size (dispersion) for the series,
  estimated from consecutive periods; a series no more variable than Poisson
  is fitted as Poisson. Month-to-month variation of news-driven counts is
  far above Poisson, and a Poisson cost would read it as breaks.
* ``events`` (means of events: the relationship index, net cooperation, a
  share): Gaussian periods whose mean shifts, each with variance
  ``tau^2 + s^2 / n_t``: the variation between periods (``tau``) plus that of
  a mean of ``n_t`` events (``s``). Both are estimated robustly from first
  differences, so a period of many events weighs more than one of a few, but
  never as if each event were an independent draw.
* ``mean`` (any other series): Gaussian with one variance, from the median
  absolute first difference.

Only observed periods take part (a period without a value, such as a month
without events for a mean, is left out), and a break is placed at the first
observed period of its new segment.

Penalty: the modified BIC of Zhang and Siegmund (2007): a segmentation with
``m`` breaks and segments of ``l_j`` observed periods costs
``3 m log(n) + sum_j log(l_j / n)`` on top of its -2 log-likelihood, ``n`` the
observed periods. The optimum is exact (optimal partitioning with PELT's
pruning). A penalty path (CROPS, Haynes, Eckley and Fearnhead 2017) finds every
optimal segmentation for per-break penalties from half to four times the
default; each break reports the range of that multiplier over which a break
within one period of it stays. The defaults were calibrated on simulated
steady and one-break series (``validation/changepoint_calibration.py``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

import numpy as np
import pandas as pd

from detente.analysis._common import AnalysisError, as_date, json_safe, one_series, to_float

__all__ = [
    "COUNT_COLUMNS",
    "MEAN_COLUMNS",
    "PATH_RANGE",
    "PENALTY_K",
    "ChangePoint",
    "Segmentation",
    "break_indices",
    "change_points",
    "index_variances",
    "nb_size",
    "segment",
]

PENALTY_K = 3.0
"""MBIC's charge per break, in units of ``log(n)`` on the -2 log-likelihood scale."""

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


class _Cost(Protocol):
    def errors(self, starts: np.ndarray, end: int) -> np.ndarray: ...


class _GaussCost:
    """Gaussian segments with known variances: ``sum w (y - mean_w)^2`` plus MBIC's ``log(l)``."""

    def __init__(self, y: np.ndarray, var: np.ndarray) -> None:
        w = 1.0 / var
        # centred first: the sums of squares then lose nothing to a large level
        z = y - float(np.average(y, weights=w))
        self._w = np.concatenate([[0.0], np.cumsum(w)])
        self._wy = np.concatenate([[0.0], np.cumsum(w * z)])
        self._wy2 = np.concatenate([[0.0], np.cumsum(w * z * z)])

    def errors(self, starts: np.ndarray, end: int) -> np.ndarray:
        weight = self._w[end] - self._w[starts]
        s = self._wy[end] - self._wy[starts]
        s2 = self._wy2[end] - self._wy2[starts]
        out: np.ndarray = np.maximum(s2 - s * s / weight, 0.0) + np.log(end - starts)
        return out


class _NegBinCost:
    """Negative-binomial segments of one size ``r`` (``inf``: Poisson), plus MBIC's ``log(l)``.

    With the segment's mean ``mu = S / l`` (its maximum-likelihood estimate),
    -2 log-likelihood is ``-2 (r l log(r / (r + mu)) + S log(mu / (r + mu)))``
    up to terms that depend on the counts alone (the same for every segmentation).
    """

    def __init__(self, y: np.ndarray, size: float) -> None:
        self.size = size
        self._s = np.concatenate([[0.0], np.cumsum(y)])

    def errors(self, starts: np.ndarray, end: int) -> np.ndarray:
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


def _pelt(cost: _Cost, n: int, min_size: int, pen: float) -> tuple[list[int], float]:
    """Optimal partitioning with PELT's pruning; returns the segment ends (``n`` last) and
    the segmentation's cost without its penalties.

    The pruning margin allows for MBIC's ``log(l)`` terms (splitting a segment can raise
    their sum by at most ``log(n)``), so the pruning never drops the optimum.
    """
    total = np.full(n + 1, np.inf)
    total[0] = 0.0
    previous = np.zeros(n + 1, dtype=np.int64)
    admissible = np.zeros(0, dtype=np.int64)
    slack = math.log(max(n, 2))
    for end in range(min_size, n + 1):
        start = end - min_size  # the latest start of a last segment ending here
        if start == 0 or start >= min_size:
            admissible = np.append(admissible, start)
        values = total[admissible] + cost.errors(admissible, end) + pen
        best = int(np.argmin(values))
        total[end] = values[best]
        previous[end] = admissible[best]
        admissible = admissible[values <= values[best] + pen + slack]
    ends = [n]
    while previous[ends[-1]] > 0:
        ends.append(int(previous[ends[-1]]))
    ends.reverse()
    return ends, float(total[n] - pen * len(ends))


@dataclass(frozen=True)
class Segmentation:
    """The optimal breaks (indices into the observed periods) over a range of penalties."""

    breaks: tuple[int, ...]
    cost: float
    pen_low: float
    pen_high: float


def _path(cost: _Cost, n: int, min_size: int, low: float, high: float) -> list[Segmentation]:
    """Every optimal segmentation for per-break penalties in ``[low, high]`` (CROPS), each with
    the range of penalties where it is optimal, from the lowest penalty up."""
    runs: dict[float, tuple[tuple[int, ...], float]] = {}

    def run(pen: float) -> tuple[tuple[int, ...], float]:
        if pen not in runs:
            ends, c = _pelt(cost, n, min_size, pen)
            runs[pen] = (tuple(ends[:-1]), c)
        return runs[pen]

    todo = [(low, high)]
    while todo:
        b0, b1 = todo.pop()
        (s0, q0), (s1, q1) = run(b0), run(b1)
        if len(s0) > len(s1) + 1:
            mid = (q1 - q0) / (len(s0) - len(s1))
            if not b0 < mid < b1:
                continue
            sm, _ = run(mid)
            if len(sm) != len(s1):
                todo += [(b0, mid), (mid, b1)]
    found = {s: q for s, q in runs.values()}
    # the lower envelope of the lines cost + pen * breaks over [low, high]
    lines = sorted(found.items(), key=lambda kv: -len(kv[0]))
    cuts = {low, high}
    for (sa, qa), (sb, qb) in itertools.combinations(lines, 2):
        if len(sa) != len(sb):
            x = (qb - qa) / (len(sa) - len(sb))
            if low < x < high:
                cuts.add(x)
    edges = sorted(cuts)
    out: list[Segmentation] = []
    for a, b in itertools.pairwise(edges):
        mid = (a + b) / 2
        seg, q = min(lines, key=lambda kv: (kv[1] + mid * len(kv[0]), -len(kv[0])))
        if out and out[-1].breaks == seg:
            out[-1] = Segmentation(seg, q, out[-1].pen_low, b)
        else:
            out.append(Segmentation(seg, q, a, b))
    return out


def nb_size(counts: np.ndarray) -> float:
    """Estimate the negative-binomial size ``r`` of a count series from consecutive periods.

    ``Var = mu + mu^2 / r``. Over pairs of consecutive periods, half the squared
    difference estimates the variance and the product the squared mean, both
    without bias while the mean holds, and a few breaks barely move the sums:
    ``1 / r = (sum d^2 / 2 - sum m) / sum y_t y_(t-1)``. Returns ``inf`` (Poisson)
    when the series is no more variable than Poisson.
    """
    y = np.asarray(counts, dtype=float)
    y = y[~np.isnan(y)]
    if len(y) < 3:
        return math.inf
    d2 = float(np.sum(np.diff(y) ** 2)) / 2
    m = float(np.sum(y[1:] + y[:-1])) / 2
    pp = float(np.sum(y[1:] * y[:-1]))
    if pp <= 0 or d2 <= m:
        return math.inf
    return pp / (d2 - m)


_TRIM = 0.95
_Q95 = 1.959963984540054**2  # the 0.95 quantile of chi-square(1)
# E[X | X <= q] for X ~ chi-square(1), q its 0.95 quantile: P(chi2_3 <= q) / 0.95
_TRIM_MEAN = (0.95 - math.sqrt(2 * _Q95 / math.pi) * math.exp(-_Q95 / 2)) / 0.95


def index_variances(values: np.ndarray, events: np.ndarray | None = None, *,
                    between: bool = True) -> np.ndarray:
    """Return each observed period's variance ``tau^2 + s^2 / n_t`` (``values`` observed only).

    The difference of consecutive means has expectation 0 and variance
    ``2 tau^2 + s^2 (1/n_t + 1/n_(t-1))`` while the level holds. The two
    parameters are fitted to the squared differences by iteratively reweighted
    least squares, leaving out the largest 5% of the standardised ones (a break
    is one large difference) and correcting for the cut. Without ``events`` the
    variance is ``tau^2`` alone; ``between=False`` fits ``s^2 / n_t`` alone (each
    event an independent draw: the comparison the calibration reports). Exact ties
    (a hand-picked series repeats the same score) are data too, unlike for a median,
    which they can drive to zero.
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
    x = np.column_stack([np.full(len(a), 2.0), a])
    beta = np.array([float(np.mean(d2)) / 2, 0.0])
    if events is not None and not between:
        x[:, 0] = 0.0
        beta = np.array([0.0, float(np.mean(d2 / a))])
    for _ in range(25):
        m = np.maximum(x @ beta, 1e-12)
        r = d2 / m
        keep = r <= np.quantile(r, _TRIM)
        sw = 1.0 / m[keep]
        cols = x[keep] if events is not None else x[keep][:, :1]
        if events is not None and not between:
            cols = cols[:, 1:]
        fit = np.linalg.lstsq(cols * sw[:, None], d2[keep] * sw, rcond=None)[0]
        if events is not None and not between:
            fit = np.r_[0.0, fit]
        new = np.maximum(np.r_[fit, 0.0][:2] if events is None else fit, 0.0)
        if new.sum() <= 0:
            new = (np.array([0.0, float(np.mean(d2[keep] / a[keep]))]) if events is not None and not between
                   else np.array([float(np.mean(d2[keep])) / 2, 0.0]))
        if np.allclose(new, beta, rtol=1e-6, atol=1e-12):
            beta = new
            break
        beta = new
    tau2, s2 = beta / _TRIM_MEAN
    if tau2 + s2 <= 0 and float(np.max(d2)) > 0:  # steps between exactly flat stretches
        tau2 = 1e-9 * float(np.max(d2))
    out: np.ndarray = np.full(len(y), tau2) if events is None else tau2 + s2 / np.asarray(events, dtype=float)
    return out


def _model_cost(y: np.ndarray, events: np.ndarray | None, kind: str) -> tuple[_Cost, dict[str, float]] | None:
    """Return the cost of the observed series and its fitted noise, ``None`` for a flat series."""
    if kind == "counts":
        if np.any(y < 0):
            raise AnalysisError("the counts model needs counts (values of 0 or more)")
        r = nb_size(y)
        return _NegBinCost(y, r), {"size": r}
    var = index_variances(y, events if kind == "events" else None)
    if not np.all(np.isfinite(var)) or np.any(var <= 0):
        return None
    return _GaussCost(y, var), {"sd": float(np.sqrt(np.median(var)))}


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
        segment), the penalty path (indices into the observed periods, penalties as
        multipliers of the default) and the fitted noise (``size`` or ``sd``).

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
    fitted = _model_cost(y[where], ev, kind)
    if fitted is None:
        return [], [], {}
    cost, noise = fitted
    pen = (penalty_k - 1.0) * math.log(n)  # MBIC: 3 log n a break, less the log n of sum log(l_j / n)
    ends, _ = _pelt(cost, n, max(min_size, 1), pen)
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
    out: list[ChangePoint] = []
    for j, i in enumerate(idx):
        before, after = means[j], means[j + 1]
        rates: tuple[float | None, float | None] = (None, None)
        if events is not None:
            rates = (float(events[bounds[j]:i].mean()), float(events[i:bounds[j + 2]].mean()))
        shifted = [Segmentation(tuple(lo + b for b in s.breaks), s.cost, s.pen_low, s.pen_high) for s in path]
        holds = _holds(i, shifted, positions)
        out.append(ChangePoint(index=i, period_start=starts[i], before=before, after=after,
                               size=after - before, direction="up" if after >= before else "down",
                               rate_before=rates[0], rate_after=rates[1], model=kind,
                               holds_from=holds[0], holds_to=holds[1]))
    return out
