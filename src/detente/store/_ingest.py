"""Ingest one file into the store: all of it in one transaction, or none.

The file is read once, by the reader's SQL, straight into ``events`` in file
order (no staging copy: appending is what costs, so it happens once). Inside the
same transaction the rows that cannot stay are then settled: bad rows go to
``quarantine`` with their line numbers, repeats of stored events (or of an
earlier row of the same file) are counted, compared, and removed.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from detente.errors import InputFileError
from detente.query._sql import literal
from detente.readers import (
    Reader,
    SourceFile,
    detect,
    get_reader,
    open_source,
    staged_sql,
)
from detente.readers._source import printable
from detente.schema import column_names
from detente.store._reading import quarantine_rows
from detente.store._report import FileReport
from detente.store._schema import CONTENT_COLUMNS, bump_version
from detente.tagging import RuleSet

__all__ = ["FileReport", "Settle", "ingest_file", "insert_files"]

_counter = itertools.count()

QUARANTINE_AS_VALUES = 1000
"""Up to this many bad rows a file are written as SQL values; more go as an Arrow table."""

Settle = Callable[[duckdb.DuckDBPyConnection, list[tuple[SourceFile, FileReport, int]]], None]
"""Called inside the transaction that stores files, with each file's source, report and
file id, before it commits: it may write more (what a fetch records with each file), or
raise a :class:`~detente.errors.DetenteError` so that none of those files is stored."""


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    fmt: str | None,
    rules: RuleSet,
    reader_chosen: Callable[[SourceFile, Reader], Any] | None = None,
    transaction: bool = True,
) -> FileReport:
    """Read ``path`` and store its events in one transaction.

    Args:
        transaction: begin and commit a transaction of its own; ``False`` when the
            caller holds one (loading several files as one change).

    Raises:
        InputFileError: the file cannot be read at all; the store is unchanged.
    """
    with open_source(path) as src:
        reader = get_reader(fmt, src.path) if fmt else detect(src)
        if reader_chosen is not None:
            reader_chosen(src, reader)
        return _ingest_one(con, src, reader, rules, transaction=transaction)


def _ingest_one(con: duckdb.DuckDBPyConnection, src: SourceFile, reader: Reader, rules: RuleSet,
                *, transaction: bool = True, settle: Settle | None = None) -> FileReport:
    with file_transaction(con, src, reader, f"_rej{next(_counter)}", transaction=transaction) as rejects:
        report = _ingest(con, src, reader, rejects, rules)
        if settle is not None:
            settle(con, [(src, report, int(_one(con, "SELECT max(file_id) FROM files")))])
        return report


@contextlib.contextmanager
def file_transaction(con: duckdb.DuckDBPyConnection, src: SourceFile, reader: Reader, rejects: str,
                     *, transaction: bool = True) -> Iterator[str]:
    """Run the body as one change of the store that reads ``src``: begun here, committed
    with the store's version advanced when the body ends, rolled back if it fails (a
    DuckDB error becoming the :class:`InputFileError` that names the file); the scan's
    rejects tables (named ``rejects``, which the body is given) are dropped either way.
    ``transaction=False``: the caller holds one."""
    if transaction:
        con.execute("BEGIN TRANSACTION")
    try:
        yield rejects
        if transaction:
            bump_version(con)
            con.execute("COMMIT")
    except BaseException as exc:
        if transaction:
            con.execute("ROLLBACK")
        if isinstance(exc, duckdb.Error):
            raise InputFileError(src.path, f"cannot be read as {reader.name}: {_first_line(exc)}") from None
        raise
    finally:
        _drop_rejects(con, rejects)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300]


def _drop_rejects(con: duckdb.DuckDBPyConnection, rejects: str) -> None:
    for table in (rejects, rejects + "_scan"):
        # in an outer transaction that failed, its rollback drops them
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {table}")


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def _ingest(con: duckdb.DuckDBPyConnection, src: SourceFile, reader: Reader, rejects: str,
            rules: RuleSet) -> FileReport:
    file_id = int(_one(con, "SELECT nextval('file_ids')"))
    cols = ", ".join(f'"{c}"' for c in column_names())
    # one pass: parse, validate, tag, append in file order (every step is a
    # scalar function, so DuckDB keeps the order: rowid order is file order)
    # values are written into the SQL: the client's parameter binding would import pandas
    con.execute(
        f"INSERT INTO events ({cols}, _given_areas, _file_id, _error, _raw, _dup) "
        f"SELECT {cols}, _given_areas, {file_id}, _error, _raw, false "
        f"FROM ({staged_sql(reader, src, rejects, rules)})"
    )
    mine = f"_file_id = {file_id}"
    con.execute(
        f"UPDATE events SET _dup = true WHERE {mine} AND _error IS NULL AND event_id IN "
        f"(SELECT event_id FROM events WHERE _file_id <> {file_id} AND _error IS NULL)"
    )
    appended = int(_one(con, f"SELECT count(*) FROM events WHERE {mine}"))
    first = _one(con, f"SELECT min(rowid) FROM events WHERE {mine}")
    bad = quarantine_rows(con, src, reader, rejects, "events", f"(q.rowid - {int(first or 0)} + 1)",
                          mine)
    if 0 < len(bad) <= QUARANTINE_AS_VALUES:  # a few, as SQL values: no pandas or pyarrow
        con.execute("INSERT INTO quarantine VALUES " + ", ".join(
            f"({file_id}, {_text(src.name)}, {int(r.line)}, {_text(r.reason)}, {_text(r.raw[:4000])})"
            for r in bad))
    elif bad:  # many: as an Arrow table, where loading pyarrow is the lesser cost
        import pyarrow as pa

        con.register("_detente_bad", pa.table({
            "file_id": pa.array([file_id] * len(bad), pa.int32()),
            "file": pa.array([src.name] * len(bad), pa.string()),
            "line": pa.array([r.line for r in bad], pa.int64()),
            "reason": pa.array([r.reason for r in bad], pa.string()),
            "raw": pa.array([r.raw[:4000] for r in bad], pa.string()),
        }))
        try:
            con.execute("INSERT INTO quarantine SELECT * FROM _detente_bad")
        finally:
            con.unregister("_detente_bad")
    errors, fresh, distinct = con.execute(
        "SELECT count(*) FILTER (WHERE _error IS NOT NULL), "
        "count(*) FILTER (WHERE _error IS NULL AND NOT _dup), "
        # distinct hashes, not ids: as many as rows means no repeats (equal ids hash alike),
        # and counting 64-bit hashes takes a fraction of the memory of the ids themselves
        "count(DISTINCT hash(event_id)) FILTER (WHERE _error IS NULL AND NOT _dup) "
        f"FROM events WHERE {mine}"
    ).fetchone() or (0, 0, 0)
    if fresh != distinct:  # repeats inside the file: the first one counts
        con.execute(
            "UPDATE events SET _dup = true WHERE rowid IN (SELECT rowid FROM (SELECT rowid, "
            "row_number() OVER (PARTITION BY event_id ORDER BY rowid) AS rk FROM events "
            f"WHERE {mine} AND _error IS NULL AND NOT _dup) WHERE rk > 1)"
        )
    duplicates = int(_one(con, f"SELECT count(*) FROM events WHERE {mine} AND _dup"))
    conflicts = 0
    if duplicates:
        diff = ", ".join(
            f"CASE WHEN d.\"{c}\" IS DISTINCT FROM k.\"{c}\" THEN '{c}' END" for c in CONTENT_COLUMNS
        )
        con.execute(
            f"INSERT INTO conflicts SELECT event_id, {file_id}, cols FROM ("
            f"SELECT d.event_id, list_filter([{diff}], lambda x: x IS NOT NULL) AS cols "
            "FROM events d JOIN events k ON k.event_id = d.event_id AND NOT k._dup "
            "AND k._error IS NULL AND k.rowid <> d.rowid "
            f"WHERE d._file_id = {file_id} AND d._dup) WHERE len(cols) > 0"
        )
        conflicts = int(_one(con, f"SELECT count(*) FROM conflicts WHERE file_id = {file_id}"))
    con.execute(f"DELETE FROM events WHERE {mine} AND (_error IS NOT NULL OR _dup)")
    unmapped = int(_one(con, f"SELECT count(*) FROM events WHERE {mine} AND place IS NOT NULL "
                             "AND place_country IS NULL") or 0)
    quarantined = len(bad)
    stored = appended - errors - duplicates
    read = appended + (quarantined - errors)  # plus lines the scanner could not read at all
    insert_files(con, [[file_id, printable(src.path), src.name, src.sha256, src.size, reader.name,
                        reader.dataset, datetime.now(UTC).replace(tzinfo=None), read, stored,
                        duplicates, conflicts, quarantined]])
    return FileReport(printable(src.path), reader.name, reader.dataset, src.sha256, read, stored,
                      duplicates, conflicts, quarantined, unmapped)


def _text(value: str) -> str:
    """SQL for a text value as it is, NUL characters included (which a literal cannot hold)."""
    return " || chr(0) || ".join(literal(part) for part in value.split("\x00"))


def insert_files(con: duckdb.DuckDBPyConnection, rows: list[list[object]]) -> None:
    """Add rows to ``files`` (its time a naive UTC ``datetime``), with the values written
    into the SQL rather than bound by the client, which would import pandas."""
    if not rows:
        return

    def cell(v: object) -> str:
        return f"TIMESTAMP '{v.isoformat(sep=' ')}'" if isinstance(v, datetime) else literal(v)

    values = ["(" + ", ".join(cell(v) for v in row) + ")" for row in rows]
    con.execute("INSERT INTO files VALUES " + ", ".join(values))
