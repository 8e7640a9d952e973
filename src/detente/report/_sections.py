"""The brief's sections that depend on the analysis and policy stages.

Each function returns the section's content, or the section with a plain
reason in place of it when the stage has no evidence for the view.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import pickle
from typing import Any

from detente import analysis
from detente.query import CACHE, Selection, Stamp
from detente.query.period import add_periods, period_label
from detente.report import _adapt, charts
from detente.report._forecast import forecast_lines
from detente.report._sources import Unavailable, playbook_report, reciprocity, registry
from detente.report.evidence import dataset_records
from detente.report.model import (
    Alert,
    BriefOptions,
    ChangePoint,
    Chart,
    DatasetRecord,
    Figure,
    ForecastLine,
    PlaybookSection,
)
from detente.store import Store

_NO_EVIDENCE = "no evidence for this view"


def _float(value: Any) -> float | None:
    out = None if value is None else float(value)
    return None if out is None or math.isnan(out) else out


def _empty(name: str, title: str, description: str, reason: str) -> Chart:
    return Chart(name=name, title=title, description=description, empty_reason=reason)


_Analysed = tuple[list[ChangePoint], list[Alert], list[ForecastLine], list[str]]
_ROWS = Stamp("indicator rows", 0)
"""The stamp of analyses in the one cache: they depend on the indicator rows alone,
whatever store the rows came from, so they are kept by a digest of the rows."""


def analysis_results(rows: list[dict[str, Any]], direction: str, period: str,
                     cp_rows: list[dict[str, Any]] | None = None, cp_period: str | None = None,
                     ) -> _Analysed:
    """Return change points, active alerts and forecast lines of the index, with notes.

    Alerts and forecasts are of ``rows`` (the brief's periods); change points
    of ``cp_rows`` (by ``cp_period``) when given, else of ``rows``.

    The result depends on the rows alone, so it is kept in the one cache keyed by a
    digest of the rows: views whose dates select the same periods (any ``since``
    before the first event, or within one period) share their analyses.
    """
    if not rows:
        return [], [], [], []
    same = not cp_rows or cp_rows is rows
    key = ("analyses", direction, period, cp_period, _content(rows),
           None if same else _content(cp_rows or []))
    kept = CACHE.get_or_make(_ROWS, key,
                             lambda: _analyse(analysis, rows, direction, period, cp_rows, cp_period))
    return list(kept[0]), list(kept[1]), list(kept[2]), list(kept[3])


def _content(rows: list[dict[str, Any]]) -> bytes:
    """Return a 128-bit digest of the rows (every column, in order): a small key that
    stands for them (holding the rows themselves as keys took megabytes each)."""
    return hashlib.blake2b(pickle.dumps(rows, protocol=5), digest_size=16).digest()


def _analyse(mod: Any, rows: list[dict[str, Any]], direction: str, period: str,
             cp_rows: list[dict[str, Any]] | None, cp_period: str | None) -> _Analysed:
    frames = _adapt.series(rows)
    same = not cp_rows or cp_rows is rows
    cps, cp_notes = _adapt.change_points(mod, cp_rows if cp_rows else rows,
                                         cp_period if cp_rows and cp_period else period,
                                         frames=frames if same else None)
    found, alert_notes = _adapt.alerts(mod, rows, direction, frames=frames)
    lines = forecast_lines(mod, rows, period)
    return cps, found, lines, cp_notes + alert_notes


def index_chart(rows: list[dict[str, Any]], cps: list[ChangePoint],
                reason: str | None = None, milestones: list[dict[str, Any]] | None = None
                ) -> Chart:
    """Return the relationship index chart (``reason``: why there are no rows), with the
    chronology's key events marked (``milestones``, from :mod:`._milestones`)."""
    title = "Relationship index over time"
    desc = ("Mean Goldstein score per period, both directions pooled (weighted by mentions "
            "where the dataset counts them); dashed: the rolling baseline; a line stops where "
            "a period has no events; red rules: change points, labelled with their period; "
            "dark dotted rules with a triangle: the chronology's key events; grey rules: "
            "edges of the coverage of the datasets shown.")
    if cps and cps[0].period:
        desc += (f" Change points are those of the {cps[0].period}ly index where it moved by "
                 f"at least {_adapt.MIN_SHIFT:g} points.")
    desc += (" Open rings: partial periods (the files cover only part of their reporting "
             "days); gaps: periods no file covers.")
    if not any(r.get("events") for r in rows):
        return _empty("index", title, desc, reason or _NO_EVIDENCE)
    cols = ("dataset", "period_start", "period_end", "relationship_index",
            "relationship_index_baseline", "events", "low_evidence", "coverage")
    # a period with no events has no index: its row stays, empty, so the line stops there
    points = [{c: (r.get(c) if r.get("events") or c not in (
        "relationship_index", "relationship_index_baseline") else None) for c in cols}
        for r in rows]
    spec = charts.index_chart(
        points,
        [{"dataset": c.dataset, "date": c.date, "message": c.message,
          "label": c.label or c.date.isoformat()} for c in cps],
        milestones=milestones or ())
    return Chart(name="index", title=title, description=desc, spec=spec)


def quad_chart(rows: list[dict[str, Any]], reason: str | None = None) -> Chart:
    """Return the cooperation-and-conflict chart (events by quad class)."""
    title = "Cooperation and conflict"
    desc = ("Events per period by quad class: verbal and material cooperation, verbal and "
            "material conflict.")
    long = [{"dataset": r["dataset"], "period_start": r["period_start"], "quad_class": q,
             "events": r[f"q{q}"]} for r in rows if r.get("events") for q in (1, 2, 3, 4)]
    if not long:
        return _empty("quad", title, desc, reason or _NO_EVIDENCE)
    return Chart(name="quad", title=title, description=desc, spec=charts.quad_chart(long))


def heatmap_chart(store: Store, opts: BriefOptions, period: str, as_of: dt.date | None,
                  present: list[str], first: dt.date | None = None) -> Chart:
    """Return the heatmap of issue areas by period (years when the span is long).

    ``first``: the first day of the dyad's events in ``present``, if already known.
    """
    title = "Issue areas by period"
    desc = ("Net cooperation per issue area and period, (cooperation − conflict) / events: "
            "blue is cooperative, red conflictual; empty cells had no events. The row "
            "'(no issue area)' counts the events no rule could tag: an issue's row is only "
            "as complete as that row is small.")
    if opts.since and as_of:
        span = (as_of - opts.since).days
    else:
        firsts = [first] if first else [r["first"] for r in _coverage(store, opts, present)
                                        if r["first"]]
        span = (as_of - min(firsts)).days if firsts and as_of else 0
    heat_period = "year" if span > 4 * 366 else period
    flt = Selection(dyad=None if opts.sides else opts.dyad,
                      source=opts.sides[0] if opts.sides else None,
                      target=opts.sides[1] if opts.sides else None, since=opts.since,
                      until=as_of, issue_areas=(opts.issue,) if opts.issue else (),
                      datasets=tuple(present))
    cells = [{**c, "period_label": period_label(c["period_start"], heat_period),
              "period_next": add_periods(c["period_start"], heat_period, 1)}
             for c in issue_cells(store, flt, heat_period)
             if opts.issue is None or c["issue_area"] == opts.issue]
    if not cells:
        return _empty("issues", title, desc, _NO_EVIDENCE)
    return Chart(name="issues", title=title, description=desc + f" One cell per {heat_period}.",
                 spec=charts.heatmap_chart(cells))


def issue_cells(store: Store, flt: Selection, period: str) -> list[dict[str, Any]]:
    """Return events and net cooperation per dataset, issue area and period
    (:meth:`detente.query.Queries.issue_cells`)."""
    return store.queries.issue_cells(flt, period)


def _coverage(store: Store, opts: BriefOptions, present: list[str]) -> list[dict[str, Any]]:
    recs = dataset_records(store, Selection(dyad=opts.dyad, datasets=tuple(present)))
    return [r.model_dump() for r in recs]


def response_chart(store: Store, opts: BriefOptions, period: str, as_of: dt.date | None,
                   has_events: bool) -> Chart:
    """Return the reciprocity impulse responses, both directions."""
    title = "Reciprocity: expected response to a shock"
    desc = ("How one side's net cooperation towards the other is expected to move after a "
            "one-period shock in the other side's, from a fitted vector autoregression, with its "
            "interval.")
    if not has_events:
        return _empty("response", title, desc, _NO_EVIDENCE)
    a, b = opts.dyad
    rows: list[dict[str, Any]] = []
    reasons: list[str] = []
    try:  # one model serves both directions: generalized responses do not depend on the order
        result = reciprocity(store, actors=(a, b), issue=opts.issue,
                             period=period if period != "year" else "quarter", as_of=as_of)
    except Unavailable as exc:
        return _empty("response", title, desc, str(exc))
    if not result.ok:  # one model for both directions: one reason, said once
        return _empty("response", title, desc, result.reason or "insufficient evidence")
    shocks = []
    for mover, responder in ((a, b), (b, a)):
        pair = f"{mover}->{responder}"
        shocks.append(result.shock_text(pair))
        r = result.response(pair, f"{responder}->{mover}")
        for step, (resp, lo, hi) in enumerate(zip(r["response_path"], r["lower"], r["upper"],
                                                  strict=False)):
            rows.append({"pair": pair, "step": step, "response": _float(resp),
                         "lower": _float(lo), "upper": _float(hi)})
    if shocks:
        desc = f"{desc} Shock: {shocks[-1]}."
    if not rows:
        return _empty("response", title, desc, "; ".join(reasons) or _NO_EVIDENCE)
    if reasons:
        desc += " Not shown: " + "; ".join(reasons) + "."
    return Chart(name="response", title=title, description=desc, spec=charts.response_chart(rows))


def treaty_chart(as_of: dt.date | None,
                 dyad: tuple[str, str] = ("USA", "RUS")) -> tuple[Chart, str | None]:
    """Return the treaty timeline from the registry, and a note when it is missing."""
    title = "Treaties and channels"
    desc = ("Each party's status under each treaty and each channel's recorded state over "
            "time, from the registry's dated and cited changes; an instrument overtaken by "
            "events ends where the registry says it did. Colours are the brief's one status "
            "scale.")
    try:
        spans = _adapt.treaty_spans(registry(), as_of, dyad)
    except Unavailable as exc:
        return _empty("treaties", title, desc, str(exc)), None
    if not spans:
        return _empty("treaties", title, desc, "the registry lists no dated treaty status"), None
    return Chart(name="treaties", title=title, description=desc,
                 spec=charts.treaty_chart(spans, as_of)), None


def map_chart(store: Store, flt: Selection) -> Chart:
    """Return the map of where the selection's events happened (where the data has
    coordinates: GDELT's and ICEWS's action location)."""
    title = "Where it happened"
    total, located, rows = store.queries.places(flt)
    desc = ("Where the events took place, as the sources locate them (GDELT's action "
            "location, ICEWS's city or province): one circle per place and dataset, its "
            "area the number of events; the outline is Natural Earth's 1:110m land.")
    if not rows:
        reason = ("none of these events has a location (the chronology and PLOVER files "
                  "carry none)" if total else _NO_EVIDENCE)
        return _empty("map", title, desc, reason)
    shown = sum(int(r["events"]) for r in rows)
    desc += (f" {located:,} of {total:,} events have a location"
             + (f"; the {len(rows)} busiest places, {shown:,} events, are drawn." if shown < located
                else "."))
    return Chart(name="map", title=title, description=desc, spec=charts.map_chart(rows))


def milestone_rows(store: Store, dyad: tuple[str, str], rows: list[dict[str, Any]]
                   ) -> list[dict[str, Any]]:
    """Return the chronology's key events within the index chart's range (see
    :mod:`detente.report._milestones` for the rule); none when the registry is missing."""
    from detente.report._milestones import milestones

    dates = [r["period_start"] for r in rows if r.get("events")]
    if not dates:
        return []
    try:
        reg = registry()
    except Unavailable:
        reg = None
    return milestones(store, dyad, min(dates), max(r["period_end"] for r in rows
                                                   if r.get("events")), reg)


def playbook_section(store: Store, playbook: str | None, as_of: dt.date | None) -> PlaybookSection:
    """Return the playbook's evaluation as of ``as_of``."""
    try:
        report = playbook_report(store, playbook, as_of)
    except Unavailable as exc:
        return PlaybookSection(unavailable=str(exc))
    return _adapt.playbook(report)


def _trend(f: Figure) -> str:
    if f.diff is None:
        return "with no baseline to compare"
    if f.diff < 0:
        return f"{abs(f.diff):.2f} below its baseline"
    return f"{f.diff:.2f} above its baseline"


def _why(f: Figure) -> str:
    if f.coverage == "partial":
        return (f"is partial ({_events(f.events)} so far; the files cover only part of its "
                "reporting days)")
    if f.coverage == "missing":
        return "is missing (no file covers it)"
    return f"has only {_events(f.events)}, too few to read"


def _untagged(f: Figure) -> str:
    if f.untagged_share is None or f.untagged_share <= 0:
        return ""
    return f"; {f.untagged_share:.0%} of its events have no issue area"


def _events(n: int) -> str:
    return f"{n:,} event" + ("" if n == 1 else "s")


def summary_sentence(dyad: str, as_of: dt.date | None, figures: list[Figure],
                     alerts: list[Alert], latest: ChangePoint | None,
                     records: list[DatasetRecord], steady: list[Figure] | None = None) -> str:
    """Return the brief's first sentences, in plain words.

    The headline of a dataset is its latest complete period with enough evidence
    (``steady`` when that is not the latest period): the latest period leads only when
    it is one; a partial period, or one with few events, is named with the reason it
    does not lead, and never gives the headline's numbers.
    """
    if as_of is None or not records:
        return f"There is no evidence for {dyad} in this selection."
    events = sum(r.events for r in records)
    parts = [f"As of {as_of}, {events:,} {dyad} events in {len(records)} dataset(s)."]
    solid = {f.dataset: f for f in steady or () if f.indicator == "relationship_index"
             and f.value is not None}
    for f in figures:
        if f.indicator != "relationship_index":
            continue
        s = solid.get(f.dataset)
        tagged = _untagged(f)
        if f.headline_ready and f.value is not None:
            parts.append(f"{f.dataset}: relationship index {f.value:.2f} in the period from "
                         f"{f.period_start}, {_trend(f)}{tagged}.")
            continue
        why = _why(f)
        if s is not None:
            parts.append(
                f"{f.dataset}: the latest period (from {f.period_start}) {why}; the headline "
                f"is the latest complete period with enough evidence (from {s.period_start}, "
                f"{_events(s.events)}): relationship index {s.value:.2f}, {_trend(s)}"
                f"{_untagged(s)}.")
        else:
            parts.append(f"{f.dataset}: no complete period with enough evidence to lead "
                         f"with; the latest (from {f.period_start}) {why}{tagged}.")
    if alerts:
        parts.append(f"{len(alerts)} active alert(s).")
    if latest:
        where = f" in the {latest.period}ly index" if latest.period else ""
        parts.append(f"Latest change point: {latest.label or latest.date}{where} "
                     f"({latest.dataset}).")
    return " ".join(parts)
