"""The chronology's key events, marked on the index chart so that a break or a spike
has its "what happened here".

The rule (documented in docs/brief.md):

1. Candidates are the curated chronology's events of the dyad inside the chart's
   date range.
2. Key events are those the treaty and channel registry cites (a party signing,
   ratifying, suspending or leaving an instrument, an instrument overtaken by
   events, a channel suspended or restored) and those of CAMEO weight 7 or more in
   size (formal agreements, sanctions, force).
3. They are ranked: registry-cited first, then the other key events, then (so that
   a short range, a few weeks or months, still says what happened) the chronology's
   other events; within each, by the size of their weight, then the later first.
   Each is kept unless a kept one lies too close to label both apart (14 pixels on
   the narrowest chart the brief draws), at most 12.

A registry-cited event is labelled with the instrument and the change
("INF: withdrawn (USA)"); another with the opening words of its description.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from detente.report.charts import label_gap_days
from detente.store import Store

__all__ = ["MAX_MILESTONES", "MIN_WEIGHT", "milestones"]

MAX_MILESTONES = 12
MIN_WEIGHT = 7.0


def _registry_labels(registry: Any) -> dict[str, str]:
    """Return ``event id -> short label`` of the events the registry cites: the instrument
    and the change, with the party when the parties' changes differ."""
    seen: dict[str, list[tuple[str, str, str]]] = {}
    for inst in getattr(registry, "instruments", []) or []:
        for party, changes in inst.parties.items():
            for c in changes:
                if c.event:
                    seen.setdefault(c.event, []).append(
                        (inst.id.replace("_", " "), party, str(c.status).replace("_", " ")))
    out: dict[str, str] = {}
    for event, found in seen.items():
        short, party, status = found[0]
        same = all(f[2] == status for f in found)
        out[event] = f"{short}: {status}" + ("" if same else f" ({party})")
    for inst in getattr(registry, "instruments", []) or []:
        for ev in inst.overtaken_by.events if inst.overtaken_by else ():
            out.setdefault(ev, f"{inst.id.replace('_', ' ')}: overtaken by events")
    for ch in getattr(registry, "channels", []) or []:
        for f in ch.facts:
            cited = getattr(f, "event", None)
            if cited:
                out.setdefault(str(cited), f"{ch.id.replace('-', ' ')}: {f.status}")
    return out


def _short(text: str | None, event_id: str, longest: int = 34) -> str:
    words = (text or event_id.split(":")[-1][11:].replace("-", " ")).split()
    out = ""
    for w in words:
        if len(out) + len(w) + 1 > longest:
            return out.rstrip(",;:") + " …"
        out = f"{out} {w}".strip()
    return out.rstrip(".")


def milestones(store: Store, dyad: tuple[str, str], lo: dt.date, hi: dt.date,
               registry: Any | None = None) -> list[dict[str, Any]]:
    """Return ``date, label, text, event_id`` of the key events between ``lo`` and ``hi``
    (the rule in this module's description), oldest first."""
    if lo >= hi:
        return []
    cited = _registry_labels(registry) if registry is not None else {}
    rows = [r for r in store.queries.marks(dyad, "curated") if lo <= r["date"] <= hi]
    rows.sort(key=lambda r: (r["event_id"] not in cited,
                             abs(r.get("goldstein") or 0) < MIN_WEIGHT,
                             -abs(r.get("goldstein") or 0), -r["date"].toordinal(), r["event_id"]))
    gap = label_gap_days(lo, hi)
    kept: list[dict[str, Any]] = []
    for r in rows:
        if len(kept) >= MAX_MILESTONES:
            break
        if any(abs((r["date"] - k["date"]).days) < gap for k in kept):
            continue
        kept.append({"date": r["date"], "event_id": r["event_id"],
                     "label": cited.get(r["event_id"]) or _short(r.get("text"), r["event_id"]),
                     "text": r.get("text") or ""})
    return sorted(kept, key=lambda k: k["date"])
