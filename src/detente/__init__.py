"""detente: measure and manage a difficult relationship between two countries.

The library is the product; the ``detente`` command is a thin shell over it.
"""

from __future__ import annotations

from detente._version import __version__
from detente.errors import (
    DetenteError,
    InputFileError,
    QueryError,
    RulesError,
    StoreError,
    UnknownFormatError,
)
from detente.readers import READERS, ReadResult, detect, read_events
from detente.schema import CANONICAL_SCHEMA
from detente.store import EventFilter, FileReport, Store, default_store_path
from detente.tagging import ISSUE_AREAS, load_rules

__all__ = [
    "CANONICAL_SCHEMA",
    "ISSUE_AREAS",
    "READERS",
    "DetenteError",
    "EventFilter",
    "FileReport",
    "InputFileError",
    "QueryError",
    "ReadResult",
    "RulesError",
    "Store",
    "StoreError",
    "UnknownFormatError",
    "__version__",
    "default_store_path",
    "detect",
    "load_rules",
    "read_events",
]
