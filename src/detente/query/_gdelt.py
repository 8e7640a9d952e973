"""The indicators written against GDELT's own public BigQuery tables.

``detente indicators --show-sql --dialect bigquery --against gdelt`` prints one query a
user runs where GDELT lives (``gdelt-bq.gdeltv2.events`` for GDELT 2.0,
``gdelt-bq.full.events`` for 1.0), without downloading anything. It is not a second
definition of the indicators: GDELT's columns are renamed and converted into the
canonical event columns exactly as detente's GDELT reader converts the same fields of an
export file (:func:`gdelt_events`), and the very expression every engine runs
(:func:`~detente.query._indicators.indicator_expr`) is compiled over that by Ibis. What
cannot be expressed over GDELT's table is said in the query's header (:data:`LIMITS`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from detente.errors import QueryError
from detente.query._plan import GRID_COLUMNS, Plan
from detente.query.period import add_periods, period_floor, period_starts

if TYPE_CHECKING:
    import ibis.expr.types as ir  # type: ignore[import-untyped]

    from detente.series import IndicatorSpec

__all__ = ["GDELT_COLUMNS", "GDELT_TABLES", "LIMITS", "check_dialect", "gdelt_events",
           "gdelt_indicators_sql", "gdelt_plan"]

DIALECTS: tuple[str, ...] = (
    "athena", "bigquery", "clickhouse", "databricks", "datafusion", "druid", "duckdb", "exasol",
    "flink", "impala", "materialize", "mssql", "mysql", "oracle", "postgres", "pyspark",
    "risingwave", "snowflake", "sqlite", "trino",
)
"""The SQL dialects ``--show-sql`` writes (those Ibis compiles to)."""


def check_dialect(dialect: str) -> str:
    """Return ``dialect`` (``spark`` is ``pyspark``) if Ibis compiles to it.

    Raises:
        QueryError: it does not.
    """
    name = "pyspark" if dialect == "spark" else dialect
    if name not in DIALECTS:
        raise QueryError(f"--dialect {dialect}: not one of {', '.join(DIALECTS)}")
    if name == "pyspark":  # its compiler reads the options the PySpark backend registers
        import ibis

        _ = ibis.pyspark
    return name

GDELT_TABLES: dict[int, tuple[str, str, str]] = {
    2: ("gdelt-bq", "gdeltv2", "events"),
    1: ("gdelt-bq", "full", "events"),
}
"""GDELT's public event tables on BigQuery, by GDELT version: project, dataset, table."""

GDELT_START: dict[int, date] = {2: date(2015, 2, 18), 1: date(1979, 1, 1)}
"""The first day of each version's record."""

GDELT_COLUMNS: dict[str, str] = {
    "GLOBALEVENTID": "int64",
    "SQLDATE": "int64",
    "Actor1Code": "string",
    "Actor1CountryCode": "string",
    "Actor1KnownGroupCode": "string",
    "Actor2Code": "string",
    "Actor2CountryCode": "string",
    "Actor2KnownGroupCode": "string",
    "IsRootEvent": "int64",
    "EventCode": "string",
    "QuadClass": "int64",
    "GoldsteinScale": "float64",
    "NumMentions": "int64",
    "NumSources": "int64",
    "SOURCEURL": "string",
}
"""The columns of GDELT's table the indicators read, with their BigQuery types
(INTEGER, STRING, FLOAT): the same names in 1.0's and 2.0's tables."""

MAPPING: tuple[tuple[str, str], ...] = (
    ("event_id", "'gdelt2:' (or 'gdelt1:') || GLOBALEVENTID"),
    ("date", "SQLDATE (YYYYMMDD) as a date"),
    ("source_actor / target_actor", "Actor1Code / Actor2Code"),
    ("source_country", "Actor1CountryCode, else Actor1KnownGroupCode"),
    ("target_country", "Actor2CountryCode, else Actor2KnownGroupCode"),
    ("event_code / event_root", "EventCode / its first two digits"),
    ("quad_class / goldstein", "QuadClass / GoldsteinScale"),
    ("num_mentions / num_sources", "NumMentions / NumSources"),
    ("is_root", "IsRootEvent = 1"),
    ("url", "SOURCEURL"),
)
"""How GDELT's columns become the canonical ones (as detente's GDELT reader reads them)."""

LIMITS: tuple[str, ...] = (
    "issue areas: detente tags events with its rules at ingest (codes, the text of the "
    "source's address); GDELT's table carries no such tags, so --issue cannot be asked and "
    "untagged_share is NULL",
    "coverage: every period is taken as complete; gaps in GDELT's own record are not "
    "seen (a store's coverage comes from the files it read)",
    "quarantine: rows detente's reader would set aside (an unknown CAMEO code, a "
    "GoldsteinScale out of range) are counted as GDELT gives them; a missing QuadClass or "
    "GoldsteinScale is not derived from the CAMEO code",
    "de-duplication: the table holds each GLOBALEVENTID once, as a store keeps one copy of "
    "each event id; reports of one event under new ids count in both (--one-a-day collapses "
    "repeats of a day in both)",
    "events_share: its denominator is all of GDELT's events of the period in this table",
)
"""What the query over GDELT's table cannot do as a store does, stated in its header."""


def gdelt_events(version: int = 2) -> ir.Table:
    """Return GDELT's public table (``version`` 2 or 1) as an Ibis table of the canonical
    event columns the indicators read, converted as detente's GDELT reader converts them."""
    import ibis

    project, dataset, table = GDELT_TABLES[version]
    t = ibis.table(GDELT_COLUMNS, name=table, catalog=project, database=dataset)

    def blank(name: str) -> ir.Value:
        return t[name].strip().nullif("")

    prefix = f"gdelt{version}"
    return t.select(
        event_id=ibis.literal(prefix + ":").concat(t.GLOBALEVENTID.cast("string")),
        date=t.SQLDATE.cast("string").as_date("%Y%m%d"),
        source_actor=t.Actor1Code.nullif(""),
        target_actor=t.Actor2Code.nullif(""),
        source_country=ibis.coalesce(t.Actor1CountryCode.nullif(""),
                                     t.Actor1KnownGroupCode.nullif("")),
        target_country=ibis.coalesce(t.Actor2CountryCode.nullif(""),
                                     t.Actor2KnownGroupCode.nullif("")),
        event_code=t.EventCode,
        event_root=t.EventCode.left(2),
        plover_type=ibis.null("string"),  # a function of the CAMEO code: grouping by it adds nothing
        quad_class=t.QuadClass,
        goldstein=t.GoldsteinScale,
        num_mentions=t.NumMentions,
        num_sources=t.NumSources,
        is_root=ibis.cases((t.IsRootEvent == 1, True), (t.IsRootEvent == 0, False),
                           else_=ibis.null("boolean")),
        issue_areas=ibis.null("array<string>"),
        dataset=ibis.literal(prefix),
        text=ibis.null("string"),
        url=blank("SOURCEURL"),
    )


def gdelt_plan(spec: IndicatorSpec, version: int = 2, today: date | None = None) -> tuple[Plan, date]:
    """Return the plan of a run over GDELT's whole table and its as-of date: from
    ``spec.since`` (its baseline periods before it), up to ``spec.as_of``, else
    ``spec.until``, else yesterday; every period taken as complete.

    Raises:
        QueryError: no ``since``; a date before GDELT's record; an issue area asked.
    """
    if spec.issue:
        raise QueryError("--against gdelt: issue areas are detente's own tags, made at ingest; "
                         "GDELT's table has none (leave out --issue)")
    if spec.since is None:
        raise QueryError("--against gdelt needs --since (GDELT's table holds decades of events)")
    start = GDELT_START[version]
    as_of = spec.as_of or spec.until or ((today or date.today()) - timedelta(days=1))
    last_day = min(as_of, spec.until) if spec.until else as_of
    if last_day < max(spec.since, start):
        raise QueryError(f"--against gdelt: nothing between {max(spec.since, start)} and {last_day} "
                         f"(GDELT {'2.0' if version == 2 else '1.0'} starts on {start})")
    p = spec.period
    since_period = period_floor(spec.since, p)
    first = max(period_floor(start, p), add_periods(since_period, p, -spec.baseline_periods))
    label = "combined" if spec.combine else f"gdelt{version}"
    rows = []
    for begin in period_starts(first, last_day, p):
        end = add_periods(begin, p, 1) - timedelta(days=1)
        for direction in spec.directions():
            rows.append((label, direction, begin, min(end, last_day), "complete"))
    plan = Plan(first_day=first, last_day=last_day, datasets=(f"gdelt{version}",),
                output_start=max(since_period, first), rows=tuple(rows))
    return plan, as_of


def _grid_relation(plan: Plan, dialect: str) -> str:
    def lit(v: object) -> str:
        return f"DATE '{v.isoformat()}'" if isinstance(v, date) else "'" + str(v).replace("'", "''") + "'"

    if dialect == "bigquery":
        body = ",\n    ".join("STRUCT(" + ", ".join(f"{lit(v)} AS {c}" for c, v in
                                                      zip(GRID_COLUMNS, r, strict=True)) + ")"
                              for r in plan.rows)
        return f"(SELECT * FROM UNNEST([\n    {body}\n  ]))"
    body = ",\n    ".join("(" + ", ".join(lit(v) for v in r) + ")" for r in plan.rows)
    return f"(SELECT * FROM (VALUES\n    {body}\n  ) AS g({', '.join(GRID_COLUMNS)}))"


def gdelt_indicators_sql(spec: IndicatorSpec, version: int = 2, dialect: str = "bigquery",
                         today: date | None = None) -> str:
    """Return one query computing the indicators of ``spec`` over GDELT's public table,
    with a header saying what it reads and what it cannot do.

    Raises:
        QueryError: see :func:`gdelt_plan`.
    """
    import ibis

    from detente.query._indicators import indicator_expr

    dialect = check_dialect(dialect)
    plan, as_of = gdelt_plan(spec, version, today)
    lo, hi = (int(d.strftime("%Y%m%d")) for d in (plan.first_day, plan.last_day))
    raw = gdelt_events(version)
    events = raw.filter(raw.date.between(plan.first_day, plan.last_day))
    grid = ibis.memtable(plan.grid)
    expr = indicator_expr(events, grid, spec, plan)
    expr = expr.mutate(untagged_share=ibis.null("float64"))
    try:
        sql = str(ibis.to_sql(expr, dialect=dialect))
    except (NotImplementedError, ibis.common.exceptions.IbisError) as exc:
        raise QueryError(f"--dialect {dialect}: the indicators cannot be written in it "
                         f"({str(exc).splitlines()[0][:200]})") from None
    name = grid.op().name
    for quoted in (f"`{name}`", f'"{name}"', name):
        if quoted in sql:
            sql = sql.replace(quoted, _grid_relation(plan, dialect))
            break
    table = ".".join(GDELT_TABLES[version])
    header = [
        f"detente indicators of {spec.pooled_direction} by {spec.period}, from {spec.since} "
        f"(baselines from {plan.first_day}) to {plan.last_day}, as of {as_of}",
        f"over GDELT {'2.0' if version == 2 else '1.0'}'s public table `{table}` "
        f"(SQLDATE {lo} to {hi}); columns read: {', '.join(GDELT_COLUMNS)}",
        "",
        "GDELT's columns as the canonical event columns (as detente's GDELT reader reads them):",
        *(f"  {canon:<28} {src}" for canon, src in MAPPING),
        "",
        "Not expressible over GDELT's table (a store that read the same files can differ here):",
        *(f"  - {limit}" for limit in LIMITS),
    ]
    return "\n".join(f"-- {line}".rstrip() for line in header) + f"\n{sql};\n"
