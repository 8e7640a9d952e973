"""DuckDB and Spark give the same indicators on the same events."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from detente.series import INDICATOR_SCHEMA, IndicatorSpec, compute_indicators
from detente.store import Store
from test_indicators import MAIN, add, empty_store, ev

pytestmark = [pytest.mark.slow, pytest.mark.spark]


def assert_same(duck: pa.Table, spark: pa.Table) -> None:
    """Counts and flags exactly, floats within 1e-9, nulls in the same cells."""
    assert duck.schema == spark.schema
    assert duck.num_rows == spark.num_rows > 0
    for field in INDICATOR_SCHEMA:
        left, right = duck[field.name].to_pylist(), spark[field.name].to_pylist()
        if pa.types.is_floating(field.type):
            for i, (a, b) in enumerate(zip(left, right, strict=True)):
                assert (a is None) == (b is None), (field.name, i, a, b)
                if a is not None:
                    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (field.name, i, a, b)
        else:
            assert left == right, field.name


@pytest.fixture
def parity_store(tmp_path: Path) -> Store:
    store = empty_store(tmp_path)
    extra: list[dict[str, Any]] = []
    codes = ["042", "057", "112", "138", "173", "190", "036", "061"]
    for i in range(120):  # a year of varied events, some repeated on a day, some with few sources
        code = codes[(i * 5) % len(codes)]
        src, tgt = ("USA", "RUS") if i % 3 else ("RUS", "USA")
        extra.append(ev(f"2020-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}", src, tgt, code,
                        round(-10 + (i * 37 % 200) / 10, 1), mentions=1 + i % 9, sources=1 + i % 4,
                        is_root=bool(i % 5), issues=("sanctions",) if i % 3 == 0 else ()))
    add(store, [dict(r) for r in MAIN] + extra)
    return store


@pytest.mark.parametrize("spec", [
    IndicatorSpec(split_directions=True, baseline_periods=3),
    IndicatorSpec(combine=True, one_a_day=True, root_only=True, min_sources=2, period="week",
                  issue="sanctions", baseline_periods=4),
    IndicatorSpec(period="quarter", baseline_periods=2, since=date(2020, 4, 1)),
], ids=["split-monthly", "combined-one-a-day-weekly-issue", "quarterly-since"])
def test_duckdb_and_spark_agree(parity_store: Store, spark: Any, spec: IndicatorSpec) -> None:
    duck = compute_indicators(parity_store, spec, backend="duckdb")
    on_spark = compute_indicators(parity_store, spec, backend="spark")
    assert duck.schema.metadata == on_spark.schema.metadata
    assert_same(duck, on_spark)
    assert sum(duck["events"].to_pylist()) > 0
