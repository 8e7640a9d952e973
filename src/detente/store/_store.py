"""The event store: one DuckDB file holding events, provenance and quarantine."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from detente._duck import arrow_reader, arrow_table
from detente.errors import DetenteError, QueryError, StoreError
from detente.readers import Reader, SourceFile, install_lookups
from detente.schema import CANONICAL_SCHEMA, column_names
from detente.store._ingest import FileReport, ingest_file
from detente.store._query import EventFilter
from detente.store._schema import DDL, SCHEMA_VERSION
from detente.store._scope import ScopesMixin
from detente.tagging import RuleSet, load_rules

__all__ = ["Store", "chronology_files", "default_store_path", "expand_paths"]

# inside a folder, files that are documentation or code rather than event data
_SUFFIXES_SKIPPED = {".md", ".py", ".html", ".pdf", ".sha256", ".md5"}


def default_store_path() -> Path:
    """Return ``$DETENTE_STORE``, else the per-user data folder's ``detente.duckdb``."""
    env = os.environ.get("DETENTE_STORE")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "detente" / "detente.duckdb"


def chronology_files() -> list[Path]:
    """Return the packaged curated chronology's CSV files, in order."""
    folder = resources.files("detente").joinpath("data/chronology")
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".csv"))


def _chronology_hash(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files, folders (recursively, sorted) and glob patterns into files.

    Inside a folder, hidden files and documentation or code (``.md``, ``.py``,
    ...) are left out; a file named directly is always taken.

    Raises:
        DetenteError: a path names nothing.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")
                              and f.suffix.lower() not in _SUFFIXES_SKIPPED))
        elif p.exists():
            out.append(p)
        elif any(ch in str(raw) for ch in "*?["):
            anchor = Path(p.anchor) if p.is_absolute() else Path(".")
            pattern = str(p.relative_to(p.anchor)) if p.is_absolute() else str(raw)
            matches = sorted(f for f in anchor.glob(pattern) if f.is_file())
            if not matches:
                raise DetenteError(f"{raw}: no file matches this pattern")
            out.extend(matches)
        else:
            raise DetenteError(f"{raw}: no such file or folder")
    return out


class Store(ScopesMixin):
    """A DuckDB file of canonical events.

    Open with :meth:`open`; use as a context manager to close it.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, rules: RuleSet) -> None:
        self.con = con
        self.path = path
        self.rules = rules
        self._init_scopes()

    # -- opening ---------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path | None = None,
        *,
        read_only: bool = False,
        rules: RuleSet | None = None,
        with_chronology: bool = True,
        memory_limit: str | None = None,
    ) -> Store:
        """Open (creating if needed) the store at ``path``.

        A new store starts with the curated chronology in it; an existing one
        has the chronology refreshed when the packaged chronology changed.

        Raises:
            StoreError: the file is not a DuckDB database or not a detente store.
        """
        p = Path(path).expanduser() if path is not None else default_store_path()
        existed = p.exists() and p.stat().st_size > 0
        if read_only and not p.exists():
            raise StoreError(f"{p}: no store here yet (run `detente ingest` or `detente status`)")
        if not read_only:
            p.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = duckdb.connect(str(p), read_only=read_only)
        except duckdb.Error as exc:
            first = str(exc).strip().splitlines()[0]
            raise StoreError(f"{p}: cannot open store ({first})") from None
        limit = memory_limit or os.environ.get("DETENTE_MEMORY_LIMIT")
        if limit:
            con.execute(f"SET memory_limit = '{_safe_limit(limit)}'")
        store = cls(con, p, rules or load_rules())
        try:
            if existed and not _has_table(con, "meta"):
                raise StoreError(f"{p}: a DuckDB file, but not a detente store")
            if not read_only:
                con.execute(DDL)
                store._set_meta("schema_version", SCHEMA_VERSION, only_if_missing=True)
            store._check_schema()
            install_lookups(con)
            if with_chronology and not read_only:
                store.sync_chronology()
        except BaseException:
            con.close()
            raise
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self.con.close()

    def _check_schema(self) -> None:
        try:
            version = self.meta("schema_version")
        except duckdb.CatalogException:
            raise StoreError(f"{self.path}: a DuckDB file, but not a detente store") from None
        if version != SCHEMA_VERSION:
            raise StoreError(f"{self.path}: store schema {version}, this detente needs {SCHEMA_VERSION}")

    def meta(self, key: str) -> str | None:
        """Return a value from the store's ``meta`` table."""
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str, only_if_missing: bool = False) -> None:
        conflict = "NOTHING" if only_if_missing else "UPDATE SET value = excluded.value"
        self.con.execute(
            f"INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO {conflict}", [key, value]
        )

    # -- writing ---------------------------------------------------------

    def sync_chronology(self) -> list[FileReport]:
        """Load the packaged chronology if the store lacks it or holds an older one."""
        files = chronology_files()
        digest = _chronology_hash(files)
        if not files or self.meta("chronology_sha256") == digest:
            return []
        self._changed()
        self.con.execute("BEGIN TRANSACTION")
        try:
            self.con.execute("DELETE FROM events WHERE dataset = 'curated'")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        reports = [self.ingest_file(f, fmt="chronology") for f in files]
        self._set_meta("chronology_sha256", digest)
        return reports

    def ingest_file(self, path: str | Path, fmt: str | None = None,
                    on_reader: Callable[[SourceFile, Reader], Any] | None = None) -> FileReport:
        """Ingest one file whole, or not at all.

        Args:
            path: the file.
            fmt: force a reader by name; detected from content otherwise.
            on_reader: called with ``(source, reader)`` once the reader is chosen.

        Raises:
            InputFileError: the file cannot be read; the store is unchanged.
        """
        self._changed()
        return ingest_file(self.con, path, fmt=fmt, rules=self.rules, reader_chosen=on_reader)

    def ingest(self, paths: Iterable[str | Path], fmt: str | None = None) -> list[FileReport]:
        """Ingest files, folders and globs; stop at the first unreadable file."""
        return [self.ingest_file(p, fmt) for p in expand_paths(paths)]

    def retag(self) -> int:
        """Recompute every event's issue areas with the store's rules; return changes."""
        tag = self.rules.sql()
        self._changed()
        self.con.execute("BEGIN TRANSACTION")
        try:
            changed = self.con.execute(
                f"SELECT count(*) FROM events WHERE issue_areas IS DISTINCT FROM ({tag})"
            ).fetchone()
            self.con.execute(f"UPDATE events SET issue_areas = {tag}")
            self._set_meta("rules", self.rules.fingerprint())
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return int(changed[0]) if changed else 0

    # -- reading ---------------------------------------------------------

    def _select(self, flt: EventFilter, columns: list[str] | None = None,
                limit: int | None = None, offset: int = 0,
                newest_first: bool = False) -> tuple[str, list[object]]:
        where, params = self.where(flt)
        cols = ", ".join(f'"{c}"' for c in (columns or column_names()))
        order = "date DESC, event_id DESC" if newest_first else "date, event_id"
        sql = f"SELECT {cols} FROM events WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        return sql, params

    def count(self, flt: EventFilter | None = None) -> int:
        """Return the number of events matching ``flt``."""
        where, params = self.where(flt or EventFilter())
        row = self.con.execute(f"SELECT count(*) FROM events WHERE {where}", params).fetchone()
        return int(row[0]) if row else 0

    def events(self, flt: EventFilter | None = None, *, limit: int | None = None,
               offset: int = 0, newest_first: bool = False) -> pa.Table:
        """Return matching events as a canonical Arrow table, ordered by date (oldest first
        unless ``newest_first``), then event id."""
        sql, params = self._select(flt or EventFilter(), limit=limit, offset=offset,
                                   newest_first=newest_first)
        return arrow_table(self.con, sql, params).cast(CANONICAL_SCHEMA)

    def iter_events(self, flt: EventFilter | None = None,
                    batch_rows: int = 65536) -> Iterator[pa.RecordBatch]:
        """Yield matching events in canonical record batches (bounded memory)."""
        sql, params = self._select(flt or EventFilter())
        reader = arrow_reader(self.con, sql, params, batch_rows)
        for batch in reader:
            yield pa.RecordBatch.from_arrays(
                [batch.column(i).cast(f.type) for i, f in enumerate(CANONICAL_SCHEMA)],
                schema=CANONICAL_SCHEMA,
            )

    def export_parquet(self, out: str | Path, flt: EventFilter | None = None) -> int:
        """Write matching events to Parquet under their canonical names; return rows."""
        out = Path(out)
        tmp = out.with_name(out.name + ".partial")
        rows = 0
        try:
            with pq.ParquetWriter(tmp, CANONICAL_SCHEMA, compression="zstd") as writer:
                for batch in self.iter_events(flt):
                    writer.write_batch(batch)
                    rows += batch.num_rows
            tmp.replace(out)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise DetenteError(f"{out}: cannot write ({exc.strerror})") from None
        return rows

    def quarantine(self, file: str | None = None, limit: int = 100) -> pa.Table:
        """Return quarantined rows (optionally of one file name)."""
        sql = "SELECT file, line, reason, raw FROM quarantine"
        params: list[object] = []
        if file:
            sql += " WHERE file = ?"
            params.append(file)
        sql += " ORDER BY file_id, line LIMIT ?"
        params.append(limit)
        return arrow_table(self.con, sql, params)

    def files(self) -> pa.Table:
        """Return the provenance of every ingested file."""
        return arrow_table(self.con,
            "SELECT file_id, name, reader, dataset, substr(sha256, 1, 16) AS sha256, "
            "ingested_at, rows_read, stored, duplicates, conflicts, quarantined "
            "FROM files ORDER BY file_id"
        )

    def summary(self) -> pa.Table:
        """Return per-dataset counts and date coverage."""
        return arrow_table(self.con,
            "SELECT dataset, count(*) AS events, min(date) AS first, max(date) AS last, "
            "count(DISTINCT ingested_from) AS files FROM " + self.all_events +
            " GROUP BY dataset ORDER BY dataset"
        )

    def last_date(self, flt: EventFilter | None = None) -> Any:
        """Return the last event date among matching events (the default as-of date)."""
        where, params = self.where(flt or EventFilter())
        row = self.con.execute(f"SELECT max(date) FROM events WHERE {where}", params).fetchone()
        return row[0] if row else None

    def known_areas(self) -> list[str]:
        """Return the issue areas the rules define."""
        return list(self.rules.areas)

    def validate(self, flt: EventFilter) -> None:
        """Raise :class:`QueryError` for filter values the store cannot know."""
        unknown = [a for a in flt.issue_areas if a not in self.rules.areas]
        if unknown:
            raise QueryError(
                f"unknown issue area(s) {', '.join(unknown)}; known: {', '.join(self.rules.areas)}"
            )
        codes = {flt.source, flt.target, *(flt.dyad or ())} - {None}
        if codes:
            known = {r[0] for r in self.con.execute(
                "SELECT code FROM _detente_countries UNION SELECT code FROM _detente_groups"
            ).fetchall()}
            bad = sorted(c for c in codes if c not in known)
            if bad:
                raise QueryError(f"unknown CAMEO country code(s): {', '.join(str(b) for b in bad)}")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


def _safe_limit(text: str) -> str:
    import re

    if not re.fullmatch(r"\s*[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|KiB|MiB|GiB|%)\s*", text, re.I):
        raise StoreError(f"memory limit {text!r} must look like 800MB or 2GB")
    return text.strip()
