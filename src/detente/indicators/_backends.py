"""Engines the indicator expressions run on, found by name.

A backend meets one contract: :meth:`IndicatorBackend.events` yields the
store's events as an Ibis table on that engine. Everything else is the same
Ibis expression whatever the engine.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import ibis  # type: ignore[import-untyped]

from detente.errors import QueryError
from detente.store import EventFilter, Store

if TYPE_CHECKING:
    import ibis.expr.types as ir  # type: ignore[import-untyped]

__all__ = ["BACKENDS", "EVENT_COLUMNS", "IndicatorBackend", "get_backend", "spark_session"]

# the canonical columns the indicators read
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id", "date", "source_actor", "target_actor", "source_country", "target_country",
    "event_code", "event_root", "plover_type", "quad_class", "goldstein", "num_mentions",
    "num_sources", "is_root", "issue_areas", "dataset",
)


class IndicatorBackend(Protocol):
    """An engine: yields the store's events as an Ibis table on it."""

    name: str

    def events(self, store: Store, prefilter: EventFilter) -> Any:
        """Return a context manager yielding the events (at least those ``prefilter`` selects)."""


class DuckDBBackend:
    """The store itself: Ibis over the store's own DuckDB connection, no copy."""

    name = "duckdb"

    @contextmanager
    def events(self, store: Store, prefilter: EventFilter) -> Iterator[ir.Table]:
        """Yield the store's events table; the expression does all the filtering."""
        backend = ibis.duckdb.from_connection(store.con)
        yield backend.table("events").select(*EVENT_COLUMNS)


def spark_session() -> Any:
    """Return the active Spark session, or start a quiet local one.

    Raises:
        QueryError: PySpark or Java is missing.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - pyspark is a declared dependency
        raise QueryError("the spark backend needs PySpark (pip install pyspark)") from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if shutil.which("java") is None:
        raise QueryError("the spark backend needs Java (install a JDK 17 or later)")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("detente")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkBackend:
    """Apache Spark: the selected events go over as Parquet, then the same expression runs."""

    name = "spark"

    @contextmanager
    def events(self, store: Store, prefilter: EventFilter) -> Iterator[ir.Table]:
        """Yield the events ``prefilter`` selects, loaded into Spark from a Parquet copy."""
        session = spark_session()
        folder = Path(tempfile.mkdtemp(prefix="detente-spark-"))
        view = f"detente_events_{uuid.uuid4().hex[:12]}"
        try:
            where, params = prefilter.where()
            cols = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
            path = folder / "events.parquet"
            sql = f"COPY (SELECT {cols} FROM events WHERE {where}) TO '{path}' (FORMAT parquet)"
            store.con.execute(sql, params)
            session.read.parquet(str(path)).createOrReplaceTempView(view)
            yield ibis.pyspark.connect(session).table(view)
        finally:
            session.catalog.dropTempView(view)
            shutil.rmtree(folder, ignore_errors=True)


BACKENDS: dict[str, IndicatorBackend] = {b.name: b for b in (DuckDBBackend(), SparkBackend())}


def get_backend(name: str) -> IndicatorBackend:
    """Return the backend called ``name``.

    Raises:
        QueryError: no backend has that name.
    """
    try:
        return BACKENDS[name]
    except KeyError:
        raise QueryError(f"unknown backend {name!r}; known: {', '.join(BACKENDS)}") from None
