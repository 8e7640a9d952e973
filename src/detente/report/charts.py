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
    "STATUS_COLOURS",
    "heatmap_chart",
    "index_chart",
    "label_gap_days",
    "map_chart",
    "quad_chart",
    "response_chart",
    "status_css",
    "treaty_chart",
]

# Edges of the machine-coded datasets' public coverage, drawn on the index
# chart (only for the datasets it shows) so that a break in a series is not read
# as a break in behaviour.
COVERAGE_EDGES: tuple[tuple[dt.date, str, str], ...] = (
    (dt.date(2015, 2, 1), "gdelt2", "GDELT 2.0 begins (Feb 2015)"),
    (dt.date(2023, 4, 30), "icews", "ICEWS ends (Apr 2023)"),
)

STATUS_COLOURS: dict[str, str] = {
    # a party's status under a treaty (the registry): pending in blues, binding in
    # greens, strained in ambers, ended by an act in red, ended otherwise in greys
    "signed": "#9ecae1",
    "ratified": "#5b9bd5",
    "in_force": "#2e8b57",
    "extended": "#1f6f43",
    "suspended": "#e8a33d",
    "withdrawal_notified": "#f2c46d",
    "deratified": "#d9822b",
    "withdrawn": "#b2342a",
    "terminated": "#7f7f7f",
    "expired": "#b8b8b8",
    "overtaken": "#8e7f99",
    # a channel's recorded facts
    "established": "#2e8b57",
    "resumed": "#6fb98a",
    "restricted": "#f2c46d",
    # a playbook item's or condition's status
    "on_track": "#2e8b57",
    "met": "#2e8b57",
    "deteriorating": "#b2342a",
    "not_met": "#b2342a",
    "stalled": "#d8c48f",
    "insufficient_evidence": "#d9d9d9",
    "overtaken_by_events": "#8e7f99",
}
"""One colour per status, the same on every chart and in every table (the brief's and
the dashboard's status tags are drawn from it too, see :func:`status_css`)."""
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


def status_css() -> str:
    """Return the CSS giving each ``status-<name>`` tag its colour (dark text on light
    colours, white on dark)."""
    out = []
    for status, colour in STATUS_COLOURS.items():
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        ink = "#1d2329" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#fff"
        out.append(f".status-{status} {{ background: {colour}; color: {ink}; }}")
    return "\n".join(out)


def label_gap_days(lo: dt.date, hi: dt.date, pixels: float = 14, width: float = 640) -> int:
    """Return the days that ``pixels`` stand for on a time axis from ``lo`` to ``hi`` drawn
    ``width`` pixels wide (the narrowest the brief draws it): two labels closer than this
    in time would overlap."""
    return max(1, round((hi - lo).days * pixels / width))


def _broken(rows: Sequence[Record]) -> list[Record]:
    """Return ``rows`` with a row of no value wherever a dataset's periods do not follow on
    (a period with no events, or no coverage): the line stops there instead of being drawn
    across the gap."""
    out: list[Record] = []
    by_dataset: dict[str, list[Record]] = {}
    for r in rows:
        by_dataset.setdefault(str(r["dataset"]), []).append(r)
    for dataset, mine in by_dataset.items():
        mine = sorted(mine, key=lambda r: r["period_start"])
        for prev, cur in zip([None, *mine[:-1]], mine, strict=True):
            end = prev.get("period_end") if prev else None
            if prev is not None and end is not None and cur["period_start"] > end + dt.timedelta(days=1):
                out.append({"dataset": dataset, "period_start": end + dt.timedelta(days=1),
                            "relationship_index": None, "relationship_index_baseline": None,
                            "events": 0, "low_evidence": True})
            out.append({k: v for k, v in cur.items() if k != "period_end"})
    return out


def index_chart(
    rows: Sequence[Record],
    change_points: Sequence[Record] = (),
    edges: Sequence[tuple[dt.date, str, str]] = COVERAGE_EDGES,
    milestones: Sequence[Record] = (),
) -> dict[str, Any]:
    """Chart the relationship index per dataset with its baseline.

    A dataset's line stops where it has no value (a period with no events, or periods it
    does not cover: give ``period_end`` in the rows and a gap between one period's end and
    the next one's start breaks the line too).

    Args:
        rows: ``dataset, period_start, relationship_index, relationship_index_baseline,
            events, low_evidence, coverage`` (and ``period_end``) per period; a partial
            period is drawn as an open ring, and the line breaks at a period with no index.
        change_points: ``dataset, date, message, label`` for each change point (red rules,
            labelled at the foot with ``label``, or the date; labels too close to read apart
            are merged).
        edges: ``date, dataset, label`` of coverage edges (grey dashed rules), drawn for the
            datasets in ``rows`` when inside the range.
        milestones: ``date, label, text`` of key events (dark rules with a short label at the
            top; ``text`` in the tooltip); pick them with a rule that keeps them apart.
    """
    dates = [r["period_start"] for r in rows]
    ends = [r.get("period_end") or r["period_start"] for r in rows]
    lo, hi = (min(dates), max(ends)) if dates else (None, None)
    shown = {r["dataset"] for r in rows}
    inside = [(d, label) for d, ds, label in edges
              if ds in shown and lo is not None and hi is not None and lo <= d <= hi]
    # each label one line below the previous, so that edges close in time stay readable;
    # below the key events' labels, which hang from the top
    marks = [{"date": d, "label": label, "y_px": _EDGE_TOP + 13 * i}
             for i, (d, label) in enumerate(inside)]
    gap = label_gap_days(lo, hi) if lo and hi else 1
    labelled = _cp_labels(change_points, gap) if change_points else []
    keys = [{**m, "date": m["date"]} for m in milestones
            if lo is not None and hi is not None and lo <= m["date"] <= hi]
    spec = _index_layout(bool(marks), bool(labelled), bool(keys))
    named: dict[str, Sequence[Record]] = {"rows_0": _broken(rows)}
    for extra in (marks, labelled, keys):
        if extra:
            named[f"rows_{len(named)}"] = extra
    return _filled(spec, **named)


_INDEX_HEIGHT = 300
_EDGE_TOP = 150  # pixels from the top of the index chart to the first coverage edge's label


@_layout
def _index_layout(edges: bool, change_points: bool, milestones: bool = False) -> alt.TopLevelMixin:
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
    # a missing value breaks the line (it is not drawn across a gap)
    line = base.mark_line(point=alt.OverlayMarkDef(size=18), invalid="break-paths-show-domains").encode(
        y=alt.Y("relationship_index:Q", title="relationship index (Goldstein, −10 … +10)"),
        tooltip=tooltip,
    )
    baseline = base.mark_line(strokeDash=[4, 3], opacity=0.6,
                              invalid="break-paths-show-domains").encode(
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
                         color="#b2342a").encode(text=alt.Text("text:N"), y=_y_at(_INDEX_HEIGHT)),
        ]
    if milestones:
        ms = alt.Chart(_rows(f"rows_{1 + edges + change_points}")).encode(x=alt.X("date:T"))
        tip = [alt.Tooltip("date:T", title="key event"), alt.Tooltip("text:N", title="what happened")]
        layers += [
            ms.mark_rule(color="#2f3b47", strokeWidth=1, strokeDash=[1, 2], opacity=0.7).encode(
                tooltip=tip),
            ms.mark_point(shape="triangle-down", filled=True, size=40, color="#2f3b47").encode(
                y=_y_at(4), tooltip=tip),
            ms.mark_text(align="left", baseline="middle", angle=90, dx=0, dy=-7, fontSize=9,
                         color="#2f3b47").encode(text=alt.Text("label:N"), y=_y_at(12),
                                                 tooltip=tip),
        ]
    return alt.layer(*layers).properties(width=_WIDTH, height=_INDEX_HEIGHT)


def _cp_labels(change_points: Sequence[Record], gap_days: int = 200,
               longest: int = 24) -> list[Record]:
    """Label each change point; labels closer than ``gap_days`` (any dataset) would overlap,
    so they share the first one's label (cut to ``longest`` characters, the rest in the
    tooltips)."""
    out: list[Record] = []
    head: Record | None = None
    for c in sorted(change_points, key=lambda c: (c["date"], str(c["dataset"]))):
        label = c.get("label") or c["date"].isoformat()
        row = {**c, "label": label, "text": label}
        if head is not None and (c["date"] - head["date"]).days <= gap_days:
            if label not in head["text"].split(", "):
                joined = f"{head['text']}, {label}"
                head["text"] = joined if len(joined) <= longest else (
                    head["text"] if head["text"].endswith("…") else head["text"] + " …")
            row["text"] = ""
        else:
            head = row
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


@functools.cache
def _land() -> Any:
    """The world's land (Natural Earth 1:110m, public domain) as TopoJSON, from the package."""
    from importlib import resources

    text = resources.files("detente.report").joinpath("data", "land-110m.json").read_text("utf-8")
    return json.loads(text)


def map_chart(rows: Sequence[Record]) -> dict[str, Any]:
    """Map where events happened: one circle per dataset and place, its area the events
    there, over the world's land outline (shipped in the package: no request to any host).

    Args:
        rows: ``dataset, latitude, longitude, place, place_country, events``.
    """
    spec = _map_layout()
    spec["layer"][0]["data"] = {"values": _land(), "format": {"type": "topojson",
                                                               "feature": "land"}}
    return _filled(spec, rows_0=rows)


@_layout
def _map_layout() -> alt.TopLevelMixin:
    land = alt.Chart(alt.InlineData(values=[])).mark_geoshape(
        fill="#e9edf1", stroke="#b8c2cc", strokeWidth=0.5)
    places = alt.Chart(_rows("rows_0")).mark_circle(opacity=0.6, stroke="#fff",
                                                    strokeWidth=0.5).encode(
        longitude=alt.Longitude("longitude:Q"),
        latitude=alt.Latitude("latitude:Q"),
        size=alt.Size("events:Q", title="events", scale=alt.Scale(range=[12, 900]),
                      legend=alt.Legend(orient="bottom")),
        color=alt.Color("dataset:N", title="dataset", legend=alt.Legend(orient="bottom")),
        order=alt.Order("events:Q", sort="descending"),
        tooltip=[alt.Tooltip("place:N"), alt.Tooltip("place_country:N", title="country"),
                 alt.Tooltip("dataset:N"), alt.Tooltip("events:Q")],
    )
    return alt.layer(land, places).project(type="equalEarth").properties(
        width=_WIDTH, height=420)
