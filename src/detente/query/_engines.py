"""Engines the indicator expressions run on, found by name.

``duckdb`` is the store itself (:mod:`detente.query._compiled` runs the expression
on the store's connection). ``spark`` takes the selected events over as Parquet:
:meth:`SparkBackend.open` yields a :class:`Session`, the events as an Ibis table on
Spark, a way to put a small table beside them and a way to run an expression.
Everything else is the same Ibis expression whatever the engine.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import duckdb

from detente.errors import QueryError
from detente.query._sql import where
from detente.query.types import Selection

if TYPE_CHECKING:
    import ibis.expr.types as ir  # type: ignore[import-untyped]
    import pyarrow as pa

    from detente.query._layer import Queries

__all__ = ["BACKENDS", "EVENT_COLUMNS", "IndicatorBackend", "Session", "get_backend", "ibis_duckdb",
           "spark_session"]

# the canonical columns the indicators read
EVENT_COLUMNS: tuple[str, ...] = (
    "event_id", "date", "source_actor", "target_actor", "source_country", "target_country",
    "event_code", "event_root", "plover_type", "quad_class", "goldstein", "num_mentions",
    "num_sources", "is_root", "issue_areas", "dataset",
    # whether an event has text to read decides whether a missing issue tag says anything
    "text", "url",
)


class Session(Protocol):
    """The events on one engine, and how to add a small table and run an expression there."""

    events: ir.Table

    def table(self, data: pa.Table) -> ir.Table:
        """Return ``data`` as a table on this engine."""

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        """Run ``expr`` and return its rows."""


class IndicatorBackend(Protocol):
    """An engine, by name."""

    name: str


# settings Ibis changes on a connection it is handed; the store's connection gets them back
_DUCKDB_SETTINGS = ("TimeZone", "python_enable_replacements")


@contextmanager
def ibis_duckdb(con: duckdb.DuckDBPyConnection) -> Iterator[Any]:
    """Yield Ibis's DuckDB backend over ``con`` (the store's own connection); the
    settings Ibis changes on a connection it is handed are put back afterwards."""
    import ibis

    saved = {}
    for key in _DUCKDB_SETTINGS:
        row = con.execute("SELECT current_setting(?)", [key]).fetchone()
        if row is not None:
            saved[key] = row[0]
    try:
        yield ibis.duckdb.from_connection(con)
    finally:
        for key, value in saved.items():
            literal = str(value).lower() if isinstance(value, bool) else "'" + str(value) + "'"
            con.execute(f"SET {key} = {literal}")


class DuckDBBackend:
    """The store itself: Ibis over the store's own DuckDB connection, no copy
    (see :func:`detente.query._compiled.run_duckdb`)."""

    name = "duckdb"


SPARK_MASTER: list[str] = []
"""The Spark master to start a session on (``--spark-master``; default ``local[2]``)."""


def use_spark_master(url: str | None) -> None:
    """Start later Spark sessions on ``url`` (``local[2]``, ``spark://host:7077``, ...); an
    active session of this process is used as it is."""
    SPARK_MASTER[:] = [url] if url else []


def spark_session() -> Any:
    """Return the active Spark session, or start a quiet one (local unless
    :func:`use_spark_master` named a master).

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
    master = SPARK_MASTER[0] if SPARK_MASTER else "local[2]"
    local = master.startswith("local")
    if local:
        # a local session talks to itself only; say so before the JVM starts guessing the host
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.master(master).appName("detente")
    if local:
        builder = (builder.config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    session = (
        builder
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


class _SparkSession:
    """Tables go over as Parquet files in a private folder; results come back as Arrow."""

    def __init__(self, spark: Any, folder: Path) -> None:
        self.spark = spark
        self.folder = folder
        import ibis

        self.backend = ibis.pyspark.connect(spark)
        self.views: list[str] = []
        self.events: ir.Table = None

    def load(self, path: Path) -> ir.Table:
        view = f"detente_{uuid.uuid4().hex[:12]}"
        self.spark.read.parquet(str(path)).createOrReplaceTempView(view)
        self.views.append(view)
        return self.backend.table(view)

    def table(self, data: pa.Table) -> ir.Table:
        if not str(self.spark.sparkContext.master).startswith("local"):
            # a cluster's executors cannot read this machine's folder: the rows go over inline
            view = f"detente_{uuid.uuid4().hex[:12]}"
            self.spark.createDataFrame(data).createOrReplaceTempView(view)
            self.views.append(view)
            return self.backend.table(view)
        import pyarrow.parquet as pq  # here only: DuckDB runs need no Parquet writer

        path = self.folder / f"table_{len(self.views)}.parquet"
        pq.write_table(data, path)
        return self.load(path)

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        # straight to Arrow: no pandas round trip, nulls stay nulls
        return self.spark.sql(self.backend.compile(expr)).toArrow()

    def close(self) -> None:
        for view in self.views:
            self.spark.catalog.dropTempView(view)


class SparkBackend:
    """Apache Spark: the selected events go over as Parquet (an archive's own files, read
    where they are; else a copy in a local folder), then the same expression runs."""

    name = "spark"

    @contextmanager
    def open(self, q: Queries, prefilter: Selection) -> Iterator[Session]:
        """Yield a Spark session holding the events ``prefilter`` selects."""
        spark = spark_session()
        folder = Path(tempfile.mkdtemp(prefix="detente-spark-"))
        session = _SparkSession(spark, folder)
        try:
            archive = q.archive_events()
            if archive is not None:  # Spark reads the archive's Parquet files itself
                view = session.load(archive)
                session.events = view.select(*EVENT_COLUMNS)
                yield session
                return
            clause, params = where(prefilter)
            cols = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
            path = folder / "events.parquet"
            sql = f"COPY (SELECT {cols} FROM events WHERE {clause}) TO '{path}' (FORMAT parquet)"
            with q._lock:
                q._con.execute(sql, params)
            session.events = session.load(path)
            yield session
        finally:
            session.close()
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
