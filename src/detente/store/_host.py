"""Read-only stores attached to one in-memory DuckDB per process.

Opening a DuckDB file makes a new database instance (its thread pool, buffer manager
and catalogue): 9 to 15 ms on this project's test machine, more than most answers of the
dashboard take once the store is open. A read-only store is opened for one answer and
closed right after (so that other processes can write between answers), so that cost
was paid on every answer the cache did not hold.

Attaching the file to an instance that already exists costs about 2 ms, and detaching
it releases the file's lock just as closing a connection does. So a process keeps one
in-memory DuckDB (the *host*), made on first use, and a read-only store is a
connection of the host with the file attached read-only and made the connection's
default database (``USE``), so that the store's queries name their tables as
before. Two stores opened on one file at the same time share one attachment; the
last one closed detaches it.

A store opened for writing keeps a database of its own (:func:`duckdb.connect`):
writing is rare, and DuckDB refuses to attach a file that another database of the
process holds for writing (and the reverse); the store waits for the other side
then, as it does for another process (see :func:`is_busy`).
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

__all__ = ["attach", "detach", "is_busy"]

_LOCK = threading.Lock()
_HOST: duckdb.DuckDBPyConnection | None = None
_ATTACHED: dict[str, list[str | int]] = {}  # file -> [alias, stores open on it]
_COUNTER = 0


def is_busy(exc: duckdb.Error) -> bool:
    """Say whether ``exc`` means the file is held by another process or another database
    of this process (so that waiting can help)."""
    text = str(exc)
    return "Could not set lock on file" in text or "Unique file handle conflict" in text


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def attach(path: Path) -> duckdb.DuckDBPyConnection:
    """Return a new connection of the host whose default database is ``path``, attached
    read-only (shared with the other stores open on it).

    Raises:
        duckdb.Error: the file cannot be attached (busy: :func:`is_busy`).
    """
    global _HOST, _COUNTER
    key = str(path.resolve())
    with _LOCK:
        if _HOST is None:
            _HOST = duckdb.connect()
        kept = _ATTACHED.get(key)
        if kept is None:
            _COUNTER += 1
            alias = f"detente_store_{_COUNTER}"
            _HOST.execute(f"ATTACH {_quoted(key)} AS {alias} (READ_ONLY)")
            kept = _ATTACHED[key] = [alias, 0]
        kept[1] = int(kept[1]) + 1
        alias = str(kept[0])
        try:
            con = _HOST.cursor()
            con.execute(f"USE {alias}")
        except BaseException:
            _release(key)
            raise
    return con


def use(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyConnection:
    """Return ``con`` again, or for a store attached to the host a new connection (a
    cursor) that reads ``path``'s database by default, as ``con`` does."""
    with _LOCK:
        kept = _ATTACHED.get(str(path.resolve()))
    cur = con.cursor()
    if kept is not None:
        cur.execute(f"USE {kept[0]}")
    return cur


def _release(key: str) -> None:
    kept = _ATTACHED.get(key)
    if kept is None or _HOST is None:
        return
    kept[1] = int(kept[1]) - 1
    if int(kept[1]) <= 0:
        del _ATTACHED[key]
        _HOST.execute(f"DETACH {kept[0]}")


def detach(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Close ``con`` (from :func:`attach`) and detach ``path`` when no other store
    has it open."""
    key = str(path.resolve())
    with _LOCK:
        try:
            con.close()
        finally:
            _release(key)
