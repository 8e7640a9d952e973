"""The brief's charts as Vega-Lite specifications, built with Altair.

Each function takes plain records (lists of dicts with ISO dates) and returns
a Vega-Lite dict with its data inline, so a chart renders with no request to
any host. The same specs feed the brief and the dashboard.

The index chart is drawn here; the others have modules of their own (``_event_charts``,
``_treaty_chart``, ``_map_chart``), on the shared building blocks of ``_vega`` and the
colours of ``_palette``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt

from detente.report._event_charts import heatmap_chart, quad_chart, response_chart
from detente.report._map_chart import map_chart
from detente.report._palette import QUAD_LABELS, STATUS_COLOURS, status_css
from detente.report._treaty_chart import treaty_chart
from detente.report._vega import _WIDTH, Record, _filled, _layout, _rows, _y_at

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
            kept = dict(cur)
            kept.pop("period_end", None)
            out.append(kept)
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
