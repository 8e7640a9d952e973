"""A store's events as a Hive-partitioned Parquet archive, and such an archive read as a store.

``detente export --partition year/month DIR`` writes::

    DIR/archive.json                  what the archive is: format, schema version, counts
    DIR/events/year=2024/month=3/*.parquet   the events, every column of the store's table
    DIR/tables/files.parquet          provenance of every ingested file
    DIR/tables/quarantine.parquet     the rows set aside, with their reasons
    DIR/tables/conflicts.parquet      events that arrived again with other content
    DIR/tables/meta.parquet           the store's identity and schema version
    DIR/tables/coverage.parquet       per dataset: events, first and last day, files
    DIR/tables/fetch_ledger.parquet   the fetch ledger and GDELT's totals, when the store has them
    DIR/tables/events_schema.parquet  no rows: the events' columns, for an archive without events

The archive is written into a hidden folder beside ``DIR`` and renamed into place, so a
reader sees the whole archive or none. Other engines (Spark, DuckDB elsewhere, BigQuery
external tables) read ``DIR/events`` as a Hive-partitioned Parquet dataset.

Opened with ``--store DIR``, an archive is read through an in-memory DuckDB whose tables
are views over its Parquet files, so every question of the query layer is asked of it as
of a store file. It is read-only: ingest, fetch and retag refuse it in one line.
"""

from __future__ import annotations

import json
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from detente.errors import DetenteError, StoreError
from detente.store._schema import SCHEMA_VERSION

__all__ = ["ARCHIVE_FORMAT", "MANIFEST", "PARTITIONS", "events_folder", "export_archive",
           "is_archive", "open_archive"]

ARCHIVE_FORMAT = "detente-archive"
"""The ``format`` of an archive's ``archive.json``."""
FORMAT_VERSION = 1
MANIFEST = "archive.json"
PARTITIONS: dict[str, tuple[str, ...]] = {"year": ("year",), "year/month": ("year", "month")}
"""The partitionings ``--partition`` accepts, and the Hive keys of each."""

# the store's tables copied whole beside the events (those it has)
_SIDE_TABLES = ("meta", "files", "quarantine", "conflicts", "fetch_ledger", "source_totals",
                "source_date_totals")
_EVENTS = "events"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def is_archive(path: Path) -> bool:
    """Say whether ``path`` is a folder holding an archive's ``archive.json``."""
    return path.is_dir() and (path / MANIFEST).is_file()


def events_folder(path: Path) -> Path:
    """Return the folder of an archive's Hive-partitioned events."""
    return path / "events"


def _has_event_files(path: Path) -> bool:
    return any(events_folder(path).rglob("*.parquet"))


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {str(r[0]) for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}


def export_archive(con: duckdb.DuckDBPyConnection, out: Path, partition: str = "year/month",
                   force: bool = False) -> dict[str, Any]:
    """Write the store on ``con`` as an archive at ``out``; return its manifest.

    Raises:
        DetenteError: unknown partitioning; ``out`` is a file, or a folder that is not
            empty (without ``force``), or cannot be written.
    """
    keys = PARTITIONS.get(partition)
    if keys is None:
        raise DetenteError(f"--partition {partition}: not one of {', '.join(PARTITIONS)}")
    out = out.expanduser()
    if out.exists() and not out.is_dir():
        raise DetenteError(f"{out}: a file, not a folder (an archive is a folder)")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise DetenteError(f"{out}: folder is not empty (--force replaces it)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        manifest = _write(con, tmp, partition, keys)
        _swap(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise DetenteError(f"{out}: cannot write the archive ({exc.strerror or exc})") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _swap(tmp: Path, out: Path) -> None:
    """Put the finished archive ``tmp`` at ``out``, replacing what is there."""
    if not out.exists():
        tmp.rename(out)
        return
    old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    out.rename(old)
    try:
        tmp.rename(out)
    except BaseException:
        old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write(con: duckdb.DuckDBPyConnection, tmp: Path, partition: str,
           keys: tuple[str, ...]) -> dict[str, Any]:
    tables = (tmp / "tables")
    tables.mkdir(parents=True)
    have = _tables(con)
    parts = ", ".join(f"{k}({_EVENTS}.date) AS {k}" for k in keys)
    n_events = int((con.execute(f"SELECT count(*) FROM {_EVENTS}").fetchone() or (0,))[0])
    if n_events:
        target = _quoted(str(events_folder(tmp)))
        con.execute(
            f"COPY (SELECT *, {parts} FROM {_EVENTS} ORDER BY date, event_id) TO {target} "
            f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({', '.join(keys)}), "
            "FILENAME_PATTERN 'events_{i}')")
    else:
        events_folder(tmp).mkdir()
    con.execute(f"COPY (SELECT * FROM {_EVENTS} LIMIT 0) TO "
                f"{_quoted(str(tables / 'events_schema.parquet'))} (FORMAT parquet)")
    side = [t for t in _SIDE_TABLES if t in have]
    for name in side:
        con.execute(f"COPY (SELECT * FROM {name}) TO {_quoted(str(tables / (name + '.parquet')))} "
                    "(FORMAT parquet, COMPRESSION zstd)")
    con.execute(
        f"COPY (SELECT dataset, count(*) AS events, min(date) AS first, max(date) AS last, "
        f"count(DISTINCT _file_id) AS files FROM {_EVENTS} GROUP BY dataset ORDER BY dataset) "
        f"TO {_quoted(str(tables / 'coverage.parquet'))} (FORMAT parquet)")
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall()) if "meta" in have else {}
    counts = con.execute("SELECT count(*), coalesce(sum(quarantined), 0) FROM files").fetchone() \
        if "files" in have else (0, 0)
    manifest: dict[str, Any] = {
        "format": ARCHIVE_FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": meta.get("schema_version", SCHEMA_VERSION),
        "partition": partition,
        "store_id": meta.get("store_id"),
        "store_version": meta.get("version"),
        "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "events": n_events,
        "files": int(counts[0]) if counts else 0,
        "quarantined": int(counts[1]) if counts else 0,
        "tables": side,
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    """Return an archive's manifest.

    Raises:
        StoreError: no manifest, or not one of a detente archive this version reads.
    """
    try:
        doc = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(f"{path}: a folder, but not a detente archive (no {MANIFEST}; "
                         "`detente export --partition year/month DIR` writes one)") from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path / MANIFEST}: cannot be read ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != ARCHIVE_FORMAT:
        raise StoreError(f"{path / MANIFEST}: not a detente archive's manifest")
    if doc.get("partition") not in PARTITIONS:
        raise StoreError(f"{path / MANIFEST}: unknown partitioning {doc.get('partition')!r}")
    if str(doc.get("schema_version")) != SCHEMA_VERSION:
        raise StoreError(f"{path}: archive of store schema {doc.get('schema_version')}, this "
                         f"detente needs {SCHEMA_VERSION} (export it again from the store)")
    return doc


def open_archive(path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """Return an in-memory DuckDB whose tables are views over the archive at ``path``.

    Raises:
        StoreError: not an archive, or its files cannot be read.
    """
    doc = read_manifest(path)
    keys = PARTITIONS[str(doc["partition"])]
    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        if memory_limit:
            con.execute(f"SET memory_limit = {_quoted(memory_limit)}")
        tables = path / "tables"
        for name in [str(t) for t in doc.get("tables", []) if t in _SIDE_TABLES]:
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM "
                        f"read_parquet({_quoted(str(tables / (name + '.parquet')))})")
        if _has_event_files(path):
            glob = _quoted(str(events_folder(path) / ("*/" * len(keys)) / "*.parquet"))
            source = (f"SELECT * EXCLUDE ({', '.join(keys)}) FROM read_parquet({glob}, "
                      "hive_partitioning = true)")
        else:
            source = f"SELECT * FROM read_parquet({_quoted(str(tables / 'events_schema.parquet'))})"
        # the one store whose events relation is a view: over the archive's own files, every
        # row and column as exported (a store file's table is read as it is)
        con.execute(f"CREATE VIEW {_EVENTS} AS {source}")
    except duckdb.Error as exc:
        con.close()
        first = str(exc).strip().splitlines()[0]
        raise StoreError(f"{path}: cannot read the archive ({first})") from None
    return con


def refuse_write(path: Path) -> StoreError:
    """Return the error a write to the archive at ``path`` raises."""
    return StoreError(f"{path}: a Parquet archive, read-only (ingest, fetch and retag write to "
                      "a store file: --store FILE.duckdb)")

