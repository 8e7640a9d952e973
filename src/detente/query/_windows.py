"""Metrics over windows of days, many windows in one query.

A playbook check asks for dozens of aggregates (net cooperation of RUS->UKR on
Ukraine over the last six months, the same a year earlier, ...). Each is a
:class:`MetricRequest`; :func:`measure` answers a whole batch of them with one
query whatever their number: the requests go to DuckDB as a table, the events
are joined to it, and each request's statistics (:data:`~detente.query.metrics.STATS`)
and latest event ids come back. Metrics are then derived by
:func:`~detente.query.metrics.derive_row`, as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from detente.query._sql import DYAD_SQL, area_bits, area_bits_sql, literal
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


_MEASURE = """
WITH w AS MATERIALIZED {windows},
e AS MATERIALIZED (
  SELECT event_id, date, event_root, event_code, quad_class, goldstein, num_mentions,
         {areas} AS areas, dataset, source_country, target_country
  FROM events
  WHERE ({directions}) AND dataset IN ({datasets}) AND date >= {since} AND date <= {until}),
j AS (
  SELECT w.wid, e.event_id, e.date, e.event_root, e.quad_class, e.goldstein, e.num_mentions,
         (len(w.quads) = 0 OR list_contains(w.quads, CAST(e.quad_class AS BIGINT))) AS in_quads
  FROM e JOIN {w} w
    ON e.dataset = w.dataset AND e.source_country = w.source AND e.target_country = w.target
   AND e.date >= w.since AND e.date <= w.until
  WHERE (len(w.issues) = 0 OR {in_areas})
    AND (len(w.roots) = 0 OR list_contains(w.roots, e.event_root))
    AND (len(w.codes) = 0 OR len(list_filter(w.codes, c -> starts_with(e.event_code, c))) > 0))
SELECT wid, max(date) AS last_date, {stats},
       {newest} FILTER (WHERE in_quads) AS ids_in,
       {newest} FILTER (WHERE NOT in_quads) AS ids_out,
       {newest} FILTER (WHERE in_quads IS NULL) AS ids_null
FROM j GROUP BY wid
"""
"""The events of the requests' directions, datasets and days are read once (the bounds
written in as constants, so that DuckDB skips the row groups outside the days asked); each
is joined to the requests it falls in (by dataset, direction, days, issue areas, roots and
codes); per request, the statistics and the newest ids (newest first, then by id) of its
quad classes, of the others, and of events without one. An event's issue areas are tested
as bits, one per issue area some request names (``areas`` and a window's ``mask``, see
:func:`~detente.query._sql.area_bits`), when there are few enough of them for a BIGINT."""

_WINDOW_COLUMNS = ("wid", "dataset", "source", "target", "since", "until", "issues", "roots",
                   "codes", "quads", "mask")


def _directions(requests: list[MetricRequest]) -> list[tuple[str, str]]:
    """Return the directions ``(source, target)`` the requests read."""
    return list(dict.fromkeys(
        d for r in requests
        for d in (((r.source, r.target), (r.target, r.source)) if r.pooled else ((r.source, r.target),))))


def _measure_sql(requests: list[MetricRequest], max_ids: int) -> str:
    """Return :data:`_MEASURE` for ``requests``."""
    bits = area_bits(a for r in requests for a in r.issue_areas)
    if bits:
        areas = area_bits_sql(bits)
        in_areas = "(e.areas & w.mask) <> 0"
    else:
        areas, in_areas = "issue_areas", "len(list_intersect(e.areas, w.issues)) > 0"
    return _MEASURE.format(
        windows=_windows_sql(requests, bits or {}), w="w", stats=stats_sql(),
        newest=(f"min_by(struct_pack(event_id, date), struct_pack(d := DATE '1970-01-01' - date, "
                f"id := event_id), {literal(max(max_ids, 1))})"),
        areas=areas, in_areas=in_areas,
        directions=" OR ".join(f"(source_country = {literal(a)} AND target_country = {literal(b)})"
                               for a, b in _directions(requests)),
        datasets=", ".join(literal(d) for d in dict.fromkeys(r.dataset for r in requests)),
        since=literal(min(r.since or date.min for r in requests)),
        until=literal(max(r.until for r in requests)))


def _windows_sql(requests: list[MetricRequest], bits: dict[str, int]) -> str:
    """Return the requests as a relation (``VALUES``), one row per direction read: the
    windows reach DuckDB as data written in by :func:`~detente.query._sql.literal`."""
    rows: list[str] = []
    for wid, r in enumerate(requests):
        mask = sum(bits.get(a, 0) for a in set(r.issue_areas))
        for a, b in ((r.source, r.target), (r.target, r.source)) if r.pooled else ((r.source, r.target),):
            values = (wid, r.dataset, a, b, r.since or date.min, r.until, list(r.issue_areas),
                      [x.zfill(2) for x in r.roots], list(r.codes), list(r.quads), mask)
            rows.append("(" + ", ".join(_typed(v, c) for v, c in zip(values, _WINDOW_COLUMNS,
                                                                      strict=True)) + ")")
    return f"(SELECT * FROM (VALUES {', '.join(rows)}) AS v({', '.join(_WINDOW_COLUMNS)}))"


def _typed(value: object, column: str) -> str:
    if isinstance(value, list) and not value:
        return "[]::BIGINT[]" if column == "quads" else "[]::VARCHAR[]"
    return literal(value)


def measure(q: Queries, requests: list[MetricRequest], max_ids: int = 10
            ) -> dict[MetricRequest, MetricResult]:
    """Answer every request in one query (statistics and the latest event ids)."""
    unique = list(dict.fromkeys(requests))
    if not unique:
        return {}
    with q._lock:
        cur = q._con.execute(_measure_sql(unique, max_ids))
        cols = [d[0] for d in cur.description]
        stats = {int(r[0]): dict(zip(cols, r, strict=True)) for r in cur.fetchall()}
    ids = ("ids_in", "ids_out", "ids_null")
    empty = {c: 0 for c in cols if c not in ("wid", "last_date", *ids)} | {
        "g_sum": None, "w_num": None, "w_den": None}
    out: dict[MetricRequest, MetricResult] = {}
    for wid, r in enumerate(unique):
        s = stats.get(wid)
        res = out[r] = MetricResult(metrics=derive_row(s if s is not None else empty),
                                    last_date=s["last_date"] if s else None)
        if s is None:
            continue
        res.event_ids = [str(f["event_id"]) for f in (s["ids_in"] or ())][:max_ids]
        newest = sorted((f for c in ids for f in (s[c] or ()) if f["date"] == res.last_date),
                        key=lambda f: str(f["event_id"]))
        res.last_ids = [str(f["event_id"]) for f in newest][:max_ids]
    return out


@dataclass(frozen=True)
class ChannelRequest:
    """The latest event of a dialogue channel: events of the dyad in any of ``datasets``
    up to ``until`` whose actors have one of ``roles`` on both sides, with one of the
    ``issue_areas``, a root in ``roots``, a CAMEO code starting with one of ``codes``,
    and one of ``search`` in the text (each condition only when given)."""

    a: str
    b: str
    datasets: tuple[str, ...]
    until: date
    roles: tuple[str, ...] = ()
    issue_areas: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    search: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.datasets, str):  # one dataset given by name
            object.__setattr__(self, "datasets", (self.datasets,))


def _marks(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join("?" for _ in values)


LOOK_BACK_DAYS: tuple[int, ...] = (366, 6 * 366)
"""How far back from its ``until`` a channel's latest event is looked for first, then
next, before all its earlier days are read (see :func:`last_contacts`)."""


def last_contacts(q: Queries, requests: list[ChannelRequest]
                  ) -> dict[ChannelRequest, tuple[date | None, str | None]]:
    """Return each channel's latest matching event ``(date, event_id)``.

    The latest event is looked for in the last year before each channel's ``until``
    first, then in the years before (:data:`LOOK_BACK_DAYS`), then in all the earlier
    days, each time for the channels not found yet, in one query: the days are written
    in as constants, so DuckDB reads only the row groups that may hold them (events are
    stored about in the order of their days), and a channel with a recent event costs
    no pass over the dyad's whole history. Each step reads days the ones before did
    not, so the first that finds a channel's event finds its latest."""
    unique = list(dict.fromkeys(requests))
    found: dict[int, tuple[date | None, str | None]] = {}
    bounds = [*LOOK_BACK_DAYS, None]
    for step, back in enumerate(bounds):
        newer = bounds[step - 1] if step else None
        todo = [i for i in range(len(unique)) if i not in found]
        if not todo:
            break
        found.update(_latest(q, [(i, unique[i]) for i in todo], back, newer))
    return {r: found.get(i, (None, None)) for i, r in enumerate(unique)}


def _days_back(until: date, days: int | None) -> date | None:
    """Return ``until`` less ``days`` (``None``: no such bound, or before the calendar)."""
    if days is None or until.toordinal() <= days:
        return None
    return until - timedelta(days=days)


def _latest(q: Queries, asked: list[tuple[int, ChannelRequest]], back: int | None,
            newer: int | None) -> dict[int, tuple[date, str]]:
    """Return the latest matching event of each ``(key, channel)`` within the days after
    ``back`` days before its ``until`` and from ``newer`` days before it on back (each
    bound only when given; without ``newer``, up to ``until``), in one query."""
    # the events of the requests' dyads, datasets and days, read once; each channel's
    # latest event is then looked up among them
    def days(r: ChannelRequest) -> tuple[str, list[object]]:
        p: list[object]
        clause, p = "date <= ?", [r.until]
        top = _days_back(r.until, newer)
        if newer is not None:
            if top is None:
                return "false", []
            clause, p = "date <= ?", [top]
        first = _days_back(r.until, back)
        if first is not None:
            clause, p = f"{clause} AND date > ?", [*p, first]
        return clause, p

    scopes = list(dict.fromkeys((r.a, r.b, r.datasets, r.until) for _, r in asked))
    within: list[str] = []
    params: list[object] = []
    for scope in scopes:
        a, b, datasets, _ = scope
        mine = [r for _, r in asked if (r.a, r.b, r.datasets, r.until) == scope]
        span, p = days(mine[0])
        clause = f"({DYAD_SQL} AND dataset IN ({_marks(datasets)}) AND {span}"
        params += [a, b, b, a, *datasets, *p]
        if all(r.roots or r.codes for r in mine):  # only the roots some channel asks for
            roots = sorted({x for r in mine for x in (*r.roots, *(c[:2] for c in r.codes))})
            clause += f" AND event_root IN ({_marks(roots)})"
            params += roots
        within.append(clause + ")")
    parts: list[str] = []
    for i, r in asked:
        span, p = days(r)
        clauses = [DYAD_SQL, f"dataset IN ({_marks(r.datasets)})", span]
        p = [r.a, r.b, r.b, r.a, *r.datasets, *p]
        if r.roles:
            marks = _marks(r.roles)
            clauses.append(f"source_role IN ({marks}) AND target_role IN ({marks})")
            p += [*r.roles, *r.roles]
        if r.issue_areas:
            clauses.append("len(list_intersect(issue_areas, ?::VARCHAR[])) > 0")
            p.append(list(r.issue_areas))
        if r.roots:
            clauses.append(f"event_root IN ({_marks(r.roots)})")
            p += list(r.roots)
        if r.codes:
            clauses.append("(" + " OR ".join("starts_with(coalesce(event_code, ''), ?)"
                                              for _ in r.codes) + ")")
            p += list(r.codes)
        if r.search:
            clauses.append("(" + " OR ".join("contains(lower(coalesce(text, '')), ?)"
                                              for _ in r.search) + ")")
            p += [s.lower() for s in r.search]
        parts.append(f"(SELECT {i} AS k, date, event_id FROM d WHERE {' AND '.join(clauses)} "
                     "ORDER BY date DESC, event_id LIMIT 1)")
        params += p
    sql = ("WITH d AS MATERIALIZED (SELECT source_country, target_country, dataset, date, event_id, "
           "source_role, target_role, issue_areas, event_root, event_code, text "
           f"FROM events WHERE {' OR '.join(within)}) " + " UNION ALL ".join(parts))
    rows = q._rows(sql, params)
    return {int(k): (d, str(e)) for k, d, e in rows}
