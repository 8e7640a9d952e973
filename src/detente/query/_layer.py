"""The query layer: every question the package asks of a store's events, asked here.

:class:`Queries` sits between a :class:`~detente.store.Store`'s private DuckDB
connection and everything else. It reads the ``events`` table (or, for a dyad
whose events were copied, a copy of them; never a view that hides the table),
binds every value as a parameter, and keeps answers in the one cache
(:mod:`detente.query._cache`) under the store's stamp. The metrics themselves are
defined once, in :mod:`detente.query.metrics`.
"""

from __future__ import annotations

import bisect
import sys
import threading
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from detente import schema as canonical
from detente.query._cache import CACHE, Stamp
from detente.query._heatmap import NO_ISSUE_AREA
from detente.query._scopes import Scope
from detente.query._sql import DYAD_SQL, bind, where
from detente.query.types import Dyad, Selection
from detente.schema import column_names

if TYPE_CHECKING:
    import pyarrow as pa

    from detente.store import Store

__all__ = ["NO_ISSUE_AREA", "DatasetCoverage", "Queries"]

T = TypeVar("T")

_Registered = tuple[Stamp, str, Scope, "duckdb.DuckDBPyConnection | None"]
_Key = tuple[str, ...]


SCOPE_MAX_ROWS = 5_000_000
"""Most events of a dyad that :meth:`Queries.prepare_scope` copies."""


@dataclass(frozen=True)
class DatasetCoverage:
    """What one dataset holds within a selection."""

    dataset: str
    events: int
    first: date | None
    last: date | None
    files: tuple[str, ...] = ()
    """The files the events came from, as ``name@sha256:…`` (when asked for)."""


class Queries:
    """The questions asked of one open store (see the module's description)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._con: duckdb.DuckDBPyConnection = store._con
        self._lock = threading.RLock()
        # the copies this opening reads: stamp, name, the copy and a cursor on which it
        # has that name (see :mod:`detente.query._scopes`)
        self._registered: dict[_Key, _Registered] = {}

    # -- state and the cache ---------------------------------------------

    def stamp(self) -> Stamp:
        """The store's identity and version (see :attr:`Store.stamp`)."""
        return self._store.stamp

    def cached(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return ``make()``, kept in the one cache under the store's current stamp and
        ``key`` (a tuple whose first item names the kind of answer)."""
        return CACHE.get_or_make(self.stamp(), key, make)

    def archive_events(self) -> Any:
        """Return the folder of the Hive-partitioned events when the store is a Parquet
        archive holding some (another engine reads them there), else ``None``."""
        return self._store.archive_events()

    def close(self) -> None:
        """Forget what this connection registered (the store is closing)."""
        with self._lock:
            for _, _, _, cur in self._registered.values():
                if cur is not None:
                    cur.close()
            self._registered.clear()

    def _run(self, sql: str, params: list[object] | dict[str, object] | None = None) -> Any:
        """Run one statement with its parameters written in (:func:`~detente.query._sql.bind`);
        return the cursor. The caller holds :attr:`_lock`."""
        text = bind(sql, params)
        return self._con_for(text).execute(text)

    def _rows(self, sql: str, params: list[object] | None = None) -> list[tuple[Any, ...]]:
        with self._lock:
            rows: list[tuple[Any, ...]] = self._run(sql, params).fetchall()
        return rows

    def _arrow(self, sql: str, params: list[object] | None = None) -> pa.Table:
        with self._lock:
            table: pa.Table = self._run(sql, params).to_arrow_table()
        return table

    # -- copies of one dyad's events -------------------------------------

    def prepare_scope(self, dyad: Dyad | tuple[str, str]) -> bool:
        """Copy the events of ``dyad`` (both directions) into memory, once per version of
        the store, so that later queries of that dyad (or one of its directions) read the
        copy instead of the whole table; return whether a copy is kept now.

        A dyad with more than :data:`SCOPE_MAX_ROWS` events or with most of the store's
        is not copied (reading it from the table costs about the same). Answers are the
        same with or without a copy. The copy is made on a cursor of its own, so other
        queries on this store go on meanwhile; the two most recent copies are kept.
        """
        key = Dyad.of(dyad).key

        def make() -> Scope | None:
            a, b = key
            cur = self._store._cursor()
            try:
                row = cur.execute(bind(
                    f"SELECT count(*) FILTER ({DYAD_SQL}), count(*) FROM events",
                    [a, b, b, a])).fetchone()
                rows, total = (int(row[0]), int(row[1])) if row else (0, 0)
                if rows > SCOPE_MAX_ROWS or 2 * rows > total:
                    return None
                cols = ", ".join(f'"{c}"' for c in column_names())
                select = bind(f"SELECT {cols} FROM events WHERE {DYAD_SQL}", [a, b, b, a])
                if self._store.read_only:  # attached to the host: the copy goes beside
                    return Scope(rows, con=cur, select=select)
                return Scope(rows, batches=cur.execute(select).to_arrow_reader(65536))
            finally:
                cur.close()

        return self.cached(("scope", key), make) is not None

    def has_scope(self, dyad: Dyad | tuple[str, str]) -> bool:
        """Say whether a copy of ``dyad``'s events is kept for the current version."""
        found, table = CACHE.get(self.stamp(), ("scope", Dyad.of(dyad).key))
        return found and table is not None

    def _scope_of(self, key: tuple[str, str]) -> tuple[bool, Scope | None]:
        """Return whether the copy of dyad ``key``'s events was made (or found not worth
        making) at the current version, and the copy."""
        found, table = CACHE.get(self.stamp(), ("scope", key))
        return found, table

    def _source(self, sel: Selection) -> tuple[str, bool]:
        """Return the relation to read for ``sel`` and whether its rows are the dyad's
        only (so the dyad test can be left out)."""
        pair = sel.pair
        if pair is None or pair[0] == pair[1]:
            return "events", False
        key = (min(pair), max(pair))
        stamp = self.stamp()
        found, table = CACHE.get(stamp, ("scope", key))
        if not found or table is None:
            return "events", False
        return self._register(stamp, key, f"_detente_scope_{key[0]}_{key[1]}", table), \
            sel.dyad is not None

    def _register(self, stamp: Stamp, key: _Key, name: str, table: Scope) -> str:
        """Make ``table`` readable as ``name`` by this store's queries; return the name."""
        with self._lock:
            kept = self._registered.get(key)
            if kept is None or kept[0] != stamp:
                if kept is not None and kept[3] is not None:
                    kept[3].close()
                if table.shared:  # the store's own connection reads it
                    table.view(self._con, name)
                    self._registered[key] = (stamp, name, table, None)
                else:
                    self._registered[key] = (stamp, name, table, table.cursor(name))
                kept = self._registered[key]
        return kept[1]

    def _days(self, sel: Selection, build: bool = True) -> tuple[str, str, list[object]] | None:
        """Return the relation of the daily sums of ``sel``'s dyad (see
        :mod:`detente.query._days`), the condition and the parameters that select ``sel``
        from it; ``None`` when ``sel`` needs the events themselves, when the store is a
        Parquet archive (read by other engines too), or, unless ``build``, when the sums
        were not made yet at this version."""
        from detente.query._days import day_table, summable

        if not summable(sel) or self._store.archive:
            return None
        pair = sel.pair
        assert pair is not None
        key = (min(pair), max(pair))
        stamp = self.stamp()
        if build:
            table = CACHE.get_or_make(stamp, ("days", key), lambda: day_table(self, key))
        else:
            found, table = CACHE.get(stamp, ("days", key))
            if not found:
                return None
        name = self._register(stamp, ("days", *key), f"_detente_days_{key[0]}_{key[1]}", table)
        clause, params = where(sel, skip_dyad=sel.dyad is not None)
        return name, clause, params

    def _con_for(self, sql: str) -> duckdb.DuckDBPyConnection:
        """Return the connection to run ``sql`` on: the cursor of the copy it reads, if it
        reads one (a query reads a copy or the store, never both), else the store's. The
        caller holds :attr:`_lock`."""
        if self._registered and "_detente_" in sql:
            for _, name, _, cur in self._registered.values():
                if cur is not None and name in sql:
                    return cur
        return self._con

    def _where(self, sel: Selection) -> tuple[str, str, list[object]]:
        rel, only = self._source(sel)
        clause, params = where(sel, skip_dyad=only)
        return rel, clause, params

    # -- events ------------------------------------------------------------

    def count(self, sel: Selection) -> int:
        """Return the number of events ``sel`` selects."""
        rel, clause, params = self._where(sel)
        rows = self._rows(f"SELECT count(*) FROM {rel} WHERE {clause}", params)
        return int(rows[0][0]) if rows else 0

    def _select(self, sel: Selection, columns: list[str] | None, limit: int | None, offset: int,
                newest_first: bool) -> tuple[str, list[object]]:
        rel, clause, params = self._where(sel)
        cols = ", ".join(f'"{c}"' for c in (columns or column_names()))
        order = "date DESC, event_id DESC" if newest_first else "date, event_id"
        sql = f"SELECT {cols} FROM {rel} WHERE {clause} ORDER BY {order}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        return sql, params

    def events(self, sel: Selection, *, limit: int | None = None, offset: int = 0,
               newest_first: bool = False) -> pa.Table:
        """Return the selected events as a canonical Arrow table, by date (oldest first
        unless ``newest_first``), then event id."""
        sql, params = self._select(sel, None, limit, offset, newest_first)
        return self._arrow(sql, params).cast(canonical.CANONICAL_SCHEMA)

    def iter_events(self, sel: Selection, batch_rows: int = 65536) -> Iterator[pa.RecordBatch]:
        """Yield the selected events in canonical record batches (bounded memory)."""
        import pyarrow as pa

        sql, params = self._select(sel, None, None, 0, False)
        cur = self._store._cursor()
        try:
            reader = cur.execute(bind(sql, params)).to_arrow_reader(batch_rows)
            for batch in reader:
                yield pa.RecordBatch.from_arrays(
                    [batch.column(i).cast(f.type) for i, f in enumerate(canonical.CANONICAL_SCHEMA)],
                    schema=canonical.CANONICAL_SCHEMA,
                )
        finally:
            cur.close()

    def marks(self, dyad: Dyad | tuple[str, str], dataset: str = "curated"
              ) -> list[dict[str, Any]]:
        """Return ``event_id, date, goldstein, text`` of ``dataset``'s events of ``dyad``
        (both directions), by date then event id: read once per version of the store and
        kept (the chronology's events a chart marks; a few per year)."""
        pair = Dyad.of(dyad)

        def make() -> list[dict[str, Any]]:
            rel, clause, params = self._where(Selection(dyad=pair.key, datasets=(dataset,)))
            with self._lock:
                cur = self._run(f"SELECT event_id, date, goldstein, text FROM {rel} "
                                f"WHERE {clause} ORDER BY date, event_id", params)
                names = [d[0] for d in cur.description]
                return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

        return self.cached(("marks", pair.key, dataset), make)

    def last_date(self, sel: Selection) -> date | None:
        """Return the last event date ``sel`` selects (``None``: no event)."""
        rel, clause, params = self._where(sel)
        rows = self._rows(f"SELECT max(date) FROM {rel} WHERE {clause}", params)
        return rows[0][0] if rows else None

    def event_refs(self, ids: list[str]) -> list[tuple[str, date | None, str | None]]:
        """Return ``(event_id, date, text)`` of the events with these ids that exist."""
        if not ids:
            return []
        return [(str(r[0]), r[1], r[2]) for r in self._rows(
            "SELECT event_id, date, text FROM events WHERE event_id IN "
            "(SELECT unnest(?::VARCHAR[]))", [list(ids)])]

    # -- what the store holds ----------------------------------------------

    def datasets(self) -> list[str]:
        """Return the datasets in the store, by name."""
        return self.cached(("datasets",), lambda: [str(r[0]) for r in self._rows(
            "SELECT DISTINCT dataset FROM events ORDER BY dataset")])

    def span(self, dataset: str) -> tuple[date, date] | None:
        """Return the first and last event dates of ``dataset`` in the whole store."""
        spans = self.cached(("spans",), lambda: {str(r[0]): (r[1], r[2]) for r in self._rows(
            "SELECT dataset, min(date), max(date) FROM events GROUP BY dataset")})
        return spans.get(dataset)

    def summary(self) -> pa.Table:
        """Return per-dataset counts, date coverage and files."""
        return self._arrow(
            "SELECT dataset, count(*) AS events, min(date) AS first, max(date) AS last, "
            "count(DISTINCT ingested_from) AS files FROM events GROUP BY dataset ORDER BY dataset")

    def coverage(self, sel: Selection, *, files: bool = False) -> list[DatasetCoverage]:
        """Return, per dataset, the events ``sel`` selects and their first and last dates
        (and the files they came from, with ``files``), in one pass.

        Without files, the answer comes from the selection's events per dataset and day
        without its dates, counted once per version of the store and kept: a view with
        new dates costs no new pass over the events."""
        if files:
            rel, clause, params = self._where(sel)
            rows = self._rows(f"SELECT dataset, count(*), min(date), max(date), "
                              f"list(DISTINCT ingested_from) FROM {rel} WHERE {clause} "
                              "GROUP BY dataset ORDER BY dataset", params)
            return [DatasetCoverage(str(r[0]), int(r[1]), r[2], r[3],
                                    tuple(sorted(f for f in r[4] if f is not None))) for r in rows]
        whole = sel.narrowed(since=None, until=None)
        days = self.cached(("daily counts", whole), lambda: self._daily_counts(whole))
        out = []
        for dataset, (dates, running) in days.items():
            lo = bisect.bisect_left(dates, sel.since) if sel.since else 0
            hi = bisect.bisect_right(dates, sel.until) if sel.until else len(dates)
            if hi > lo:
                n = running[hi] - running[lo]
                out.append(DatasetCoverage(dataset, n, dates[lo], dates[hi - 1]))
        return out

    def _trimmed(self, sel: Selection) -> Selection:
        """Return ``sel`` without a ``since`` or ``until`` that leaves out none of its events
        (a view from a date before the first event selects the same events as one without
        it), as far as the kept daily counts of ``sel`` without dates tell; ``sel`` itself
        when they are not kept."""
        if sel.since is None and sel.until is None:
            return sel
        found, days = CACHE.get(self.stamp(), ("daily counts", sel.narrowed(since=None, until=None)))
        spans = [dates for dates, _ in days.values() if dates] if found else []
        if not spans:
            return sel
        since = None if sel.since is not None and sel.since <= min(d[0] for d in spans) else sel.since
        until = None if sel.until is not None and sel.until >= max(d[-1] for d in spans) else sel.until
        return sel.narrowed(since=since, until=until)

    def _daily_counts(self, sel: Selection) -> dict[str, tuple[list[date], list[int]]]:
        """Return, per dataset, the days with events of ``sel`` and the running count of
        events before each (one more entry than days)."""
        days = self._days(sel)
        rel, clause, params = days or self._where(sel)
        counted = 'sum("events")' if days else "count(*)"
        out: dict[str, tuple[list[date], list[int]]] = {}
        for dataset, day, n in self._rows(f"SELECT dataset, date, {counted} FROM {rel} WHERE {clause} "
                                          "GROUP BY ALL ORDER BY dataset, date", params):
            dates, running = out.setdefault(str(dataset), ([], [0]))
            dates.append(day)
            running.append(running[-1] + int(n))
        return out

    def dyad_counts(self, dyad: Dyad | tuple[str, str]) -> list[tuple[str, int]]:
        """Return every dataset with its number of events of ``dyad`` (both directions),
        most first (datasets without any are listed with 0)."""
        key = Dyad.of(dyad).key

        def make() -> dict[str, int]:
            days = self._days(Selection(dyad=key), build=False)
            rel, clause, params = days or self._where(Selection(dyad=key))
            n = 'sum("events")' if days else "count(*)"
            return {str(r[0]): int(r[1]) for r in self._rows(
                f"SELECT dataset, {n} FROM {rel} WHERE {clause} GROUP BY dataset", params)}

        counts = self.cached(("dyad counts", key), make)
        return sorted(((d, counts.get(d, 0)) for d in self.datasets()), key=lambda x: (-x[1], x[0]))

    def country_codes(self) -> frozenset[str]:
        """Return the CAMEO country and group codes the store knows."""
        from detente import ontology

        return frozenset(ontology.countries()) | frozenset(ontology.known_groups())

    def quarantine(self, file: str | None = None, limit: int = 100) -> pa.Table:
        """Return quarantined rows (optionally of one file name)."""
        sql = "SELECT file, line, reason, raw FROM quarantine"
        params: list[object] = []
        if file:
            sql += " WHERE file = ?"
            params.append(file)
        sql += " ORDER BY file_id, line LIMIT ?"
        params.append(limit)
        return self._arrow(sql, params)

    def files(self) -> pa.Table:
        """Return the provenance of every ingested file."""
        return self._arrow(
            "SELECT file_id, name, reader, dataset, substr(sha256, 1, 16) AS sha256, "
            "ingested_at, rows_read, stored, duplicates, conflicts, quarantined "
            "FROM files ORDER BY file_id")

    def file_spans(self) -> list[tuple[str, str, date | None, date | None]]:
        """Return ``(dataset, name, first, last)`` of every ingested file and dataset of its
        events (a canonical file may hold several): the first and last dates of the events
        stored from it (``None`` when it added none, under the file's own dataset). Events with
        no file recorded (written by other means) count, per dataset, as one file with no
        name. Kept per version of the store; the coverage of each period is read from these."""
        return self.cached(("file spans",), lambda: [
            (str(r[0]), str(r[1]), r[2], r[3]) for r in self._rows(
                "WITH e AS (SELECT dataset, _file_id, min(date) AS first, max(date) AS last "
                "FROM events GROUP BY ALL) "
                "SELECT coalesce(e.dataset, f.dataset), f.name, e.first, e.last, f.file_id "
                "FROM files f LEFT JOIN e ON e._file_id = f.file_id "
                "WHERE coalesce(e.dataset, f.dataset) IS NOT NULL UNION ALL "
                "SELECT e.dataset, '', min(e.first), max(e.last), NULL FROM e "
                "WHERE e._file_id IS NULL OR e._file_id NOT IN (SELECT file_id FROM files) "
                "GROUP BY e.dataset ORDER BY 5 NULLS LAST, 1")])

    def untagged(self, sel: Selection, issue: str | None = None) -> tuple[int, int]:
        """Return how many of the events ``sel`` selects, whatever their issue area (its
        ``issue_areas`` are ignored), have an issue area that cannot be told, and how many
        there are: with ``issue``, whether they belong to that issue (see
        :data:`~detente.query.metrics.UNTAGGED_RULE`); without, any issue area."""
        from detente.query._untagged import untagged

        return untagged(self, sel, issue)

    def untagged_many(self, asked: list[tuple[Selection, tuple[str, ...]]]
                      ) -> dict[tuple[Selection, tuple[str, ...]], tuple[int, int]]:
        """Answer :meth:`untagged` for many selections and issue areas in one scan: for
        each ``(selection, issues)``, how many of the selected events (their own issue
        areas ignored) cannot be told to belong to any of ``issues``, and how many there
        are (see :func:`detente.query._untagged.untagged_many`)."""
        from detente.query._untagged import untagged_many

        return untagged_many(self, asked)

    def untagged_share(self, sel: Selection, issue: str | None = None) -> float | None:
        """Return the share of :meth:`untagged`'s events (``None`` when there are none)."""
        n, total = self.untagged(sel, issue)
        return n / total if total else None

    # -- the events behind a figure ----------------------------------------

    def evidence(self, sel: Selection, limit: int, columns: tuple[str, ...]
                 ) -> tuple[int, list[dict[str, Any]]]:
        """Return how many events ``sel`` selects and the ``limit`` most telling of them:
        most reported first (mentions, where the dataset counts them), then the largest
        Goldstein score in size, then newest."""
        rel, clause, params = self._where(sel)
        cols = ", ".join(f'"{c}"' for c in columns)
        with self._lock:
            cur = self._run(
                f"SELECT {cols}, count(*) OVER () AS _total FROM {rel} WHERE {clause} "
                "ORDER BY coalesce(num_mentions, 0) DESC, abs(goldstein) DESC NULLS LAST, "
                "date DESC, event_id LIMIT ?", [*params, max(limit, 1)])
            names = [d[0] for d in cur.description]
            fetched = cur.fetchall()
        total = int(fetched[0][-1]) if fetched else 0
        return total, [dict(zip(names[:-1], v[:-1], strict=True)) for v in fetched[:limit]]

    def places(self, sel: Selection, limit: int = 400) -> tuple[int, int, list[dict[str, Any]]]:
        """Return where ``sel``'s events happened: how many events it selects, how many of
        them have coordinates, and per dataset and place (coordinates to a tenth of a
        degree) the events there and the place's most frequent name, the ``limit`` busiest
        places first (kept per version of the store)."""
        sel = self._trimmed(sel)

        def make() -> tuple[int, int, list[dict[str, Any]]]:
            rel, clause, params = self._where(sel)
            with self._lock:
                total, located = self._run(
                    f"SELECT count(*), count(latitude) FROM {rel} WHERE {clause}", params
                ).fetchone() or (0, 0)
                cur = self._run(
                    "SELECT dataset, round(latitude, 1) AS latitude, round(longitude, 1) AS longitude, "
                    "mode(place) AS place, mode(place_country) AS place_country, count(*) AS events "
                    f"FROM {rel} WHERE {clause} AND latitude IS NOT NULL AND longitude IS NOT NULL "
                    "GROUP BY ALL ORDER BY events DESC, dataset, latitude, longitude LIMIT ?",
                    [*params, max(limit, 1)])
                names = [d[0] for d in cur.description]
                fetched = cur.fetchall()
            return int(total), int(located), [dict(zip(names, v, strict=True)) for v in fetched]

        total, located, rows = self.cached(("places", sel, limit), make)
        return total, located, [dict(r) for r in rows]

    def crisis_events(self, dataset: str, countries: tuple[str, ...]) -> pa.Table:
        """Return ``date, quad_class, event_root`` of ``dataset``'s material-conflict events
        with one of ``countries`` on either side."""
        marks = ", ".join("?" for _ in countries)
        return self._arrow(
            "SELECT date, quad_class, event_root FROM events WHERE dataset = ? AND quad_class = 4 "
            f"AND (source_country IN ({marks}) OR target_country IN ({marks}))",
            [dataset, *countries, *countries])

    # -- indicators ----------------------------------------------------------

    def extent(self, sel: Selection, since: date | None, as_of: date | None
               ) -> list[tuple[str, date, date | None, date | None]]:
        """Return, per dataset, the first day ``sel`` selects (ignoring ``since``) and the
        first and last from ``since`` on, up to ``as_of``: one pass gives a run of the
        indicators its as-of date, datasets and grid."""
        # the dyad's daily sums, made here when the indicators that follow will read them
        # too (a process that reads Arrow tables beside its queries: see _compiled)
        days = self._days(sel.narrowed(since=None), build="pandas" in sys.modules)
        rel, clause, params = days or self._where(sel.narrowed(since=None))
        if as_of:
            clause += " AND date <= ?"
            params = [*params, as_of]
        start = since or date.min
        rows = self._rows(
            "SELECT dataset, min(date), min(date) FILTER (WHERE date >= ?), "
            f"max(date) FILTER (WHERE date >= ?) FROM {rel} WHERE {clause} "
            "GROUP BY dataset ORDER BY dataset", [start, start, *params])
        return [(str(d), ever, first, last) for d, ever, first, last in rows]

    def indicators(self, spec: Any, plan: Any, backend: str = "duckdb",
                   nan_to_null: tuple[str, ...] = ()) -> pa.Table:
        """Run the indicator expression of ``spec`` by ``plan`` (see
        :mod:`detente.series`) on ``backend``; return its raw rows (on DuckDB, with
        the ``nan_to_null`` columns' NaN, if any, made null)."""
        from detente.query._engines import get_backend
        from detente.query.metrics import CURATED_DATASETS

        engine = get_backend(backend)
        if engine.name == "duckdb":
            from detente.query._compiled import run_duckdb

            return run_duckdb(self, spec, plan, nan_to_null)
        from detente.query._engines import SparkBackend
        from detente.query._indicators import indicator_expr

        machine = any(d not in CURATED_DATASETS for d in plan.datasets)
        prefilter = Selection(dyad=None if machine else tuple(spec.dyad), since=plan.first_day,
                              until=plan.last_day, datasets=plan.datasets)
        with SparkBackend().open(self, prefilter) as session:
            expr = indicator_expr(session.events, session.table(plan.grid), spec, plan)
            return session.to_arrow(expr)

    def indicators_sql(self, spec: Any, plan: Any, dialect: str) -> str:
        """Return the SQL of the indicator expression in ``dialect`` (the grid as
        ``period_grid``), without running it."""
        import ibis  # type: ignore[import-untyped]

        from detente.query._indicators import indicator_expr

        with self._lock:
            events = ibis.duckdb.from_connection(self._con).table("events")
        grid = ibis.memtable(plan.grid)
        query = ibis.to_sql(indicator_expr(events, grid, spec, plan), dialect=dialect)
        return str(query).replace(grid.op().name, "period_grid")

    def per_1000(self, spec: Any, table: pa.Table) -> pa.Table:
        """Add to the indicator ``table`` of ``spec`` its counts per 1,000 GDELT events
        (see :mod:`detente.query._volume`)."""
        from detente.query._volume import per_1000

        return per_1000(self, spec, table)

    # -- windows of days (conditions, the allies' record) ---------------------

    def measure(self, requests: list[Any], max_ids: int = 10) -> dict[Any, Any]:
        """Answer a batch of :class:`~detente.query._windows.MetricRequest` in two queries;
        see :func:`detente.query._windows.measure`."""
        from detente.query._windows import measure

        return measure(self, requests, max_ids)

    def last_contacts(self, requests: list[Any]) -> dict[Any, tuple[date | None, str | None]]:
        """Return each :class:`~detente.query._windows.ChannelRequest`'s latest event, in
        one query."""
        from detente.query._windows import last_contacts

        return last_contacts(self, requests)

    # -- the issue heatmap -------------------------------------------------------

    def issue_cells(self, sel: Selection, period: str) -> list[dict[str, Any]]:
        """Return events and net cooperation per dataset, issue area and period (see
        :func:`detente.query._heatmap.issue_cells`)."""
        from detente.query._heatmap import issue_cells

        return issue_cells(self, sel, period)

    def _issue_query(self, sel: Selection, period: str,
                     before: date | None = None) -> list[dict[str, Any]]:
        from detente.query._heatmap import issue_query

        return issue_query(self, sel, period, before)
