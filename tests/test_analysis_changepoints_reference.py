"""The change-point search against a plain reference: the same segmentations and the same numbers.

The search reads its segment errors from a table and scores every start at once; the
reference computes each end's errors for the admissible starts alone and keeps them
in a growing list, as the search is usually written. Both must agree to the last bit
on seeded series of counts and of means of events, with breaks and without.
"""

from __future__ import annotations

import itertools
import math
from typing import Literal

import numpy as np
import pytest

from detente.analysis import _cp_costs, _cp_search
from detente.analysis import changepoints as cp
from detente.analysis.synthetic import event_index, index_sd, nb_counts


def _reference_pelt(cost: _cp_costs._Cost, n: int, min_size: int, pen: float) -> tuple[list[int], float]:
    total = np.full(n + 1, np.inf)
    total[0] = 0.0
    previous = np.zeros(n + 1, dtype=np.int64)
    admissible = np.zeros(0, dtype=np.int64)
    slack = math.log(max(n, 2))
    for end in range(min_size, n + 1):
        start = end - min_size
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


def _reference_size(counts: np.ndarray, means: np.ndarray) -> float:
    """The size by the same golden-section search, lgamma taken of every count."""
    y = np.asarray(counts, dtype=float)
    mu = np.asarray(means, dtype=float)
    if len(y) < 3 or float(np.sum((y - mu) ** 2)) <= float(np.sum(mu)):
        return math.inf
    base = np.array([math.lgamma(v + 1.0) for v in y])

    def loglik(log_r: float) -> float:
        r = math.exp(log_r)
        terms = (np.array([math.lgamma(v + r) for v in y]) - base - math.lgamma(r)
                 + r * np.log(r / (r + mu)) - y * np.log(r + mu))
        return float(np.sum(terms))

    golden = (math.sqrt(5.0) - 1.0) / 2.0
    lo, hi = -5.0, 12.0
    a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
    fa, fb = loglik(a), loglik(b)
    while hi - lo > 1e-4:
        if fa >= fb:
            hi, b, fb = b, a, fa
            a = hi - golden * (hi - lo)
            fa = loglik(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + golden * (hi - lo)
            fb = loglik(b)
    return math.exp((lo + hi) / 2)


def _series(n: int, seed: int, breaks: bool) -> tuple[np.ndarray, np.ndarray]:
    """Counts (size 1, 5 or 20 by seed) and the index of their events, two breaks or none."""
    rng = np.random.default_rng(seed)
    level = np.full(n, float(rng.choice([4.0, 40.0, 300.0])))
    shift = rng.normal(0.0, 0.3, n)
    counts0 = nb_counts(level, 5.0, seed=seed)
    if breaks:
        a, b = n // 3 + int(rng.integers(-3, 4)), 2 * n // 3 + int(rng.integers(-3, 4))
        level[a:b] *= 2.5
        shift[a:] += 2.5 * index_sd(counts0)
        shift[b:] -= 4.0 * index_sd(counts0)
    counts = nb_counts(level, float(rng.choice([1.0, 5.0, 20.0])), seed=seed + 1)
    return counts, event_index(counts, shift=shift, seed=seed + 2)


def _costs(counts: np.ndarray, index: np.ndarray) -> list[tuple[_cp_costs._Cost, int]]:
    """The models' costs, each with its number of observed periods."""
    seen = counts > 0
    y, ev = index[seen], counts[seen]
    return [
        (cp._GaussCost(y, cp.index_variances(y, ev)), len(y)),
        (cp._GaussCost(y, cp.index_variances(y)), len(y)),
        (cp._NegBinCost(counts, cp.nb_size_ml(counts)), len(counts)),
        (cp._NegBinCost(counts, math.inf), len(counts)),
    ]


CASES = [(n, seed, breaks) for n, seed in ((12, 1), (60, 2), (150, 3), (400, 4)) for breaks in (False, True)]


@pytest.mark.parametrize(("n", "seed", "breaks"), CASES)
def test_the_search_matches_the_reference_bit_for_bit(n: int, seed: int, breaks: bool) -> None:
    counts, index = _series(n, seed, breaks)
    found = 0
    for cost, m in _costs(counts, index):
        for min_size in (1, 2, 3):
            for mult in (0.3, 1.0, 4.0):
                pen = mult * 2 * math.log(m)
                ends, q = cp._pelt(cost, m, min_size, pen)
                want_ends, want_q = _reference_pelt(cost, m, min_size, pen)
                assert ends == want_ends, (min_size, mult)
                assert q == want_q  # the same float, not merely close
                found += len(ends) - 1
    assert found > 0  # the comparison covers segmentations with breaks


@pytest.mark.parametrize("seed", [5, 6])
def test_the_untabled_search_of_a_long_series_matches_too(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    counts, index = _series(90, seed, True)
    monkeypatch.setattr(_cp_costs, "TABLE_MAX", 50)  # this series is "too long" for a table
    for cost, m in _costs(counts, index):
        assert cost.table(m) is None
        pen = 2 * math.log(m)
        assert cp._pelt(cost, m, 2, pen) == _reference_pelt(cost, m, 2, pen)


def test_the_table_holds_the_errors_each_end_would_compute() -> None:
    counts, index = _series(80, 7, True)
    for cost, m in _costs(counts, index):
        table = cost.table(m)
        assert table is not None and table.shape == (m + 1, m + 1)
        for end in range(1, m + 1):
            assert np.array_equal(table[end, :end], cost.errors(np.arange(end), end))
    # and a Gaussian error is the weighted sum of squares about the segment's weighted mean
    seen = counts > 0
    y, var = index[seen], cp.index_variances(index[seen], counts[seen])
    gauss = cp._GaussCost(y, var)
    table = gauss.table(len(y))
    assert table is not None
    for a, b in ((0, 5), (3, 40), (10, len(y))):
        w = 1.0 / var[a:b]
        mean = np.sum(w * y[a:b]) / np.sum(w)
        assert table[b, a] == pytest.approx(np.sum(w * (y[a:b] - mean) ** 2) + math.log(b - a), rel=1e-9)


@pytest.mark.parametrize(("n", "seed", "breaks"), CASES[2:])
def test_the_path_and_the_fit_match_the_reference(n: int, seed: int, breaks: bool,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    counts, index = _series(n, seed, breaks)
    runs: list[tuple[np.ndarray, np.ndarray | None, Literal["mean", "events", "counts"]]] = [
        (counts, counts, "counts"),
        (index, counts, "events"),
        (index, None, "mean"),
    ]
    got = [cp.segment(v, e, kind=k) for v, e, k in runs]
    sizes = [cp.nb_size_ml(counts)]
    monkeypatch.setattr(_cp_search, "_pelt", _reference_pelt)
    monkeypatch.setattr(cp, "_pelt", _reference_pelt)
    monkeypatch.setattr(cp, "nb_size_ml", _reference_size)
    want = [cp.segment(v, e, kind=k) for v, e, k in runs]
    assert got == want  # breaks, every segmentation of the path with its penalties, the noise
    assert sizes == [_reference_size(counts, np.full(n, float(np.mean(counts))))]
    if breaks:
        assert all(len(b) >= 1 for b, _, _ in got)  # the breaks are found, not just matched


def test_the_convergence_test_of_the_noise_fits_is_allclose() -> None:
    rng = np.random.default_rng(8)
    base = np.abs(rng.normal(0, 3, (400, 2)))
    pairs = [(b, b * (1 + rng.choice([0.0, 5e-8, 1e-7, 2e-7, 1e-3]))) for b in base]
    pairs += [(b, b + rng.choice([0.0, 5e-13, 1e-12, 2e-12])) for b in base * 1e-6]
    edge = [np.array([0.0, 0.0]), np.array([np.inf, 1.0]), np.array([np.nan, 1.0]), np.array([1.0, 2.0])]
    pairs += [(a, b) for a in edge for b in edge]
    outcomes = set()
    for x, y in pairs:
        assert _cp_costs._close(x, y) == np.allclose(x, y, rtol=1e-7, atol=1e-12), (x, y)
        outcomes.add(_cp_costs._close(x, y))
    assert outcomes == {True, False}


def _reference_segment_fit(y: np.ndarray, events: np.ndarray | None, ends: list[int]) -> np.ndarray:
    """The segment variances' reweighted fit, each segment's weights computed where used."""
    bounds = [0, *ends]
    within = np.ones(len(y) - 1, dtype=bool)
    within[np.asarray(ends[:-1], dtype=np.int64) - 1] = False
    start = cp.index_variances(y, events, within=within)
    if events is None:
        x = np.ones((len(y), 1))
        beta = np.array([float(start[0])])
    else:
        x = np.column_stack([np.ones(len(y)), 1.0 / events])
        beta = np.maximum(np.linalg.lstsq(x, start, rcond=None)[0], 0.0)
    alone = np.zeros(len(y), dtype=bool)
    for a, b in itertools.pairwise(bounds):
        alone[a:b] = b - a < 2
    if not np.all(np.isfinite(beta)) or beta.sum() <= 0 or np.sum(~alone) < 3:
        return start
    for _ in range(50):
        v = np.maximum(x @ beta, 1e-12)
        z = np.zeros(len(y))
        for a, b in itertools.pairwise(bounds):
            if b - a >= 2:
                h = (1.0 / v[a:b]) / np.sum(1.0 / v[a:b])
                z[a:b] = (y[a:b] - float(np.sum(h * y[a:b]))) ** 2 / np.maximum(1.0 - h, 1e-6)
        w = np.where(alone, 0.0, 1.0 / v)
        fit = np.linalg.lstsq(x * w[:, None], z * w, rcond=None)[0]
        if len(fit) == 2 and fit[0] < 0:
            fit = np.array([0.0, float(np.sum(x[:, 1] * z * w * w) / np.sum(x[:, 1] ** 2 * w * w))])
        elif len(fit) == 2 and fit[1] < 0:
            fit = np.array([float(np.sum(z * w * w) / np.sum(w * w)), 0.0])
        new = np.maximum(fit, 0.0)
        done = np.allclose(new, beta, rtol=1e-7, atol=1e-12)
        beta = new
        if done:
            break
    out: np.ndarray = x @ beta
    return out


@pytest.mark.parametrize(("n", "seed"), [(40, 9), (150, 10), (400, 11)])
def test_the_segment_variances_match_the_reference(n: int, seed: int) -> None:
    counts, index = _series(n, seed, True)
    seen = counts > 0
    y, ev = index[seen], counts[seen]
    m = len(y)
    for ends in ([m], [m // 3, m], [1, m // 2, m // 2 + 1, m], [m // 4, m // 2, 3 * m // 4, m]):
        for events in (ev, None):
            got = cp.segment_variances(y, events, ends)
            assert np.array_equal(got, _reference_segment_fit(y, events, ends)), (ends, events is None)
