"""Calibrate the change-point models on simulated overdispersed event data.

Steady series: 120 months of negative-binomial counts (size k in 1, 5, 20; a mean
drawn log-uniformly from 5 to 500), and the relationship index built from them (each
event's score drawn from a fixed mix of codes). Share of series with any break.

One break: the same, with the counts' mean multiplied (or divided) by a ratio, or the
index shifted by a number of its standard deviations, at a month drawn so that both
segments hold at least 12 months. Share found within 2 months, and share found as
exactly one break.

For comparison, on the same steady series: the count breaks a Poisson cost finds, and,
for an index whose mix of codes also varies from month to month (a shift of standard
deviation ``TAU`` a month, no lasting change), the breaks found with and without the
variation between periods in the cost.

The bound (``--bound``): what the most favourable detector of one break could find in
the same one-break scenarios: it knows the counts' size, or the index's variance per
period, knows that there is at most one break and that both segments hold at least 12
months, and its threshold is set on steady series of the same size so that exactly 5%
of them show a break. No detector that must also keep steady series quiet can find more.

``--known-size`` gives the counts model the true size instead of its estimate (how much a
better estimate of the dispersion could add).

Run: ``python validation/changepoint_calibration.py [--series 400] [--seed 0] [--bound] [--known-size]``;
prints a Markdown table (the one in docs/analysis.md).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from detente.analysis import changepoints as cp
from detente.analysis.changepoints import change_points
from detente.analysis.synthetic import GOLDSTEIN_MIX, event_index, index_sd, indicator_frame, nb_counts

N = 120
SIZES = (1.0, 5.0, 20.0)
TAU = 0.5
EDGE = 12  # fewest months in a segment of the one-break scenarios


def draw(rng: np.random.Generator) -> tuple[float, float]:
    """Return a size and a mean."""
    return float(rng.choice(SIZES)), float(np.exp(rng.uniform(np.log(5), np.log(500))))


PENALTY = {"k": 3.0}
KNOWN_SIZE = {"on": False}


def counts_breaks(counts: np.ndarray, size: float) -> list[int]:
    """Breaks of the counts model (with ``--known-size``: the same search, the true size given)."""
    if KNOWN_SIZE["on"]:
        return cp._pelt(cp._NegBinCost(counts, size), len(counts), 2,
                        (PENALTY["k"] - 1) * math.log(len(counts)))[0][:-1]
    frame = indicator_frame([float(c) for c in counts], column="events", events=counts)
    return [c.index for c in change_points(frame, "events", penalty_k=PENALTY["k"])]


def index_breaks(counts: np.ndarray, index: np.ndarray) -> list[int]:
    """Breaks of the events model on the index."""
    return [c.index for c in change_points(indicator_frame(index, events=counts), penalty_k=PENALTY["k"])]


def poisson_breaks(counts: np.ndarray) -> list[int]:
    """Breaks of the same search with a Poisson cost (the comparison)."""
    n = len(counts)
    return cp._pelt(cp._NegBinCost(counts, math.inf), n, 2, (PENALTY["k"] - 1) * math.log(n))[0][:-1]


def independent_breaks(counts: np.ndarray, index: np.ndarray) -> list[int]:
    """Breaks of the same search with each event an independent draw (variance ``s^2 / n``)."""
    seen = counts > 0
    y, n = index[seen], counts[seen]
    var = cp.index_variances(y, n, between=False)
    return cp._pelt(cp._GaussCost(y, var), len(y), 2, (PENALTY["k"] - 1) * math.log(len(y)))[0][:-1]


def run(series: int, seed: int) -> list[dict[str, object]]:
    """Simulate and score every scenario; return one row per scenario and size."""
    rows: list[dict[str, object]] = []
    rng = np.random.default_rng(seed)
    results: dict[tuple[str, float], list[tuple[bool, bool]]] = {}
    for _ in range(series):
        size, mean = draw(rng)
        s = int(rng.integers(1 << 31))
        counts = nb_counts(np.full(N, mean), size, seed=s)
        index = event_index(counts, seed=s + 1)
        results.setdefault(("steady counts", size), []).append((bool(counts_breaks(counts, size)), False))
        results.setdefault(("steady index", size), []).append((bool(index_breaks(counts, index)), False))
        results.setdefault(("steady counts, Poisson cost", size), []).append(
            (bool(poisson_breaks(counts)), False))
        # the month's mix of codes varies too: a shift of sd TAU per month, no lasting change
        drift = event_index(counts, shift=np.random.default_rng(s + 4).normal(0.0, TAU, N), seed=s + 5)
        results.setdefault(("steady index, varying mix", size), []).append(
            (bool(index_breaks(counts, drift)), False))
        results.setdefault(("steady index, varying mix, s^2/n only", size), []).append(
            (bool(independent_breaks(counts, drift)), False))
        at = int(rng.integers(12, N - 12 + 1))
        up = bool(rng.integers(2))
        for ratio in (1.5, 2.0, 3.0):
            level = np.where(np.arange(N) < at, mean, mean * ratio if up else mean / ratio)
            c = nb_counts(level, size, seed=s + 2)
            found = counts_breaks(c, size)
            results.setdefault((f"counts x{ratio:g}", size), []).append(
                (any(abs(f - at) <= 2 for f in found), len(found) == 1 and abs(found[0] - at) <= 2))
        for sds in (1.0, 2.0):
            delta = sds * index_sd(counts) * (1 if up else -1)
            shifted = event_index(counts, shift=np.where(np.arange(N) < at, 0.0, delta), seed=s + 3)
            found = index_breaks(counts, shifted)
            results.setdefault((f"index +{sds:g} sd", size), []).append(
                (any(abs(f - at) <= 2 for f in found), len(found) == 1 and abs(found[0] - at) <= 2))
    for (scenario, size), vals in sorted(results.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        arr = np.array(vals, dtype=float)
        rows.append({"scenario": scenario, "size": size, "series": len(vals),
                     "found": float(arr[:, 0].mean()), "exactly_one": float(arr[:, 1].mean())})
    return rows


def _nb_loglik(total: np.ndarray, length: np.ndarray, size: float) -> np.ndarray:
    mu = total / length
    safe = np.where(total > 0, mu, 1.0)
    out: np.ndarray = size * length * np.log(size / (size + mu)) + np.where(
        total > 0, total * np.log(safe / (size + safe)), 0.0)
    return out


def one_break_counts(counts: np.ndarray, size: float) -> tuple[float, int]:
    """The likelihood-ratio statistic of the best single break (segments of EDGE or more)
    with the size known, and where it lies."""
    cum = np.cumsum(counts)
    at = np.arange(EDGE, N - EDGE + 1)
    left = cum[at - 1]
    stat = 2 * (_nb_loglik(left, at.astype(float), size)
                + _nb_loglik(cum[-1] - left, (N - at).astype(float), size)
                - _nb_loglik(cum[-1:], np.array([float(N)]), size))
    j = int(np.argmax(stat))
    return float(stat[j]), int(at[j])


def one_break_index(index: np.ndarray, counts: np.ndarray, s2: float) -> tuple[float, int]:
    """The same for the index, each period's variance ``s2 / n_t`` known."""
    seen = np.flatnonzero(counts > 0)
    w = counts[seen] / s2
    y = index[seen]
    cw, cwy = np.cumsum(w), np.cumsum(w * y)
    first = seen[1:]  # a break at the first observed period of the new segment
    ok = (first >= EDGE) & (first <= N - EDGE)
    w1, wy1 = cw[:-1][ok], cwy[:-1][ok]
    w2, wy2 = cw[-1] - w1, cwy[-1] - wy1
    stat = wy1**2 / w1 + wy2**2 / w2 - cwy[-1] ** 2 / cw[-1]
    j = int(np.argmax(stat))
    return float(stat[j]), int(first[ok][j])


def bound(series: int, seed: int) -> list[dict[str, object]]:
    """Share found within ±2 months by the most favourable single-break detector at 5% false alarms."""
    scores = np.array([v for v, _ in GOLDSTEIN_MIX])
    probs = np.array([p for _, p in GOLDSTEIN_MIX])
    probs = probs / probs.sum()
    s2 = float(probs @ (scores - probs @ scores) ** 2)
    rng = np.random.default_rng(seed)
    rows: list[dict[str, object]] = []
    for size in SIZES:
        null_c, null_i = [], []
        for _ in range(series):
            _, mean = draw(rng)
            s = int(rng.integers(1 << 31))
            counts = nb_counts(np.full(N, mean), size, seed=s)
            null_c.append(one_break_counts(counts, size)[0])
            null_i.append(one_break_index(event_index(counts, seed=s + 1), counts, s2)[0])
        limit_c, limit_i = float(np.quantile(null_c, 0.95)), float(np.quantile(null_i, 0.95))
        hits: dict[str, list[bool]] = {}
        for _ in range(series):
            _, mean = draw(rng)
            s = int(rng.integers(1 << 31))
            at = int(rng.integers(EDGE, N - EDGE + 1))
            up = bool(rng.integers(2))
            for ratio in (1.5, 2.0, 3.0):
                level = np.where(np.arange(N) < at, mean, mean * ratio if up else mean / ratio)
                stat, where = one_break_counts(nb_counts(level, size, seed=s + 2), size)
                hits.setdefault(f"counts x{ratio:g}", []).append(stat > limit_c and abs(where - at) <= 2)
            counts = nb_counts(np.full(N, mean), size, seed=s)
            for sds in (1.0, 2.0):
                delta = sds * index_sd(counts) * (1 if up else -1)
                shifted = event_index(counts, shift=np.where(np.arange(N) < at, 0.0, delta), seed=s + 3)
                stat, where = one_break_index(shifted, counts, s2)
                hits.setdefault(f"index +{sds:g} sd", []).append(stat > limit_i and abs(where - at) <= 2)
        rows += [{"scenario": k, "size": size, "series": len(v), "found": float(np.mean(v))}
                 for k, v in hits.items()]
    return sorted(rows, key=lambda r: (str(r["scenario"]), float(r["size"])))  # type: ignore[arg-type]


def main() -> None:
    """Print the calibration table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--penalty-k", type=float, default=3.0)
    parser.add_argument("--known-size", action="store_true",
                        help="the counts model is given the true size instead of estimating it")
    parser.add_argument("--bound", action="store_true",
                        help="only the most favourable single-break detector's share found")
    args = parser.parse_args()
    PENALTY["k"] = args.penalty_k
    KNOWN_SIZE["on"] = args.known_size
    if args.bound:
        t0 = time.perf_counter()
        rows = bound(args.series, args.seed)
        print(f"bound: {args.series} steady and {args.series} one-break series per size, seed {args.seed}, "
              f"{time.perf_counter() - t0:.0f} s\n")
        print("| scenario | size k | series | found within ±2 (5% false alarms) |")
        print("|---|---|---|---|")
        for r in rows:
            print(f"| {r['scenario']} | {r['size']:g} | {r['series']} | {r['found']:.1%} |")
        return
    t0 = time.perf_counter()
    rows = run(args.series, args.seed)
    print(f"{args.series} series of {N} months, seed {args.seed}, {time.perf_counter() - t0:.0f} s\n")
    print("| scenario | size k | series | any break / found within ±2 | exactly one, within ±2 |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['scenario']} | {r['size']:g} | {r['series']} | {r['found']:.1%} | "
              f"{'' if str(r['scenario']).startswith('steady') else format(r['exactly_one'], '.1%')} |")
    for kind in ("steady counts", "steady counts, Poisson cost", "steady index", "steady index, varying mix",
                 "steady index, varying mix, s^2/n only"):
        vals = [(r["found"], r["series"]) for r in rows if r["scenario"] == kind]
        total = sum(float(f) * int(n) for f, n in vals) / sum(int(n) for _, n in vals)  # type: ignore[arg-type]
        print(f"\n{kind}: any break in {total:.1%} of all series")


if __name__ == "__main__":
    main()
