"""The exact search for the optimal segmentation (PELT) and the penalty path (CROPS)."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from detente.analysis._cp_costs import _Cost


def _pelt(cost: _Cost, n: int, min_size: int, pen: float) -> tuple[list[int], float]:
    """Optimal partitioning with PELT's pruning; returns the segment ends (``n`` last) and
    the segmentation's cost without its penalties.

    The pruning margin allows for MBIC's ``log(l)`` terms (splitting a segment can raise
    their sum by at most ``log(n)``), so the pruning never drops the optimum.
    """
    total = np.full(n + 1, np.inf)
    total[0] = 0.0
    previous = np.zeros(n + 1, dtype=np.int64)
    slack = math.log(max(n, 2))
    table = cost.table(n)
    if table is None:
        _pelt_pruned(cost, total, previous, min_size, pen, slack)
    else:
        _pelt_tabled(table, total, previous, min_size, pen, slack)
    ends = [n]
    while previous[ends[-1]] > 0:
        ends.append(int(previous[ends[-1]]))
    ends.reverse()
    return ends, float(total[n] - pen * len(ends))


def _pelt_tabled(table: np.ndarray, total: np.ndarray, previous: np.ndarray, min_size: int,
                 pen: float, slack: float) -> None:
    """PELT over tabled errors: every start up to the latest is scored at once, a start not
    admissible (pruned, or too near the series' start) by an infinite cost before it, so
    the same starts compete as in :func:`_pelt_pruned` and the first best one wins."""
    n = len(total) - 1
    before = np.full(n + 1, np.inf)  # the cost before each admissible start
    before[0] = 0.0
    for end in range(min_size, n + 1):
        start = end - min_size  # the latest start of a last segment ending here
        prior = before[:start + 1]  # the costs before each start, a view
        values = prior + table[end, :start + 1] + pen
        best = int(values.argmin())
        low = values.item(best)  # a Python float: the same number, cheaper arithmetic
        total[end] = low
        before[end] = low
        previous[end] = best
        # ``>`` prunes what ``<=`` would not keep: no value is NaN (every error is finite)
        np.putmask(prior, values > low + pen + slack, np.inf)


def _pelt_pruned(cost: _Cost, total: np.ndarray, previous: np.ndarray, min_size: int,
                 pen: float, slack: float) -> None:
    """PELT with each end's errors computed for the admissible starts alone."""
    n = len(total) - 1
    held = np.empty(n + 1, dtype=np.int64)  # the admissible starts, in order: the first ``kept``
    kept = 0
    for end in range(min_size, n + 1):
        start = end - min_size  # the latest start of a last segment ending here
        if start == 0 or start >= min_size:
            held[kept] = start
            kept += 1
        admissible = held[:kept]
        values = total[admissible] + cost.errors(admissible, end) + pen
        best = int(values.argmin())
        low = values[best]
        total[end] = low
        previous[end] = admissible[best]
        stay = admissible[values <= low + pen + slack]
        kept = len(stay)
        held[:kept] = stay


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
