"""`detente indicators`: counts, shares and Goldstein means of a dyad per period."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from detente.cli._options import (
    PERIODS,
    DatasetOpt,
    FromOpt,
    MinSourcesOpt,
    RootOnlyOpt,
    SinceOpt,
    StoreOpt,
    ToOpt,
    UntilOpt,
    WaitOpt,
    open_store,
)
from detente.cli._render import OutputFormat, render, stderr
from detente.errors import DetenteError, QueryError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["TABLE_COLUMNS", "register"]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


# what a terminal shows (files get every column): the relationship index (index) and its z-score,
# net cooperation, the material-conflict share, the share of the dataset's volume, the low-evidence mark
TABLE_COLUMNS: list[str] = ["dataset", "direction", "period", "cover", "events", "q1/2/3/4", "index",
                            "z", "net_coop", "conflict", "share", "low", "untagged"]


# the columns the terminal view reads (converting only these to Python values)
_SHOWN = ["dataset", "direction", "period_start", "coverage", "events", "q1", "q2", "q3", "q4",
          "relationship_index", "relationship_index_z", "net_cooperation",
          "material_conflict_share", "events_share", "low_evidence", "untagged_share"]


def _count(value: int | None) -> str:
    return "—" if value is None else str(value)


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _terminal_table(table: pa.Table, period: str, title: str, min_events: int) -> None:
    """Print the terminal view: the main columns, short labels, two decimals."""
    from detente.cli._aligned import print_aligned
    from detente.query.period import period_label

    caption = (f"index: relationship index (mean Goldstein, mentions-weighted); z: its z-score against "
               f"the baseline; conflict: material-conflict share; share: of the dataset's events; "
               f"low: fewer than {min_events} events; cover: what the files cover of the "
               f"period (partial: read with care; missing: unknown, not 0; curated: "
               f"hand-picked, a 0 is not absence); untagged: share of the dyad's events whose "
               f"issue area cannot be told")
    rows = [[r["dataset"], r["direction"], period_label(r["period_start"], period), r["coverage"],
             _count(r["events"]),
             "—" if r["q1"] is None else f"{r['q1']}/{r['q2']}/{r['q3']}/{r['q4']}",
             _num(r["relationship_index"]),
             _num(r["relationship_index_z"]), _num(r["net_cooperation"]),
             _num(r["material_conflict_share"]), _num(r["events_share"]),
             "low" if r["low_evidence"] else "", _pct(r["untagged_share"])]
            for r in table.select(_SHOWN).to_pylist()]
    labels = list(TABLE_COLUMNS)
    if "events_per_1000" in table.column_names:  # --per-1000
        labels.append("per_1k")
        caption += ("; per_1k: the dyad's events per 1,000 GDELT events of the period's "
                    "fetched files (empty: no totals)")
        for row, v in zip(rows, table.column("events_per_1000").to_pylist(), strict=True):
            row.append(_num(v))
    columns = [(label, "left" if label in ("dataset", "direction", "period") else "right")
               for label in labels]
    print_aligned(title, columns, rows, caption)


class IndicatorFormat(StrEnum):
    """How the indicator table is written."""

    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    parquet = "parquet"


class SqlTarget(StrEnum):
    """What the SQL of --show-sql reads."""

    events = "events"
    gdelt = "gdelt"


_SUFFIX = {".csv": IndicatorFormat.csv, ".json": IndicatorFormat.json, ".jsonl": IndicatorFormat.jsonl,
           ".parquet": IndicatorFormat.parquet}


def _spec_dyad(dyad: str | None, source: str | None, target: str | None) -> tuple[tuple[str, str], bool]:
    """Return the dyad and whether only the --from/--to direction is wanted."""
    from detente.query.types import parse_dyad

    if (source is None) != (target is None):
        raise QueryError("--from and --to go together (one direction: --from USA --to RUS)")
    if source and target:
        pair = parse_dyad(f"{source}-{target}")
        if dyad and set(parse_dyad(dyad)) != set(pair):
            raise QueryError(f"--from {source} --to {target} is not a direction of --dyad {dyad}")
        return pair, True
    return parse_dyad(dyad or "USA-RUS"), False


def indicators(
    dyad: Annotated[str | None, typer.Option("--dyad", help="Both directions (default USA-RUS).")] = None,
    split: Annotated[bool, typer.Option("--split", help="One row per direction (USA->RUS).")] = False,
    source: FromOpt = None,
    target: ToOpt = None,
    period: Annotated[str, typer.Option("--period", help=f"One of {', '.join(PERIODS)}.")] = "month",
    issue: Annotated[str | None, typer.Option("--issue", help="One issue area (default: all).")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Ignore later events (default: the last event date selected).")] = None,
    dataset: DatasetOpt = None,
    combine: Annotated[bool, typer.Option("--combine", help="Pool the datasets into one series.")] = False,
    min_events: Annotated[int, typer.Option("--min-events", help="Fewer events: low evidence.")] = 5,
    baseline: Annotated[int, typer.Option("--baseline", help="Periods in the rolling baseline.")] = 12,
    one_a_day: Annotated[bool, typer.Option(
        "--one-a-day", help="One event per day, source, target and code.")] = False,
    root_only: RootOnlyOpt = False,
    min_sources: MinSourcesOpt = None,
    reporting_lag: Annotated[int, typer.Option(
        "--reporting-lag", help="Days after an event within which it is reported: a period is "
        "complete when the files cover every publication day to its end plus this.")] = 7,
    per_1000: Annotated[bool, typer.Option(
        "--per-1000", help="Add the dyad's events, threats and uses of force per 1,000 GDELT "
        "events of the period (same files, same event dates; empty where no fetched file "
        "has totals).")] = False,
    backend: Annotated[str, typer.Option("--backend", help="duckdb (the store) or spark.")] = "duckdb",
    output: Annotated[IndicatorFormat | None, typer.Option(
        "--as", help="Output format (default: table, or from the -o suffix).")] = None,
    out: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file.")] = None,
    spark_master: Annotated[str | None, typer.Option(
        "--spark-master", help="With --backend spark: the master to start Spark on (default "
        "local[2]; e.g. spark://host:7077).", show_default=False)] = None,
    show_sql: Annotated[bool, typer.Option(
        "--show-sql", help="Print the SQL instead of running it.")] = False,
    dialect: Annotated[str, typer.Option(
        "--dialect", help="With --show-sql: the SQL dialect (bigquery, duckdb, pyspark, "
        "postgres, snowflake, trino, ...).")] = "bigquery",
    against: Annotated[SqlTarget, typer.Option(
        "--against", help="With --show-sql: the store's canonical events table, or GDELT's "
        "public BigQuery table and its own column names (needs --since; no store read).")
    ] = SqlTarget.events,
    gdelt_version: Annotated[int, typer.Option(
        "--version", min=1, max=2, help="With --against gdelt: GDELT 2.0 (gdelt-bq.gdeltv2.events) "
        "or 1.0 (gdelt-bq.full.events).")] = 2,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Indicators of a dyad per period: counts per quad class, Goldstein means, baselines.

    One series per dataset (--combine pools them); empty periods show 0 events and
    empty means; cells under --min-events are flagged low_evidence. Each period says
    what the ingested files cover of it (coverage: complete, partial, missing or
    curated); a missing period has no counts (unknown, not 0). untagged_share is the
    share of the dyad's events whose issue area cannot be told. --per-1000 adds
    events_per_1000 (and threats_, force_) over every GDELT event of the fetched files. The terminal table
    shows the main columns; files (-o, or --as csv/json/parquet) get all.
    """
    from detente.query.types import parse_date
    from detente.series import IndicatorSpec, compute_indicators, indicators_sql

    pair, one_direction = _spec_dyad(dyad, source, target)
    spec = IndicatorSpec(
        dyad=pair, split_directions=split or one_direction, period=period, issue=issue,
        since=parse_date(since, "--since"), until=parse_date(until, "--until"),
        as_of=parse_date(as_of, "--as-of"), datasets=tuple(dataset) if dataset else None,
        combine=combine, min_events=min_events, baseline_periods=baseline, one_a_day=one_a_day,
        root_only=root_only, min_sources=min_sources, reporting_lag=reporting_lag,
        per_1000=per_1000,
    )
    fmt = output or (_SUFFIX.get(out.suffix.lower(), IndicatorFormat.csv) if out else IndicatorFormat.table)
    if fmt is IndicatorFormat.parquet and out is None:
        raise DetenteError("--as parquet needs a file: -o FILE.parquet")
    if dialect != "bigquery":  # the default is one (and the module is not needed to run)
        from detente.query._gdelt import check_dialect

        dialect = check_dialect(dialect)
    if against is SqlTarget.gdelt:
        from detente.query._gdelt import gdelt_indicators_sql

        if not show_sql:
            raise DetenteError("--against gdelt goes with --show-sql (the SQL is run where GDELT is)")
        if dataset:
            raise DetenteError("--against gdelt reads GDELT's table only: no --dataset")
        typer.echo(gdelt_indicators_sql(spec, gdelt_version, dialect=dialect), nl=False)
        return
    if backend == "spark":
        from detente.query._engines import use_spark_master

        use_spark_master(spark_master)
    with open_store(store, wait=wait) as st:
        st.check_datasets(dataset or ())
        if show_sql:
            typer.echo(indicators_sql(st, spec, dialect=dialect))
            return
        table = compute_indicators(st, spec, backend=backend)
    as_of_day = (table.schema.metadata or {}).get(b"as_of", b"").decode()
    if one_direction:
        import pyarrow.compute as pc

        table = table.filter(pc.equal(table["direction"], f"{pair[0]}->{pair[1]}"))
    if fmt is IndicatorFormat.parquet:
        assert out is not None
        import pyarrow.parquet as pq

        try:
            pq.write_table(table, out)
        except OSError as exc:
            raise DetenteError(f"{out}: cannot write ({exc.strerror})") from None
    elif out is not None:
        try:
            with out.open("w", encoding="utf-8", newline="") as fh:
                render(table, OutputFormat(fmt.value), out=fh)
        except OSError as exc:
            raise DetenteError(f"{out}: cannot write ({exc.strerror})") from None
    elif fmt is IndicatorFormat.table:
        title = f"{spec.pooled_direction} by {spec.period}, issue {spec.issue_area}, as of {as_of_day}"
        _terminal_table(table, spec.period, title, spec.min_events)
    else:
        render(table, OutputFormat(fmt.value))
    if out is not None:
        stderr().print(f"wrote {table.num_rows:,} rows to {out} (as of {as_of_day})")


def register(app: typer.Typer) -> None:
    """Add `detente indicators` to ``app``."""
    app.command(name="indicators")(indicators)
