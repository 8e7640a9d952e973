"""A dyad's events summed per day: the statistics of the metrics per dataset, day and
direction.

Many answers about a dyad need its events only through the statistics of
:data:`~detente.query.metrics.STATS` (counts, Goldstein sums) by dataset, period and
direction: the indicators of all issue areas at a period of a day or longer, how many
events a selection holds per dataset and day (coverage), per dataset (the dyad's
counts), and its first and last days. Every statistic is a count or a sum, so the
statistics of a period are the sums of those of its days
(:func:`~detente.query.metrics.sums_sql`, :func:`~detente.query.metrics.sums_ibis`),
and the metrics are derived from them by the same formulas as from the events
(:func:`~detente.query.metrics.derive`).

So the first such question about a dyad, once per version of the store, sums its
events per day into a table in memory (one pass over the events, or over the copy of
the dyad's events when there is one; kept in the one cache like a copy, see
:mod:`detente.query._scopes`), and the later ones read that table: at 10M events, of
which 300,000 are the dyad's, about 28,000 rows, made in a quarter of a second.

Columns: ``dataset, date, source_country, target_country`` as the events have them,
``untagged`` (the events of :data:`~detente.query.metrics.UNTAGGED_RULE` without an
issue: those with no issue area), then one column per statistic.

A selection is answered from the table only when every condition it sets is on those
columns (:func:`summable`). Issue areas are not among them: grouped by their sets of
issue areas too, a dyad's days kept two thirds as many rows as its events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.query._sql import DYAD_SQL, bind
from detente.query.metrics import stats_sql, untagged_sql

if TYPE_CHECKING:
    from detente.query._layer import Queries
    from detente.query._scopes import Scope
    from detente.query.types import Selection

__all__ = ["DAY_COLUMNS", "day_table", "summable"]

DAY_COLUMNS = ("dataset", "date", "source_country", "target_country", "untagged")
"""The columns of a day's row besides its statistics."""


def summable(sel: Selection) -> bool:
    """Say whether ``sel`` can be answered from its dyad's daily sums: it is about two
    countries, and sets no condition beyond its dyad or direction, dates and datasets."""
    pair = sel.pair
    return (pair is not None and pair[0] != pair[1] and not sel.codes and not sel.roots
            and not sel.quad_classes and not sel.root_only and sel.min_sources is None
            and not sel.search and not sel.one_a_day and not sel.issue_areas)


def day_select(relation: str, clause: str) -> str:
    """Return the statement that sums ``relation``'s rows where ``clause`` holds per day."""
    return (f"SELECT dataset, date, source_country, target_country, "
            f"count(*) FILTER (WHERE {untagged_sql(None)}) AS untagged, {stats_sql()} "
            f"FROM {relation} WHERE {clause} GROUP BY ALL")


def day_table(q: Queries, key: tuple[str, str]) -> Scope:
    """Return the daily sums of the events of dyad ``key`` (both directions), made now
    (the caller keeps them in the cache)."""
    from detente.query._scopes import Scope

    a, b = key
    store = q._store
    found, copy = q._scope_of(key)
    if found and copy is not None and copy.shared and not store.archive:
        # the dyad's events are copied in the host's memory: sum the copy
        select = day_select(copy.table, "true")
    else:
        select = day_select("events", bind(DYAD_SQL, [a, b, b, a]))
    cur = store._cursor()
    try:
        if store.read_only and not store.archive:  # attached to the host: beside the store
            return Scope(0, con=cur, select=select)
        return Scope(0, batches=cur.execute(select).to_arrow_reader(65536))
    finally:
        cur.close()
