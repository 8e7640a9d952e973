"""The query layer: typed questions, one definition of each metric, one cache.

Everything downstream of the store (indicators, policy conditions, proposal
assessment, the brief, the dashboard) asks its questions here:

- :class:`Dyad`, :class:`Direction`, :class:`Window`, :class:`Selection` and
  :class:`Period` say what is asked;
- :class:`Queries` (a store's :attr:`~detente.store.Store.queries`) asks it of the
  store's private DuckDB connection;
- :mod:`detente.query.metrics` defines each metric once (net cooperation, shares,
  the relationship index, ...) for every consumer and every engine;
- answers are kept in one cache under the store's :class:`Stamp`, which every
  write advances.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from detente.query._cache import CACHE, QueryCache, Stamp
from detente.query._windows import ChannelRequest, MetricRequest, MetricResult
from detente.query.period import PERIODS, Period
from detente.query.types import Direction, Dyad, EventFilter, Selection, Window, parse_date, parse_dyad

__all__ = [
    "CACHE",
    "PERIODS",
    "ChannelRequest",
    "DatasetCoverage",
    "Direction",
    "Dyad",
    "EventFilter",
    "MetricRequest",
    "MetricResult",
    "Period",
    "Queries",
    "QueryCache",
    "Selection",
    "Stamp",
    "Window",
    "parse_date",
    "parse_dyad",
]

if TYPE_CHECKING:
    from detente.query._layer import DatasetCoverage, Queries


def __getattr__(name: str) -> Any:
    # the layer itself needs pyarrow and DuckDB: loaded when a store is opened, so that the
    # typed values above (what ``import detente`` uses) come without them
    if name in ("DatasetCoverage", "Queries"):
        from detente.query import _layer

        return getattr(_layer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

