"""Arrow results from DuckDB through the relation API (no extra copy)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

__all__ = ["arrow_reader", "arrow_table"]


def arrow_table(con: duckdb.DuckDBPyConnection, sql: str,
                params: Sequence[object] | None = None) -> pa.Table:
    """Run ``sql`` with bound ``params`` and return an Arrow table."""
    table: pa.Table = con.sql(sql, params=list(params or [])).to_arrow_table()
    return table


def arrow_reader(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None,
                 batch_rows: int) -> pa.RecordBatchReader:
    """Run ``sql`` with bound ``params`` and stream the result as Arrow batches."""
    reader: pa.RecordBatchReader = con.sql(sql, params=list(params or [])).to_arrow_reader(batch_rows)
    return reader
