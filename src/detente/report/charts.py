"""The brief's charts as Vega-Lite specifications, built with Altair.

Each function takes plain records (lists of dicts with ISO dates) and returns
a Vega-Lite dict with its data inline, so a chart renders with no request to
any host. The same specs feed the brief and the dashboard.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import altair as alt
from altair.utils.schemapi import debug_mode

__all__ = [
    "COVERAGE_EDGES",
    "QUAD_LABELS",
    "heatmap_chart",
    "index_chart",
    "quad_chart",
    "response_chart",
    "treaty_chart",
]

# Edges of the machine-coded datasets' public coverage, drawn on the index
# chart so that a break in a series is not read as a break in behaviour.
COVERAGE_EDGES: tuple[tuple[dt.date, str], ...] = (
    (dt.date(2015, 2, 1), "GDELT 2.0 begins (Feb 2015)"),
    (dt.date(2023, 4, 30), "ICEWS ends (Apr 2023)"),
)
QUAD_LABELS = {
    1: "verbal cooperation",
    2: "material cooperation",
    3: "verbal conflict",
    4: "material conflict",
}
_QUAD_COLOURS = ["#4a90c2", "#1f5f8b", "#e8a33d", "#b2342a"]
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


def _filled(spec: dict[str, Any], **rows: Sequence[Record]) -> dict[str, Any]:
    """Return ``spec`` with ``rows`` as its named datasets (dates as ISO strings)."""
    spec["datasets"] = {name: [_plain(r) for r in records] for name, records in rows.items()}
    return spec


def _y_at(pixels: float) -> alt.YValue:
    """Return a fixed vertical position, in pixels from the top."""
    return alt.YValue(pixels)  # type: ignore[no-untyped-call]


def _plain(record: Record) -> Record:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in record.items()}


def index_chart(
    rows: Sequence[Record],
    change_points: Sequence[Record] = (),
    edges: Sequence[tuple[dt.date, str]] = COVERAGE_EDGES,
) -> dict[str, Any]:
    """Chart the relationship index per dataset with its baseline.

    Args:
        rows: ``dataset, period_start, relationship_index, relationship_index_baseline,
            events, low_evidence, coverage`` per period; a partial period is drawn as an
            open ring, and the line breaks at a missing one (its index is null).
        change_points: ``dataset, date, message, label`` for each change point (red rules,
            labelled with ``label``, or the date).
        edges: dataset coverage edges (grey dashed rules), drawn when inside the range.
    """
    dates = [r["period_start"] for r in rows]
    lo, hi = (min(dates), max(dates)) if dates else (None, None)
    inside = [(d, label) for d, label in edges if lo is not None and hi is not None and lo <= d <= hi]
    # each label one line below the previous, so that edges close in time stay readable
    marks = [{"date": d, "label": label, "y_px": 2 + 13 * i} for i, (d, label) in enumerate(inside)]
    labelled = _cp_labels(change_points) if change_points else []
    spec = _index_layout(bool(marks), bool(labelled))
    named = {"rows_0": rows}
    if marks:
        named["rows_1"] = marks
    if labelled:
        named[f"rows_{len(named)}"] = labelled
    return _filled(spec, **named)


@_layout
def _index_layout(edges: bool, change_points: bool) -> alt.TopLevelMixin:
    base = alt.Chart(_rows("rows_0")).encode(
        x=alt.X("period_start:T", title=None),
        color=alt.Color("dataset:N", title="dataset", legend=alt.Legend(orient="bottom")),
    )
    tooltip = [
        alt.Tooltip("dataset:N"),
        alt.Tooltip("period_start:T", title="period from"),
        alt.Tooltip("relationship_index:Q", title="index", format=".2f"),
        alt.Tooltip("relationship_index_baseline:Q", title="baseline", format=".2f"),
        alt.Tooltip("events:Q"),
        alt.Tooltip("coverage:N"),
    ]
    line = base.mark_line(point=alt.OverlayMarkDef(size=18),
                          invalid="break-paths-filter-domains").encode(
        y=alt.Y("relationship_index:Q", title="relationship index (Goldstein, −10 … +10)"),
        tooltip=tooltip,
    )
    baseline = base.mark_line(strokeDash=[4, 3], opacity=0.6).encode(
        y=alt.Y("relationship_index_baseline:Q"),
    )
    partial = base.transform_filter("datum.coverage === 'partial'").mark_point(
        filled=False, size=110, strokeWidth=1.5).encode(
        y=alt.Y("relationship_index:Q"), tooltip=tooltip)
    layers: list[Any] = [line, baseline, partial]
    if edges:
        edge = alt.Chart(_rows("rows_1")).encode(x=alt.X("date:T"))
        layers += [
            edge.mark_rule(color="#777", strokeDash=[2, 2]).encode(tooltip=[alt.Tooltip("label:N")]),
            edge.mark_text(align="left", dx=3, dy=-4, fontSize=10, color="#555", angle=0,
                           baseline="top").encode(text=alt.Text("label:N"),
                                                  y=alt.Y("y_px:Q", scale=None)),
        ]
    if change_points:
        cp = alt.Chart(_rows(f"rows_{1 + edges}")).encode(x=alt.X("date:T"))
        layers += [
            cp.mark_rule(color="#b2342a", strokeWidth=1.5, opacity=0.8).encode(
                tooltip=[alt.Tooltip("label:N", title="change point"), alt.Tooltip("dataset:N"),
                         alt.Tooltip("message:N")]),
            cp.mark_text(align="left", baseline="bottom", angle=270, dx=4, dy=-2, fontSize=9,
                         color="#b2342a").encode(text=alt.Text("text:N"), y=_y_at(260)),
        ]
    return alt.layer(*layers).properties(width=_WIDTH, height=260)


def _cp_labels(change_points: Sequence[Record], gap_days: int = 200) -> list[Record]:
    """Label each change point; breaks close together share the first one's label."""
    out: list[Record] = []
    for c in sorted(change_points, key=lambda c: (str(c["dataset"]), c["date"])):
        label = c.get("label") or c["date"].isoformat()
        row = {**c, "label": label, "text": label}
        head = next((r for r in reversed(out) if r["text"] and r["dataset"] == c["dataset"]), None)
        if head is not None and (c["date"] - head["date"]).days <= gap_days:
            head["text"] = f"{head['text']}, {label}"
            row["text"] = ""
        out.append(row)
    return out


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

    Args:
        rows: ``dataset, issue_area, period_label, events, net_cooperation``; cells with
            no events are left out.
    """
    return _filled(_heatmap_layout(len({r["dataset"] for r in rows}) > 1), rows_0=rows)


@_layout
def _heatmap_layout(faceted: bool) -> Any:  # an Altair chart, faceted or not
    chart = alt.Chart(_rows("rows_0")).mark_rect().encode(
        x=alt.X("period_label:O", title=None, axis=alt.Axis(labelAngle=-60)),
        y=alt.Y("issue_area:N", title=None),
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


def treaty_chart(rows: Sequence[Record], as_of: dt.date | None = None) -> dict[str, Any]:
    """Chart the treaty timeline: one bar per treaty and status span.

    Args:
        rows: ``name, status, start, end`` (``end`` is the next change or the as-of date).
        as_of: drawn as a rule.
    """
    spec = _treaty_layout(as_of is not None)
    if as_of is None:
        return _filled(spec, rows_0=rows)
    return _filled(spec, rows_0=rows, rows_1=[{"date": as_of, "label": "as of"}])


@_layout
def _treaty_layout(with_as_of: bool) -> alt.TopLevelMixin:
    bars = alt.Chart(_rows("rows_0")).mark_bar(height=12).encode(
        x=alt.X("start:T", title=None),
        x2=alt.X2("end:T"),
        y=alt.Y("name:N", title=None, sort=None),
        color=alt.Color("status:N", title="status", legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("name:N"), alt.Tooltip("status:N"), alt.Tooltip("citation:N"),
                 alt.Tooltip("start:T", title="from"), alt.Tooltip("end:T", title="until")],
    )
    layers: list[Any] = [bars]
    if with_as_of:
        layers.append(alt.Chart(_rows("rows_1")).mark_rule(
            color="#333", strokeDash=[3, 3]).encode(
                x=alt.X("date:T"), tooltip=[alt.Tooltip("label:N"), alt.Tooltip("date:T")]))
    return alt.layer(*layers).properties(width=_WIDTH, height=alt.Step(18))
