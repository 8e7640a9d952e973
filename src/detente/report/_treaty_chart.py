"""The treaty timeline: one bar per treaty and status span, coloured by status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt

from detente.report._palette import STATUS_COLOURS
from detente.report._vega import _WIDTH, Record, _filled, _layout, _rows


def treaty_chart(rows: Sequence[Record], as_of: dt.date | None = None) -> dict[str, Any]:
    """Chart the treaty timeline: one bar per treaty and status span.

    Args:
        rows: ``name, status, start, end`` (``end`` is the next change or the as-of date).
        as_of: drawn as a rule.
    """
    spec = _treaty_layout(as_of is not None)
    # the legend lists the statuses shown; each keeps its one colour (STATUS_COLOURS)
    shown = [st for st in STATUS_COLOURS if any(r["status"] == st for r in rows)]
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    scale["domain"], scale["range"] = shown, [STATUS_COLOURS[st] for st in shown]
    if as_of is None:
        return _filled(spec, rows_0=rows)
    return _filled(spec, rows_0=rows, rows_1=[{"date": as_of, "label": "as of"}])


@_layout
def _treaty_layout(with_as_of: bool) -> alt.TopLevelMixin:
    bars = alt.Chart(_rows("rows_0")).mark_bar(height=12).encode(
        x=alt.X("start:T", title=None),
        x2=alt.X2("end:T"),
        y=alt.Y("name:N", title=None, sort=None, axis=alt.Axis(labelLimit=0)),
        color=alt.Color("status:N", title="status",
                        legend=alt.Legend(orient="bottom", columns=6, labelLimit=0),
                        scale=alt.Scale(domain=list(STATUS_COLOURS),
                                        range=list(STATUS_COLOURS.values()))),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("status:N"), alt.Tooltip("citation:N"),
                 alt.Tooltip("start:T", title="from"), alt.Tooltip("end:T", title="until")],
    )
    layers: list[Any] = [bars]
    if with_as_of:
        layers.append(alt.Chart(_rows("rows_1")).mark_rule(
            color="#333", strokeDash=[3, 3]).encode(
                x=alt.X("date:T"), tooltip=[alt.Tooltip("label:N"), alt.Tooltip("date:T")]))
    return alt.layer(*layers).properties(width=_WIDTH, height=alt.Step(18))
