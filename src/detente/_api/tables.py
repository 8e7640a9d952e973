"""The functions that return tables: the events and the indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from detente._api.arguments import (
    _country,
    _date,
    _dyad,
    _many,
    _output,
    _period,
    _quads,
    _text,
    _whole,
    _window,
)
from detente.errors import QueryError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from detente.store import Store


def events(
    store: Store,
    *,
    dyad: str | Sequence[str] | None = None,
    source: str | None = None,
    target: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    issue: str | Sequence[str] | None = None,
    code: str | Sequence[str] | None = None,
    root: str | Sequence[str] | None = None,
    quad: int | str | Sequence[int | str] | None = None,
    dataset: str | Sequence[str] | None = None,
    root_only: bool = False,
    min_sources: int | None = None,
    search: str | None = None,
    output: Literal["pandas", "arrow"] | None = None,
    limit: int | None = None,
    offset: int = 0,
    columns: str | Sequence[str] | None = None,
) -> pd.DataFrame | pa.Table:
    """Return the selected events, oldest first (``detente events``).

    Every filter given must hold; with none, every event of every dataset.

    Args:
        store: an open store (see :func:`open_store`).
        dyad: both directions between two countries, ``"USA-RUS"`` or ``("USA", "RUS")``.
        source: the acting country, e.g. ``"USA"`` (``--from``).
        target: the receiving country, e.g. ``"RUS"`` (``--to``); with ``source``: one direction.
        since: first day (``"2014"``, ``"2014-03"``, ``"2014-03-01"`` or a date).
        until: last day, included.
        issue: issue area(s), e.g. ``"arms_control"``: events tagged with any of them.
        code: CAMEO code(s) or prefix(es), e.g. ``"163"``.
        root: CAMEO root(s), ``"01"`` to ``"20"``.
        quad: quad class(es), 1 to 4.
        dataset: dataset(s), e.g. ``"curated"`` or ``["gdelt2", "icews"]``; default all.
        root_only: GDELT: only root events.
        min_sources: GDELT: at least this many sources.
        search: a case-insensitive substring of the text, URL or actor names.
        output: ``None`` or ``"pandas"`` for a DataFrame, ``"arrow"`` for a pyarrow Table.
        limit: rows at most; ``None`` (or 0) for all.
        offset: rows to skip first.
        columns: the columns to keep, a list or ``"a,b,c"``; default every canonical
            column (see ``detente.CANONICAL_SCHEMA``).

    Returns:
        One row per event in the canonical layout (``date``, ``source_actor``,
        ``target_actor``, ``event_code``, ``quad_class``, ``goldstein``, ``issue_areas``,
        ``dataset``, ``text``, ...), ordered by date, then event id.

    Raises:
        QueryError: a value is not valid (a country code, a date, an issue area, a column
            or an output that the store or the schema does not know).

    Example:
        with detente.open_store() as st:
            df = detente.events(st, source="RUS", target="UKR", since="2022", quad=4,
                                columns=["date", "event_code", "text"])
    """
    from detente.schema import CANONICAL_SCHEMA
    from detente.store import EventFilter

    how = _output(output, (None, "pandas", "arrow"), "write a DataFrame with its to_csv or to_json")
    pair = _dyad(dyad)
    src = _country(source, "source") if source is not None else None
    dst = _country(target, "target") if target is not None else None
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    if min_sources is not None:
        _whole(min_sources, "min_sources", 0)
    if limit is not None:
        _whole(limit, "limit", 0)
    _whole(offset, "offset", 0)
    cols = _many(columns.split(",") if isinstance(columns, str) else columns, "columns")
    unknown = [c for c in cols if c not in CANONICAL_SCHEMA.names]
    if unknown:
        known = ", ".join(CANONICAL_SCHEMA.names)
        raise QueryError(f"unknown column(s) {', '.join(unknown)}; known: {known}")
    flt = EventFilter(
        dyad=pair, source=src, target=dst, since=first, until=last, issue_areas=_many(issue, "issue"),
        codes=_many(code, "code"), roots=_many(root, "root"), quad_classes=_quads(quad),
        datasets=_many(dataset, "dataset"), root_only=bool(root_only), min_sources=min_sources,
        search=_text(search, "search") if search is not None else None,
    )
    store.validate(flt)
    table = store.events(flt, limit=limit or None, offset=offset)
    if cols:
        table = table.select(list(cols))
    return table if how == "arrow" else table.to_pandas()


def indicators(
    store: Store,
    *,
    dyad: str | Sequence[str] | None = None,
    split: bool = False,
    source: str | None = None,
    target: str | None = None,
    period: str = "month",
    issue: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | Sequence[str] | None = None,
    combine: bool = False,
    min_events: int = 5,
    baseline: int = 12,
    one_a_day: bool = False,
    root_only: bool = False,
    min_sources: int | None = None,
    reporting_lag: int = 7,
    per_1000: bool = False,
    backend: str = "duckdb",
    output: Literal["pandas", "arrow"] | None = None,
) -> pd.DataFrame | pa.Table:
    """Return the indicators of a dyad per period (``detente indicators``).

    Counts per quad class, threats and uses of force, Goldstein means and sums, net
    cooperation, the material-conflict share and the relationship index, each against a
    rolling baseline (difference and z-score). One series per dataset (``combine=True``
    pools them); empty periods have 0 events and empty means; cells with fewer than
    ``min_events`` events are flagged ``low_evidence``. What each column means:
    ``docs/indicators.md``.

    Args:
        store: an open store (see :func:`open_store`).
        dyad: both directions, ``"USA-RUS"`` or ``("USA", "RUS")``; default USA-RUS.
        split: one row per direction (``USA->RUS``, ``RUS->USA``) instead of the pooled one.
        source: with ``target``, one direction only, e.g. ``source="RUS", target="UKR"``
            (``--from``).
        target: the receiving side of that direction (``--to``).
        period: ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
        issue: one issue area (default: all), e.g. ``"arms_control"``.
        since: first day; its whole period is the first row.
        until: last day to count.
        as_of: ignore later events (default: the last event date selected).
        dataset: dataset(s) to use (default: every dataset present).
        combine: pool the datasets into one series named ``combined``.
        min_events: fewer events than this: ``low_evidence``.
        baseline: periods in the rolling baseline.
        one_a_day: count one event per day, source, target and code.
        root_only: GDELT: only root events.
        min_sources: GDELT: only events with at least this many sources.
        reporting_lag: days after an event within which it is reported: a period is
            ``complete`` when the files cover every publication day to its end plus this
            (column ``coverage``; a ``missing`` period has no counts).
        per_1000: add ``events_per_1000``, ``threats_per_1000``, ``force_per_1000``: per 1,000
            GDELT events of the period's fetched files (None where none has totals).
        backend: ``"duckdb"`` (the store) or ``"spark"`` (local PySpark, same results).
        output: ``None`` or ``"pandas"`` for a DataFrame, ``"arrow"`` for a pyarrow Table.

    Returns:
        One row per dataset, direction and period, sorted so; the columns of
        ``detente.series.INDICATOR_SCHEMA`` (``dataset``, ``direction``,
        ``period_start``, ``events``, ``q1`` ... ``q4``, ``relationship_index``,
        ``net_cooperation``, ``material_conflict_share``, ``low_evidence``, the
        ``*_baseline``, ``*_diff`` and ``*_z`` columns, ...). The as-of date is in
        ``DataFrame.attrs["as_of"]`` (an Arrow table's schema metadata ``as_of``).

    Raises:
        QueryError: a value is not valid, ``source`` comes without ``target`` (or the
            other way round) or is not a direction of ``dyad``, or no events are selected.

    Example:
        with detente.open_store() as st:
            yearly = detente.indicators(st, dyad="USA-RUS", period="year", dataset="curated")
            yearly[["period_start", "events", "relationship_index"]].tail()
    """
    import pyarrow.compute as pc

    from detente.series import IndicatorSpec, compute_indicators

    how = _output(output, (None, "pandas", "arrow"), "write a DataFrame with its to_csv or to_parquet")
    if (source is None) != (target is None):
        raise QueryError("source and target go together (one direction: source='USA', target='RUS')")
    one_direction = source is not None and target is not None
    if one_direction:
        pair = _dyad((_country(str(source), "source"), _country(str(target), "target")), "source/target")
        assert pair is not None
        if dyad is not None:
            whole = _dyad(dyad)
            if whole is not None and set(whole) != set(pair):
                raise QueryError(f"source={source!r}, target={target!r} is not a direction of dyad={dyad!r}")
    else:
        pair = _dyad(dyad) or ("USA", "RUS")
    datasets = _many(dataset, "dataset")
    spec = IndicatorSpec(
        dyad=pair, split_directions=bool(split) or one_direction, period=_period(period), issue=issue,
        since=_date(since, "since"), until=_date(until, "until"), as_of=_date(as_of, "as_of"),
        datasets=datasets or None, combine=bool(combine), min_events=_whole(min_events, "min_events", 1),
        baseline_periods=_whole(baseline, "baseline", 2), one_a_day=bool(one_a_day),
        root_only=bool(root_only),
        min_sources=_whole(min_sources, "min_sources", 0) if min_sources is not None else None,
        reporting_lag=_whole(reporting_lag, "reporting_lag", 0), per_1000=bool(per_1000),
    )
    table = compute_indicators(store, spec, backend=backend)
    if one_direction:
        table = table.filter(pc.equal(table["direction"], f"{pair[0]}->{pair[1]}"))
    if how == "arrow":
        return table
    frame = table.to_pandas()
    as_of_text = (table.schema.metadata or {}).get(b"as_of", b"").decode()
    frame.attrs["as_of"] = dt.date.fromisoformat(as_of_text) if as_of_text else None
    return frame
