"""The windows conditions read: days counted back from the as-of date, and the metric
request of a window function's call.
"""

from __future__ import annotations

from datetime import date, timedelta

from detente.policy.grammar import Call, Direction, Duration, ListLit, Name, Node, String
from detente.query import Direction as Way
from detente.query import Dyad, MetricRequest


def shift_months(day: date, months: int) -> date:
    """Return ``day`` moved back by ``months`` months (clamped to the month's end)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1),
               nxt - timedelta(days=1))


def _back(day: date, d: Duration) -> date:
    if d.unit == "d":
        return day - timedelta(days=d.amount)
    if d.unit == "w":
        return day - timedelta(weeks=d.amount)
    return shift_months(day, d.amount * (12 if d.unit == "y" else 1))


def _issue_text(node: Call) -> str:
    issue = node.kwarg("issue")
    if issue is None:
        return ""
    names = [i.value for i in (issue.items if isinstance(issue, ListLit) else (issue,))
             if isinstance(i, Name)]
    return " on " + "/".join(names)


def _names(node: Node | None, kind: type) -> tuple[str, ...]:
    if node is None:
        return ()
    items = node.items if isinstance(node, ListLit) else (node,)
    return tuple(str(getattr(i, "value", "")) for i in items if isinstance(i, kind))


def _request(direction: Direction, dataset: str, start: date | None, end: date, node: Call,
             quads: tuple[int, ...]) -> MetricRequest:
    who: Dyad | Way = (Dyad(direction.source, direction.target) if direction.pooled
                       else Way(direction.source, direction.target))
    return MetricRequest.of(who, dataset, start, end,
                            issue_areas=_names(node.kwarg("issue"), Name),
                            codes=_names(node.kwarg("code"), String),
                            roots=_names(node.kwarg("root"), String), quads=quads)
