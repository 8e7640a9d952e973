"""Compute the brief's content from the store: one call, every section."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from detente import __version__
from detente.errors import QueryError
from detente.query import Selection
from detente.report import _sections as sections
from detente.report._sources import Unavailable, indicator_rows, library_versions
from detente.report.caveats import caveats_for
from detente.report.evidence import coverage, evidence_group, file_records, window
from detente.report.model import (
    Brief,
    BriefOptions,
    Chart,
    DatasetRecord,
    EvidenceGroup,
    Figure,
    Glance,
    PlaybookSection,
    Reproducibility,
)
from detente.store import Store

__all__ = ["HEADLINE", "HEADLINE_COVERAGE", "build_brief", "headline_row", "resolve_period"]

HEADLINE: tuple[tuple[str, str], ...] = (
    ("relationship_index", "relationship index"),
    ("net_cooperation", "net cooperation"),
    ("material_conflict_share", "material conflict share"),
    ("events", "events"),
)


def resolve_period(period: str, datasets: list[str]) -> str:
    """Return the period to use: ``auto`` is ``year`` for a chronology alone, else ``month``.

    A hand-picked chronology has a few events a year, so months would be
    mostly empty; machine-coded news has thousands a month.
    """
    if period != "auto":
        return period
    return "year" if datasets and all(d == "curated" for d in datasets) else "month"


def _filter(opts: BriefOptions, until: dt.date | None = None) -> Selection:
    sides = opts.sides
    return Selection(dyad=None if sides else opts.dyad, source=sides[0] if sides else None,
                       target=sides[1] if sides else None, since=opts.since,
                       until=until or opts.until,
                       issue_areas=(opts.issue,) if opts.issue else (), datasets=opts.datasets)


def _validate(store: Store, opts: BriefOptions) -> list[str]:
    """Return plain notes for selections that cannot hold evidence (never raise)."""
    if opts.since and opts.until and opts.since > opts.until:
        return [f"the date range {opts.since} … {opts.until} is empty (since is after until): "
                "there is no evidence for this view."]
    try:
        store.validate(_filter(opts))
    except QueryError as exc:
        return [f"{exc}: there is no evidence for this view."]
    return []


ALL_SECTIONS = frozenset({"issues", "response", "treaties", "playbook", "evidence", "files"})


def build_brief(store: Store, options: BriefOptions | None = None, *,
                sections_wanted: frozenset[str] = ALL_SECTIONS) -> Brief:
    """Compute the brief for ``options`` from ``store``.

    ``sections_wanted`` leaves out the parts a quick view does not show: the
    issue heatmap (``issues``), the reciprocity chart (``response``), the treaty
    timeline (``treaties``), the playbook (``playbook``), the events behind the
    figures (``evidence``) and the source files' hashes in the reproducibility
    record (``files``). The glance and the index and quad-class charts are
    always there.

    The brief always renders: a selection with no events (an unknown dyad, an
    empty date range, a dataset not in the store) gives a brief that says
    plainly there is no evidence for that view.
    """
    asked = opts = options or BriefOptions()
    notes = _validate(store, opts)
    if notes:
        opts = opts.model_copy(update={"since": None, "until": None}) \
            if opts.since and opts.until and opts.since > opts.until else opts
    flt = _filter(opts)
    records: list[DatasetRecord] = []
    sources: set[str] = set()
    as_of: dt.date | None = opts.as_of
    if as_of is None and not notes:
        # as of the last event selected: the selection's coverage says when that is
        records, sources = coverage(store, flt, files="files" in sections_wanted)
        as_of = max((r.last for r in records if r.last), default=None)
    if as_of is not None and opts.until is not None:
        as_of = min(as_of, opts.until)
    scoped = _filter(opts, until=as_of) if as_of else flt
    if opts.as_of is not None and not notes:
        records, sources = coverage(store, scoped, files="files" in sections_wanted)
    present = [r.dataset for r in records]
    period = resolve_period(opts.period, present)
    dyad = opts.direction_label
    title = f"{dyad}: the relationship as of {as_of}" if as_of else f"{dyad}: no evidence"
    if not records and not notes:
        notes.append(_no_events_note(store, flt, opts.issue, dyad))

    rows: list[dict[str, Any]] = []
    cp_rows: list[dict[str, Any]] = []
    charts: list[Chart] = []
    evidence: list[EvidenceGroup] = []
    figures: list[Figure] = []
    steady: list[Figure] = []
    missing: str | None = None
    if records:
        try:
            rows = _rows(store, opts, period, as_of, present, dyad)
            cp_rows = rows if CP_PERIOD[period] == period else _rows(
                store, opts, CP_PERIOD[period], as_of, present, dyad)
        except Unavailable as exc:
            missing = str(exc)
            notes.append(missing)
        figures = _figures(rows)
        steady = _figures(rows, steady=True)
    heatmap: Chart | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="detente-analysis") as pool:
        # The analyses read only the rows, in Python; the store's queries that do not
        # wait for them run meanwhile on this thread (DuckDB works outside the GIL).
        analysed = pool.submit(sections.analysis_results, rows, dyad, period, cp_rows,
                               CP_PERIOD[period])
        for key, what, figs in (("latest", "the latest period", figures),
                                ("steady", "the latest complete period with enough evidence",
                                 steady)
                                ) if "evidence" in sections_wanted else ():
            for dataset, start, end in sorted({(f.dataset, f.period_start, f.period_end)
                                               for f in figs}):
                evidence.append(evidence_group(
                    store, f"{key}:{dataset}", f"{dataset}: events of {what} ({start} … {end})",
                    window(start, end, _only(scoped, dataset)), opts.evidence_per_figure))
        if "issues" in sections_wanted:
            first = min((r.first for r in records if r.first), default=None)
            heatmap = sections.heatmap_chart(store, opts, period, as_of, present,
                                             first=None if opts.issue else first) \
                if records else Chart(name="issues", title="Issue areas by period",
                                      description="", empty_reason="no evidence for this view")
        cps, alerts, forecasts, analysis_notes = analysed.result()
    evidence.sort(key=lambda g: g.key)
    notes += analysis_notes
    for cp in cps[-3:] if "evidence" in sections_wanted else ():
        evidence.append(evidence_group(
            store, cp.evidence or f"change:{cp.dataset}:{cp.date}",
            f"{cp.dataset}: events around the change point of {cp.date}",
            window(cp.date - dt.timedelta(days=45), cp.date + dt.timedelta(days=45),
                   _only(scoped, cp.dataset)), opts.evidence_per_figure))
    keys = sections.milestone_rows(store, opts.dyad, rows) if rows else []
    charts.append(sections.index_chart(rows, cps, missing, keys))
    charts.append(sections.quad_chart(rows, missing))
    if records:
        charts.append(sections.map_chart(store, scoped))
    if heatmap is not None:
        charts.append(heatmap)
    if "response" in sections_wanted:
        charts.append(sections.response_chart(store, opts, period, as_of, bool(records)))
    registry_note = None
    if "treaties" in sections_wanted:
        treaties, registry_note = sections.treaty_chart(as_of, opts.dyad)
        charts.append(treaties)
    playbook = (sections.playbook_section(store, opts.playbook, as_of)
                if "playbook" in sections_wanted else
                PlaybookSection(unavailable="not computed for this view"))

    latest = max(cps, key=lambda c: c.date) if cps else None
    glance = Glance(
        figures=figures, steady=steady, previous=_previous(rows, figures, steady),
        alerts=alerts, change_points=cps,
        latest_change_point=latest, forecasts=forecasts,
        summary=(f"No {dyad} events are tagged {opts.issue} in this selection, and these data "
                 "cannot tell whether there were none (see the note)."
                 if not records and notes and notes[-1].endswith("was absent.")
                 else sections.summary_sentence(dyad, as_of, figures, alerts, latest, records,
                                                steady)),
        notes=notes + ([registry_note] if registry_note else []),
    )
    params: dict[str, Any] = {
        "dyad": opts.dyad_label, "direction": dyad, "period": period,
        "since": _iso(asked.since), "until": _iso(asked.until), "as_of": _iso(as_of),
        "datasets": list(opts.datasets) or "all", "issue": opts.issue or "all",
        "playbook": opts.playbook or "default",
    }
    repro = Reproducibility(
        tool_version=__version__, as_of=as_of, parameters=params, datasets=records,
        files=file_records(store, sources=sources) if records and "files" in sections_wanted
        else [], modules=library_versions(),
    )
    return Brief(
        title=title, dyad=dyad, period=period, as_of=as_of, options=asked, glance=glance,
        charts=charts, playbook=playbook, evidence=evidence,
        caveats=caveats_for(present, playbook, charts), reproducibility=repro,
    )


CP_PERIOD = {"week": "week", "month": "month", "quarter": "month", "year": "month"}
"""The series whose change points the brief shows, by the brief's period: monthly unless
the brief's periods are finer. A year of a few events hides when a break happened, and
the breaks of early 2014 and early 2022 show within a few months in the monthly index."""


def _rows(store: Store, opts: BriefOptions, period: str, as_of: dt.date | None,
          present: list[str], dyad: str) -> list[dict[str, Any]]:
    rows = indicator_rows(store, dyad=opts.dyad, period=period, issue=opts.issue,
                          since=opts.since, until=as_of, as_of=as_of, datasets=tuple(present),
                          split_directions=opts.sides is not None)
    return [r for r in rows if r["direction"] == dyad] if opts.sides else rows


HEADLINE_COVERAGE = frozenset({"complete", "curated"})
"""Coverage a period needs to lead the brief: every day of it reported (or hand-picked)."""


def headline_row(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the latest row fit to be a headline: a complete (or curated) period with
    enough evidence (events, none flagged ``low_evidence``); ``None`` when there is none.

    A partial period is never the headline, however many events it holds: its count is of
    the days the files cover, and its mean leans towards them.
    """
    best = None
    for r in rows:
        if (r.get("coverage", "complete") in HEADLINE_COVERAGE and r.get("events")
                and not r.get("low_evidence")
                and (best is None or r["period_start"] > best["period_start"])):
            best = r
    return best


def _figures(rows: list[dict[str, Any]], *, steady: bool = False) -> list[Figure]:
    """Return the headline figures of each dataset's latest period.

    With ``steady``: of each dataset's headline period (:func:`headline_row`: the latest
    complete period with enough evidence), for the datasets whose latest period is not
    one (partial, missing, or with few events).
    """
    latest: dict[str, dict[str, Any]] = {}
    by_dataset: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        d = r["dataset"]
        by_dataset.setdefault(d, []).append(r)
        if d not in latest or r["period_start"] > latest[d]["period_start"]:
            latest[d] = r
    if steady:
        heads = {d: headline_row(rs) for d, rs in by_dataset.items()}
        latest = {d: h for d, h in heads.items() if h is not None and h is not latest[d]}
    out = []
    for dataset in sorted(latest):
        r = latest[dataset]
        for name, label in HEADLINE:
            out.append(Figure(
                dataset=dataset, indicator=name, label=label, period_start=r["period_start"],
                period_end=r["period_end"], value=r.get(name), baseline=r.get(f"{name}_baseline"),
                diff=r.get(f"{name}_diff"), z=r.get(f"{name}_z"), events=int(r["events"] or 0),
                low_evidence=bool(r.get("low_evidence")),
                coverage=r.get("coverage") or "complete",
                # beside an issue's figures only: for all issues, untagged events count
                untagged_share=r.get("untagged_share") if r.get("issue_area", "all") != "all"
                else None,
            ))
    return out


def _no_events_note(store: Store, flt: Selection, issue: str | None, dyad: str) -> str:
    """Say why a selection has no events; for an issue, whether the data could have shown
    any (events of the dyad whose issue area cannot be told are not evidence of none)."""
    from detente.query.metrics import UNTAGGED_LIMIT

    plain = f"no events for {dyad} in this selection: there is no evidence for this view."
    if not issue:
        return plain
    unknown, total = store.queries.untagged(flt, issue)
    if not total:
        return plain
    share = unknown / total
    verdict = (f"the data cannot say whether {issue} was absent" if share > UNTAGGED_LIMIT
               else "read the absence with care")
    return (f"no {dyad} events tagged {issue} in this selection, but {total:,} {dyad} events "
            f"of other or no issue areas, {share:.0%} of which have an issue area that cannot "
            f"be told (no text to read, no tag): {verdict}.")


def _previous(rows: list[dict[str, Any]], figures: list[Figure], steady: list[Figure]
              ) -> list[Figure]:
    """Return the headline figures of the period with events before each dataset's
    headline period (its steady one where there is one)."""
    heads = {f.dataset: f.period_start for f in figures}
    heads.update({f.dataset: f.period_start for f in steady})
    before: dict[str, dict[str, Any]] = {}
    for r in rows:
        d = r["dataset"]
        if d in heads and r.get("events") and r["period_start"] < heads[d] and (
                d not in before or r["period_start"] > before[d]["period_start"]):
            before[d] = r
    return [Figure(dataset=d, indicator=name, label=label, period_start=r["period_start"],
                   period_end=r["period_end"], value=r.get(name), events=int(r["events"] or 0),
                   low_evidence=bool(r.get("low_evidence")))
            for d, r in sorted(before.items()) for name, label in HEADLINE]


def _only(flt: Selection, dataset: str) -> Selection:
    return Selection(dyad=flt.dyad, source=flt.source, target=flt.target, since=flt.since,
                       until=flt.until, issue_areas=flt.issue_areas, datasets=(dataset,))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None
