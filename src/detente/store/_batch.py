"""Ingest many files: those of one shape in one scan, each still whole or not at all.

Ingesting file by file pays, for every file, a statement to plan, a transaction to
commit and a look through every stored event for repeats. Consecutive files that a
reader can read alike (the same format and header, see
:meth:`~detente.readers.Reader.batch_key`) are read instead by one ``read_csv`` of
the list of them, each file through a link named by its position, so that every
row says which file it came from; the per-file bookkeeping is then done for all of
them at once in SQL, and the batch is committed as one change. So each file is
still in the store whole or not at all, with its own ``files`` row, and the store
holds exactly what ingesting the same files one by one, in the same order, gives
(the first of repeated events counts; a repeat of a stored event is a duplicate).

A batch in which some file has a row to quarantine is not kept: the files before
that one are read again as a batch, that file on its own (where quarantine finds
line numbers), and the rest as a batch. A batch that DuckDB cannot read at all
falls back to file by file, so an unreadable file is reported alone and the others
still land.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from detente.errors import DetenteError
from detente.readers import Reader, SourceFile, detect, get_reader, open_source, staged_sql
from detente.readers._base import BATCH_DIGITS, sql_str
from detente.readers._source import printable
from detente.schema import column_names
from detente.store._ingest import Settle, _drop_rejects, _ingest_one, insert_files
from detente.store._report import FileReport
from detente.store._schema import CONTENT_COLUMNS, bump_version
from detente.tagging import RuleSet

__all__ = ["BATCH_BYTES", "BATCH_FILES", "ingest_files"]

BATCH_FILES = 512
"""Most files read in one scan."""
BATCH_BYTES = 512 << 20
"""Most bytes (as stored on disk) read in one scan."""

_counter = itertools.count()

Outcome = FileReport | DetenteError


@dataclass
class _Open:
    src: SourceFile
    reader: Reader
    key: tuple[object, ...] | None
    closing: contextlib.ExitStack


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    *,
    fmt: str | None,
    rules: RuleSet,
    reader_chosen: Callable[[SourceFile, Reader], Any] | None = None,
    stop_on_error: bool = True,
    max_files: int = BATCH_FILES,
    max_bytes: int = BATCH_BYTES,
    settle: Settle | None = None,
    keep: Callable[[str], str] | None = None,
) -> list[Outcome]:
    """Ingest ``paths`` in order; return, per file, its report or why it was not ingested.

    Args:
        stop_on_error: raise the first file's error (the files before it stored, none
            after it read); otherwise go on and return the error in its place.
        settle: called in each transaction that stores files, before it commits (see
            :data:`~detente.store._ingest.Settle`); when it refuses a batch, its files
            are stored one by one, each with its own call, so only the file it refuses
            then is left out.
        keep: SQL of whether an event stays once its file is stored, given the alias of
            its table (``"e."``); ``settle`` removes those that do not. An event repeated
            in a later file of a batch is then a duplicate only of one that stays, as when
            the files are stored one by one.

    Raises:
        DetenteError: with ``stop_on_error``, the first file that cannot be read.
    """
    out: list[Outcome] = []
    pending: list[_Open] = []

    def flush() -> None:
        batch = pending[:]
        pending.clear()
        try:
            if batch:
                _settle(con, batch, rules, out, stop_on_error, settle, keep)
        finally:
            for item in batch:
                item.closing.close()

    try:
        for path in paths:
            closing = contextlib.ExitStack()
            try:
                src = closing.enter_context(open_source(path))
                reader = get_reader(fmt, src.path) if fmt else detect(src)
            except DetenteError as exc:
                closing.close()
                flush()
                if stop_on_error:
                    raise
                out.append(exc)
                continue
            item = _Open(src, reader, reader.batch_key(src), closing)
            if pending and (item.key is None or item.key != pending[0].key
                            or len(pending) >= max_files
                            or sum(p.src.size for p in pending) + src.size > max_bytes):
                flush()
            if reader_chosen is not None:
                reader_chosen(src, reader)
            pending.append(item)
            if item.key is None:
                flush()
        flush()
    finally:
        for item in pending:
            item.closing.close()
    return out


def _settle(con: duckdb.DuckDBPyConnection, batch: list[_Open], rules: RuleSet,
            out: list[Outcome], stop_on_error: bool, settle: Settle | None = None,
            keep: Callable[[str], str] | None = None) -> None:
    """Ingest ``batch`` (files in order) and append each file's outcome to ``out``."""
    if len(batch) > 1:
        first_bad = _try_batch(con, batch, rules, out, settle, keep)
        if first_bad is None:
            return
        if first_bad < 0:  # the scan itself failed (or was refused): file by file finds which
            for item in batch:
                _single(con, item, rules, out, stop_on_error, settle)
            return
        _settle(con, batch[:first_bad], rules, out, stop_on_error, settle, keep)
        _single(con, batch[first_bad], rules, out, stop_on_error, settle)
        _settle(con, batch[first_bad + 1:], rules, out, stop_on_error, settle, keep)
        return
    for item in batch:
        _single(con, item, rules, out, stop_on_error, settle)


def _single(con: duckdb.DuckDBPyConnection, item: _Open, rules: RuleSet, out: list[Outcome],
            stop_on_error: bool, settle: Settle | None = None) -> None:
    try:
        out.append(_ingest_one(con, item.src, item.reader, rules, settle=settle))
    except DetenteError as exc:
        if stop_on_error:
            raise
        out.append(exc)


@contextlib.contextmanager
def _links(batch: list[_Open]) -> Iterator[list[Path]]:
    """Links to the batch's files named by position: names DuckDB reads as exactly
    those files (never as patterns) and that say, per row, where it came from."""
    folder = Path(tempfile.mkdtemp(prefix="detente-batch-"))
    try:
        links = []
        for i, item in enumerate(batch):
            link = folder / f"{i:0{BATCH_DIGITS}d}"
            os.symlink(os.path.abspath(item.src.scan_path), link)
            links.append(link)
        yield links
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _try_batch(con: duckdb.DuckDBPyConnection, batch: list[_Open], rules: RuleSet,
               out: list[Outcome], settle: Settle | None = None,
               keep: Callable[[str], str] | None = None) -> int | None:
    """Ingest ``batch`` as one change; return ``None`` when done, else (the store
    unchanged) the position of the first file with a row to quarantine, or -1 when
    the scan failed or ``settle`` refused the batch."""
    rejects = f"_brej{next(_counter)}"
    n = len(batch)
    con.execute("BEGIN TRANSACTION")
    try:
        with _links(batch) as links:
            # the ids the files will take; taken from the sequence only once the batch
            # stays (a sequence does not roll back), so they are file by file's
            start = int(con.execute(
                "SELECT coalesce(last_value + increment_by, start_value) FROM duckdb_sequences() "
                "WHERE sequence_name = 'file_ids' AND database_name = current_database()").fetchone()[0])  # type: ignore[index]
            ids = list(range(start, start + n))
            lo, hi = ids[0], ids[-1]
            src = replace(batch[0].src, batch=links)
            cols = column_names()
            froms = "[" + ", ".join(sql_str(b.src.ingested_from) for b in batch) + "]"
            chosen = ", ".join(f"{froms}[_src + 1]" if c == "ingested_from" else f'"{c}"'
                               for c in cols)
            names = ", ".join(f'"{c}"' for c in cols)
            id_list = "[" + ", ".join(str(i) for i in ids) + "]"
            con.execute(
                f"INSERT INTO events ({names}, _given_areas, _file_id, _error, _raw, _dup) "
                f"SELECT {chosen}, _given_areas, {id_list}[_src + 1], _error, _raw, false "
                f"FROM ({staged_sql(batch[0].reader, src, rejects, rules)})")
        bad = _first_unclean(con, rejects, ids)
        taken = [] if bad is not None else [int(r[0]) for r in con.execute(
            f"SELECT nextval('file_ids') AS i FROM range({int(n)}) ORDER BY i").fetchall()]
        if bad is not None or taken != ids:
            con.execute("ROLLBACK")
            return -1 if bad is None else bad
        reports = _book(con, batch, ids, lo, hi, keep)
        if settle is not None:
            settle(con, [(b.src, r, i) for b, r, i in zip(batch, reports, ids, strict=True)])
        bump_version(con)
        con.execute("COMMIT")
    except (duckdb.Error, DetenteError):
        con.execute("ROLLBACK")
        return -1
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _drop_rejects(con, rejects)
    out.extend(reports)
    return None


def _first_unclean(con: duckdb.DuckDBPyConnection, rejects: str, ids: list[int]) -> int | None:
    """Return the position of the first file of the batch with a row to quarantine (or
    -1 if its rows are not in file order, which would make it unlike file by file)."""
    lo, hi = ids[0], ids[-1]
    rows = con.execute(
        "SELECT _file_id, min(rowid), max(rowid), count(*), count(*) FILTER (WHERE _error IS NOT NULL) "
        f"FROM events WHERE _file_id BETWEEN {int(lo)} AND {int(hi)} GROUP BY _file_id "
        "ORDER BY _file_id").fetchall()
    at = {fid: i for i, fid in enumerate(ids)}
    unclean = {at[int(fid)] for fid, _, _, _, errors in rows if errors}
    with contextlib.suppress(duckdb.CatalogException):
        unclean |= {int(r[0]) for r in con.execute(
            f"SELECT DISTINCT CAST(right(s.file_path, {BATCH_DIGITS}) AS INTEGER) FROM {rejects} r "
            f"JOIN {rejects}_scan s ON s.scan_id = r.scan_id AND s.file_id = r.file_id").fetchall()}
    last = -1
    for _fid, first, final, count, _ in rows:
        if first <= last or final - first + 1 != count:
            return -1
        last = final
    return min(unclean) if unclean else None


def _book(con: duckdb.DuckDBPyConnection, batch: list[_Open], ids: list[int], lo: int,
          hi: int, keep: Callable[[str], str] | None = None) -> list[FileReport]:
    """Settle the batch's repeats and write its files' rows, as file by file would."""
    mine = f"_file_id BETWEEN {lo} AND {hi}"
    # a repeat of an event stored before the batch, or of an earlier row of the batch
    con.execute(f"UPDATE events SET _dup = true WHERE {mine} AND event_id IN "
                f"(SELECT event_id FROM events WHERE NOT ({mine}) AND _error IS NULL)")
    row = con.execute(f"SELECT count(*) FILTER (WHERE NOT _dup), count(DISTINCT hash(event_id)) "
                      f"FILTER (WHERE NOT _dup) FROM events WHERE {mine}").fetchone()
    if row and row[0] != row[1] and keep is None:
        con.execute(
            "UPDATE events SET _dup = true WHERE rowid IN (SELECT rowid FROM (SELECT rowid, "
            "row_number() OVER (PARTITION BY event_id ORDER BY rowid) AS rk FROM events "
            f"WHERE {mine} AND NOT _dup) WHERE rk > 1)")
    elif row and row[0] != row[1] and keep is not None:
        # inside a file the first counts; across files, the first one that stays
        con.execute(
            "UPDATE events SET _dup = true WHERE rowid IN (SELECT rowid FROM (SELECT rowid, "
            "row_number() OVER (PARTITION BY _file_id, event_id ORDER BY rowid) AS rk FROM events "
            f"WHERE {mine} AND NOT _dup) WHERE rk > 1)")
        con.execute(
            f"UPDATE events SET _dup = true WHERE rowid IN (SELECT e.rowid FROM events e JOIN "
            f"(SELECT event_id, min(_file_id) AS first FROM events e WHERE e.{mine} AND NOT e._dup "
            f"AND coalesce({keep('e.')}, false) GROUP BY event_id) a ON a.event_id = e.event_id "
            f"WHERE e.{mine} AND NOT e._dup AND e._file_id > a.first)")
    # the one a repeat is compared with: stored before the batch, or the batch's that stays
    kept = "" if keep is None else f" AND (NOT k.{mine} OR coalesce({keep('k.')}, false))"
    counts = {int(f): (int(a), int(d)) for f, a, d in con.execute(
        f"SELECT _file_id, count(*), count(*) FILTER (WHERE _dup) FROM events WHERE {mine} "
        "GROUP BY _file_id").fetchall()}
    if any(d for _, d in counts.values()):
        diff = ", ".join(f"CASE WHEN d.\"{c}\" IS DISTINCT FROM k.\"{c}\" THEN '{c}' END"
                         for c in CONTENT_COLUMNS)
        con.execute(
            "INSERT INTO conflicts SELECT event_id, file_id, cols FROM ("
            f"SELECT d.event_id, d._file_id AS file_id, list_filter([{diff}], lambda x: x IS NOT NULL) "
            "AS cols FROM events d JOIN events k ON k.event_id = d.event_id AND NOT k._dup "
            f"AND k._error IS NULL AND k.rowid <> d.rowid{kept} WHERE d.{mine} AND d._dup) "
            "WHERE len(cols) > 0 ORDER BY file_id")
    conflicts = {int(f): int(k) for f, k in con.execute(
        f"SELECT file_id, count(*) FROM conflicts WHERE file_id BETWEEN {int(lo)} AND {int(hi)} "
        "GROUP BY file_id").fetchall()}
    con.execute(f"DELETE FROM events WHERE {mine} AND _dup")
    unmapped = {int(f): int(k) for f, k in con.execute(
        f"SELECT _file_id, count(*) FROM events WHERE {mine} AND place IS NOT NULL "
        "AND place_country IS NULL GROUP BY _file_id").fetchall()}
    now = datetime.now(UTC).replace(tzinfo=None)
    reports, rows = [], []
    for fid, item in zip(ids, batch, strict=True):
        src, reader = item.src, item.reader
        read, dups = counts.get(fid, (0, 0))
        k = conflicts.get(fid, 0)
        rows.append([fid, printable(src.path), src.name, src.sha256, src.size, reader.name,
                     reader.dataset, now, read, read - dups, dups, k, 0])
        reports.append(FileReport(printable(src.path), reader.name, reader.dataset, src.sha256,
                                  read, read - dups, dups, k, 0, unmapped.get(fid, 0)))
    insert_files(con, rows)
    return reports
