"""The event store (DuckDB, embedded): ingest, query, export, retag."""

from __future__ import annotations

from detente.query.types import EventFilter, Selection, parse_date, parse_dyad
from detente.store._archive import is_archive, refuse_write
from detente.store._report import FileReport
from detente.store._store import DEFAULT_WAIT, Store, chronology_files, default_store_path, expand_paths

__all__ = [
    "DEFAULT_WAIT",
    "EventFilter",
    "FileReport",
    "Selection",
    "Store",
    "chronology_files",
    "default_store_path",
    "expand_paths",
    "is_archive",
    "parse_date",
    "parse_dyad",
    "refuse_write",
]
