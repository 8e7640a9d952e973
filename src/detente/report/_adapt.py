"""Translate the analysis and policy stages' results into the brief's model."""

from __future__ import annotations

import datetime as dt
from typing import Any

from detente.errors import DetenteError
from detente.query.metrics import JUDGED
from detente.query.period import period_label
from detente.report.model import (
    Alert,
    ChangePoint,
    Condition,
    PlaybookItem,
    PlaybookSection,
)

__all__ = ["MIN_SHIFT", "alerts", "change_points", "playbook", "treaty_spans"]


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "date"):
        day: dt.date = value.date()
        return day
    return dt.date.fromisoformat(str(value)[:10])


def series(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Split indicator rows into one frame per dataset, in period order, keeping the periods
    a verdict may rest on (:data:`~detente.query.metrics.JUDGED`: complete or curated); made
    once, handed to every analysis of the same rows."""
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(str(r["dataset"]), []).append(r)
    out = {}
    for d, rs in by.items():
        rs.sort(key=lambda r: r["period_start"])
        # verdicts rest on complete periods only (a partial one lacks some of its files)
        rs = [r for r in rs if r.get("coverage") in (None, *JUDGED)]
        if rs:
            # column by column: several times quicker than pandas reading a list of records
            out[d] = pd.DataFrame({k: [r.get(k) for r in rs] for k in rs[0]})
    return out



MIN_SHIFT = 2.0
"""Smallest move of the index (Goldstein points, on its -10 … +10 scale) a change point
must mark to be shown: a tenth of the scale's range. Smaller breaks are mostly changes in
how many events were recorded, not in their tone."""


def change_points(mod: Any, rows: list[dict[str, Any]], period: str = "month",
                  min_shift: float = MIN_SHIFT, frames: dict[str, Any] | None = None,
                  ) -> tuple[list[ChangePoint], list[str]]:
    """Return the meaningful change points of each dataset's relationship index, and notes.

    Kept: breaks where the index moves by at least ``min_shift`` points.
    Left out: the start of a stretch without events (the index has no value
    there; its move is credited to the stretch's end) and smaller moves.
    """
    out, notes = [], []
    for dataset, frame in (frames if frames is not None else series(rows)).items():
        try:
            found = mod.change_points(frame, "relationship_index")
        except DetenteError as exc:
            notes.append(f"{dataset}: no change points ({exc})")
            continue
        for cp in found:
            day = _date(cp.period_start)
            if day is None or cp.rate_after == 0 or not abs(cp.after - cp.before) >= min_shift:
                continue
            label = period_label(day, period)
            out.append(ChangePoint(
                dataset=dataset, date=day, before=cp.before, after=cp.after, period=period,
                label=label,
                message=f"the {_ADJ.get(period, period)} index moved {cp.direction} "
                        f"from {cp.before:.2f} to {cp.after:.2f}",
                evidence=f"change:{dataset}:{day}"))
    return sorted(out, key=lambda c: (c.date, c.dataset)), notes


_ADJ = {"week": "weekly", "month": "monthly", "quarter": "quarterly", "year": "yearly"}


def alerts(mod: Any, rows: list[dict[str, Any]], direction: str,
           frames: dict[str, Any] | None = None) -> tuple[list[Alert], list[str]]:
    """Return the active alerts: those that run to each dataset's latest period
    (``frames``: :func:`series` of ``rows``, if already made); an alert on a partial
    latest period says so."""
    out, notes = [], []
    for dataset, frame in (frames if frames is not None else series(rows)).items():
        latest = _date(frame["period_start"].iloc[-1])
        cover = str(frame["coverage"].iloc[-1]) if "coverage" in frame.columns else "complete"
        caveat = (f"; the latest period is {cover} (its files cover only part of its "
                  "reporting days): read with care") if cover in ("partial", "missing") else ""
        try:
            found = mod.alerts(frame)
        except DetenteError as exc:
            notes.append(f"{dataset}: no alerts computed ({exc})")
            continue
        for a in found:
            if a.end is not None and _date(a.end) != latest:
                continue
            out.append(Alert(kind=str(a.kind).replace("_", " "), dataset=dataset,
                             direction=direction, period_start=_date(a.start),
                             message=f"{a.detail} (value {a.value:.2f}, baseline "
                                     f"{a.baseline:.2f}){caveat}",
                             evidence=f"latest:{dataset}"))
    return out, notes


def treaty_spans(registry: Any, as_of: dt.date | None,
                 parties: tuple[str, ...] = ("USA", "RUS")) -> list[dict[str, Any]]:
    """Return ``name, status, start, end, citation`` spans of each party's treaty statuses.

    A span runs from a status change to the party's next one, or to the as-of
    date; changes after the as-of date are left out.
    """
    end_default = as_of or dt.date.max
    spans = []
    for inst in getattr(registry, "instruments", []) or []:
        over = getattr(inst, "overtaken_by", None)
        cut = over.date if over is not None and (as_of is None or over.date <= as_of) else None
        for party in parties:
            changes = [c for c in inst.changes(party, as_of) if cut is None or c.effective < cut]
            for i, c in enumerate(changes):
                end = changes[i + 1].effective if i + 1 < len(changes) else (cut or end_default)
                if end == dt.date.max:
                    end = max(x.effective for x in changes)
                spans.append({"name": f"{inst.name} ({party})", "status": str(c.status),
                              "start": c.effective, "end": end,
                              "citation": f"{c.issuer}, {c.title}, {c.date}",
                              "event": c.event or ""})
            if cut is not None and changes and over is not None:
                # the instrument ended without a formal act: the registry says when and why
                spans.append({"name": f"{inst.name} ({party})", "status": "overtaken",
                              "start": cut, "end": as_of or cut, "citation": over.note,
                              "event": ", ".join(over.events)})
    for ch in getattr(registry, "channels", []) or []:
        facts = sorted((f for f in ch.facts if as_of is None or f.effective <= as_of),
                       key=lambda f: f.effective)
        for i, f in enumerate(facts):
            end = facts[i + 1].effective if i + 1 < len(facts) else end_default
            if end == dt.date.max:
                end = f.effective
            spans.append({"name": f"channel: {ch.name}", "status": str(f.status),
                          "start": f.effective, "end": end,
                          "citation": f"{f.issuer}, {f.title}, {f.date}",
                          "event": getattr(f, "event", None) or ""})
    return spans


def playbook(report: Any) -> PlaybookSection:
    """Return the playbook section from the policy stage's :class:`PlaybookReport`."""
    items = []
    for it in report.items:
        conditions = []
        for c in [*it.conditions, *([it.trend] if it.trend else [])]:
            values: dict[str, Any] = {}
            ids: list[str] = []
            for ev in c.values:
                values[ev.term] = ev.value.isoformat() if isinstance(ev.value, dt.date) else ev.value
                ids += ev.event_ids
            conditions.append(Condition(
                text=f"{c.description}: {c.expr}" if c.description else c.expr,
                status=str(c.result), values=values,
                evidence=", ".join(dict.fromkeys(ids)) or None))
        overtaken = [e.event_id for e in it.overtaken_by]
        explanation = it.reason + (f" (events: {', '.join(overtaken)})" if overtaken else "")
        items.append(PlaybookItem(basket=it.basket, item=it.id, title=it.title,
                                  status=str(it.status), explanation=explanation,
                                  conditions=conditions))
    return PlaybookSection(name=report.playbook, vintage=None, items=items,
                           dataset=report.dataset)
