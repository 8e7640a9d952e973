"""Copies of one dyad's events, kept as DuckDB tables in memory between store openings.

The dashboard opens its store for each answer and closes it right after, so a copy
that should outlive one opening cannot live in a store's own connection. A
read-only store is a connection of the process's one in-memory DuckDB, its *host*
(see :mod:`detente.store._host`), so its copies are tables of the host's in-memory
database: made by one statement straight from the events, and read by the store's
queries through a temporary view of that connection (``_detente_scope_<A>_<B>``).
Native tables: scanning one with date and dataset filters costs a few milliseconds,
where a registered Arrow table of the same rows costs tens (DuckDB hands such
filters to Arrow's own scanner).

A store opened for writing has a database of its own; its copies go, as Arrow
batches, to a second in-memory database of the process (:func:`memory`), and a
query reading one runs on a cursor of that database on which the copy has the
same temporary name.

A :class:`Scope` drops its table once nothing refers to it any more (the one cache
forgets it, and no open store is using it).
"""

from __future__ import annotations

import itertools
import threading
import weakref
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Scope", "memory"]

_memory: duckdb.DuckDBPyConnection | None = None
_lock = threading.Lock()
_ids = itertools.count(1)


def memory() -> duckdb.DuckDBPyConnection:
    """Return the process's in-memory database of the copies of stores opened for writing
    (made on first use)."""
    global _memory
    with _lock:
        if _memory is None:
            con = duckdb.connect(":memory:")
            con.execute("SET enable_progress_bar = false")
            _memory = con
        return _memory


def _drop(con: duckdb.DuckDBPyConnection, table: str) -> None:
    try:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.close()
    except duckdb.Error:  # the process is ending
        pass


class Scope:
    """One copy of a dyad's events: a table in memory.

    Either ``con``, a connection of the host that reads the store (the copy is made
    by ``select``, a statement over ``events``, into the host's in-memory database),
    or ``batches`` (the copy is made from them in :func:`memory`).
    """

    def __init__(self, rows: int, *, con: duckdb.DuckDBPyConnection | None = None,
                 select: str = "", batches: pa.RecordBatchReader | None = None) -> None:
        name = f"detente_scope_{next(_ids)}"
        self.rows = rows
        self.shared = con is not None
        """Whether the copy is in the host's database (read by the store's own connection)."""
        if con is not None:
            self.table = f'memory.main."{name}"'
            keeper = con.cursor()  # a connection of the host, to drop the table with
            con.execute(f"CREATE TABLE {self.table} AS {select}")
        else:
            self.table = f'memory.main."{name}"'
            keeper = memory().cursor()
            keeper.register("_incoming", batches)
            try:
                keeper.execute(f"CREATE TABLE {self.table} AS SELECT * FROM _incoming")
            finally:
                keeper.unregister("_incoming")
        weakref.finalize(self, _drop, keeper, self.table)

    def view(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        """Make the copy ``name`` on ``con`` (a connection of the database it lives in)."""
        con.execute(f'CREATE OR REPLACE TEMP VIEW "{name}" AS SELECT * FROM {self.table}')

    def cursor(self, name: str) -> duckdb.DuckDBPyConnection:
        """Return a new cursor of :func:`memory` on which this copy is ``name`` (the
        caller closes it)."""
        cur = memory().cursor()
        self.view(cur, name)
        return cur
