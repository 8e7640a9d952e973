"""Render a brief as Markdown: the same content, with tables in place of charts."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from detente.report._summary import summarise
from detente.report.model import Brief, Chart

__all__ = ["render_markdown"]


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def _chart(c: Chart) -> list[str]:
    out = [f"### {c.title}", "", c.description, ""]
    if c.empty_reason:
        return [*out, f"*{c.empty_reason}*", ""]
    spec = c.spec or {}
    named = spec.get("datasets") or {}
    points = sum(len(v) for v in named.values()) if named else len(_chart_values(spec))
    out.append(f"*Chart of {points} data points; open the HTML brief to see it drawn.*")
    return [*out, ""]


def _chart_values(spec: dict[str, Any]) -> list[Any]:
    found: list[Any] = []
    data = spec.get("data")
    if isinstance(data, dict) and isinstance(data.get("values"), list):
        found += data["values"]
    for key in ("layer", "spec"):
        sub = spec.get(key)
        for s in sub if isinstance(sub, list) else ([sub] if isinstance(sub, dict) else []):
            found += _chart_values(s)
    return found


def render_markdown(brief: Brief) -> str:
    """Return the brief as Markdown."""
    g = brief.glance
    out = [f"# {brief.title}", "",
           f"Dyad {brief.dyad} · as of {brief.as_of or '—'} · periods: {brief.period} · "
           f"detente {brief.reproducibility.tool_version}", ""]
    sm = summarise(brief)
    out += [f"Data: {sm.data_end}", ""] if sm.data_end else []
    out += [g.summary, ""]
    out += [f"**What changed** ({sm.changed_since}):", "", *[f"- {x}" for x in sm.changed], ""]
    counts = ", ".join(f"{n} {st.replace('_', ' ')}" for st, n in sm.item_counts.items())
    out += [f"**Agenda items** ({sm.items_note}{'; ' + counts if counts else ''}):", "",
            *[f"- {st.replace('_', ' ')}: {title}" for st, title in sm.items], ""]
    out += ["**What to watch**:", "", *[f"- {x}" for x in sm.watch], "", "## At a glance", ""]
    out += [f"> {n}" for n in g.notes] + ([""] if g.notes else [])
    if g.figures:
        steady = {(f.dataset, f.period_start) for f in g.steady}
        out += _table(["dataset", "indicator", "period", "period from", "coverage", "value",
                       "baseline", "change", "z", "events", "few events", "no issue area"],
                      [[f.dataset, f.label,
                        "headline: latest complete with enough evidence"
                        if (f.dataset, f.period_start) in steady
                        else "latest" if f.headline_ready else "latest (not the headline)",
                        f.period_start, f.coverage,
                        round(f.value) if f.indicator == "events" and f.value is not None
                        else f.value, f.baseline, f.diff, f.z,
                        "—" if f.coverage == "missing" else f.events,
                        "yes" if f.low_evidence else "",
                        "" if f.untagged_share is None else f"{f.untagged_share:.0%}"]
                       for f in sorted(g.steady + g.figures, key=lambda f: f.dataset)])
    if g.forecasts:
        out += ["### Forecast", "", *[f"- {fc.message}" for fc in g.forecasts], ""]
    out += ["### Active alerts", ""]
    out += [f"- **{a.kind}** ({a.dataset}, {a.direction}): {a.message}" for a in g.alerts] or [
        "No active alerts."]
    out += ["", "### Latest change point", ""]
    cp = g.latest_change_point
    out += [f"{cp.label or cp.date} ({cp.dataset}): {cp.message}." if cp else
            "No change point found for this view.", "", "## Charts", ""]
    for c in brief.charts:
        out += _chart(c)
    out += ["## Playbook", ""]
    if brief.playbook.unavailable:
        out += [f"*{brief.playbook.unavailable}*", ""]
    else:
        baskets: dict[str, list[list[Any]]] = defaultdict(list)
        for it in brief.playbook.items:
            conds = "; ".join(f"`{c.text}`: {c.status}" for c in it.conditions)
            baskets[it.basket].append([it.title, it.status, it.explanation or conds])
        for basket, rows in baskets.items():
            out += [f"### {basket}", "", *_table(["item", "status", "evidence"], rows)]
    out += ["## Evidence", ""]
    if not brief.evidence:
        out += ["There is no evidence for this view.", ""]
    for ev in brief.evidence:
        out += [f"### {ev.title}", "", f"{len(ev.events)} of {ev.total} events shown.", ""]
        out += _table(["date", "actors", "event", "Goldstein", "what happened", "where",
                       "published by", "link"],
                      [[e.date, e.actors, e.code_label, e.goldstein, e.text, e.place,
                        "; ".join(x for x in (e.publisher, e.source) if x), e.url]
                       for e in ev.events])
    out += ["## Caveats", ""] + [f"- **{c.topic}**: {c.text}" for c in brief.caveats] + [""]
    if brief.changes is not None:
        out += ["## What changed since the earlier brief", "",
                f"Compared with {brief.compared_with}.", ""]
        out += _table(["section", "what", "before", "now"],
                      [[c.section, c.item, c.before, c.after] for c in brief.changes]) \
            if brief.changes else ["Nothing changed.", ""]
    r = brief.reproducibility
    out += ["## Reproducibility record", ""]
    out += _table(["parameter", "value"], [["tool", f"detente {r.tool_version}"],
                                           ["as of", r.as_of],
                                           *([k, v] for k, v in r.parameters.items())])
    out += _table(["dataset", "events", "first", "last"],
                  [[d.dataset, d.events, d.first, d.last] for d in r.datasets])
    out += _table(["file", "dataset", "reader", "sha256 (first 16)", "events stored"],
                  [[f.name, f.dataset, f.reader, f.sha256, f.stored] for f in r.files])
    return "\n".join(out).rstrip() + "\n"
