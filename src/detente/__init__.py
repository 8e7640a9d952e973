"""detente: measure and manage a difficult relationship between two countries.

The library is the product; the ``detente`` command is a thin shell over it. The Python
API (:mod:`detente.api`) gives each analysis command as a function:

    import detente

    with detente.open_store() as st:
        yearly = detente.indicators(st, dyad="USA-RUS", period="year")

``import detente`` loads only the errors and the API's signatures; the store, the readers
and the rest (DuckDB, pyarrow, ...) load when a name that needs them is first used.
"""

from __future__ import annotations

import types as _types
import typing as _t

from detente._version import __version__
from detente.api import (
    ForecastRun,
    ReciprocityRun,
    assess,
    brief,
    events,
    forecast,
    indicators,
    open_store,
    playbook_check,
    reciprocity,
    trends,
)
from detente.errors import (
    DetenteError,
    InputFileError,
    QueryError,
    RulesError,
    StoreBusyError,
    StoreError,
    UnknownFormatError,
)

if _t.TYPE_CHECKING:
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
    "ForecastRun",
    "InputFileError",
    "QueryError",
    "ReadResult",
    "ReciprocityRun",
    "RulesError",
    "Store",
    "StoreBusyError",
    "StoreError",
    "UnknownFormatError",
    "__version__",
    "assess",
    "brief",
    "default_store_path",
    "detect",
    "events",
    "forecast",
    "indicators",
    "load_rules",
    "open_store",
    "playbook_check",
    "read_events",
    "reciprocity",
    "trends",
]

# names whose modules are heavy (DuckDB, pyarrow, pandas): imported on first use, by module
_READERS = ("READERS", "ReadResult", "detect", "read_events")
_STORE = ("EventFilter", "FileReport", "Store", "default_store_path")
_TAGGING = ("ISSUE_AREAS", "load_rules")


def __getattr__(name: str) -> _t.Any:
    module: _types.ModuleType
    if name in _READERS:
        from detente import readers as module
    elif name in _STORE:
        from detente import store as module
    elif name in _TAGGING:
        from detente import tagging as module
    elif name == "CANONICAL_SCHEMA":
        from detente import schema as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
