"""Translate the analysis and policy stages' results into the brief's model."""

from __future__ import annotations

import datetime as dt
from typing import Any

from detente.report._sources import Unavailable
from detente.report.model import (
    Alert,
    ChangePoint,
    Condition,
    PlaybookItem,
    PlaybookSection,
)

__all__ = ["alerts", "change_points", "playbook", "treaty_spans"]


def _records(result: Any) -> list[dict[str, Any]]:
    if result is None:
        return []
    if hasattr(result, "to_dict") and hasattr(result, "columns"):
        recs: list[dict[str, Any]] = result.to_dict("records")
        return recs
    if hasattr(result, "to_pylist"):
        return list(result.to_pylist())
    out = []
    for item in result:
        if hasattr(item, "model_dump"):
            out.append(item.model_dump())
        elif isinstance(item, dict):
            out.append(item)
        else:
            out.append(vars(item))
    return out


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


def _frame(rows: list[dict[str, Any]]) -> Any:
    import pandas as pd

    return pd.DataFrame(rows)


def change_points(mod: Any, rows: list[dict[str, Any]]) -> list[ChangePoint]:
    """Return the change points of each dataset's relationship index."""
    try:
        found = _records(mod.change_points(_frame(rows)))
    except (TypeError, AttributeError, KeyError) as exc:
        raise Unavailable(f"not available: change points ({exc})") from None
    out = []
    for r in found:
        day = _date(r.get("date") or r.get("period_start"))
        if day is None:
            continue
        before, after = r.get("before"), r.get("after")
        msg = r.get("message") or (
            f"the index moved from {before:.2f} to {after:.2f}"
            if isinstance(before, float) and isinstance(after, float) else "a shift in the index")
        out.append(ChangePoint(dataset=str(r.get("dataset", "")), date=day, before=before,
                               after=after, message=str(msg),
                               evidence=f"change:{r.get('dataset', '')}:{day}"))
    return sorted(out, key=lambda c: (c.date, c.dataset))


def alerts(mod: Any, rows: list[dict[str, Any]]) -> list[Alert]:
    """Return the active alerts (downward spiral, escalation)."""
    try:
        found = _records(mod.alerts(_frame(rows)))
    except (TypeError, AttributeError, KeyError) as exc:
        raise Unavailable(f"not available: alerts ({exc})") from None
    return [Alert(kind=str(r.get("kind", "alert")), dataset=str(r.get("dataset", "")),
                  direction=str(r.get("direction", "")), period_start=_date(r.get("period_start")),
                  message=str(r.get("message", ""))) for r in found]


def treaty_spans(registry: Any, as_of: dt.date | None,
                 parties: tuple[str, ...] = ("USA", "RUS")) -> list[dict[str, Any]]:
    """Return ``name, status, start, end, citation`` spans of each party's treaty statuses.

    A span runs from a status change to the party's next one, or to the as-of
    date; changes after the as-of date are left out.
    """
    end_default = as_of or dt.date.max
    spans = []
    for inst in getattr(registry, "instruments", []) or []:
        for party in parties:
            changes = inst.changes(party, as_of)
            for i, c in enumerate(changes):
                end = changes[i + 1].effective if i + 1 < len(changes) else end_default
                if end == dt.date.max:
                    end = max(x.effective for x in changes)
                spans.append({"name": f"{inst.name} ({party})", "status": str(c.status),
                              "start": c.effective, "end": end,
                              "citation": f"{c.issuer}, {c.title}, {c.date}",
                              "event": c.event or ""})
    return spans


def playbook(report: Any) -> PlaybookSection:
    """Return the playbook section from the policy stage's report."""
    data = report.model_dump() if hasattr(report, "model_dump") else dict(report)
    items = []
    for it in data.get("items", []):
        conditions = [Condition(text=str(c.get("text", c.get("expression", ""))),
                                status=str(c.get("status", "")),
                                values=dict(c.get("values", {}) or {}))
                      for c in it.get("conditions", [])]
        items.append(PlaybookItem(basket=str(it.get("basket", "")), item=str(it.get("id", "")),
                                  title=str(it.get("title", it.get("id", ""))),
                                  status=str(it.get("status", "")),
                                  explanation=str(it.get("explanation", "") or ""),
                                  conditions=conditions))
    return PlaybookSection(name=data.get("name"), vintage=data.get("vintage"), items=items)
