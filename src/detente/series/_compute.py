"""Run the indicators: resolve the selection, build the expression, execute it."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pyarrow as pa

from detente.errors import QueryError
from detente.query import Selection
from detente.query._engines import get_backend
from detente.query._plan import GRID_COLUMNS, Plan
from detente.query.metrics import CURATED_DATASETS
from detente.query.period import add_periods, period_floor, period_starts
from detente.series._coverage import FileCoverage, dataset_coverage
from detente.series._spec import BASELINE_METRICS, IndicatorSpec
from detente.store import Store

__all__ = ["INDICATOR_SCHEMA", "compute_indicators", "indicators_sql", "relationship_index"]

_F = pa.float64()
INDICATOR_SCHEMA: pa.Schema = pa.schema(
    [
        ("dataset", pa.string()), ("direction", pa.string()), ("issue_area", pa.string()),
        ("period_start", pa.date32()), ("period_end", pa.date32()), ("coverage", pa.string()),
        ("events", pa.int64()),
        ("q1", pa.int64()), ("q2", pa.int64()), ("q3", pa.int64()), ("q4", pa.int64()),
        ("q1_share", _F), ("q2_share", _F), ("q3_share", _F), ("q4_share", _F),
        ("threats", pa.int64()), ("force", pa.int64()),
        ("goldstein_mean", _F), ("goldstein_weighted", _F), ("goldstein_sum", _F),
        ("net_cooperation", _F), ("material_conflict_share", _F), ("events_share", _F),
        ("low_evidence", pa.bool_()), ("relationship_index", _F),
        ("dyad_events", pa.int64()), ("untagged_share", _F),
        *[(f"{m}_{k}", _F) for m in BASELINE_METRICS for k in ("baseline", "diff", "z")],
    ]
)


def _selection(spec: IndicatorSpec, *, with_since: bool = True) -> Selection:
    return Selection(
        dyad=spec.dyad,
        since=spec.since if with_since else None,
        until=spec.until,
        issue_areas=(spec.issue,) if spec.issue else (),
        datasets=spec.datasets or (),
        root_only=spec.root_only,
        min_sources=spec.min_sources,
    )


def _describe(spec: IndicatorSpec) -> str:
    parts = [spec.pooled_direction]
    if spec.issue:
        parts.append(f"issue {spec.issue}")
    if spec.datasets:
        parts.append(f"dataset {', '.join(spec.datasets)}")
    if spec.since or spec.until:
        parts.append(f"from {spec.since or 'the start'} to {spec.until or 'the end'}")
    return ", ".join(parts)


def _validate(store: Store, spec: IndicatorSpec) -> None:
    if spec.issue and spec.issue not in store.known_areas():
        raise QueryError(f"unknown issue area {spec.issue!r}; known: {', '.join(store.known_areas())}")
    store.validate(Selection(dyad=spec.dyad))


def _check_datasets(store: Store, spec: IndicatorSpec, found: dict[str, date]) -> None:
    missing = [d for d in spec.datasets or () if d not in found]
    if not missing:
        return
    present = store.queries.datasets()
    unknown = [d for d in missing if d not in present]
    if unknown:
        raise QueryError(f"unknown dataset(s) {', '.join(unknown)}; in the store: {', '.join(present)}")
    raise QueryError(f"dataset(s) {', '.join(missing)} have no events for {_describe(spec)}")


def _extent(store: Store, spec: IndicatorSpec) -> list[tuple[str, date, date | None, date | None]]:
    """Return, per dataset, the first selected day ignoring ``since``, and the first and last from it.

    One pass over the events: the as-of date, the datasets and the grid all come from it.
    The issue area is left out: a dataset with events of the dyad but none tagged with
    the issue gets rows of 0 events beside the share of its events no rule could tag.
    """
    sel = _selection(spec).narrowed(issue_areas=())
    return store.queries.extent(sel, spec.since, spec.as_of)


_Extent = list[tuple[str, date, date | None, date | None]]


def plan_run(store: Store, spec: IndicatorSpec) -> tuple[Plan, date]:
    """Resolve the as-of date, the datasets and the period grid of a run.

    Returns:
        the plan and the as-of date.

    Raises:
        QueryError: unknown issue, country or dataset; no events in the selection.
    """
    _validate(store, spec)
    return _plan(store, spec, _extent(store, spec))


def _plan(store: Store, spec: IndicatorSpec, extent: _Extent) -> tuple[Plan, date]:
    in_range = {d: first for d, _, first, _ in extent if first is not None}
    _check_datasets(store, spec, in_range)
    if not in_range:
        upto = f" up to the as-of date {spec.as_of}" if spec.as_of else ""
        raise QueryError(f"no events for {_describe(spec)}{upto}")
    as_of = spec.as_of or max(last for _, _, _, last in extent if last is not None)
    last_day = min(as_of, spec.until) if spec.until else as_of
    ever = {d: first for d, first, _, _ in extent}
    p = spec.period
    since_period = period_floor(spec.since, p) if spec.since else None

    def series_start(names: list[str]) -> date:
        first = period_floor(min(ever[d] for d in names), p)
        if since_period is None:
            return first
        return max(first, add_periods(since_period, p, -spec.baseline_periods))

    series = {"combined": list(in_range)} if spec.combine else {d: [d] for d in in_range}
    covered = dataset_coverage(store, spec.reporting_lag)
    rows: list[tuple[str, str, date, date, str]] = []
    starts = {}
    for label, names in series.items():
        starts[label] = series_start(names)
        for start in period_starts(starts[label], last_day, p):
            end = add_periods(start, p, 1) - timedelta(days=1)
            state = _coverage(covered, names, start, end, spec.reporting_lag)
            for direction in spec.directions():
                rows.append((label, direction, start, min(end, last_day), state))
    plan = Plan(
        first_day=min(starts.values()),
        last_day=last_day,
        datasets=tuple(in_range),
        output_start=since_period or min(starts.values()),
        rows=tuple(rows),
    )
    return plan, as_of


def _coverage(covered: dict[str, FileCoverage], names: list[str], start: date, end: date,
              lag: int) -> str:
    """Return the grid's coverage of one period of a series of ``names`` (pooled: complete
    when each is, ``none`` when none covers a day, else partial)."""
    states = {covered[d].status(start, end, lag) if d in covered else
              ("curated" if d in CURATED_DATASETS else "none") for d in names}
    if len(states) == 1:
        return states.pop()
    if states <= {"complete", "curated"}:
        return "complete"
    return "none" if states <= {"none"} else "partial"


_FLOATS = tuple(f.name for f in INDICATOR_SCHEMA if pa.types.is_floating(f.type))


def _tidy(table: pa.Table, nan_free: bool = False) -> pa.Table:
    """Cast to the published schema; turn any NaN an engine made into null (unless the
    engine already did: ``nan_free``)."""
    if nan_free:
        table = table.select(INDICATOR_SCHEMA.names)
        # a cast, even to the types a table has, loads pyarrow.compute (a short command's
        # tenth of a second): only when a type differs
        return table if table.schema.equals(INDICATOR_SCHEMA) else table.cast(INDICATOR_SCHEMA)
    import pyarrow.compute as pc

    cols = []
    for field in INDICATOR_SCHEMA:
        col = table.column(field.name).cast(field.type)
        if pa.types.is_floating(field.type):
            col = pc.if_else(pc.is_nan(col), pa.scalar(None, field.type), col)
        cols.append(col)
    return pa.Table.from_arrays(cols, schema=INDICATOR_SCHEMA)


def compute_indicators(store: Store, spec: IndicatorSpec, backend: str = "duckdb") -> pa.Table:
    """Compute the indicator table of ``spec`` on the named engine.

    Args:
        store: the event store.
        spec: what to compute.
        backend: ``duckdb`` (the store itself) or ``spark`` (local PySpark).

    Returns:
        One row per dataset x direction x period (see ``INDICATOR_SCHEMA``),
        sorted by dataset, direction and period start; with ``spec.per_1000``, the
        columns ``events_per_1000``, ``threats_per_1000`` and ``force_per_1000`` after
        them. The table's schema metadata holds the as-of date under ``as_of``.

    Raises:
        QueryError: unknown issue, country, dataset or backend; no events selected.
    """
    engine = get_backend(backend)
    table = None
    if engine.name == "duckdb" and spec.since is not None:
        table = _from_history(store, dataclasses.replace(spec, per_1000=False))
    if table is None:
        table = _run(store, dataclasses.replace(spec, per_1000=False), engine.name)[0]
    return store.queries.per_1000(spec, table) if spec.per_1000 else table


def _run(store: Store, spec: IndicatorSpec, backend: str) -> tuple[pa.Table, _Extent]:
    """Compute ``spec`` on ``backend``; return the table and the run's extent."""
    engine = get_backend(backend)
    _validate(store, spec)
    extent = _extent(store, spec)
    plan, as_of = _plan(store, spec, extent)
    result = store.queries.indicators(spec, plan, engine.name, nan_to_null=_FLOATS)
    table = _tidy(result, nan_free=engine.name == "duckdb")
    return table.replace_schema_metadata({"as_of": as_of.isoformat()}), extent


def _from_history(store: Store, spec: IndicatorSpec) -> pa.Table | None:
    """Return the rows of ``spec`` cut from its whole history (the same run without
    ``since``, computed once per state of the store and kept), or ``None`` when a
    cut would not give exactly the rows of a run of its own.

    A run from ``since`` starts its grid up to ``baseline_periods`` before the
    period of ``since`` and counts each period whole, so its rows from that period
    on, baselines included, are the whole history's rows from there, less the
    datasets with no event from ``since``. A pooled series (``combine``) is cut
    only when no dataset drops out, since a dataset that does would no longer
    count in the earlier periods' baselines. Errors are left to the run of its own.
    """
    assert spec.since is not None
    whole = dataclasses.replace(spec, since=None)
    try:
        table, extent = store.queries.cached(("indicators", whole),
                                             lambda: _run(store, whole, "duckdb"))
    except QueryError:
        return None
    every = [d for d, _, _, last in extent if last is not None]
    kept = [d for d, _, _, last in extent if last is not None and last >= spec.since]
    if not kept or any(d not in kept for d in spec.datasets or ()) or (
            spec.combine and kept != every):
        return None
    import pyarrow.compute as pc

    start = period_floor(spec.since, spec.period)
    keep = pc.greater_equal(table.column("period_start"), pa.scalar(start, pa.date32()))
    if not spec.combine and kept != every:
        keep = pc.and_(keep, pc.is_in(table.column("dataset"), pa.array(kept, pa.string())))
    return table.filter(keep)


def relationship_index(store: Store, dyad: tuple[str, str] = ("USA", "RUS"), period: str = "month",
                       **kw: Any) -> pa.Table:
    """Return the pooled (both directions) indicator rows: one series per dataset.

    ``relationship_index`` is the headline column: the mentions-weighted mean
    Goldstein score, with its baseline, difference and z-score. Keyword
    arguments are :class:`IndicatorSpec` fields (``backend=`` picks the engine).
    """
    backend = kw.pop("backend", "duckdb")
    kw.pop("split_directions", None)
    spec = IndicatorSpec(dyad=dyad, period=period, split_directions=False, **kw)
    return compute_indicators(store, spec, backend=backend)


def indicators_sql(store: Store, spec: IndicatorSpec, dialect: str = "bigquery") -> str:
    """Return the SQL that computes ``spec`` in ``dialect``, without running it.

    The query reads the canonical ``events`` table and a ``period_grid`` table
    (one row per series and period), created by the statement printed first.
    """
    plan, as_of = plan_run(store, spec)
    query = store.queries.indicators_sql(spec, plan, dialect)
    rows = [dict(zip(GRID_COLUMNS, r, strict=True)) for r in plan.rows]
    return (
        f"-- detente indicators for {_describe(spec)}, as of {as_of}, by {spec.period}\n"
        f"-- period_grid: {len(rows)} rows, one per series and period\n"
        f"{_grid_sql(rows, dialect)};\n\n{query};\n"
    )


def _grid_sql(rows: list[dict[str, Any]], dialect: str) -> str:
    def lit(v: Any) -> str:
        return f"DATE '{v.isoformat()}'" if isinstance(v, date) else "'" + str(v).replace("'", "''") + "'"

    if dialect == "bigquery":
        body = ",\n  ".join(
            f"STRUCT({lit(r['dataset'])} AS dataset, {lit(r['direction'])} AS direction, "
            f"{lit(r['period_start'])} AS period_start, {lit(r['period_end'])} AS period_end, "
            f"{lit(r['coverage'])} AS coverage)"
            for r in rows
        )
        return f"CREATE TEMP TABLE period_grid AS\nSELECT * FROM UNNEST([\n  {body}\n])"
    body = ",\n  ".join(
        "(" + ", ".join(lit(r[c]) for c in GRID_COLUMNS) + ")"
        for r in rows
    )
    return ("CREATE TEMP TABLE period_grid AS\nSELECT * FROM (VALUES\n  "
            f"{body}\n) AS g({', '.join(GRID_COLUMNS)})")
