"""The brief's first screen: how the relationship stands, what changed, which agenda items
moved and what to watch, in a few lines each (the sections follow for the detail).

Everything here is read from the brief's model: the headline period is the one the
glance gives (its ``steady`` figures where the latest period is too thin to read, else
its latest ones), so the first screen and the sections never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from detente.report.model import Brief, Figure

__all__ = ["Standing", "Summary", "data_end", "summarise"]

_SHOWN = 4  # lines per list: the first screen must fit a 1400x900 window
_MOVED = ("deteriorating", "not_met", "on_track", "met", "overtaken_by_events")


@dataclass
class Standing:
    """One dataset's headline period and figures."""

    dataset: str
    period: str
    events: int
    figures: list[Figure]
    thin: bool = False


@dataclass
class Summary:
    """The first screen's content."""

    standing: list[Standing] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    changed_since: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)  # (status, title)
    item_counts: dict[str, int] = field(default_factory=dict)
    items_note: str = ""
    watch: list[str] = field(default_factory=list)
    more: dict[str, int] = field(default_factory=dict)  # list name -> lines not shown
    data_end: str = ""  # the data's last event and how long before the brief's date


def data_end(brief: Brief) -> str:
    """The date of the data's last event and how many days before the brief's date
    (as of) that is; each dataset's own when they end on different days."""
    lasts = {d.dataset: d.last for d in brief.reproducibility.datasets if d.last is not None}
    if not lasts:
        return ""
    last = max(lasts.values())
    line = f"last event {last}"
    if brief.as_of is not None:
        days = (brief.as_of - last).days
        line += f", {days} day{'' if days == 1 else 's'} before the brief's date ({brief.as_of})"
    if len(set(lasts.values())) > 1:
        line += " — " + ", ".join(f"{ds} {d}" for ds, d in sorted(lasts.items()))
    return line


def _standing(brief: Brief) -> list[Standing]:
    steady = {f.dataset for f in brief.glance.steady}
    out = []
    for ds in sorted({f.dataset for f in brief.glance.figures}):
        figs = [f for f in (brief.glance.steady if ds in steady else brief.glance.figures)
                if f.dataset == ds]
        if not figs:
            continue
        f0 = figs[0]
        out.append(Standing(dataset=ds, period=f"{f0.period_start} … {f0.period_end}",
                            events=f0.events, figures=figs, thin=f0.low_evidence))
    return out


def _moves(brief: Brief) -> list[str]:
    out = []
    before = {f.dataset: f for f in brief.glance.previous
              if f.indicator == "relationship_index" and f.value is not None}
    for s in _standing(brief):
        idx = next((f for f in s.figures if f.indicator == "relationship_index"), None)
        if idx is None or idx.value is None:
            continue
        prev = before.get(s.dataset)
        since = (f" (from {prev.value:.2f} in the period from {prev.period_start}, "
                 f"{idx.value - prev.value:+.2f})"
                 if prev is not None and prev.value is not None else "")
        if idx.diff is None:
            out.append(f"{s.dataset}: relationship index {idx.value:.2f}{since}, no baseline to "
                       "compare.")
            continue
        way = "below" if idx.diff < 0 else "above"
        z = f" (z {idx.z:+.1f})" if idx.z is not None else ""
        out.append(f"{s.dataset}: relationship index {idx.value:.2f}{since}; {abs(idx.diff):.2f} "
                   f"{way} its baseline{z}.")
    cp = brief.glance.latest_change_point
    if cp is not None:
        out.append(f"Latest change point: {cp.label or cp.date} ({cp.dataset}) — {cp.message}.")
    return out


def summarise(brief: Brief) -> Summary:
    """Return the first screen of ``brief``."""
    s = Summary(standing=_standing(brief), data_end=data_end(brief))
    if brief.changes is not None:
        s.changed_since = f"since the earlier brief ({brief.compared_with})"
        lines = [f"{c.item}: {c.before or '—'} → {c.after or '—'}" for c in brief.changes
                 if c.section != "playbook"] or ["Nothing changed."]
    else:
        s.changed_since = "since the period before, and against the baseline"
        lines = _moves(brief) or ["No headline figure for this view."]
    s.changed, s.more["changed"] = lines[:_SHOWN], max(0, len(lines) - _SHOWN)

    items = brief.playbook.items
    for it in items:
        s.item_counts[it.status] = s.item_counts.get(it.status, 0) + 1
    if brief.changes is not None:
        moved = {c.item for c in brief.changes if c.section == "playbook"}
        picked = [it for it in items if it.title in moved or it.item in moved]
        s.items_note = "moved since the earlier brief" if picked else \
            "no agenda item moved since the earlier brief"
    else:
        picked = sorted((it for it in items if it.status in _MOVED),
                        key=lambda it: (_MOVED.index(it.status), it.basket, it.title))
        s.items_note = "with a status to act on (no earlier brief to compare)"
    if brief.playbook.unavailable:
        s.items_note = brief.playbook.unavailable
    s.items = [(it.status, it.title) for it in picked[:_SHOWN]]
    s.more["items"] = max(0, len(picked) - _SHOWN)

    watch = [f"{a.kind} ({a.dataset}{', ' + a.direction if a.direction else ''}): {a.message}"
             for a in brief.glance.alerts]
    watch += [fc.message for fc in brief.glance.forecasts
              if fc.beats_no_change]
    watch += [f"{st.dataset}: the latest period has few events — read it with care."
              for st in s.standing if st.thin]
    if not watch:
        watch = ["No active alert; no forecast beat the no-change baseline."]
    s.watch, s.more["watch"] = watch[:_SHOWN], max(0, len(watch) - _SHOWN)
    return s
