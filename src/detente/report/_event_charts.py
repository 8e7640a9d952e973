"""Charts of what the events are: quad classes per period, issue areas by period (a
heatmap of net cooperation), and impulse responses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import altair as alt

from detente.report._palette import _QUAD_COLOURS, QUAD_LABELS
from detente.report._vega import _WIDTH, Record, _filled, _layout, _rows


def quad_chart(rows: Sequence[Record]) -> dict[str, Any]:
    """Chart cooperation and conflict: events per period by quad class, per dataset.

    Args:
        rows: ``dataset, period_start, quad_class (1-4), events`` (long form).
    """
    labelled = [{**r, "kind": QUAD_LABELS.get(int(r["quad_class"]), str(r["quad_class"]))}
                for r in rows]
    return _filled(_quad_layout(len({r["dataset"] for r in rows}) > 1), rows_0=labelled)


@_layout
def _quad_layout(faceted: bool) -> Any:  # an Altair chart, faceted or not
    chart = alt.Chart(_rows("rows_0")).mark_bar().encode(
        x=alt.X("period_start:T", title=None),
        y=alt.Y("events:Q", title="events", stack="zero"),
        color=alt.Color("kind:N", title="quad class",
                        scale=alt.Scale(domain=list(QUAD_LABELS.values()), range=_QUAD_COLOURS),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("quad_class:Q"),
        tooltip=[alt.Tooltip("dataset:N"), alt.Tooltip("period_start:T", title="period from"),
                 alt.Tooltip("kind:N"), alt.Tooltip("events:Q")],
    ).properties(width=_WIDTH, height=160)
    if not faceted:
        return chart
    return chart.facet(row=alt.Row("dataset:N", title=None)).resolve_scale(
        y="independent").properties(columns=1)


def heatmap_chart(rows: Sequence[Record]) -> dict[str, Any]:
    """Chart issue areas by period: colour is net cooperation, events in the tooltip.

    The time axis is continuous: each cell spans its period, from ``period_start`` to
    ``period_next`` (the next period's start), so periods with no events are empty space,
    not left out of the axis.

    Args:
        rows: ``dataset, issue_area, period_label, period_start, period_next, events,
            net_cooperation``; cells with no events are left out.
    """
    return _filled(_heatmap_layout(len({r["dataset"] for r in rows}) > 1), rows_0=rows)


@_layout
def _heatmap_layout(faceted: bool) -> Any:  # an Altair chart, faceted or not
    chart = alt.Chart(_rows("rows_0")).mark_rect().encode(
        x=alt.X("period_start:T", title=None),
        x2=alt.X2("period_next:T"),
        y=alt.Y("issue_area:N", title=None, axis=alt.Axis(labelLimit=0)),
        color=alt.Color("net_cooperation:Q", title="net cooperation",
                        scale=alt.Scale(scheme="redblue", domain=[-1, 1]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("dataset:N"), alt.Tooltip("issue_area:N"),
                 alt.Tooltip("period_label:O", title="period"), alt.Tooltip("events:Q"),
                 alt.Tooltip("net_cooperation:Q", format=".2f")],
    )
    chart = chart.properties(width=_WIDTH, height=alt.Step(16))
    return chart.facet(row=alt.Row("dataset:N", title=None)) if faceted else chart


def response_chart(rows: Sequence[Record]) -> dict[str, Any]:
    """Chart impulse responses: expected response per step ahead with its interval.

    Args:
        rows: ``pair, step, response, lower, upper`` (``pair`` such as ``USA->RUS``).
    """
    return _filled(_response_layout(), rows_0=rows, rows_1=[{"y": 0}])


@_layout
def _response_layout() -> alt.TopLevelMixin:
    base = alt.Chart(_rows("rows_0")).encode(
        x=alt.X("step:Q", title="periods after the shock", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("pair:N", title="shock → response", legend=alt.Legend(orient="bottom")),
    )
    band = base.mark_area(opacity=0.2).encode(y=alt.Y("lower:Q", title="response"),
                                              y2=alt.Y2("upper:Q"))
    line = base.mark_line(point=True).encode(
        y=alt.Y("response:Q"),
        tooltip=[alt.Tooltip("pair:N"), alt.Tooltip("step:Q"), alt.Tooltip("response:Q", format=".3f"),
                 alt.Tooltip("lower:Q", format=".3f"), alt.Tooltip("upper:Q", format=".3f")])
    zero = alt.Chart(_rows("rows_1")).mark_rule(color="#999").encode(y=alt.Y("y:Q"))
    return alt.layer(band, line, zero).properties(width=_WIDTH, height=200)
