"""Change points: exact segmentations, count and index models, calibration on overdispersed counts."""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import nbinom, poisson

from detente.analysis import AnalysisError, change_points
from detente.analysis import changepoints as cp
from detente.analysis._cp_costs import segment_variances
from detente.analysis.changepoints import break_indices, index_variances, nb_size, nb_size_ml, segment
from detente.analysis.synthetic import (
    event_index,
    index_sd,
    indicator_frame,
    nb_counts,
    piecewise_constant,
)


def test_two_known_breaks_found_at_their_indices() -> None:
    y = piecewise_constant(120, [40, 85], [0.0, 3.0, -1.0], sigma=1.0, seed=1)
    found = change_points(pd.Series(y))
    assert [c.index for c in found] == [40, 85]
    assert found[0].before == pytest.approx(y[:40].mean())
    assert found[0].after == pytest.approx(y[40:85].mean())
    assert found[1].after == pytest.approx(y[85:].mean())
    assert [c.direction for c in found] == ["up", "down"]
    assert found[1].size == pytest.approx(y[85:].mean() - y[40:85].mean())
    assert all(c.holds_to == 4.0 and c.stability == "strong" for c in found)  # 3 sd: kept by any penalty


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_no_break_in_pure_noise(seed: int) -> None:
    y = np.random.default_rng(seed).normal(0.0, 2.0, 150)
    assert change_points(pd.Series(y)) == []


def test_dates_come_from_the_period_starts() -> None:
    y = piecewise_constant(48, [30], [2.0, -2.0], sigma=0.5, seed=7)
    frame = indicator_frame(y, start=dt.date(2019, 1, 1), column="goldstein_sum")
    (brk,) = change_points(frame, "goldstein_sum")
    assert brk.period_start == dt.date(2021, 7, 1)  # index 30 = 2019-01 + 30 months
    assert brk.model == "mean"


def test_a_break_across_a_gap_sits_at_the_first_period_of_the_new_level() -> None:
    y = piecewise_constant(60, [30], [1.0, -3.0], sigma=0.5, seed=3)
    values: list[float | None] = list(y)
    for i in (5, 6, 7, 30, 31, 44):
        values[i] = None
    frame = indicator_frame(values, column="net_cooperation", events=[0 if v is None else 10 for v in values])
    (brk,) = change_points(frame, "net_cooperation", model="mean")
    assert brk.index == 32  # 30 and 31 have no value: the new level is first seen in 32
    assert brk.after == pytest.approx(np.mean([v for v in values[32:] if v is not None]))


def _brute_force(cost: object, n: int, pen: float, min_size: int = 2) -> list[int]:
    best: tuple[float, list[int]] | None = None
    for m in range(0, n // min_size):
        for bks in itertools.combinations(range(min_size, n - min_size + 1), m):
            bounds = [0, *bks, n]
            if any(b - a < min_size for a, b in itertools.pairwise(bounds)):
                continue
            total = sum(float(cost.errors(np.array([a]), b)[0])  # type: ignore[attr-defined]
                        for a, b in itertools.pairwise(bounds)) + pen * m
            if best is None or total < best[0] - 1e-9:
                best = (total, list(bks))
    assert best is not None
    return best[1]


def test_the_pruned_search_finds_the_optimal_segmentation() -> None:
    rng = np.random.default_rng(3)
    for trial in range(12):
        y = rng.normal(0, 1, 13)
        y[6:] += rng.choice([0.0, 2.5])
        gauss = cp._GaussCost(y, np.full(13, 1.0))
        counts = nb_counts(np.where(np.arange(13) < 6, 5.0, rng.choice([5.0, 20.0])), 4.0, seed=trial)
        negbin = cp._NegBinCost(counts, 4.0)
        for cost in (gauss, negbin):
            for pen in (0.5, 2.0, 6.0):
                ends, _ = cp._pelt(cost, 13, 2, pen)
                assert ends[:-1] == _brute_force(cost, 13, pen), (trial, pen)


def test_the_count_cost_is_the_negative_binomial_likelihood() -> None:
    y = np.array([3.0, 0.0, 7.0, 12.0, 4.0, 9.0])
    r = 2.5
    cost = cp._NegBinCost(y, r)
    mu = y.mean()
    loglik = nbinom.logpmf(y, r, r / (r + mu)).sum()
    # the cost drops the terms that do not depend on the segment's mean
    const = sum(math.lgamma(v + r) - math.lgamma(r) - math.lgamma(v + 1) for v in y)
    assert float(cost.errors(np.array([0]), 6)[0]) == pytest.approx(-2 * (loglik - const) + math.log(6))
    pois = cp._NegBinCost(y, math.inf)
    loglik = poisson.logpmf(y, mu).sum() + sum(math.lgamma(v + 1) for v in y)
    assert float(pois.errors(np.array([0]), 6)[0]) == pytest.approx(-2 * loglik + math.log(6))


def test_dispersion_is_estimated_from_consecutive_periods() -> None:
    steady = nb_counts(np.full(3000, 40.0), 5.0, seed=1)
    assert nb_size(steady) == pytest.approx(5.0, rel=0.15)
    shifted = nb_counts(np.where(np.arange(3000) < 1500, 40.0, 80.0), 5.0, seed=2)
    assert nb_size(shifted) == pytest.approx(5.0, rel=0.15)  # one break barely moves it
    assert nb_size(np.random.default_rng(3).poisson(30, 500).astype(float)) > 200  # Poisson: very large


def test_index_variance_separates_between_and_within_periods() -> None:
    rng = np.random.default_rng(4)
    n = rng.integers(1, 60, 3000).astype(float)
    tau, s = 0.8, 4.0
    y = rng.normal(0, tau, 3000) + rng.normal(0, 1, 3000) * s / np.sqrt(n)
    var = index_variances(y, n)
    assert var == pytest.approx(tau**2 + s**2 / n, rel=0.2)
    plain = index_variances(y)
    assert np.ptp(plain) == 0 and plain[0] == pytest.approx(np.var(y), rel=0.15)
    within = index_variances(y, n, between=False)  # each event an independent draw
    assert within * n == pytest.approx(np.full(3000, within[0] * n[0]))


def test_overdispersed_counts_without_a_break_show_none() -> None:
    # A Poisson cost reads the month-to-month variation of these as breaks; the negative
    # binomial does not.
    counts = nb_counts(np.full(120, 60.0), 2.0, seed=5)
    frame = indicator_frame([float(c) for c in counts], column="events", events=counts)
    assert change_points(frame, "events") == []
    poisson_breaks = cp._pelt(cp._NegBinCost(counts, math.inf), 120, 2, 2 * math.log(120))[0]
    assert len(poisson_breaks) > 5


def test_a_rate_change_without_a_change_of_tone_is_a_count_break_only() -> None:
    # The same mix of events throughout; the rate goes from 8 to 40 events a month and back.
    level = np.where((np.arange(90) >= 40) & (np.arange(90) < 60), 40.0, 8.0)
    counts = nb_counts(level, 20.0, seed=6)
    frame = indicator_frame(event_index(counts, seed=7), events=counts)
    assert change_points(frame) == []  # the index: one level, no pair of equal-mean breaks
    rate = change_points(frame, "events")
    assert [c.index for c in rate] == [40, 60]
    assert rate[0].direction == "up" and rate[1].direction == "down"
    assert rate[0].after == pytest.approx(counts[40:60].mean())


def test_stability_is_the_range_of_penalties_a_break_holds_for() -> None:
    y = piecewise_constant(120, [40, 80], [0.0, 4.0, 3.2], sigma=1.0, seed=8)
    breaks, path, _ = segment(y)
    assert breaks[0] == 40 and len(breaks) == 2 and abs(breaks[1] - 80) <= 8  # the small step: near 80
    # every segmentation of the path is the optimum at the penalties it claims (the noise
    # being the one fitted at the default penalty)
    pen = (cp.PENALTY_K - 1) * math.log(120)
    fitted = cp._fit(y, None, "mean", 2, pen)
    assert fitted is not None and fitted[0][:-1] == breaks
    for seg in path:
        mid = (seg.pen_low + seg.pen_high) / 2
        assert tuple(cp._pelt(fitted[1], 120, 2, mid * pen)[0][:-1]) == seg.breaks
    strong, weak = change_points(pd.Series(y))
    assert strong.holds_to == 4.0 and strong.stability == "strong"
    assert weak.holds_from is not None and weak.holds_from <= 1.0 <= (weak.holds_to or 0) < 4.0
    gone = segment(y, penalty_k=1 + (weak.holds_to or 0) * 1.01 * (cp.PENALTY_K - 1), path=False)[0]
    assert breaks[1] not in gone and 40 in gone


def test_too_short_series_is_a_clear_error() -> None:
    with pytest.raises(AnalysisError, match="too short"):
        break_indices(np.array([1.0, np.nan, 2.0]))


def test_table_with_two_series_must_be_narrowed() -> None:
    a = indicator_frame([1.0, 2.0, 3.0, 4.0], dataset="gdelt2")
    b = indicator_frame([1.0, 2.0, 3.0, 4.0], dataset="curated")
    with pytest.raises(AnalysisError, match="several series"):
        change_points(pd.concat([a, b]))


def test_unknown_indicator_is_a_clear_error() -> None:
    with pytest.raises(AnalysisError, match="'tone'"):
        change_points(indicator_frame([1.0] * 10), "tone")


def test_periods_before_a_datasets_coverage_are_no_break() -> None:
    y = piecewise_constant(60, [30], [2.0, -1.0], sigma=0.4, seed=9)
    values: list[float | None] = [None] * 24 + list(y)
    events = [0] * 24 + [8] * 60
    frame = indicator_frame(values, events=events)
    assert [c.index for c in change_points(frame)] == [24 + 30]
    assert change_points(frame, "events") == []  # the empty lead-in is coverage, not a fall
    # a count that is 0 where the dataset has events is data: force starts after 20 quiet months
    force = [0] * 24 + [0] * 20 + [6] * 40
    frame = indicator_frame(values, events=events, extra={"force": force})
    (brk,) = change_points(frame, "force")
    assert brk.model == "counts" and brk.index == 44 and brk.before == 0.0


# -- calibration (a seeded, smaller run of validation/changepoint_calibration.py) ----------


def _draw(rng: np.random.Generator) -> tuple[float, float]:
    return float(rng.choice([1.0, 5.0, 20.0])), float(np.exp(rng.uniform(np.log(5), np.log(500))))


def _breaks(values: np.ndarray, events: np.ndarray | None, kind: str) -> list[int]:
    found, _, _ = segment(values, events, kind=kind, path=False)  # type: ignore[arg-type]
    return found


def test_calibration_steady_series_rarely_show_a_break() -> None:
    rng = np.random.default_rng(2024)
    count_hits = index_hits = 0
    series = 200
    for i in range(series):
        size, mean = _draw(rng)
        counts = nb_counts(np.full(120, mean), size, seed=1000 + i)
        count_hits += bool(_breaks(counts, None, "counts"))
        index_hits += bool(_breaks(event_index(counts, seed=2000 + i), counts, "events"))
    assert count_hits / series <= 0.05
    assert index_hits / series <= 0.05


def test_calibration_one_break_is_found_once_within_two_periods() -> None:
    rng = np.random.default_rng(77)
    count_ok = index_ok = 0
    series = 80
    for i in range(series):
        size, mean = float(rng.choice([5.0, 20.0])), float(np.exp(rng.uniform(np.log(5), np.log(500))))
        at = int(rng.integers(12, 109))
        up = bool(rng.integers(2))
        level = np.where(np.arange(120) < at, mean, mean * 3 if up else mean / 3)
        counts = nb_counts(level, size, seed=3000 + i)
        found = _breaks(counts, None, "counts")
        count_ok += len(found) == 1 and abs(found[0] - at) <= 2
        steady = nb_counts(np.full(120, mean), size, seed=4000 + i)
        delta = 2 * index_sd(steady) * (1 if up else -1)
        index = event_index(steady, shift=np.where(np.arange(120) < at, 0.0, delta), seed=5000 + i)
        found = _breaks(index, steady, "events")
        index_ok += len(found) == 1 and abs(found[0] - at) <= 2
    assert count_ok / series >= 0.9  # a tripled or divided rate, size 5 or 20
    assert index_ok / series >= 0.85  # a shift of 2 standard deviations of the index


# -- the noise, fitted within the segments found ---------------------------------------------


def test_differences_across_a_break_are_left_out_of_the_noise() -> None:
    rng = np.random.default_rng(400)
    y = rng.normal(0.0, 1.0, 400)
    y[200:] += 20.0
    within = np.arange(399) != 199  # the pair (199, 200) straddles the break
    pooled = np.var(np.r_[y[:200] - y[:200].mean(), y[200:] - y[200:].mean()])
    assert index_variances(y, within=within)[0] == pytest.approx(pooled, rel=0.05)
    assert index_variances(y)[0] > pooled + 0.4  # the one jump of 20 adds 400 / 399 / 2
    counts = nb_counts(np.where(np.arange(600) < 300, 20.0, 200.0), 10.0, seed=3)
    assert nb_size(counts, within=np.arange(599) != 299) == pytest.approx(10.0, rel=0.05)
    assert nb_size(counts) < 9.6


def test_the_noise_is_refitted_within_the_segments_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # a large step and a small one: the large one inflates a noise fitted to every difference
    y = piecewise_constant(120, [40, 80], [0.0, 12.0, 10.8], sigma=1.0, seed=10)
    monkeypatch.setattr(cp, "REFITS", 0)
    once, _, first = segment(y, path=False)
    monkeypatch.setattr(cp, "REFITS", 3)
    again, _, refitted = segment(y, path=False)
    assert once == [40] and first["sd"] == pytest.approx(1.131, abs=1e-3)
    assert again == [40, 80] and refitted["sd"] == pytest.approx(0.8555, abs=1e-4)
    # refitted from the deviations within the segments: the pooled within-segment variance
    pooled = sum(float(np.sum((y[a:b] - y[a:b].mean()) ** 2)) for a, b in ((0, 40), (40, 80), (80, 120)))
    assert refitted["sd"] == pytest.approx(math.sqrt(pooled / (120 - 3)), rel=1e-6)
    # a series without a break keeps its first fit
    flat = np.random.default_rng(5).normal(0.0, 1.0, 120)
    assert segment(flat, path=False)[0] == []


def test_means_of_a_few_events_get_their_whole_variance() -> None:
    # One to a few events a month from a fixed mix: the differences have heavier tails
    # than Gaussian ones, and every one of them counts (no trimmed fit).
    counts = nb_counts(np.full(4000, 3.0), 1.0, seed=11)
    seen = counts > 0
    var = index_variances(event_index(counts, seed=12)[seen], counts[seen])
    one = float(var[counts[seen] == 1][0])
    assert one == pytest.approx(index_sd(np.array([1.0])) ** 2, rel=0.03)  # s^2 of one event: 14.94
    assert float(var[counts[seen] == counts[seen].max()][0]) < 1.0


def test_calibration_steady_index_with_a_varying_mix_rarely_shows_a_break() -> None:
    # the month's mix of codes shifts too (sd 0.5 a month), with no lasting change
    rng = np.random.default_rng(2025)
    hits = []
    for i in range(240):
        size, mean = _draw(rng)
        counts = nb_counts(np.full(120, mean), size, seed=16000 + i)
        drift = event_index(counts, shift=np.random.default_rng(17000 + i).normal(0.0, 0.5, 120),
                            seed=28000 + i)
        hits.append(bool(_breaks(drift, counts, "events")))
    assert sum(hits) / len(hits) <= 0.05


def test_the_size_by_maximum_likelihood_varies_less_than_the_moment_estimate() -> None:
    # 200 steady series of 120 months, size 1 (a standard deviation as large as the mean)
    ml = np.array([nb_size_ml(nb_counts(np.full(120, 60.0), 1.0, seed=500 + i)) for i in range(200)])
    mo = np.array([nb_size(nb_counts(np.full(120, 60.0), 1.0, seed=500 + i)) for i in range(200)])
    assert float(np.median(ml)) == pytest.approx(1.0, abs=0.05)
    assert float(np.std(np.log(ml))) < 0.15 < 0.2 < float(np.std(np.log(mo)))
    assert np.sum(ml > 1.5) == 0 and np.sum(mo > 1.5) >= 10  # a size too large reads noise as breaks
    # given the segment means, a break does not pass for dispersion
    counts = nb_counts(np.where(np.arange(600) < 300, 20.0, 200.0), 10.0, seed=3)
    means = np.where(np.arange(600) < 300, counts[:300].mean(), counts[300:].mean())
    assert nb_size_ml(counts, means) == pytest.approx(10.0, rel=0.06)
    assert nb_size_ml(counts) < 1.0
    assert nb_size_ml(np.random.default_rng(3).poisson(30, 500).astype(float)) == math.inf


def test_the_noise_within_known_segments_comes_from_the_deviations_from_their_means() -> None:
    rng = np.random.default_rng(4)
    n = rng.integers(1, 60, 3000).astype(float)
    tau, s = 0.8, 4.0
    y = rng.normal(0, tau, 3000) + rng.normal(0, 1, 3000) * s / np.sqrt(n)
    y[1500:] += 5.0
    var = segment_variances(y, n, [1500, 3000])
    assert var == pytest.approx(tau**2 + s**2 / n, rel=0.2)
    # about the series' mean instead, the step of 5 counts as noise: 5^2 / 4 a period
    assert np.all(segment_variances(y, n, [3000]) > var + 3.0)
    # one variance without the events: the pooled within-segment variance
    plain = segment_variances(y, None, [1500, 3000])
    pooled = (np.sum((y[:1500] - y[:1500].mean()) ** 2) + np.sum((y[1500:] - y[1500:].mean()) ** 2)) / 2998
    assert np.ptp(plain) == 0 and plain[0] == pytest.approx(pooled, rel=1e-6)


def test_a_segment_of_one_period_takes_no_part_in_the_noise() -> None:
    y = np.random.default_rng(6).normal(0.0, 1.0, 100)
    y[50] = 40.0  # alone in its segment (min_size 1)
    var = segment_variances(y, None, [50, 51, 100])
    rest = np.r_[y[:50] - y[:50].mean(), y[51:] - y[51:].mean()]
    assert var[0] == pytest.approx(float(np.sum(rest**2)) / (99 - 2), rel=1e-4)
    assert [c.index for c in change_points(pd.Series(y), min_size=1)] == [50, 51]
