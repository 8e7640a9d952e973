"""Counts per 1,000 GDELT events: a dyad's events over every event of the same files.

GDELT's volume grew and shrank a great deal over the years, so a raw count follows it.
When ``detente fetch gdelt`` ingests a file it records, before the country filter,
the file's stored events per event date and CAMEO root (``source_date_totals``,
see :mod:`detente.store._fetched`). A cell's figure is then

    1000 x (the dyad's events dated in the period, from those files)
         / (every event dated in the period, from the same files)

so numerator and denominator count the same events, by the same date (the event's
own date, as every indicator counts), over the same received files. Files ingested
otherwise (``detente ingest``) have no totals, and their events are counted in
neither; a file fetched with a country filter that left out the dyad's events
counts in neither either. A period with no totals for its dataset gets no figure
(null, never 0).

The per-root columns divide the dyad's threats (CAMEO root 13) and uses of force
(roots 18-20) by GDELT's events of the same roots. ``--root-only`` counts root events
on both sides; ``--one-a-day`` and ``--min-sources`` have no counterpart in the
totals and are refused with the measure (see :class:`detente.series.IndicatorSpec`).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from detente.query.metrics import FORCE_ROOTS, THREAT_ROOT

if TYPE_CHECKING:
    import pyarrow as pa

    from detente.query._layer import Queries

__all__ = ["PER_1000_COLUMNS", "TOTALS_TABLE", "per_1000"]

TOTALS_TABLE = "source_date_totals"
PER_1000_COLUMNS = ("events_per_1000", "threats_per_1000", "force_per_1000")
"""The columns :func:`per_1000` adds, and the roots each counts (``None``: every root)."""

_ROOTS: dict[str, frozenset[str] | None] = {
    "events_per_1000": None,
    "threats_per_1000": frozenset({THREAT_ROOT}),
    "force_per_1000": frozenset(FORCE_ROOTS),
}

# the fetch's country filter kept the dyad's events: no filter, both countries in it,
# or (either actor) one of them in it; parameters a, b, a, b
_KEEPS_DYAD = ("(countries IS NULL OR CASE WHEN any_actor THEN list_contains(countries, ?) "
               "OR list_contains(countries, ?) ELSE list_contains(countries, ?) AND "
               "list_contains(countries, ?) END)")


def _has_totals(q: Queries) -> bool:
    rows = q._rows("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                   [TOTALS_TABLE])
    return bool(rows and rows[0][0])


def _empty(table: pa.Table) -> pa.Table:
    import pyarrow as pa

    for name in PER_1000_COLUMNS:
        table = table.append_column(name, pa.nulls(table.num_rows, pa.float64()))
    return table


def per_1000(q: Queries, spec: Any, table: pa.Table) -> pa.Table:
    """Return the indicator ``table`` of ``spec`` with :data:`PER_1000_COLUMNS` added
    (see the module's description); null where the period has no totals."""
    import pyarrow as pa

    if table.num_rows == 0 or not _has_totals(q):
        return _empty(table)
    rows = table.select(["dataset", "direction", "period_start", "period_end"]).to_pylist()
    first: date = min(r["period_start"] for r in rows)
    last: date = max(r["period_end"] for r in rows)
    a, b = spec.dyad
    keeps = [a, b, a, b]
    datasets = list(spec.datasets) if spec.datasets else None
    only = " AND source IN (SELECT unnest(?::VARCHAR[]))" if datasets else ""
    files = f"SELECT DISTINCT file_id FROM {TOTALS_TABLE} WHERE {_KEEPS_DYAD}{only}"
    files_params: list[object] = [*keeps, *([datasets] if datasets else [])]
    count = "root_events" if spec.root_only else "events"
    totals = q._rows(
        f"SELECT source, date, event_root, sum({count}) FROM {TOTALS_TABLE} "
        f"WHERE date BETWEEN ? AND ? AND file_id IN ({files}) GROUP BY ALL",
        [first, last, *files_params])
    if not totals:
        return _empty(table)
    issue = " AND list_contains(issue_areas, ?)" if spec.issue else ""
    root = " AND coalesce(is_root, true)" if spec.root_only else ""
    dyad = " AND ".join(
        ["((source_country = ? AND target_country = ?) OR (source_country = ? AND target_country = ?))",
         "date BETWEEN ? AND ?", f"_file_id IN ({files})"])
    found = q._rows(
        "SELECT dataset, source_country || '->' || target_country, date, event_root, count(*) "
        f"FROM events WHERE {dyad}{issue}{root} GROUP BY ALL",
        [a, b, b, a, first, last, *files_params, *([spec.issue] if spec.issue else [])])

    # the periods of each series, to place a day in its row's period
    combined = any(r["dataset"] == "combined" for r in rows)
    spans: dict[str, dict[date, date]] = defaultdict(dict)
    for r in rows:
        spans[r["dataset"]][r["period_start"]] = r["period_end"]
    starts = {label: sorted(s) for label, s in spans.items()}

    def period(label: str, day: date) -> date | None:
        s = starts.get(label)
        if not s:
            return None
        i = bisect.bisect_right(s, day) - 1
        return s[i] if i >= 0 and day <= spans[label][s[i]] else None

    def add(acc: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], ev_root: str,
            n: int) -> None:
        cell = acc.setdefault(key, [0] * len(_ROOTS))
        for k, roots in enumerate(_ROOTS.values()):
            if roots is None or ev_root in roots:
                cell[k] += n

    whole: dict[tuple[Any, ...], list[int]] = {}
    for source, day, ev_root, n in totals:
        label = "combined" if combined else str(source)
        start = period(label, day)
        if start is not None:
            add(whole, (label, start), str(ev_root), int(n))
    part: dict[tuple[Any, ...], list[int]] = {}
    for dataset, direction, day, ev_root, n in found:
        label = "combined" if combined else str(dataset)
        start = period(label, day)
        if start is not None:
            for d in (str(direction), spec.pooled_direction):
                add(part, (label, d, start), str(ev_root), int(n))

    out: dict[str, list[float | None]] = {name: [] for name in PER_1000_COLUMNS}
    for r in rows:
        den = whole.get((r["dataset"], r["period_start"]))
        num = part.get((r["dataset"], r["direction"], r["period_start"])) or [0] * len(_ROOTS)
        for k, name in enumerate(PER_1000_COLUMNS):
            out[name].append(1000.0 * num[k] / den[k] if den and den[k] else None)
    for name in PER_1000_COLUMNS:
        table = table.append_column(name, pa.array(out[name], pa.float64()))
    return table
