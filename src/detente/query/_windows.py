"""Metrics over windows of days, many windows in one query.

A playbook check asks for dozens of aggregates (net cooperation of RUS->UKR on
Ukraine over the last six months, the same a year earlier, ...). Each is a
:class:`MetricRequest`; :func:`measure` answers a whole batch of them with two
queries whatever their number: the requests go to DuckDB as a table, the events
are joined to it, and each request's statistics (:data:`~detente.query.metrics.STATS`)
and latest event ids come back. Metrics are then derived by
:func:`~detente.query.metrics.derive_row`, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from detente.query.metrics import derive_row, stats_sql
from detente.query.types import Direction, Dyad

if TYPE_CHECKING:
    from detente.query._layer import Queries

__all__ = ["ChannelRequest", "MetricRequest", "MetricResult", "last_contacts", "measure"]


@dataclass(frozen=True)
class MetricRequest:
    """One window of one dataset's events between two countries.

    Attributes:
        source, target: the two countries; ``pooled``: both directions (the dyad).
        dataset: the dataset read.
        since, until: the window's first and last day (``since`` ``None``: from the start).
        issue_areas: events tagged with any of these (all events when empty).
        codes: CAMEO code prefixes; roots: CAMEO roots (any when empty).
        quads: quad classes of the events whose ids are returned (all when empty).
    """

    source: str
    target: str
    pooled: bool
    dataset: str
    since: date | None
    until: date
    issue_areas: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    quads: tuple[int, ...] = ()

    @classmethod
    def of(cls, who: Dyad | Direction, dataset: str, since: date | None, until: date,
           **kw: Any) -> MetricRequest:
        """Return the request for a dyad (both directions) or one direction."""
        if isinstance(who, Dyad):
            return cls(who.a, who.b, True, dataset, since, until, **kw)
        return cls(who.source, who.target, False, dataset, since, until, **kw)

    @property
    def label(self) -> str:
        """``USA-RUS`` or ``USA->RUS``."""
        return f"{self.source}{'-' if self.pooled else '->'}{self.target}"


@dataclass
class MetricResult:
    """What the store holds for one :class:`MetricRequest`.

    Attributes:
        metrics: the statistics' derived metrics (``events``, ``q1``..``q4``, shares,
            ``net_cooperation``, ``goldstein_mean``, ``relationship_index``, ...).
        last_date: the date of the window's latest event (``None``: no event).
        event_ids: the ids of the latest events (of the request's quads), newest first.
        last_ids: the ids of the events on ``last_date``.
    """

    metrics: dict[str, Any]
    last_date: date | None = None
    event_ids: list[str] = field(default_factory=list)
    last_ids: list[str] = field(default_factory=list)


_JOINED = """
SELECT w.wid, w.quads, e.*
FROM events e JOIN {windows} w
  ON e.dataset = w.dataset AND e.source_country = w.source AND e.target_country = w.target
 AND e.date >= w.since AND e.date <= w.until
WHERE (len(w.issues) = 0 OR len(list_intersect(e.issue_areas, w.issues)) > 0)
  AND (len(w.roots) = 0 OR list_contains(w.roots, e.event_root))
  AND (len(w.codes) = 0 OR len(list_filter(w.codes, c -> starts_with(e.event_code, c))) > 0)
"""


def _windows_table(requests: list[MetricRequest]) -> pa.Table:
    rows: dict[str, list[Any]] = {k: [] for k in ("wid", "dataset", "source", "target", "since",
                                                  "until", "issues", "roots", "codes", "quads")}
    for wid, r in enumerate(requests):
        for a, b in ((r.source, r.target), (r.target, r.source)) if r.pooled else ((r.source, r.target),):
            rows["wid"].append(wid)
            rows["dataset"].append(r.dataset)
            rows["source"].append(a)
            rows["target"].append(b)
            rows["since"].append(r.since or date.min)
            rows["until"].append(r.until)
            rows["issues"].append(list(r.issue_areas))
            rows["roots"].append([x.zfill(2) for x in r.roots])
            rows["codes"].append(list(r.codes))
            rows["quads"].append(list(r.quads))
    return pa.table(rows, schema=pa.schema([
        ("wid", pa.int64()), ("dataset", pa.string()), ("source", pa.string()),
        ("target", pa.string()), ("since", pa.date32()), ("until", pa.date32()),
        ("issues", pa.list_(pa.string())), ("roots", pa.list_(pa.string())),
        ("codes", pa.list_(pa.string())), ("quads", pa.list_(pa.int64()))]))


def measure(q: Queries, requests: list[MetricRequest], max_ids: int = 10
            ) -> dict[MetricRequest, MetricResult]:
    """Answer every request in two queries (statistics, then the latest event ids)."""
    unique = list(dict.fromkeys(requests))
    if not unique:
        return {}
    table = _windows_table(unique)
    name = "_detente_windows"
    joined = _JOINED.format(windows=name)
    stats_query = (f"WITH j AS ({joined}) SELECT wid, max(date) AS last_date, {stats_sql()} "
                   "FROM j GROUP BY wid")
    ids_query = (f"WITH j AS ({joined}) SELECT wid, event_id, date, in_quads FROM ("
                 "SELECT wid, event_id, date, (len(quads) = 0 OR list_contains(quads, quad_class)) "
                 "AS in_quads, row_number() OVER (PARTITION BY wid, (len(quads) = 0 OR "
                 "list_contains(quads, quad_class)) ORDER BY date DESC, event_id) AS rk FROM j) "
                 "WHERE rk <= ? ORDER BY wid, date DESC, event_id")
    with q._lock:
        q._con.register(name, table)
        try:
            cur = q._con.execute(stats_query)
            cols = [d[0] for d in cur.description]
            stats = {int(r[0]): dict(zip(cols, r, strict=True)) for r in cur.fetchall()}
            ids = q._con.execute(ids_query, [max_ids]).fetchall()
        finally:
            q._con.unregister(name)
    empty = {c: 0 for c in cols if c not in ("wid", "last_date")} | {"g_sum": None,
                                                                    "w_num": None, "w_den": None}
    out: dict[MetricRequest, MetricResult] = {}
    for wid, r in enumerate(unique):
        s = stats.get(wid)
        out[r] = MetricResult(metrics=derive_row(s if s is not None else empty),
                              last_date=s["last_date"] if s else None)
    for wid, event_id, day, in_quads in ids:
        res = out[unique[wid]]
        if in_quads:
            res.event_ids.append(str(event_id))
        if day == res.last_date and len(res.last_ids) < max_ids:
            res.last_ids.append(str(event_id))
    return out


@dataclass(frozen=True)
class ChannelRequest:
    """The latest event of a dialogue channel: events of the dyad in ``dataset`` up to
    ``until`` whose actors have one of ``roles`` on both sides, with one of the
    ``issue_areas``, a root in ``roots``, and one of ``search`` in the text (each
    condition only when given)."""

    a: str
    b: str
    dataset: str
    until: date
    roles: tuple[str, ...] = ()
    issue_areas: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    search: tuple[str, ...] = ()


def last_contacts(q: Queries, requests: list[ChannelRequest]
                  ) -> dict[ChannelRequest, tuple[date | None, str | None]]:
    """Return each channel's latest matching event ``(date, event_id)`` in one query."""
    unique = list(dict.fromkeys(requests))
    if not unique:
        return {}
    parts: list[str] = []
    params: list[object] = []
    for i, r in enumerate(unique):
        clauses = ["((source_country = ? AND target_country = ?) OR "
                   "(source_country = ? AND target_country = ?))", "dataset = ?", "date <= ?"]
        p: list[object] = [r.a, r.b, r.b, r.a, r.dataset, r.until]
        if r.roles:
            marks = ", ".join("?" for _ in r.roles)
            clauses.append(f"source_role IN ({marks}) AND target_role IN ({marks})")
            p += [*r.roles, *r.roles]
        if r.issue_areas:
            clauses.append("len(list_intersect(issue_areas, ?::VARCHAR[])) > 0")
            p.append(list(r.issue_areas))
        if r.roots:
            clauses.append("event_root IN (" + ", ".join("?" for _ in r.roots) + ")")
            p += list(r.roots)
        if r.search:
            clauses.append("(" + " OR ".join("contains(lower(coalesce(text, '')), ?)"
                                              for _ in r.search) + ")")
            p += [s.lower() for s in r.search]
        parts.append(f"(SELECT {i} AS k, date, event_id FROM events WHERE {' AND '.join(clauses)} "
                     "ORDER BY date DESC, event_id LIMIT 1)")
        params += p
    rows = q._rows(" UNION ALL ".join(parts), params)
    found = {int(k): (d, str(e)) for k, d, e in rows}
    return {r: found.get(i, (None, None)) for i, r in enumerate(unique)}
