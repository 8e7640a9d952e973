"""Indicators against a second, plain-Python computation on random small stores."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.indicators import IndicatorSpec, compute_indicators
from test_indicators import add, empty_store, ev

CODES = {"036": 4.0, "042": 1.9, "057": 8.0, "112": -2.0, "138": -7.0, "173": -5.0, "190": -10.0}

event = st.tuples(
    st.integers(0, 200),                                  # day offset from 2021-01-01
    st.sampled_from([("USA", "RUS"), ("RUS", "USA"), ("USA", "CHN")]),
    st.sampled_from(sorted(CODES)),
    st.one_of(st.none(), st.integers(1, 50)),             # mentions
)


def month(d: date) -> date:
    return d.replace(day=1)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(event, min_size=1, max_size=40))
def test_monthly_split_matches_plain_python(tmp_path_factory: pytest.TempPathFactory,
                                            events: list[Any]) -> None:
    if not any(pair != ("USA", "CHN") for _, pair, _, _ in events):
        return  # nothing for the dyad: the error case is tested elsewhere
    store = empty_store(Path(tmp_path_factory.mktemp("prop")))
    rows = [ev((date(2021, 1, 1) + timedelta(days=off)).isoformat(), a, b, code, CODES[code], mentions=m)
            for off, (a, b), code, m in events]
    add(store, rows)
    table = compute_indicators(store, IndicatorSpec(split_directions=True, min_events=3)).to_pylist()

    dyad = [r for r in rows if {r["source_country"], r["target_country"]} == {"USA", "RUS"}]
    as_of = max(r["date"] for r in dyad)
    first = month(min(r["date"] for r in dyad))
    totals: dict[date, int] = defaultdict(int)
    for r in rows:
        if r["date"] <= as_of:
            totals[month(r["date"])] += 1
    months = sorted({first} | {month(first + timedelta(days=31 * k)) for k in range(12)})
    months = [m for m in months if m <= month(as_of)]
    expected = []
    for direction in ("RUS->USA", "USA->RUS"):
        src, tgt = direction.split("->")
        for m in months:
            cell = [r for r in dyad if r["source_country"] == src and r["target_country"] == tgt
                    and month(r["date"]) == m and r["date"] <= as_of]
            g = [r["goldstein"] for r in cell]
            w = [r["num_mentions"] or 1 for r in cell]
            expected.append({
                "direction": direction, "period_start": m, "events": len(cell),
                "q4": sum(r["quad_class"] == 4 for r in cell),
                "goldstein_mean": statistics.fmean(g) if g else None,
                "goldstein_weighted": sum(x * y for x, y in zip(g, w, strict=True)) / sum(w) if g else None,
                "events_share": len(cell) / totals[m] if totals[m] else None,
                "low_evidence": len(cell) < 3,
            })
    got = [{k: r[k] for k in expected[0]} for r in table]
    assert len(got) == len(expected)
    for g_row, e_row in zip(got, expected, strict=True):
        for k, v in e_row.items():
            if isinstance(v, float):
                assert g_row[k] == pytest.approx(v, rel=1e-12), (k, g_row, e_row)
            else:
                assert g_row[k] == v, (k, g_row, e_row)
    store.close()
