"""The event store: one DuckDB file holding events, provenance and quarantine."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb

from detente.errors import DetenteError, QueryError, StoreBusyError, StoreError
from detente.query import Selection, Stamp
from detente.query._layer import Queries
from detente.query._sql import bind
from detente.store import _archive, _host
from detente.store._report import FileReport
from detente.store._schema import DDL, SCHEMA_VERSION, bump_version, migrate

if TYPE_CHECKING:  # the readers and the rules load when a file is ingested
    import pyarrow as pa

    from detente.readers import Reader, SourceFile
    from detente.store._check import Finding
    from detente.tagging import RuleSet

__all__ = ["DEFAULT_WAIT", "Store", "chronology_files", "default_store_path", "expand_paths",
           "open_for_reading"]

DEFAULT_WAIT = 30.0
"""Seconds :meth:`Store.open` waits for a store another process is using (``--wait``)."""

# inside a folder, files that are documentation or code rather than event data
_SUFFIXES_SKIPPED = {".md", ".py", ".html", ".pdf", ".sha256", ".md5"}


_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()
_WRITERS: dict[str, int] = {}  # real path -> stores of this process open on it for writing


def _path_lock(p: Path) -> threading.RLock:
    """Return the lock every :class:`Store` of this process on file ``p`` writes under.

    DuckDB lets one process open a file once for writing and shares that database
    among all the connections the process makes to it, so two stores on one path in
    one process would ingest side by side, each unaware of the other's uncommitted
    rows. Writes are serialised per real path instead (other processes are kept out
    by DuckDB's file lock).
    """
    key = os.path.realpath(p)
    with _LOCKS_GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = threading.RLock()
        return lock


def _connect_writer(p: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(p))
    key = os.path.realpath(p)
    with _LOCKS_GUARD:
        _WRITERS[key] = _WRITERS.get(key, 0) + 1
    return con


def _close_writer(con: duckdb.DuckDBPyConnection, p: Path) -> None:
    key = os.path.realpath(p)
    with _LOCKS_GUARD:
        left = _WRITERS.get(key, 0) - 1
        if left > 0:
            _WRITERS[key] = left
        else:
            _WRITERS.pop(key, None)
    con.close()


def _writing_here(p: Path) -> bool:
    """Say whether a store of this process has ``p`` open for writing."""
    with _LOCKS_GUARD:
        return os.path.realpath(p) in _WRITERS


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


class _NeedsWriting(StoreError):
    """A store opened read-only that one opening for writing would settle: its creation
    was cut short, or its schema is older than this detente's."""


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


class Store:
    """A DuckDB file of canonical events.

    Open with :meth:`open`; use as a context manager to close it. Its DuckDB
    connection is private: reads go through :attr:`queries` (the query layer) or the
    methods here, which call it; writes through :meth:`ingest_file`, :meth:`ingest`,
    :meth:`retag` and :meth:`sync_chronology`, each of which advances the store's
    version (:attr:`stamp`), so no answer kept from before a write is given after it.

    A store is meant to be open for one command or one request: DuckDB lets one
    process write to a file, or many read it, never both at once, so a process that
    keeps a store open keeps every other process waiting.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, rules: RuleSet | None = None, *,
                 read_only: bool = False) -> None:
        self._con = con
        self.path = path
        self._rules = rules
        self._stamp: Stamp | None = None
        self.read_only = read_only
        self.queries = Queries(self)
        """The query layer over this store's events (see :mod:`detente.query`)."""
        self._lookups = False
        self._lock = _path_lock(path)
        self.archive = False
        """Whether this is a Parquet archive (read-only; see :mod:`detente.store._archive`)."""

    @property
    def rules(self) -> RuleSet:
        """The issue-area rules (the packaged ones unless others were given), loaded on
        first use."""
        if self._rules is None:
            from detente.tagging import load_rules

            self._rules = load_rules()
        return self._rules

    def _with_lookups(self) -> duckdb.DuckDBPyConnection:
        """Return the connection with the readers' code tables and macros installed (once:
        only ingest needs them)."""
        if self.archive:
            raise _archive.refuse_write(self.path)
        if not self._lookups:
            from detente.store._reading import install_lookups

            install_lookups(self._con)
            self._lookups = True
        return self._con

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
        wait: float | None = None,
        on_wait: Callable[[float], Any] | None = None,
    ) -> Store:
        """Open (creating if needed) the store at ``path``.

        A new store starts with the curated chronology in it; an existing one
        has the chronology refreshed when the packaged chronology changed.

        Args:
            wait: seconds to wait while another process holds the store (it is
                writing, or reading while this one would write); default
                :data:`DEFAULT_WAIT`, or ``$DETENTE_WAIT``.
            on_wait: called once, with the seconds it will wait at most, when the
                store is found busy.

        Raises:
            StoreBusyError: the store stayed busy for ``wait`` seconds.
            StoreError: the file is not a DuckDB database or not a detente store.
        """
        p = Path(path).expanduser() if path is not None else default_store_path()
        if p.is_dir():  # a Parquet archive: read-only, whatever was asked
            return cls._open_archive(p, rules, memory_limit)
        existed = p.exists() and p.stat().st_size > 0
        if read_only and not p.exists():
            raise StoreError(f"{p}: no store here yet (run `detente ingest` or `detente status`)")
        if not read_only:
            p.parent.mkdir(parents=True, exist_ok=True)
        con = _connect(p, read_only, _wait_seconds(wait), on_wait)
        limit = memory_limit or os.environ.get("DETENTE_MEMORY_LIMIT")
        try:
            con.execute("SET enable_progress_bar = false")
            if limit:
                con.execute(f"SET memory_limit = '{_safe_limit(limit)}'")
            store = cls(con, p, rules, read_only=read_only)
            if not read_only:
                with store._lock:
                    # a file with no tables at all is a store whose creation was cut short
                    if existed and not _has_table(con, "meta") and _has_tables(con):
                        raise StoreError(f"{p}: a DuckDB file, but not a detente store")
                    store._create(with_chronology)
                    migrate(con, store.meta("schema_version"))
            elif not _has_tables(con):
                raise _NeedsWriting(f"{p}: no store here yet (its creation was cut short; "
                                 "`detente status` creates it)")
            store._check_schema()
            if with_chronology and not read_only:
                store.sync_chronology()
        except BaseException:
            if read_only:
                _host.detach(con, p)
            else:
                _close_writer(con, p)
            raise
        return store

    @classmethod
    def _open_archive(cls, p: Path, rules: RuleSet | None, memory_limit: str | None) -> Store:
        limit = memory_limit or os.environ.get("DETENTE_MEMORY_LIMIT")
        con = _archive.open_archive(p, _safe_limit(limit) if limit else None)
        store = cls(con, p, rules, read_only=True)
        store.archive = True
        try:
            store._check_schema()
        except BaseException:
            con.close()
            raise
        return store

    def _create(self, with_chronology: bool) -> None:
        """Create what a store lacks: for a new one, its tables, identity and (with
        ``with_chronology``) the chronology, all as one change, so that a creation cut
        short leaves no store at all rather than part of one."""
        new = not _has_table(self._con, "meta")
        self._con.execute("BEGIN TRANSACTION")
        try:
            self._con.execute(DDL)
            have = {str(r[0]) for r in self._con.execute("SELECT key FROM meta").fetchall()}
            for key, value in (("schema_version", SCHEMA_VERSION),
                               ("store_id", uuid.uuid4().hex), ("version", "0")):
                if key not in have:
                    self._set_meta(key, value, only_if_missing=True)
            if new and with_chronology:
                files = chronology_files()
                if files:
                    self._load_chronology(files, _chronology_hash(files))
            self._con.execute("COMMIT")
        except BaseException:
            self._con.execute("ROLLBACK")
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (and release the file for other processes)."""
        self.queries.close()
        self._close_connection()

    def _close_connection(self) -> None:
        if self.read_only:
            _host.detach(self._con, self.path)
        else:
            _close_writer(self._con, self.path)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        """Return a new connection to this store's database (close it after use), for a
        query that runs beside the others."""
        return _host.use(self._con, self.path)

    def _check_schema(self) -> None:
        try:
            version = self.meta("schema_version")
        except duckdb.CatalogException:
            raise StoreError(f"{self.path}: a DuckDB file, but not a detente store") from None
        if version != SCHEMA_VERSION:
            older = self.read_only and version is not None and version < SCHEMA_VERSION
            hint = " (open it once for writing, e.g. `detente status`, to upgrade it)" if older else ""
            error = _NeedsWriting if older else StoreError
            raise error(f"{self.path}: store schema {version}, this detente needs {SCHEMA_VERSION}{hint}")

    def meta(self, key: str) -> str | None:
        """Return a value from the store's ``meta`` table."""
        row = self._con.execute(bind("SELECT value FROM meta WHERE key = ?", [key])).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str, only_if_missing: bool = False) -> None:
        conflict = "NOTHING" if only_if_missing else "UPDATE SET value = excluded.value"
        self._con.execute(
            bind(f"INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO {conflict}", [key, value])
        )

    @property
    def stamp(self) -> Stamp:
        """The store's identity and version, read from the file: every write, by this
        process or another, advances the version. (A store opened read-only keeps the
        stamp it read first: while it is open, no process can write to the file, and
        in one process a read-only and a writing connection to one file cannot coexist.)"""
        if self._stamp is not None:
            return self._stamp
        rows = dict(self._con.execute(
            "SELECT key, value FROM meta WHERE key IN ('store_id', 'version')").fetchall())
        # a store written before versions were kept: its path stands for its identity
        stamp = Stamp(str(rows.get("store_id") or f"path:{self.path.resolve()}"),
                      int(rows.get("version") or 0))
        if self.read_only:
            self._stamp = stamp
        return stamp

    @property
    def version(self) -> int:
        """The store's version (see :attr:`stamp`)."""
        return self.stamp.version

    def query_progress(self) -> float:
        """Return the percentage done of the query running now (-1 when unknown)."""
        return float(self._con.query_progress())

    # -- writing ---------------------------------------------------------

    def _write(self, sql: str, params: list[object] | None = None) -> Any:
        """Run one write statement in a transaction that also advances the version."""
        if self.archive:
            raise _archive.refuse_write(self.path)
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                result = self._con.execute(sql, params or []).fetchall()
                bump_version(self._con)
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return result

    def sync_chronology(self, force: bool = False) -> list[FileReport]:
        """Load the packaged chronology if the store lacks it or holds an older one
        (``force``: reload it even if it is the same).

        One change: the old chronology's events and provenance go and the new one's
        come in the same transaction, so a store never holds part of one.
        """
        files = chronology_files()
        digest = _chronology_hash(files)
        with self._lock:
            if not files or (self.meta("chronology_sha256") == digest and not force):
                return []
            con = self._con
            con.execute("BEGIN TRANSACTION")
            try:
                reports = self._load_chronology(files, digest)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return reports

    def _load_chronology(self, files: list[Path], digest: str) -> list[FileReport]:
        """Replace the chronology's events and provenance (inside the caller's transaction)."""
        from detente.store._ingest import ingest_file

        con = self._with_lookups()
        old = "(SELECT file_id FROM files WHERE dataset = 'curated')"
        for table, column in (("quarantine", "file_id"), ("conflicts", "file_id"),
                              ("events", "_file_id")):
            con.execute(f"DELETE FROM {table} WHERE {column} IN {old}")
        con.execute("DELETE FROM events WHERE dataset = 'curated'")
        con.execute(f"DELETE FROM files WHERE file_id IN {old}")
        reports = [ingest_file(con, f, fmt="chronology", rules=self.rules, transaction=False)
                   for f in files]
        self._set_meta("chronology_sha256", digest)
        bump_version(con)
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
        from detente.store._ingest import ingest_file

        with self._lock:
            return ingest_file(self._with_lookups(), path, fmt=fmt, rules=self.rules,
                               reader_chosen=on_reader)

    def ingest(self, paths: Iterable[str | Path], fmt: str | None = None) -> list[FileReport]:
        """Ingest files, folders and globs; stop at the first unreadable file (those
        before it stay stored)."""
        return [r for r in self.ingest_files(expand_paths(paths), fmt)
                if isinstance(r, FileReport)]

    def ingest_files(self, paths: Iterable[str | Path], fmt: str | None = None,
                     on_reader: Callable[[SourceFile, Reader], Any] | None = None, *,
                     stop_on_error: bool = True) -> list[FileReport | DetenteError]:
        """Ingest files in order, each whole or not at all, as :meth:`ingest_file` one
        after another would, but consecutive files of one format and layout in one scan.

        Args:
            on_reader: called with ``(source, reader)`` once each file's reader is chosen.
            stop_on_error: raise the first unreadable file's error (the files before it
                stay stored); otherwise go on, and give the error in its place.

        Returns:
            Per file, in order, its report or (without ``stop_on_error``) its error.

        Raises:
            DetenteError: with ``stop_on_error``, the first file that cannot be read.
        """
        from detente.store._batch import ingest_files

        with self._lock:
            return ingest_files(self._with_lookups(), paths, fmt=fmt, rules=self.rules,
                                reader_chosen=on_reader, stop_on_error=stop_on_error)

    def retag(self) -> int:
        """Recompute every event's issue areas with the store's rules; return changes."""
        tag = self.rules.tags_sql()
        self._with_lookups()
        with self._lock:
            self._con.execute("BEGIN TRANSACTION")
            try:
                changed = self._con.execute(
                    f"SELECT count(*) FROM events WHERE issue_areas IS DISTINCT FROM ({tag})"
                ).fetchone()
                self._con.execute(f"UPDATE events SET issue_areas = {tag}")
                self._set_meta("rules", self.rules.fingerprint())
                bump_version(self._con)
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        return int(changed[0]) if changed else 0

    def check(self) -> list[Finding]:
        """Run the integrity checks (see :mod:`detente.store._check`); changes nothing."""
        from detente.store._check import check_store

        return check_store(self)

    def repair(self) -> list[str]:
        """Remove rows left by an unfinished ingest and reload the chronology; return
        what was done (what :meth:`check` cannot repair in place, it says how to)."""
        from detente.store._check import repair_store

        if self.archive:
            raise _archive.refuse_write(self.path)
        return repair_store(self)

    # -- reading (through the query layer) -------------------------------

    def count(self, flt: Selection | None = None) -> int:
        """Return the number of events matching ``flt``."""
        return self.queries.count(flt or Selection())

    def events(self, flt: Selection | None = None, *, limit: int | None = None,
               offset: int = 0, newest_first: bool = False) -> pa.Table:
        """Return matching events as a canonical Arrow table, ordered by date (oldest first
        unless ``newest_first``), then event id."""
        return self.queries.events(flt or Selection(), limit=limit, offset=offset,
                                   newest_first=newest_first)

    def iter_events(self, flt: Selection | None = None,
                    batch_rows: int = 65536) -> Iterator[pa.RecordBatch]:
        """Yield matching events in canonical record batches (bounded memory)."""
        return self.queries.iter_events(flt or Selection(), batch_rows)

    def archive_events(self) -> Path | None:
        """Return the folder of the archive's Hive-partitioned event files (``None``: not an
        archive, or one without events)."""
        if not self.archive:
            return None
        folder = _archive.events_folder(self.path)
        return folder if any(folder.rglob("*.parquet")) else None

    def export_archive(self, out: str | Path, partition: str = "year/month",
                       force: bool = False) -> dict[str, Any]:
        """Write the store as a Hive-partitioned Parquet archive in folder ``out`` (see
        :mod:`detente.store._archive`); return its manifest. ``--store out`` reads it.

        Raises:
            DetenteError: unknown ``partition``; ``out`` is not empty (without ``force``)
                or cannot be written.
        """
        with self._lock:
            return _archive.export_archive(self._con, Path(out), partition, force)

    def export_parquet(self, out: str | Path, flt: Selection | None = None) -> int:
        """Write matching events to Parquet under their canonical names; return rows."""
        import pyarrow.parquet as pq  # here only: not on the way to a query

        from detente.schema import CANONICAL_SCHEMA

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
        return self.queries.quarantine(file, limit)

    def files(self) -> pa.Table:
        """Return the provenance of every ingested file."""
        return self.queries.files()

    def summary(self) -> pa.Table:
        """Return per-dataset counts and date coverage."""
        return self.queries.summary()

    def last_date(self, flt: Selection | None = None) -> Any:
        """Return the last event date among matching events (the default as-of date)."""
        return self.queries.last_date(flt or Selection())

    def known_areas(self) -> list[str]:
        """Return the issue areas the rules define."""
        return list(self.rules.areas)

    def check_datasets(self, names: Iterable[str]) -> None:
        """Raise :class:`QueryError` for a dataset name that is neither one detente knows
        (:data:`detente.schema.DATASETS`) nor one the store holds (a canonical file may
        name its own); the message lists the known ones."""
        from detente.schema import DATASETS

        asked = [n for n in names if n not in DATASETS]
        if not asked:
            return
        held = [str(r[0]) for r in self._con.execute(
            "SELECT DISTINCT dataset FROM events ORDER BY 1").fetchall()]
        bad = [n for n in asked if n not in held]
        if bad:
            known = sorted(set(DATASETS) | set(held))
            raise QueryError(f"unknown dataset(s) {', '.join(bad)}; known: {', '.join(known)}")

    def validate(self, flt: Selection) -> None:
        """Raise :class:`QueryError` for filter values the store cannot know."""
        unknown = [a for a in flt.issue_areas if a not in self.rules.areas]
        if unknown:
            raise QueryError(
                f"unknown issue area(s) {', '.join(unknown)}; known: {', '.join(self.rules.areas)}"
            )
        self.check_datasets(flt.datasets)
        codes = {flt.source, flt.target, *(flt.dyad or ())} - {None}
        if codes:
            known = self.queries.country_codes()
            bad = sorted(c for c in codes if c not in known)
            if bad:
                raise QueryError(f"unknown CAMEO country code(s): {', '.join(str(b) for b in bad)}")


def _wait_seconds(wait: float | None) -> float:
    if wait is not None:
        return max(0.0, float(wait))
    env = os.environ.get("DETENTE_WAIT")
    if env:
        try:
            return max(0.0, float(env))
        except ValueError:
            raise StoreError(f"DETENTE_WAIT={env!r} is not a number of seconds") from None
    return DEFAULT_WAIT


def _is_busy(exc: duckdb.Error) -> bool:
    return _host.is_busy(exc)


def open_for_reading(
    path: str | Path | None = None,
    *,
    rules: RuleSet | None = None,
    wait: float | None = None,
    on_wait: Callable[[float], Any] | None = None,
) -> Store:
    """Open the store at ``path`` read-only, so that any number of processes may read it
    at once (a writer waits for them, and they for it).

    What a store opened for writing would do first is done first, in one short opening
    for writing: creating a store that does not exist yet, upgrading an older schema,
    loading a packaged chronology the store lacks. A store that needs none of these
    (the usual case) is never opened for writing.

    In a process that has the store open for writing already, the store is opened for
    writing again instead (DuckDB shares one database between the two, and cannot
    attach a file read-only that the process holds for writing: the reader would wait
    for itself).

    Raises:
        StoreBusyError: the store stayed busy for ``wait`` seconds.
        StoreError: the file is not a DuckDB database or not a detente store.
    """
    p = Path(path).expanduser() if path is not None else default_store_path()
    if p.is_dir():  # a Parquet archive
        return Store.open(p, read_only=True, rules=rules, wait=wait, on_wait=on_wait)
    told: list[float] = []

    def once(seconds: float) -> None:  # one notice, however many openings wait
        if not told and on_wait is not None:
            on_wait(seconds)
        told.append(seconds)

    if _writing_here(p):
        return Store.open(p, rules=rules, wait=wait, on_wait=on_wait)
    if p.exists() and p.stat().st_size > 0:
        try:
            store = Store.open(p, read_only=True, rules=rules, wait=wait, on_wait=once)
        except _NeedsWriting:
            pass
        else:
            files = chronology_files()
            if not files or store.meta("chronology_sha256") == _chronology_hash(files):
                return store
            store.close()
    Store.open(p, rules=rules, wait=wait, on_wait=once).close()
    return Store.open(p, read_only=True, rules=rules, wait=wait, on_wait=once)


def _connect(p: Path, read_only: bool, wait: float,
             on_wait: Callable[[float], Any] | None) -> duckdb.DuckDBPyConnection:
    """Connect to ``p``, waiting up to ``wait`` seconds while another process holds it."""
    deadline = time.monotonic() + wait
    pause = 0.05
    told = False
    while True:
        try:
            # read-only: attached to the process's one in-memory DuckDB (see _host)
            return _host.attach(p) if read_only else _connect_writer(p)
        except duckdb.Error as exc:
            if not _is_busy(exc):
                first = str(exc).strip().splitlines()[0]
                raise StoreError(f"{p}: cannot open store ({first})") from None
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreBusyError(p, wait) from None
            if not told and on_wait is not None:
                on_wait(wait)
            told = True
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.5)


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(bind(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? "
        "AND table_catalog = current_database()", [name])).fetchone()
    return bool(row and row[0])


def _has_tables(con: duckdb.DuckDBPyConnection) -> bool:
    # this store's database only: a read-only store's connection also sees the tables the
    # process keeps in memory beside it (copies, daily sums; see detente.store._host)
    row = con.execute("SELECT count(*) FROM information_schema.tables "
                      "WHERE table_catalog = current_database()").fetchone()
    return bool(row and row[0])


def _safe_limit(text: str) -> str:
    if not re.fullmatch(r"\s*[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|KiB|MiB|GiB|%)\s*", text, re.I):
        raise StoreError(f"memory limit {text!r} must look like 800MB or 2GB")
    return text.strip()
