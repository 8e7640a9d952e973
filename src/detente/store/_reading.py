"""Reading input files with DuckDB, for the readers.

The readers (:mod:`detente.readers`) say how a file becomes canonical rows: they sniff
formats and write the SQL that scans a file. Running that SQL is the store's: ingest
runs it on the store's connection, and :func:`read_file` (what
:func:`detente.readers.read_events` calls) on an in-memory connection of this thread's,
with the ontology's lookups installed once (:func:`install_lookups`). So DuckDB is
reached from the store and the query layer only.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from detente import schema as canonical
from detente.errors import InputFileError
from detente.query._sql import bind, literal
from detente.readers import (
    QuarantinedRow,
    Reader,
    ReadResult,
    SourceFile,
    detect,
    get_reader,
    line_number_sql,
    open_source,
    staged_sql,
)
from detente.readers._lookups import lookups
from detente.tagging import RuleSet, load_rules

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["install_lookups", "quarantine_rows", "read_file", "rejected_rows", "tag_rows"]

_counter = itertools.count()


def install_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Create the readers' ``detente_*`` macros and small code tables on ``con``."""
    macros, tables = lookups()
    con.execute("SET preserve_insertion_order = true")
    for macro in macros:
        con.execute(f"CREATE OR REPLACE TEMP MACRO {macro}")
    for name, table in tables.items():
        # written as VALUES: an Arrow table, or the client's binding, would import pandas
        values = ", ".join(f"({literal(code)}, {literal(text)})" for code, text in table.items())
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM (VALUES {values}) "
                    "AS t(code, name)")


def read_file(path: str | Path, fmt: str | None = None) -> ReadResult:
    """Read a whole file into a canonical Arrow table (for small files and tests); see
    :func:`detente.readers.read_events`."""
    with open_source(path) as src:
        reader = get_reader(fmt, src.path) if fmt else detect(src)
        con = _scratch()
        try:
            rejects = f"_rej{next(_counter)}"
            sql = staged_sql(reader, src, rejects, load_rules())
            try:
                con.execute(f"CREATE TEMP TABLE _stage AS {sql}")
            except duckdb.Error as exc:
                raise InputFileError(src.path, f"cannot be read as {reader.name}: {_short(exc)}") from None
            table = con.sql(
                "SELECT " + ", ".join(f'"{c}"' for c in canonical.CANONICAL_SCHEMA.names)
                + " FROM _stage WHERE _error IS NULL ORDER BY rowid",
            ).to_arrow_table().cast(canonical.CANONICAL_SCHEMA)
            quarantine = quarantine_rows(con, src, reader, rejects, "_stage", "(q.rowid + 1)")
        finally:
            for name in ("_stage", rejects, rejects + "_scan"):
                con.execute(f"DROP TABLE IF EXISTS {name}")
    return ReadResult(reader.name, table, quarantine)


_local = threading.local()


def _scratch() -> duckdb.DuckDBPyConnection:
    """Return this thread's in-memory connection with the lookups installed once."""
    con: duckdb.DuckDBPyConnection | None = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect()
        install_lookups(con)
        _local.con = con
    return con


def skipped_lines(con: duckdb.DuckDBPyConnection, src: SourceFile, reader: Reader, rejects: str,
                  name: str) -> None:
    """Create table ``name(c)``: for each line the scan skipped, data lines before it.

    Skipped lines are the file's empty lines and the lines DuckDB's scanner
    rejected; ``ordinal + header + #{c < ordinal}`` is then a row's line number.
    """
    header = reader.header_lines(src)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (c BIGINT)")
    lines = sorted(set(src.empty_lines()) | set(_rejected_lines(con, rejects)))
    lines = [n for n in lines if n > header]
    if lines:
        counts = [n - header - (j + 1) for j, n in enumerate(lines)]
        con.execute(f"INSERT INTO {name} SELECT unnest({literal(counts)})")


def _rejected_lines(con: duckdb.DuckDBPyConnection, rejects: str) -> list[int]:
    try:
        return [int(r[0]) for r in con.execute(f"SELECT DISTINCT line FROM {rejects}").fetchall()]
    except duckdb.CatalogException:
        return []


def rejected_rows(con: duckdb.DuckDBPyConnection, rejects: str,
                  cr_standin: str | None = None) -> list[QuarantinedRow]:
    """Return the lines DuckDB's scanner rejected, as quarantine rows (``cr_standin``:
    the character standing in for lone carriage returns in the file scanned, if any)."""
    try:
        rows = con.execute(
            f"SELECT line, any_value(error_type), any_value(csv_line) FROM {rejects} "
            "GROUP BY line ORDER BY line"
        ).fetchall()
    except duckdb.CatalogException:
        return []
    reasons = {"INVALID ENCODING": "not valid UTF-8", "TOO MANY COLUMNS": "too many fields",
               "MISSING COLUMNS": "too few fields", "UNQUOTED VALUE": "malformed quoting"}
    # the scanner's text of a line starts with the empty lines before it: a line holds none
    out = []
    for line, kind, raw in rows:
        text = str(raw or "").lstrip("\r\n")
        out.append(QuarantinedRow(int(line), reasons.get(str(kind), str(kind).lower()),
                                  text.replace(cr_standin, "\r") if cr_standin else text))
    return out


def quarantine_rows(con: duckdb.DuckDBPyConnection, src: SourceFile, reader: Reader,
                    rejects: str, table: str, ordinal: str, where: str = "true",
                    params: list[object] | None = None) -> list[QuarantinedRow]:
    """Return every quarantined row of one read, with true line numbers, in order.

    Args:
        table: where the read's rows were inserted (in file order).
        ordinal: SQL giving a row's 1-based position among the read's rows
            (the table is aliased ``q``: write ``q.rowid``).
        where: SQL restricting ``table`` to this read's rows.
        params: parameters of ``where``.
    """
    rows = rejected_rows(con, rejects, src.cr_standin)
    where = bind(where, params)
    bad = con.execute(f"SELECT count(*) FROM {table} WHERE ({where}) AND _error IS NOT NULL").fetchone()
    if bad and bad[0]:
        skipped = f"_skip{next(_counter)}"
        skipped_lines(con, src, reader, rejects, skipped)
        rows.extend(
            QuarantinedRow(int(line), str(reason), str(raw))
            for line, reason, raw in con.execute(
                f"SELECT {line_number_sql(src, reader, skipped, ordinal)}, _error, _raw "
                f"FROM {table} AS q WHERE ({where}) AND _error IS NOT NULL ORDER BY q.rowid"
            ).fetchall()
        )
        con.execute(f"DROP TABLE IF EXISTS {skipped}")
    rows.sort(key=lambda r: r.line)
    return rows


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300]


def tag_rows(rules: RuleSet, table: pa.Table) -> list[list[str]]:
    """Return the issue areas ``rules`` give each row of ``table``, in row order.

    ``table`` holds canonical columns (at least those the rules read: code, PLOVER
    type, actors, countries, roles, names, text, URL). Its ``issue_areas`` column, if
    any, is ignored; a ``_given_areas`` column (tags a source gave itself) is kept
    alongside, as at ingest. The rows are tagged by the same SQL as at ingest
    (:meth:`~detente.tagging.RuleSet.tag_select`), in an in-memory DuckDB of their own.
    """
    import pyarrow as pa

    if table.num_rows == 0:
        return []
    if "issue_areas" in table.column_names:
        table = table.drop_columns(["issue_areas"])
    if "_given_areas" not in table.column_names:
        table = table.append_column(
            "_given_areas", pa.array([[] for _ in range(table.num_rows)], pa.list_(pa.string())))
    table = table.append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    con = duckdb.connect()
    try:
        con.register("_rows", table)
        got = con.execute(
            f"SELECT issue_areas FROM ({rules.tag_select('_rows')}) ORDER BY _row").fetchall()
    finally:
        con.close()
    return [list(areas or []) for (areas,) in got]
