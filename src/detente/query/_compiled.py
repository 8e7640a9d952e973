"""The indicators on the store's own DuckDB connection, with two things kept between runs.

Ibis turns the indicator expression into SQL in a fraction of a second, but a
dashboard asks for many views that differ only in their dates, and on a large
store every run also counts all the events of every dyad (the denominator of
``events_share``). So this runner keeps

- the **compiled SQL** of each shape of run (everything in the spec but its
  dates, and the datasets read), with the dates as bound parameters: the SQL is
  compiled once with stand-in dates, which are then replaced by ``$first_day``,
  ``$last_day`` and ``$output_start``; if a stand-in cannot be found the SQL is
  not kept and each run compiles afresh.
  Compiled queries are also written to the user's cache folder (``detente/sql``
  under ``$XDG_CACHE_HOME`` or ``~/.cache``), named by a hash of the shape and of
  the versions of detente, Ibis, sqlglot and DuckDB and the source of the modules
  that build the expression, so a new process (``detente brief``) skips the
  compilation too; a file that cannot be read or written is simply ignored;
- the **daily totals** of every dataset (:func:`daily_totals_expr`), kept in the one
  cache (:meth:`Queries.cached`) while the store stays as it is.

The expression is the same one every engine runs; only the way it reaches
DuckDB differs.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sys
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from detente.query._cache import CACHE
from detente.query._engines import EVENT_COLUMNS, ibis_duckdb
from detente.query._plan import GRID_COLUMNS, Plan
from detente.query._sql import bind, literal
from detente.query.metrics import CURATED_DATASETS

if TYPE_CHECKING:
    import pyarrow as pa

    from detente.query._layer import Queries
    from detente.series import IndicatorSpec

__all__ = ["cache_folder", "clear_compiled", "run_duckdb"]

_KEPT = 64
"""Compiled queries kept per process (each a few kB of SQL)."""
_KEPT_ON_DISK = 256
"""Compiled queries kept in the cache folder (about 10 kB each)."""

# stand-in dates, far from any event, one per date of the plan
_STAND_INS = {
    "first_day": dt.date(1001, 1, 1),
    "last_day": dt.date(1002, 2, 2),
    "output_start": dt.date(1003, 3, 3),
}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    grid: str
    totals: str | None


_compiled: OrderedDict[tuple[object, ...], _Compiled] = OrderedDict()
_lock = threading.Lock()


def clear_compiled() -> None:
    """Forget every compiled query (for tests and benchmarks)."""
    with _lock:
        _compiled.clear()
        _totals.clear()


def _literal(day: dt.date) -> str:
    return f"MAKE_DATE({day.year}, {day.month}, {day.day})"


def cache_folder() -> Path:
    """Return the user's cache folder for detente (``$XDG_CACHE_HOME/detente``, else
    ``~/.cache/detente``): compiled queries and the page's JavaScript bundle."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "detente"


def _daily_totals(q: Queries, spec: IndicatorSpec) -> pa.Table:
    key = ("indicators.daily_totals", spec.one_a_day, spec.root_only, spec.min_sources)

    def make() -> pa.Table:
        sql = _totals_sql(q, key)
        with q._lock:
            table: pa.Table = q._con.execute(sql).to_arrow_table()
        return table

    table: pa.Table = q.cached(key, make)
    return table


_totals: dict[tuple[object, ...], str] = {}


def _totals_sql(q: Queries, key: tuple[object, ...]) -> str:
    """Return the SQL of the daily totals of ``key``'s filters: compiled once, then kept in
    memory and in the cache folder like the indicator queries."""
    with _lock:
        sql = _totals.get(key)
    if sql is not None:
        return sql
    path = _disk_path(key, "totals")
    try:
        sql = str(json.loads(path.read_text(encoding="utf-8"))["sql"])
    except (OSError, ValueError, KeyError, TypeError):
        from detente.query._indicators import daily_totals_expr
        from detente.series import IndicatorSpec

        _, one_a_day, root_only, min_sources = key
        spec = IndicatorSpec(one_a_day=bool(one_a_day), root_only=bool(root_only),
                             min_sources=min_sources)  # type: ignore[arg-type]
        with q._lock, ibis_duckdb(q._con) as backend:
            events = backend.table("events").select(*EVENT_COLUMNS)
            sql = str(backend.compile(daily_totals_expr(events, spec)))
        _write(path, {"sql": sql})
    with _lock:
        _totals[key] = sql
    return sql


def _compile(q: Queries, relation: str, spec: IndicatorSpec, plan: Plan, totals: pa.Table | None,
             only_dyad: bool, daily: bool = False) -> _Compiled:
    from detente.query._indicators import indicator_expr

    names = _Compiled(sql="", grid=f"detente_grid_{uuid.uuid4().hex[:12]}",
                      totals=f"detente_totals_{uuid.uuid4().hex[:12]}" if totals is not None else None)
    stand_in = dataclasses.replace(plan, first_day=_STAND_INS["first_day"],
                                   last_day=_STAND_INS["last_day"],
                                   output_start=_STAND_INS["output_start"])
    with q._lock:
        con = q._con_for(relation)
        con.register(names.grid, plan.grid)
        if names.totals is not None:
            con.register(names.totals, totals)
        try:
            with ibis_duckdb(con) as backend:
                events = _relation(backend, relation, daily)
                grid = backend.table(names.grid)
                days = backend.table(names.totals) if names.totals is not None else None
                sql = str(backend.compile(indicator_expr(events, grid, spec, stand_in, totals=days,
                                                         only_dyad=only_dyad, daily=daily)))
        finally:
            con.unregister(names.grid)
            if names.totals is not None:
                con.unregister(names.totals)

    for name, day in _STAND_INS.items():
        if _literal(day) not in sql:
            raise LookupError(name)
        sql = sql.replace(_literal(day), f"${name}")
    return dataclasses.replace(names, sql=sql)


_EXPRESSION_MODULES = ("query/_indicators.py", "query/_baseline.py", "query/_plan.py", "query/_days.py",
                       "query/metrics.py", "query/_engines.py", "query/_compiled.py",
                       "series/_spec.py")
_fingerprint: str | None = None


def _versions() -> str:
    """Return what the compiled SQL depends on besides the shape of the run."""
    global _fingerprint
    if _fingerprint is None:
        from importlib.metadata import version

        from detente import __version__

        h = hashlib.sha256()
        for part in (__version__, version("ibis-framework"), version("sqlglot"), duckdb.__version__):
            h.update(str(part).encode() + b"\0")
        here = resources.files("detente")
        for name in _EXPRESSION_MODULES:
            try:
                h.update(here.joinpath(name).read_bytes())
            except OSError:
                h.update(name.encode())
        _fingerprint = h.hexdigest()
    return _fingerprint


def _disk_path(shape: tuple[object, ...], kind: str = "indicators") -> Path:
    key = hashlib.sha256((_versions() + repr(shape)).encode()).hexdigest()[:32]
    return cache_folder() / "sql" / f"{kind}-{key}.json"


def _from_disk(shape: tuple[object, ...]) -> _Compiled | None:
    try:
        doc = json.loads(_disk_path(shape).read_text(encoding="utf-8"))
        entry = _Compiled(sql=str(doc["sql"]), grid=str(doc["grid"]),
                          totals=None if doc["totals"] is None else str(doc["totals"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    wanted = shape[2]  # the shape says whether the query reads daily totals
    if (entry.totals is not None) != wanted or any(f"${n}" not in entry.sql for n in _STAND_INS):
        return None
    return entry


def _to_disk(shape: tuple[object, ...], entry: _Compiled) -> None:
    _write(_disk_path(shape), dataclasses.asdict(entry))


def _write(path: Path, doc: dict[str, object]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.partial")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(path)
        kind = path.name.split("-", 1)[0]
        kept = sorted(path.parent.glob(f"{kind}-*.json"), key=lambda f: f.stat().st_mtime)
        for old in kept[:-_KEPT_ON_DISK]:  # the least recently written go first
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home: compile again next time


def run_duckdb(q: Queries, spec: IndicatorSpec, plan: Plan,
               nan_to_null: tuple[str, ...] = ()) -> pa.Table:
    """Run the indicators of ``spec`` by ``plan`` on the store's connection; return the rows
    (columns as :func:`indicator_expr` names them, before tidying)."""
    from detente.query.types import Selection

    machine = any(d not in CURATED_DATASETS for d in plan.datasets)
    dyad = Selection(dyad=(spec.dyad[0], spec.dyad[1]))
    relation, scoped = q._source(dyad)
    totals = _totals_for(q, spec, scoped) if machine else None
    only_dyad = totals is not None and scoped
    if not only_dyad:
        relation = "events"
    # the dyad's daily sums serve a run of all issue areas without quality filters or
    # one-a-day rule, once
    # the daily totals of all events are at hand (or not needed)
    daily = (not spec.issue and not spec.one_a_day and not spec.root_only
             and spec.min_sources is None and (totals is not None or not machine))
    days = q._days(dyad) if daily else None
    if days is not None:
        relation, only_dyad = days[0], True
    daily = days is not None
    shape = (dataclasses.replace(spec, since=None, until=None, as_of=None), plan.datasets,
             totals is not None, only_dyad, daily)
    with _lock:
        entry = _compiled.get(shape)
        if entry is not None:
            _compiled.move_to_end(shape)
    if entry is None:
        entry = _from_disk(shape)
        if entry is None:
            try:
                entry = _compile(q, relation, spec, plan, totals, only_dyad, daily)
            except LookupError:
                entry = None  # a stand-in date did not survive compilation: run uncached
            else:
                _to_disk(shape, entry)
        if entry is not None:
            with _lock:
                _compiled[shape] = entry
                while len(_compiled) > _KEPT:
                    _compiled.popitem(last=False)
    if entry is None:
        return _nan_to_null(_run_once(q, relation, spec, plan, totals, only_dyad, daily), nan_to_null)
    params = {name: getattr(plan, name) for name in _STAND_INS}
    # the grid goes in as data written into the query; the daily totals, when kept, as a
    # table registered beside it
    # bound before the grid goes in: the grid's values are literals already, and binding
    # walks the text character by character (the grid is most of it)
    sql = bind(entry.sql, params).replace(f'"{entry.grid}"', _grid_values(plan.rows), 1)
    # the counts summed per cell come back from SUM as HUGEINT (Arrow decimals): BIGINT, the
    # type they are published as, so that the table needs no Arrow cast (nor pyarrow.compute)
    fixed = [f'CAST("{c}" AS BIGINT) AS "{c}"' for c in _SUMMED_COUNTS]
    fixed += [f'CASE WHEN isnan("{c}") THEN NULL ELSE "{c}" END AS "{c}"' for c in nan_to_null]
    sql = f"SELECT * REPLACE ({', '.join(fixed)}) FROM ({sql})"
    with q._lock:
        con = q._con_for(relation)
        if entry.totals is not None:
            con.register(entry.totals, totals)
        try:
            result: pa.Table = con.execute(sql).to_arrow_table()
            return result
        finally:
            if entry.totals is not None:
                con.unregister(entry.totals)


_SUMMED_COUNTS = ("q1", "q2", "q3", "q4", "threats", "force")
"""Columns of the indicator query that are sums of counts (always among its columns)."""


def _nan_to_null(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    for name in columns:
        i = table.schema.get_field_index(name)
        col = table.column(i)
        table = table.set_column(i, name, pc.if_else(pc.is_nan(col), pa.scalar(None, col.type), col))
    return table


def _totals_for(q: Queries, spec: IndicatorSpec, scoped: bool) -> pa.Table | None:
    """Return the daily totals to hand the indicator query, or ``None`` for the query to
    count them itself.

    Kept totals are used when there are some; they are counted and kept when this process
    already reads Arrow tables registered beside its queries (a dashboard, a brief, a
    notebook: DuckDB's client imports pandas for that, half a second). A short command
    that has neither lets the indicator query count them in the same pass.
    """
    key = ("indicators.daily_totals", spec.one_a_day, spec.root_only, spec.min_sources)
    found, kept = CACHE.get(q.stamp(), key)
    if found:
        table: pa.Table = kept
        return table
    if scoped or "pandas" in sys.modules:
        return _daily_totals(q, spec)
    return None


def _grid_values(grid: tuple[tuple[str, str, dt.date, dt.date, str], ...]) -> str:
    """Return the period grid as a relation written out (``VALUES``)."""
    written: dict[object, str] = {}  # datasets, directions, coverages and dates recur

    def lit(value: object) -> str:
        text = written.get(value)
        if text is None:  # a date as literal() writes it, without its checks of every type
            text = f"DATE '{value.isoformat()}'" if type(value) is dt.date else literal(value)
            written[value] = text
        return text

    rows = ", ".join(f"({', '.join(lit(v) for v in r)})" for r in grid)
    return f"(SELECT * FROM (VALUES {rows}) AS g({', '.join(GRID_COLUMNS)}))"


def _relation(backend: Any, relation: str, daily: bool) -> Any:
    """Return ``relation`` as an Ibis table: the indicator columns of the events, or every
    column of a dyad's daily sums (``daily``)."""
    table = backend.table(relation)
    return table if daily else table.select(*EVENT_COLUMNS)


def _run_once(q: Queries, relation: str, spec: IndicatorSpec, plan: Plan, totals: pa.Table | None,
              only_dyad: bool, daily: bool = False) -> pa.Table:
    import ibis  # type: ignore[import-untyped]

    from detente.query._indicators import indicator_expr

    with q._lock, ibis_duckdb(q._con_for(relation)) as backend:
        events = _relation(backend, relation, daily)
        days = ibis.memtable(totals) if totals is not None else None
        grid = ibis.memtable(plan.grid)
        result: pa.Table = indicator_expr(events, grid, spec, plan, totals=days,
                                          only_dyad=only_dyad, daily=daily).to_pyarrow()
    return result
