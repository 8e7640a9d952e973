"""Readers: one per input format, found by name or detected from content.

Use :func:`detect` to pick a reader for a prepared file, :func:`get_reader` to
force one by name, and :func:`read_events` to turn a file into canonical Arrow
record batches without a store.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from detente.errors import InputFileError, UnknownFormatError
from detente.readers._base import Reader
from detente.readers._lookups import install_lookups
from detente.readers._source import SourceFile, open_source
from detente.readers.canonical import CanonicalCsvReader, CanonicalJsonlReader, ChronologyReader
from detente.readers.gdelt import Gdelt1Reader, Gdelt2Reader
from detente.readers.gdelt_header import GdeltHeader1Reader, GdeltHeader2Reader
from detente.readers.icews import IcewsReader
from detente.readers.plover import PloverJsonReader, PolecatReader
from detente.schema import CANONICAL_SCHEMA
from detente.tagging import RuleSet, load_rules

__all__ = [
    "READERS",
    "QuarantinedRow",
    "ReadResult",
    "Reader",
    "SourceFile",
    "detect",
    "get_reader",
    "install_lookups",
    "open_source",
    "quarantine_rows",
    "read_events",
    "staged_sql",
]

READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Gdelt2Reader(),
        Gdelt1Reader(),
        GdeltHeader2Reader(),
        GdeltHeader1Reader(),
        IcewsReader(),
        PolecatReader(),
        PloverJsonReader(),
        ChronologyReader(),
        CanonicalCsvReader(),
        CanonicalJsonlReader(),
    )
}

_counter = itertools.count()


def get_reader(name: str, path: str | Path | None = None) -> Reader:
    """Return the reader called ``name`` (``path``: the file it was asked for).

    Raises:
        UnknownFormatError: no reader has that name.
    """
    try:
        return READERS[name]
    except KeyError:
        known = ", ".join(READERS)
        raise UnknownFormatError(
            path if path is not None else "--format", f"unknown format {name!r}; known formats: {known}"
        ) from None


def detect(src: SourceFile) -> Reader:
    """Return the reader that recognises ``src``'s content best.

    Raises:
        UnknownFormatError: no reader recognises it.
    """
    scored = sorted(((r.sniff(src), i, r) for i, r in enumerate(READERS.values())),
                    key=lambda t: (-t[0], t[1]))
    score, _, best = scored[0]
    if score < 0.5:
        known = ", ".join(READERS)
        raise UnknownFormatError(
            src.path, f"format not recognised from its content (known: {known}; use --format)"
        )
    return best


@dataclass
class QuarantinedRow:
    """A row that could not be stored, and why."""

    line: int
    reason: str
    raw: str


@dataclass
class ReadResult:
    """What :func:`read_events` found in one file."""

    reader: str
    table: pa.Table
    quarantine: list[QuarantinedRow] = field(default_factory=list)


def staged_sql(reader: Reader, src: SourceFile, rejects: str, rules: RuleSet) -> str:
    """Return the reader's SELECT with ``issue_areas`` computed by ``rules``."""
    # keep the raw text only for rows that go to quarantine: good rows need none
    inner = (f"(SELECT * REPLACE (CASE WHEN _error IS NOT NULL THEN _raw END AS _raw) "
             f"FROM ({reader.select_sql(src, rejects)}))")
    return rules.tag_select(inner)


def line_number_sql(src: SourceFile, reader: Reader, skipped_table: str, ordinal: str) -> str:
    """SQL turning a row's ``ordinal`` (1-based, among rows read) into its line number."""
    return (
        f"({ordinal} + {reader.header_lines(src)} + "
        f"(SELECT count(*) FROM {skipped_table} s WHERE s.c < {ordinal}))"
    )


def read_events(path: str | Path, fmt: str | None = None) -> ReadResult:
    """Read a whole file into a canonical Arrow table (for small files and tests).

    Stores nothing. For large files use :meth:`detente.store.Store.ingest_file`,
    which streams inside DuckDB.
    """
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
                "SELECT " + ", ".join(f'"{c}"' for c in CANONICAL_SCHEMA.names)
                + " FROM _stage WHERE _error IS NULL ORDER BY rowid",
            ).to_arrow_table().cast(CANONICAL_SCHEMA)
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
        con.executemany(
            f"INSERT INTO {name} VALUES (?)",
            [(n - header - (j + 1),) for j, n in enumerate(lines)],
        )


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
    bad = con.execute(
        f"SELECT count(*) FROM {table} WHERE ({where}) AND _error IS NOT NULL", params or []
    ).fetchone()
    if bad and bad[0]:
        skipped = f"_skip{next(_counter)}"
        skipped_lines(con, src, reader, rejects, skipped)
        rows.extend(
            QuarantinedRow(int(line), str(reason), str(raw))
            for line, reason, raw in con.execute(
                f"SELECT {line_number_sql(src, reader, skipped, ordinal)}, _error, _raw "
                f"FROM {table} AS q WHERE ({where}) AND _error IS NOT NULL ORDER BY q.rowid",
                params or [],
            ).fetchall()
        )
        con.execute(f"DROP TABLE IF EXISTS {skipped}")
    rows.sort(key=lambda r: r.line)
    return rows


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300]
