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

import sys as _sys
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
    open_store,
    playbook_check,
    reciprocity,
    trends,
)
from detente.api import indicators as _indicators
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


class _IndicatorsPackage(_types.ModuleType):
    """``detente.indicators``: the indicators subpackage, callable as :func:`detente.api.indicators`.

    The subpackage and the API function share the name ``detente.indicators``; the
    subpackage keeps it (``from detente.indicators import IndicatorSpec`` and ``import
    detente.indicators`` work as before) and calling it runs the function.
    """

    def __call__(self, *args: _t.Any, **kwargs: _t.Any) -> _t.Any:
        return _indicators(*args, **kwargs)

    __call__.__doc__ = _indicators.__doc__

    @property
    def __signature__(self) -> _t.Any:  # what inspect.signature and notebooks show for a call
        import inspect

        return inspect.signature(_indicators)


class _Package(_types.ModuleType):
    """The ``detente`` package: makes the ``indicators`` subpackage callable when it is set."""

    def __setattr__(self, name: str, value: _t.Any) -> None:
        if name == "indicators" and type(value) is _types.ModuleType:
            value.__class__ = _IndicatorsPackage
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package
if "detente.indicators" in _sys.modules:  # a reload: the subpackage is already there
    setattr(_sys.modules[__name__], "indicators", _sys.modules["detente.indicators"])  # noqa: B010


def __getattr__(name: str) -> _t.Any:
    if name == "indicators":
        import detente.indicators as package  # the import sets it on the package, made callable (above)

        return package
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
