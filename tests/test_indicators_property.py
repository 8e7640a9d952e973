"""Indicators against a second, plain-Python computation on random small stores."""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.series import IndicatorSpec, compute_indicators
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


def _history_store(tmp_path: Path) -> Any:
    """Three datasets over five years; icews ends a year before the others, one issue area."""
    store = empty_store(tmp_path)
    rows = []
    codes = sorted(CODES)
    for i in range(400):
        day = date(2016, 1, 1) + timedelta(days=(i * 37) % 1800)
        dataset = ("gdelt2", "icews", "curated")[i % 3]
        if dataset == "icews" and day >= date(2019, 9, 1):
            continue
        pair = (("USA", "RUS"), ("RUS", "USA"), ("USA", "CHN"))[i % 7 % 3]
        code = codes[i % len(codes)]
        rows.append(ev(day.isoformat(), *pair, code, CODES[code], mentions=(i % 9) or None,
                       dataset=dataset, issues=("ukraine",) if i % 4 == 0 else ()))
    add(store, rows)
    return store


@pytest.mark.parametrize("since", [
    date(2010, 5, 5),    # before every event
    date(2016, 1, 1),    # the first day
    date(2017, 6, 17),   # mid-month, mid-quarter, mid-year, mid-week
    date(2018, 4, 1),
    date(2019, 11, 20),  # icews has ended: it drops out
    date(2020, 12, 1),   # near the end
])
def test_a_run_from_since_is_its_whole_history_cut(tmp_path: Path, since: date) -> None:
    """The rows of a run from ``since`` are cut from the kept whole history; they must be
    exactly the rows of a run of its own, for every kind of selection."""
    from detente.series._compute import _run

    store = _history_store(tmp_path)
    choices: list[dict[str, Any]] = [
        {},
        {"period": "quarter", "baseline_periods": 4},
        {"period": "year", "baseline_periods": 2},
        {"period": "week", "split_directions": True},
        {"combine": True},
        {"issue": "ukraine", "datasets": ("gdelt2", "curated")},
        {"as_of": date(2019, 3, 3), "until": date(2020, 1, 1)},
        {"datasets": ("icews",)},
    ]
    for choice in choices:
        if "as_of" in choice and since > choice["as_of"]:
            continue  # refused by the spec itself
        spec = IndicatorSpec(since=since, **choice)
        try:
            alone = _run(store, spec, "duckdb")[0]
        except Exception as exc:  # the same error, with the same words, either way
            with pytest.raises(type(exc), match=re.escape(str(exc))):
                compute_indicators(store, spec)
            continue
        cut = compute_indicators(store, spec)
        assert cut.schema == alone.schema, spec
        assert cut.schema.metadata == alone.schema.metadata, spec
        assert cut.to_pylist() == alone.to_pylist(), spec
    store.close()


def test_the_whole_history_is_kept_once_per_state_of_the_store(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.series import _compute

    store = _history_store(tmp_path)
    runs: list[IndicatorSpec] = []
    real = _compute._run

    def counted(st: Any, spec: IndicatorSpec, backend: str) -> Any:
        runs.append(spec)
        return real(st, spec, backend)

    monkeypatch.setattr(_compute, "_run", counted)
    firsts = [compute_indicators(store, IndicatorSpec(since=date(2017, m, 3))) for m in (2, 5, 9)]
    assert [r.since for r in runs] == [None]  # one run of the whole history, three cuts
    assert [t.column("period_start")[0].as_py() for t in firsts] == [
        date(2017, 2, 1), date(2017, 5, 1), date(2017, 9, 1)]
    add(store, [ev("2021-01-05", "USA", "RUS", "042", 1.9)])
    after = compute_indicators(store, IndicatorSpec(since=date(2017, 2, 3)))
    assert len(runs) == 2  # new events: the history is computed again
    last = [r for r in after.to_pylist() if r["period_start"] == date(2021, 1, 1)]
    # icews's events end years before: no file covers January 2021, so it is missing
    assert [(r["dataset"], r["events"], r["coverage"]) for r in last] == [
        ("curated", 0, "curated"), ("gdelt2", 1, "partial"), ("icews", None, "missing")]
    assert after.schema.metadata[b"as_of"] == b"2021-01-05"
    store.close()
