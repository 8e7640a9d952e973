"""How the charts are built: each chart's layout once per shape by Altair, without its
schema checks, and the view's rows filled in as the spec's named datasets.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import altair as alt
from altair.utils.schemapi import debug_mode

_WIDTH = "container"
Record = dict[str, Any]


_L = TypeVar("_L", bound=Callable[..., Any])


def _layout(build: _L) -> Callable[..., dict[str, Any]]:
    """Make ``build`` (shape flags -> an Altair chart over named sources) return the
    chart's Vega-Lite dict without data, built once per shape and copied after.

    A chart's layout depends on a few flags (is there a second dataset, are there
    change points to mark), its rows on the view: so Altair builds each layout once
    and every view only fills in the rows (:func:`_filled`). The layout is built
    without Altair checking each part against the Vega-Lite schema as it is made
    (its debug mode): the specs are emitted unvalidated anyway, and tests validate
    them once, against the schema. Channels are given as channel objects
    (``alt.X("date:T")``, ``alt.YValue(2)``), not shorthand strings or
    ``alt.value``, which Altair resolves through its whole schema."""
    @functools.lru_cache(maxsize=32)
    def kept(*shape: Any) -> str:
        with debug_mode(False):
            spec: dict[str, Any] = build(*shape).to_dict(validate=False)
        spec.pop("$schema", None)
        return json.dumps(spec)

    @functools.wraps(build)
    def layout(*shape: Any) -> dict[str, Any]:
        fresh: dict[str, Any] = json.loads(kept(*shape))  # each caller owns its copy
        return fresh

    layout.built = kept  # type: ignore[attr-defined]  # the kept layouts, for a look inside
    return layout


def _rows(name: str) -> alt.NamedData:
    """Return the named data source ``name``: the rows themselves never go through
    Altair (which copies them deeply each time a chart is layered or configured) but
    into the spec's top-level ``datasets`` (:func:`_filled`)."""
    return alt.NamedData(name=name)


_DATES_KEPT: ContextVar[bool] = ContextVar("detente_chart_dates_kept", default=False)


@contextmanager
def dates_kept() -> Iterator[None]:
    """Within this block (on this thread), the charts made keep their rows' dates as
    :class:`datetime.date` objects instead of ISO strings.

    For a caller that turns the specs into JSON with pydantic alone, which writes a
    date as the same ISO text (``2024-05-01``): the JSON is the same, and no row is
    looked through for dates beforehand (the longest part of filling in a chart's rows).
    """
    token = _DATES_KEPT.set(True)
    try:
        yield
    finally:
        _DATES_KEPT.reset(token)


def _filled(spec: dict[str, Any], **rows: Sequence[Record]) -> dict[str, Any]:
    """Return ``spec`` with ``rows`` as its named datasets (dates as ISO strings, unless
    within :func:`dates_kept`); the records are copies, the caller's stay its own."""
    if _DATES_KEPT.get():
        spec["datasets"] = {name: [dict(r) for r in records] for name, records in rows.items()}
    else:
        spec["datasets"] = {name: [_plain(r) for r in records]
                            for name, records in rows.items()}
    return spec


def _y_at(pixels: float) -> alt.YValue:
    """Return a fixed vertical position, in pixels from the top."""
    return alt.YValue(pixels)  # type: ignore[no-untyped-call]


def _plain(record: Record) -> Record:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in record.items()}
