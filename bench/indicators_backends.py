"""Benchmark: monthly USA-RUS indicators over a seeded synthetic store, three ways, in one run.

- ``detente``: ``compute_indicators`` (the Ibis expression, run on the DuckDB store);
- ``duckdb_sql``: one hand-written DuckDB query computing the same table (the floor);
- ``pandas``: the selected columns fetched into pandas, then ``groupby`` and ``rolling``.

Each is run ``--repeat`` times on the same store; the median is reported, with its
ratio to the floor. The hand-written result is checked against ``detente``'s, so
the two compute the same thing.

    python bench/indicators_backends.py --events 1000000
    python bench/indicators_backends.py --events 1000000 --events 10000000 --events 30000000

The synthetic events are generated inside DuckDB from a hash of the row number and
the seed (the same store whatever the thread count): ten years of days, eight
countries (so USA-RUS holds about 3% of the events), twelve CAMEO codes with their
quad classes and Goldstein weights, mentions, sources, root flags and issue areas.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from detente.series import IndicatorSpec, compute_indicators, min_baseline_periods
from detente.store import Store

COUNTRIES = ["USA", "RUS", "CHN", "UKR", "DEU", "GBR", "FRA", "POL"]
# (code, quad class, Goldstein weight)
CODES = [("010", 1, 0.0), ("036", 1, 4.0), ("042", 1, 1.9), ("057", 1, 8.0), ("061", 2, 6.4),
         ("071", 2, 7.4), ("112", 3, -2.0), ("130", 3, -4.4), ("138", 3, -7.0), ("163", 4, -8.0),
         ("173", 4, -5.0), ("190", 4, -10.0)]
AREAS = ["ukraine", "sanctions", "arms_control", "diplomacy", "syria", "energy_economy"]


def make_store(path: Path, events: int, seed: int) -> Store:
    """Create a store at ``path`` holding ``events`` synthetic GDELT-like events."""
    store = Store.open(path, with_chronology=False)
    store._con.execute("SET enable_progress_bar = false")

    # bits of one 64-bit hash per row feed the columns; separate hash calls on nearby
    # inputs are correlated in their low bits
    def bits(shift: int, modulo: int) -> str:
        return f"((h >> {shift}) % {modulo})::INT"

    def pick(values: list[str], shift: int) -> str:
        return "[" + ", ".join(f"'{v}'" for v in values) + f"][1 + {bits(shift, len(values))}]"

    code = f"1 + {bits(6, len(CODES))}"
    codes = "[" + ", ".join(f"'{c}'" for c, _, _ in CODES) + "]"
    quads = "[" + ", ".join(str(q) for _, q, _ in CODES) + "]"
    weights = "[" + ", ".join(str(g) for _, _, g in CODES) + "]"
    store._con.execute(f"""
        INSERT INTO events (event_id, date, source_actor, target_actor, source_country, target_country,
                            event_code, event_root, quad_class, goldstein, num_mentions, num_sources,
                            is_root, issue_areas, dataset, ingested_from)
        SELECT 'synth:' || i, DATE '2015-01-01' + {bits(12, 3653)}, sc, tc, sc, tc,
               {codes}[{code}], {codes}[{code}][1:2], {quads}[{code}], {weights}[{code}],
               1 + {bits(26, 60)}, 1 + {bits(34, 5)}, {bits(38, 3)} > 0,
               CASE WHEN {bits(41, 3)} = 0 THEN []::VARCHAR[] ELSE [{pick(AREAS, 44)}] END,
               'gdelt2', 'synthetic'
        FROM (SELECT i, h, {pick(COUNTRIES, 0)} AS sc, {pick(COUNTRIES, 3)} AS tc
              FROM (SELECT i, hash(i, {seed}) AS h FROM range({events}) t(i)))
    """)
    store._con.execute("CHECKPOINT")
    return store


HAND_SQL = """
WITH kept AS (
    SELECT date, source_country, target_country, event_root, quad_class, goldstein,
           CASE WHEN num_mentions > 0 THEN num_mentions::DOUBLE ELSE 1.0 END AS w,
           date_trunc('month', date)::DATE AS period_start
    FROM events WHERE dataset = 'gdelt2' AND date BETWEEN $first AND $last
), cells AS (
    SELECT period_start, count(*) AS events,
           count(*) FILTER (WHERE quad_class = 1) AS q1, count(*) FILTER (WHERE quad_class = 2) AS q2,
           count(*) FILTER (WHERE quad_class = 3) AS q3, count(*) FILTER (WHERE quad_class = 4) AS q4,
           count(*) FILTER (WHERE event_root = '13') AS threats,
           count(*) FILTER (WHERE event_root IN ('18', '19', '20')) AS force,
           avg(goldstein) AS goldstein_mean, sum(goldstein) AS goldstein_sum,
           sum(goldstein * w) / nullif(sum(CASE WHEN goldstein IS NOT NULL THEN w ELSE 0 END), 0) AS gw
    FROM kept
    WHERE (source_country = 'USA' AND target_country = 'RUS')
       OR (source_country = 'RUS' AND target_country = 'USA')
    GROUP BY period_start
), totals AS (
    SELECT period_start, count(*) AS total FROM kept GROUP BY period_start
), grid AS (
    SELECT g::DATE AS period_start, least((g + INTERVAL 1 MONTH - INTERVAL 1 DAY)::DATE, $last) AS period_end
    FROM generate_series($first::TIMESTAMP, $last::TIMESTAMP, INTERVAL 1 MONTH) t(g)
), j AS (
    SELECT 'gdelt2' AS dataset, 'USA-RUS' AS direction, 'all' AS issue_area, grid.period_start,
           grid.period_end, coalesce(events, 0) AS events, coalesce(q1, 0) AS q1, coalesce(q2, 0) AS q2,
           coalesce(q3, 0) AS q3, coalesce(q4, 0) AS q4, coalesce(threats, 0) AS threats,
           coalesce(force, 0) AS force, goldstein_mean, gw AS goldstein_weighted,
           coalesce(goldstein_sum, 0) AS goldstein_sum,
           (coalesce(q1, 0) + coalesce(q2, 0) - coalesce(q3, 0) - coalesce(q4, 0)) / nullif(events, 0)
               AS net_cooperation,
           q4 / nullif(events, 0) AS material_conflict_share,
           coalesce(events, 0) / nullif(total, 0) AS events_share,
           coalesce(events, 0) < $min_events AS low_evidence, gw AS relationship_index
    FROM grid LEFT JOIN cells USING (period_start) LEFT JOIN totals USING (period_start)
)
SELECT *, {baselines} FROM j
WINDOW w AS (ORDER BY period_start ROWS BETWEEN $n PRECEDING AND 1 PRECEDING)
ORDER BY period_start
"""
METRICS = ["events", "goldstein_mean", "net_cooperation", "material_conflict_share", "relationship_index"]


def hand_sql(n: int) -> str:
    parts = []
    for m in METRICS:
        ok = f"count({m}) OVER w >= {min_baseline_periods(n)}"
        base = f"CASE WHEN {ok} THEN avg({m}) OVER w END"
        parts += [f"{base} AS {m}_baseline", f"{m} - {base} AS {m}_diff",
                  f"CASE WHEN {ok} AND stddev_samp({m}) OVER w > 0 "
                  f"THEN ({m} - avg({m}) OVER w) / stddev_samp({m}) OVER w END AS {m}_z"]
    return HAND_SQL.replace("{baselines}", ", ".join(parts))


def run_pandas(store: Store, first: date, last: date, n: int) -> pd.DataFrame:
    """The same monthly table (counts, means, shares, the relationship index baseline) in pandas."""
    df = store._con.execute(
        "SELECT date, source_country, target_country, event_root, quad_class, goldstein, num_mentions "
        "FROM events WHERE dataset = 'gdelt2' AND date BETWEEN ? AND ?", [first, last]).df()
    df["period_start"] = pd.to_datetime(df["date"]).dt.to_period("M").dt.start_time
    totals = df.groupby("period_start").size()
    pair = df["source_country"] + "-" + df["target_country"]
    d = df[pair.isin(["USA-RUS", "RUS-USA"])].copy()
    d["w"] = np.where(d["num_mentions"] > 0, d["num_mentions"], 1.0)
    d["gw"] = d["goldstein"] * d["w"]
    for q in (1, 2, 3, 4):
        d[f"q{q}"] = d["quad_class"] == q
    g = d.groupby("period_start").agg(
        events=("date", "size"), q1=("q1", "sum"), q2=("q2", "sum"), q3=("q3", "sum"), q4=("q4", "sum"),
        goldstein_mean=("goldstein", "mean"), gw=("gw", "sum"), w=("w", "sum"))
    grid = pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="MS")
    g = g.reindex(grid)
    g["events"] = g["events"].fillna(0).astype("int64")
    g["relationship_index"] = g["gw"] / g["w"]
    g["net_cooperation"] = (g["q1"] + g["q2"] - g["q3"] - g["q4"]) / g["events"].replace(0, np.nan)
    g["events_share"] = g["events"] / totals.reindex(grid)
    need = min_baseline_periods(n)
    for m in ("events", "relationship_index", "net_cooperation"):
        prev = g[m].shift(1).rolling(n, min_periods=need)
        g[f"{m}_baseline"] = prev.mean()
        sd = prev.std()
        g[f"{m}_z"] = ((g[m] - g[f"{m}_baseline"]) / sd).where(sd > 0)
    return g


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench(events: int, seed: int, repeat: int, folder: Path) -> dict[str, float]:
    t = time.perf_counter()
    store = make_store(folder / f"synth_{events}.duckdb", events, seed)
    build = time.perf_counter() - t
    spec = IndicatorSpec(dyad=("USA", "RUS"), datasets=("gdelt2",))
    compute_indicators(store, spec)  # warm the cache and the compiler once
    t_detente, table = timed(lambda: compute_indicators(store, spec), repeat)
    first = table["period_start"][0].as_py()
    last = date.fromisoformat(table.schema.metadata[b"as_of"].decode())
    params = {"first": first, "last": last, "min_events": spec.min_events, "n": spec.baseline_periods}
    sql = hand_sql(spec.baseline_periods)
    t_sql, hand = timed(lambda: store._con.execute(sql, params).arrow(), repeat)
    hand_t = hand.read_all() if hasattr(hand, "read_all") else hand
    for col in ("events", "q4", "threats", "force"):
        assert hand_t[col].to_pylist() == table[col].to_pylist(), col
    for col in ("relationship_index", "goldstein_mean", "events_share", "events_z", "relationship_index_z"):
        a, b = np.array(hand_t[col].to_pylist(), dtype=float), np.array(table[col].to_pylist(), dtype=float)
        assert np.allclose(a, b, rtol=1e-9, atol=1e-9, equal_nan=True), col
    t_pd, frame = timed(lambda: run_pandas(store, first, last, spec.baseline_periods), repeat)
    assert frame["events"].tolist() == table["events"].to_pylist()
    store.close()
    return {"events": events, "dyad_rows": table.num_rows, "build_s": build, "detente_s": t_detente,
            "duckdb_sql_s": t_sql, "pandas_s": t_pd}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, action="append", help="store size (repeatable)")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = args.events or [1_000_000]
    print(f"python {platform.python_version()} on {platform.machine()}, repeat {args.repeat} (median)")
    print(f"{'events':>12} {'months':>7} {'detente':>9} {'duckdb SQL':>11} {'pandas':>9} "
          f"{'detente/SQL':>12} {'pandas/SQL':>11} {'s per M events':>15}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            r = bench(n, args.seed, args.repeat, Path(tmp))
            print(f"{n:>12,} {r['dyad_rows']:>7} {r['detente_s']:>8.3f}s {r['duckdb_sql_s']:>10.3f}s "
                  f"{r['pandas_s']:>8.3f}s {r['detente_s'] / r['duckdb_sql_s']:>11.2f}x "
                  f"{r['pandas_s'] / r['duckdb_sql_s']:>10.2f}x {r['detente_s'] / n * 1e6:>14.3f}s",
                  flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
