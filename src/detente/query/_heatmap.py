"""The issue heatmap's cells: events and net cooperation per dataset, issue area and period.

Grouped over the events: an event tagged with two issue areas counts in both, one with
none counts under :data:`NO_ISSUE_AREA`, so the untagged share is in sight.
``net_cooperation`` is the metric of :mod:`detente.query.metrics`, as in the indicators,
derived from the statistics it is made of alone (:data:`~detente.query.metrics.NET_COOPERATION_STATS`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from detente.query.metrics import NET_COOPERATION_STATS, derive_row, stats_sql
from detente.query.period import Period, add_periods, period_floor

if TYPE_CHECKING:
    from detente.query._layer import Queries
    from detente.query.types import Selection

__all__ = ["NO_ISSUE_AREA", "issue_cells", "issue_query"]

NO_ISSUE_AREA = "(no issue area)"
"""The row of the issue heatmap that counts the events no rule could tag."""


def issue_cells(q: Queries, sel: Selection, period: str) -> list[dict[str, Any]]:
    """Return events and net cooperation per dataset, issue area and period.

    The cells of the selection without ``since`` are kept in the cache; a selection from
    ``since`` takes its later periods from them and counts only its first, partial period
    afresh.
    """
    Period(period)  # checked
    sel = q._trimmed(sel)
    whole = sel.narrowed(since=None)
    cells = q.cached(("issue cells", whole, period), lambda: issue_query(q, whole, period))
    if sel.since is None:
        return list(cells)
    start = period_floor(sel.since, period)
    later = [c for c in cells if c["period_start"] > start]
    if sel.since == start:
        first = [c for c in cells if c["period_start"] == start]
    else:
        first = issue_query(q, sel, period, before=add_periods(start, period, 1))
    return sorted(first + later, key=lambda c: (c["dataset"], c["issue_area"], c["period_start"]))


def issue_query(q: Queries, sel: Selection, period: str,
                before: date | None = None) -> list[dict[str, Any]]:
    """Count :func:`issue_cells` in one grouped query (events before ``before`` only)."""
    rel, clause, params = q._where(sel)
    if before is not None:
        clause, params = f"({clause}) AND date < ?", [*params, before]
    with q._lock:
        cur = q._run(
            f"SELECT dataset, area, CAST(date_trunc('{period}', date) AS DATE) AS period_start, "
            f"{stats_sql(names=NET_COOPERATION_STATS)} FROM (SELECT dataset, date, quad_class, "
            "unnest(CASE WHEN coalesce(len(issue_areas), 0) = 0 "
            f"THEN ['{NO_ISSUE_AREA}'] ELSE issue_areas END) AS area FROM {rel} "
            f"WHERE {clause}) GROUP BY ALL ORDER BY dataset, area, period_start", params)
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    out = []
    for r in rows:
        m = derive_row(r, only=NET_COOPERATION_STATS)
        out.append({"dataset": r["dataset"], "issue_area": r["area"],
                    "period_start": r["period_start"], "events": int(m["events"]),
                    "net_cooperation": m["net_cooperation"]})
    return out
