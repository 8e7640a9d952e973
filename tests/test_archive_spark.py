"""Spark over a Parquet archive: the indicators of `detente indicators --backend spark
--store ARCHIVE` are the embedded store's."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from detente.cli.app import app
from detente.query import _engines
from detente.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.spark]


def _rows(*args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, [*args, "--as", "json"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def test_spark_over_an_archive_gives_the_store_s_rows(tmp_path: Path, spark: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store.duckdb"
    with Store.open(store) as st:
        st.export_archive(tmp_path / "arch", "year")
    loaded: list[str] = []
    load = _engines._SparkSession.load

    def spy(self: Any, path: Path) -> Any:
        loaded.append(str(path))
        return load(self, path)

    monkeypatch.setattr(_engines._SparkSession, "load", spy)
    args = ["indicators", "--period", "year", "--split", "--since", "2010-01-01", "--baseline", "3"]
    on_store = _rows(*args, "--store", str(store))
    on_spark = _rows(*args, "--backend", "spark", "--spark-master", "local[1]",
                     "--store", str(tmp_path / "arch"))
    # Spark read the archive's own events folder, not a copy
    assert loaded[0] == str(tmp_path / "arch" / "events")
    assert len(on_store) == len(on_spark) > 20
    assert sum(r["events"] or 0 for r in on_store) > 100
    for a, b in zip(on_spark, on_store, strict=True):
        for name, value in b.items():
            if isinstance(value, float) or isinstance(a[name], float):
                assert a[name] is not None and value is not None, (name, a, b)
                assert math.isclose(a[name], value, rel_tol=1e-9, abs_tol=1e-9), (name, a, b)
            else:
                assert a[name] == value, (name, a, b)
