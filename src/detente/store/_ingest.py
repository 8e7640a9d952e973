"""Ingest one file into the store: all of it in one transaction, or none."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from detente.errors import InputFileError
from detente.readers import (
    Reader,
    SourceFile,
    detect,
    get_reader,
    line_number_sql,
    open_source,
    rejected_rows,
    skipped_lines,
    staged_sql,
)
from detente.schema import column_names
from detente.store._schema import CONTENT_COLUMNS

__all__ = ["FileReport", "ingest_file"]

_counter = itertools.count()


@dataclass
class FileReport:
    """What happened to one file.

    ``read = stored + duplicates + quarantined``; ``conflicts`` counts the
    duplicates whose content differs from the version already stored (which stays).
    """

    path: str
    reader: str
    dataset: str
    sha256: str
    read: int
    stored: int
    duplicates: int
    conflicts: int
    quarantined: int


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    *,
    fmt: str | None,
    tag_sql: str,
    reader_chosen: object = None,
) -> FileReport:
    """Read ``path`` and store its events in one transaction.

    Raises:
        InputFileError: the file cannot be read at all; the store is unchanged.
    """
    with open_source(path) as src:
        reader = get_reader(fmt) if fmt else detect(src)
        if callable(reader_chosen):
            reader_chosen(src, reader)
        n = next(_counter)
        rejects, stage, skipped = f"_rej{n}", f"_stage{n}", f"_skip{n}"
        con.execute("BEGIN TRANSACTION")
        try:
            report = _ingest(con, src, reader, rejects, stage, skipped, tag_sql)
            con.execute("COMMIT")
        except BaseException as exc:
            con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                first = str(exc).strip().splitlines()[0][:300]
                raise InputFileError(src.path, f"cannot be read as {reader.name}: {first}") from None
            raise
        finally:
            for table in (stage, skipped, rejects, rejects + "_scan"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
        return report


def _ingest(
    con: duckdb.DuckDBPyConnection,
    src: SourceFile,
    reader: Reader,
    rejects: str,
    stage: str,
    skipped: str,
    tag_sql: str,
) -> FileReport:
    body = staged_sql(reader, src, rejects, tag_sql)
    con.execute(
        f"CREATE TEMP TABLE {stage} AS SELECT s.*, "
        "s.event_id IN (SELECT event_id FROM events) AS _exists, 1 AS _rank "
        f"FROM ({body}) s"
    )
    (valid, distinct) = con.execute(
        f"SELECT count(*), count(DISTINCT event_id) FROM {stage} WHERE _error IS NULL"
    ).fetchone() or (0, 0)
    if valid != distinct:  # repeats inside the file: the first one counts
        con.execute(
            f"UPDATE {stage} t SET _rank = r.rk FROM (SELECT _ord, row_number() OVER "
            f"(PARTITION BY event_id ORDER BY _ord) AS rk FROM {stage} WHERE _error IS NULL) r "
            "WHERE t._ord = r._ord"
        )
    file_id = int((con.execute("SELECT nextval('file_ids')").fetchone() or (0,))[0])
    cols = ", ".join(f'"{c}"' for c in column_names())
    con.execute(
        f"INSERT INTO events SELECT {cols}, _given_areas, ? FROM {stage} "
        "WHERE _error IS NULL AND NOT _exists AND _rank = 1 ORDER BY _ord",
        [file_id],
    )
    stored = valid - _count(con, f"SELECT count(*) FROM {stage} WHERE _error IS NULL AND (_exists OR _rank > 1)")
    diff = ", ".join(
        f"CASE WHEN s.\"{c}\" IS DISTINCT FROM e.\"{c}\" THEN '{c}' END" for c in CONTENT_COLUMNS
    )
    con.execute(
        "INSERT INTO conflicts SELECT event_id, ?, cols FROM ("
        f"SELECT s.event_id, list_filter([{diff}], lambda x: x IS NOT NULL) AS cols "
        f"FROM {stage} s JOIN events e ON e.event_id = s.event_id "
        "WHERE s._error IS NULL AND (s._exists OR s._rank > 1)) WHERE len(cols) > 0",
        [file_id],
    )
    conflicts = _count(con, "SELECT count(*) FROM conflicts WHERE file_id = ?", [file_id])
    skipped_lines(con, src, reader, rejects, skipped)
    con.execute(
        f"INSERT INTO quarantine SELECT ?, ?, {line_number_sql(src, reader, skipped)}, _error, "
        f"left(_raw, 4000) FROM {stage} WHERE _error IS NOT NULL ORDER BY _ord",
        [file_id, src.name],
    )
    bad_lines = rejected_rows(con, rejects)
    if bad_lines:
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?, ?)",
            [(file_id, src.name, r.line, r.reason, r.raw[:4000]) for r in bad_lines],
        )
    errors = _count(con, f"SELECT count(*) FROM {stage} WHERE _error IS NOT NULL")
    quarantined = errors + len(bad_lines)
    read = valid + quarantined
    duplicates = valid - stored
    con.execute(
        "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [file_id, str(src.path), src.name, src.sha256, src.size, reader.name, reader.dataset,
         datetime.now(timezone.utc).replace(tzinfo=None), read, stored, duplicates, conflicts,
         quarantined],
    )
    return FileReport(str(src.path), reader.name, reader.dataset, src.sha256, read, stored,
                      duplicates, conflicts, quarantined)


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0
