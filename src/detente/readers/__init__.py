"""Readers: one per input format, found by name or detected from content.

Use :func:`detect` to pick a reader for a prepared file, :func:`get_reader` to
force one by name, and :func:`read_events` to turn a file into canonical Arrow
record batches without a store.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from detente._duck import arrow_table
from detente.errors import InputFileError, UnknownFormatError
from detente.readers._base import Reader
from detente.readers._lookups import install_lookups
from detente.readers._source import SourceFile, open_source
from detente.readers.canonical import CanonicalCsvReader, CanonicalJsonlReader, ChronologyReader
from detente.readers.gdelt import Gdelt1Reader, Gdelt2Reader
from detente.readers.icews import IcewsReader
from detente.readers.plover import PloverJsonReader, PolecatReader
from detente.schema import CANONICAL_SCHEMA

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
    "read_events",
    "staged_sql",
]

READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Gdelt2Reader(),
        Gdelt1Reader(),
        IcewsReader(),
        PolecatReader(),
        PloverJsonReader(),
        ChronologyReader(),
        CanonicalCsvReader(),
        CanonicalJsonlReader(),
    )
}

_counter = itertools.count()


def get_reader(name: str) -> Reader:
    """Return the reader called ``name``.

    Raises:
        UnknownFormatError: no reader has that name.
    """
    try:
        return READERS[name]
    except KeyError:
        known = ", ".join(READERS)
        raise UnknownFormatError(name, f"unknown format; known formats: {known}") from None


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


def staged_sql(reader: Reader, src: SourceFile, rejects: str, tag_sql: str) -> str:
    """Return the reader's SELECT with ``issue_areas`` computed by ``tag_sql``."""
    # keep the raw text only for rows that go to quarantine: good rows need none
    return (
        f"SELECT * REPLACE (CASE WHEN _error IS NOT NULL THEN _raw END AS _raw), "
        f"{tag_sql} AS issue_areas FROM ({reader.select_sql(src, rejects)})"
    )


def line_number_sql(src: SourceFile, reader: Reader, skipped_table: str) -> str:
    """SQL mapping ``_ord`` to the file's line number, given skipped lines."""
    return (
        f"(_ord + {reader.header_lines(src)} + "
        f"(SELECT count(*) FROM {skipped_table} s WHERE s.c < _ord))"
    )


def read_events(path: str | Path, fmt: str | None = None) -> ReadResult:
    """Read a whole file into a canonical Arrow table (for small files and tests).

    Stores nothing. For large files use :meth:`detente.store.Store.ingest`,
    which streams inside DuckDB.
    """
    from detente.tagging import load_rules

    with open_source(path) as src:
        reader = get_reader(fmt) if fmt else detect(src)
        con = duckdb.connect()
        try:
            install_lookups(con)
            rejects = f"_rej{next(_counter)}"
            sql = staged_sql(reader, src, rejects, load_rules().sql())
            try:
                con.execute(f"CREATE TEMP TABLE _stage AS {sql}")
            except duckdb.Error as exc:
                raise InputFileError(src.path, f"cannot be read as {reader.name}: {_short(exc)}") from None
            table = arrow_table(con, 
                "SELECT " + ", ".join(f'"{c}"' for c in CANONICAL_SCHEMA.names)
                + " FROM _stage WHERE _error IS NULL ORDER BY _ord"
            ).cast(CANONICAL_SCHEMA)
            quarantine = _quarantine_rows(con, src, reader, rejects)
        finally:
            con.close()
    return ReadResult(reader.name, table, quarantine)


def skipped_lines(con: duckdb.DuckDBPyConnection, src: SourceFile, reader: Reader, rejects: str,
                  name: str) -> None:
    """Create table ``name(c)``: for each line the scan skipped, data lines before it.

    Skipped lines are the empty lines found while hashing and the lines DuckDB's
    scanner rejected; ``_ord + header + #{c < _ord}`` is then a row's line number.
    """
    header = reader.header_lines(src)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (c BIGINT)")
    lines = sorted(set(src.empty_lines) | set(_rejected_lines(con, rejects)))
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


def rejected_rows(con: duckdb.DuckDBPyConnection, rejects: str) -> list[QuarantinedRow]:
    """Return the lines DuckDB's scanner rejected, as quarantine rows."""
    try:
        rows = con.execute(
            f"SELECT line, any_value(error_type), any_value(csv_line) FROM {rejects} "
            "GROUP BY line ORDER BY line"
        ).fetchall()
    except duckdb.CatalogException:
        return []
    reasons = {"INVALID ENCODING": "not valid UTF-8", "TOO MANY COLUMNS": "unexpected delimiter",
               "MISSING COLUMNS": "too few fields", "UNQUOTED VALUE": "malformed quoting"}
    return [QuarantinedRow(int(line), reasons.get(str(kind), str(kind).lower()), str(raw or ""))
            for line, kind, raw in rows]


def _quarantine_rows(con: duckdb.DuckDBPyConnection, src: SourceFile, reader: Reader,
                     rejects: str) -> list[QuarantinedRow]:
    skipped_lines(con, src, reader, rejects, "_skipped")
    rows = [
        QuarantinedRow(int(line), str(reason), str(raw))
        for line, reason, raw in con.execute(
            f"SELECT {line_number_sql(src, reader, '_skipped')}, _error, _raw FROM _stage "
            "WHERE _error IS NOT NULL ORDER BY _ord"
        ).fetchall()
    ]
    rows.extend(rejected_rows(con, rejects))
    rows.sort(key=lambda r: r.line)
    return rows


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:300]


def iter_batches(table: pa.Table, size: int = 65536) -> Iterator[pa.RecordBatch]:
    """Yield ``table`` as record batches of at most ``size`` rows."""
    yield from table.to_batches(max_chunksize=size)
