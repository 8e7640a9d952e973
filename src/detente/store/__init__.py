"""The event store (DuckDB, embedded): ingest, query, export, retag."""

from __future__ import annotations

from detente.store._ingest import FileReport
from detente.store._query import EventFilter, parse_date, parse_dyad
from detente.store._store import Store, chronology_files, default_store_path, expand_paths

__all__ = [
    "EventFilter",
    "FileReport",
    "Store",
    "chronology_files",
    "default_store_path",
    "expand_paths",
    "parse_date",
    "parse_dyad",
]
