"""The dashboard's answers: their shapes, the service's limits, and the keys they are kept
under."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel

from detente.errors import DetenteError
from detente.query import Selection
from detente.report import BriefOptions
from detente.report.model import Chart, DatasetRecord, Glance

__all__ = ["EVENT_COLUMNS", "IDLE", "LIMIT", "QUICK_SECTIONS", "WAIT", "QuickView", "StillComputing",
           "json_text", "opts_key", "view_selection", "with_period"]

QUICK_SECTIONS = frozenset({"issues"})
"""What a view computes beyond the glance and the index and quad-class charts."""
EVENT_COLUMNS = ("event_id", "date", "source_actor", "target_actor", "source_name",
                 "target_name", "event_code", "quad_class", "goldstein", "issue_areas",
                 "dataset", "text", "url", "publisher", "place", "place_country",
                 "citation_issuer", "citation_title", "citation_date")
"""The columns of each event in :meth:`Dashboard.events` (each event also carries its
code's label, ``event_label``)."""
WAIT = 10.0
"""Seconds an answer waits for a store another process is writing to (then
:class:`~detente.errors.StoreBusyError`)."""
IDLE = 1.0
"""Seconds without a request before the latest dyad's events are copied."""
LIMIT = 10.0
"""Seconds a caller of :meth:`Dashboard.within_limit` waits for an answer being computed
(then :class:`StillComputing`; the answer is finished and kept for the next time)."""


class StillComputing(DetenteError):
    """An answer is taking longer than the service's limit: it is being finished in the
    background and kept, so the same question asked again shortly is answered at once."""


class QuickView(BaseModel):
    """A view: the brief's title, glance and charts, and what each dataset holds."""

    title: str
    as_of: dt.date | None
    period: str
    glance: Glance
    charts: list[Chart]
    datasets: list[DatasetRecord]


def opts_key(opts: BriefOptions) -> tuple[Any, ...]:
    """Return ``opts`` as a plain tuple of its field values (a cache key)."""
    return tuple(getattr(opts, name) for name in BriefOptions.model_fields)


def with_period(opts: BriefOptions, period: str) -> BriefOptions:
    return opts.model_copy(update={"period": period})


def view_selection(opts: BriefOptions) -> Selection:
    """Return what the store must know for ``opts`` (its dyad, dates and issue area).

    Raises:
        QueryError: values no selection can have (since after until, a bad code).
    """
    return Selection(dyad=opts.dyad, since=opts.since, until=opts.until,
                     issue_areas=(opts.issue,) if opts.issue else (), datasets=opts.datasets)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_text(value: Any) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))
