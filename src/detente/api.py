"""The Python API: each analysis command of the CLI as a function, for notebooks and scripts.

Open a store, hand it to each function, close it when the task is done:

    import detente

    with detente.open_store() as st:
        yearly = detente.indicators(st, dyad="USA-RUS", period="year")
        report = detente.playbook_check(st, as_of="2021-12-31")

Each function takes its command's options as keyword arguments of the same name, the long
option name with dashes as underscores (``--min-sources`` is ``min_sources``, ``--as-of``
is ``as_of``), and takes the values the command accepts: dates as ``"2014"``,
``"2014-03"``, ``"2014-03-01"`` or a ``datetime.date``; a dyad as ``"USA-RUS"`` or
``("USA", "RUS")``; a repeatable option (``--dataset``, ``--issue`` of ``events``) as one
value or a list. Where Python does not allow the name (``--from``, ``--as``) the keyword
differs; every such case, and every option left out because the API does its job another
way (``--store``: the ``store`` argument; ``-o FILE``: the returned value), is listed in
:data:`CLI_NAMES` and :data:`NOT_OFFERED` below, which a test checks against the CLI.

Tables come back as pandas DataFrames (``output="arrow"``: a pyarrow Table); analyses as
the library's result objects; ``output="json"`` (for the brief also ``"html"`` and
``"markdown"``) gives the text the command prints. Every error raised on purpose is a
:class:`~detente.errors.DetenteError`; an argument that is not valid raises its subclass
:class:`~detente.errors.QueryError` saying which and why.

Heavy modules (DuckDB, pyarrow, pandas, statsmodels) load inside the functions, so
``import detente`` stays fast.

The library underneath is reachable too: :mod:`detente.series` (the indicator
series: ``IndicatorSpec``, ``compute_indicators``), :mod:`detente.analysis`,
:mod:`detente.policy`, :mod:`detente.report`, :mod:`detente.query` (the query layer).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from detente.errors import QueryError
from detente.query.period import PERIODS
from detente.query.types import country, parse_date

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from detente.analysis import Forecast, ReciprocityResult, TrendsReport
    from detente.policy import Assessment, Playbook, PlaybookReport
    from detente.report import Brief
    from detente.store import Store

__all__ = [
    "CLI_NAMES",
    "COMMANDS",
    "DEFAULTS",
    "NOT_OFFERED",
    "ForecastRun",
    "ReciprocityRun",
    "assess",
    "brief",
    "events",
    "forecast",
    "indicators",
    "open_store",
    "playbook_check",
    "reciprocity",
    "trends",
]

# -- how the keyword arguments relate to the command line ---------------------------------

COMMANDS: dict[str, tuple[str, ...]] = {
    "events": ("events",),
    "indicators": ("indicators",),
    "trends": ("trends",),
    "reciprocity": ("reciprocity",),
    "forecast": ("forecast",),
    "playbook_check": ("playbook", "check"),
    "assess": ("assess",),
    "brief": ("brief",),
}
"""The command each function stands for (a sub-command as its path)."""

CLI_NAMES: dict[str, dict[str, str]] = {
    "events": {"--from": "source", "--to": "target", "--as": "output"},
    "indicators": {"--from": "source", "--to": "target", "--as": "output"},
    "trends": {"--as": "output"},
    "reciprocity": {"--as": "output"},
    "forecast": {"--as": "output"},
    "playbook_check": {"FILE": "playbook", "--as": "output"},
    "assess": {"PROPOSAL": "proposal", "--as": "output"},
    "brief": {"--as": "output"},
}
"""Per function, the command-line options (and positional arguments, in capitals) whose
keyword is not the long option name with dashes as underscores. ``--from`` and ``--as`` are
Python keywords; ``--to`` follows ``--from``."""

NOT_OFFERED: dict[str, dict[str, str]] = {
    "*": {
        "--store": "the first argument is the store: a `Store` from `open_store(path)`",
        "--wait": "`open_store(path, wait=seconds)`",
    },
    "events": {
        "--output": "the table is returned; write it with `DataFrame.to_csv`, `to_parquet`, ...",
    },
    "indicators": {
        "--output": "the table is returned; write it with `DataFrame.to_csv`, `to_parquet`, ...",
        "--show-sql": "prints instead of running; `detente.series.indicators_sql(store, spec, "
                      "dialect=\"bigquery\")` returns that SQL",
        "--dialect": "goes with --show-sql: `indicators_sql(store, spec, dialect=...)`",
        "--against": "goes with --show-sql (GDELT's BigQuery table: the command line only)",
        "--version": "goes with --against gdelt (the command line only)",
        "--spark-master": "an active Spark session is used as it is: start yours on your master, "
                          "then `backend=\"spark\"`",
    },
    "brief": {
        "--format": "deprecated on the command line (the same as --as): `output=`",
        "--output": "the brief is returned (`output=\"html\"`, `\"markdown\"` or `\"json\"`: "
                    "its text); write it where you like",
    },
}
"""Per function (``"*"``: every command that has it), the options the API leaves out on
purpose, with what to use instead."""

DEFAULTS: dict[str, dict[str, str]] = {
    "*": {"output": "`None`: the Python result (a DataFrame, a result object or a model) "
                    "instead of the terminal's table or the brief's HTML"},
    "events": {"limit": "`None`: every selected event (the terminal shows 100 at a time)"},
}
"""Per function (``"*"``: all), the keywords whose default differs from the option's."""


# -- arguments ------------------------------------------------------------------------------



def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise QueryError(f"{what} must be a string, not {type(value).__name__} {value!r}")
    return value


def _date(value: str | dt.date | None, what: str) -> dt.date | None:
    """Return ``value`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a date) as a date
    (:func:`detente.query.parse_date`, the keyword named in the error)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if value is not None and not isinstance(value, dt.date):
        _text(value, what)
    try:
        return parse_date(value, what)
    except QueryError:
        raise QueryError(f"{what}={value!r} is not a date (use YYYY-MM-DD, YYYY-MM, YYYY or a "
                         "datetime.date)") from None


def _window(since: dt.date | None, until: dt.date | None) -> None:
    if since and until and since > until:
        raise QueryError(f"since={since.isoformat()} is after until={until.isoformat()}")


def _country(value: str, what: str) -> str:
    """Return ``value`` as a CAMEO country code (:func:`detente.query.types.country`, the
    keyword named in the error)."""
    try:
        return country(_text(value, what), what)
    except QueryError:
        raise QueryError(f"{what}={value!r} is not a three-letter CAMEO country code "
                         "(e.g. USA, RUS)") from None


def _dyad(value: str | Sequence[str] | None, what: str = "dyad") -> tuple[str, str] | None:
    """Return ``"USA-RUS"``, ``"USA->RUS"`` or ``("USA", "RUS")`` as two country codes."""
    if value is None:
        return None
    parts = (value.replace("->", "-").split("-") if isinstance(value, str) else list(value))
    if len(parts) != 2:
        raise QueryError(f"{what}={value!r} must be two country codes, e.g. 'USA-RUS' or ('USA', 'RUS')")
    a, b = (_country(p, f"{what} side") for p in parts)
    if a == b:
        raise QueryError(f"{what}={value!r} needs two different countries")
    return a, b


def _many(value: str | Sequence[str] | None, what: str) -> tuple[str, ...]:
    """Return one value or a list of them as a tuple of strings (empty for None)."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    return tuple(_text(v, what).strip() for v in items)


def _quads(value: int | str | Sequence[int | str] | None) -> tuple[int, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, int | str) else list(value)
    out = []
    for v in items:
        try:
            q = int(v)
        except (TypeError, ValueError):
            raise QueryError(f"quad={v!r} is not a quad class (1, 2, 3 or 4)") from None
        if q not in (1, 2, 3, 4):
            raise QueryError(f"quad={v!r} is not a quad class (1, 2, 3 or 4)")
        out.append(q)
    return tuple(out)


def _period(value: str, allowed: Sequence[str] = PERIODS) -> str:
    if value not in allowed:
        raise QueryError(f"period={value!r} must be one of {', '.join(allowed)}")
    return value


def _output(value: str | None, allowed: Sequence[str | None], hint: str) -> str | None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise QueryError(f"output={value!r} is not one of {shown} ({hint})")
    return value


def _whole(value: int, what: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"{what}={value!r} must be a whole number")
    if value < least:
        raise QueryError(f"{what}={value} must be {least} or more")
    return value


def _json_safe(value: Any) -> Any:
    """Return ``value`` with NaN and infinities as None, dates as ISO text, numpy scalars as Python's."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    item = getattr(value, "item", None)  # a numpy scalar
    if callable(item) and not isinstance(value, str | bytes):
        value = item()
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    return value


def _dumps(doc: Any) -> str:
    """Return ``doc`` as the JSON text the command prints with ``--as json``."""
    return json.dumps(_json_safe(doc), indent=2, allow_nan=False) + "\n"


# -- the store ------------------------------------------------------------------------------


def open_store(path: str | os.PathLike[str] | None = None, *, read_only: bool = False,
               wait: float | None = None) -> Store:
    """Open (creating if needed) an event store.

    A new store starts with the curated chronology in it (the dataset ``curated``), so
    every function below works on it straight away. Open a store for one task and close
    it (use it as a context manager): DuckDB lets one process write to a file, or many
    read it, never both, so a store left open in a notebook keeps the ``detente``
    command and the dashboard waiting.

    Args:
        path: the store file; default ``$DETENTE_STORE``, else the per-user data folder's
            ``detente.duckdb`` (what the command line uses).
        read_only: open without writing (several processes may then read at once); the
            file must exist.
        wait: seconds to wait while another process holds the store; default 30, or
            ``$DETENTE_WAIT``.

    Returns:
        The open :class:`~detente.store.Store`; close it with ``close()`` or a ``with`` block.

    Raises:
        StoreBusyError: another process held the store for ``wait`` seconds.
        StoreError: the file is not a detente store, or (``read_only``) does not exist.

    Example:
        with detente.open_store("us_russia.duckdb") as st:
            print(st.summary().to_pandas())
    """
    from detente.store import Store

    if wait is not None and (isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0):
        raise QueryError(f"wait={wait!r} must be a number of seconds, 0 or more")
    return Store.open(Path(path) if path is not None else None, read_only=read_only, wait=wait)


# -- tables ---------------------------------------------------------------------------------


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


# -- analyses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReciprocityRun:
    """What :func:`reciprocity` returns: the fitted model and the dataset it was fitted on.

    Attributes:
        dataset: the dataset whose series were used.
        result: the model (``detente.analysis.ReciprocityResult``): ``ok`` and ``status``
            (``"ok"`` or ``"insufficient_evidence"`` with ``reason``), ``variables`` (the
            directions), ``lag_order``, ``checks``, ``granger`` and ``responses`` (the
            generalized impulse responses with their bands).
    """

    dataset: str
    result: ReciprocityResult

    def to_dict(self) -> dict[str, Any]:
        """Return what ``detente reciprocity --as json`` prints, as a dict."""
        out: dict[str, Any] = _json_safe({"dataset": self.dataset, **self.result.to_dict()})
        return out

    def _columns(self) -> dict[str, list[Any]]:
        cols: dict[str, list[Any]] = {k: [] for k in ("shock", "response", "h", "irf", "lower", "upper")}
        for r in self.result.responses:
            for h, (v, lo, hi) in enumerate(zip(r["response_path"], r["lower"], r["upper"], strict=True)):
                for key, value in zip(cols, (r["shock"], r["response"], h, v, lo, hi), strict=True):
                    cols[key].append(value)
        return cols

    def to_frame(self) -> pd.DataFrame:
        """Return the impulse responses, one row per shock, response and period after the
        shock (``h``), with the response (``irf``) and its band (``lower``, ``upper``);
        empty when the model is not ``ok``."""
        import pandas as pd

        return pd.DataFrame(self._columns())

    def to_arrow(self) -> pa.Table:
        """Return :meth:`to_frame`'s rows as a pyarrow Table."""
        import pyarrow as pa

        cols = self._columns()
        types = {"shock": pa.string(), "response": pa.string(), "h": pa.int64()}
        return pa.table({k: pa.array(v, types.get(k, pa.float64())) for k, v in cols.items()})


@dataclass(frozen=True)
class ForecastRun:
    """What :func:`forecast` returns: the forecast and the dataset it was made from.

    Attributes:
        dataset: the dataset whose series was forecast.
        forecast: the forecast (``detente.analysis.Forecast``): ``indicator``,
            ``lag_order``, ``period_starts``, ``mean``, ``sd``, ``lower``, ``upper``
            (the ``coverage`` interval) and ``backtest`` (``origins``, ``scores`` per
            model and horizon, ``steps`` with the verdict per step ahead, ``verdict``).
    """

    dataset: str
    forecast: Forecast

    def to_dict(self) -> dict[str, Any]:
        """Return what ``detente forecast --as json`` prints, as a dict."""
        out: dict[str, Any] = _json_safe({"dataset": self.dataset, **self.forecast.to_dict()})
        return out

    def _columns(self) -> dict[str, list[Any]]:
        f = self.forecast
        return {"period_start": list(f.period_starts), "mean": list(f.mean), "sd": list(f.sd),
                "lower": list(f.lower), "upper": list(f.upper)}

    def to_frame(self) -> pd.DataFrame:
        """Return one row per period ahead: ``period_start``, ``mean``, ``sd``, ``lower``, ``upper``."""
        import pandas as pd

        return pd.DataFrame(self._columns())

    def to_arrow(self) -> pa.Table:
        """Return :meth:`to_frame`'s rows as a pyarrow Table."""
        import pyarrow as pa

        cols = self._columns()
        return pa.table({k: pa.array(v, pa.date32() if k == "period_start" else pa.float64())
                         for k, v in cols.items()})


@overload
def trends(store: Store, *, dyad: str | Sequence[str] | None = ..., period: str = ...,
           issue: str | None = ..., since: str | dt.date | None = ..., until: str | dt.date | None = ...,
           as_of: str | dt.date | None = ..., dataset: str | Sequence[str] | None = ...,
           combine: bool = ..., indicator: str = ..., output: None = ...) -> list[TrendsReport]: ...
@overload
def trends(store: Store, *, dyad: str | Sequence[str] | None = ..., period: str = ...,
           issue: str | None = ..., since: str | dt.date | None = ..., until: str | dt.date | None = ...,
           as_of: str | dt.date | None = ..., dataset: str | Sequence[str] | None = ...,
           combine: bool = ..., indicator: str = ..., output: Literal["json"]) -> str: ...
def trends(
    store: Store,
    *,
    dyad: str | Sequence[str] | None = None,
    period: str = "month",
    issue: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | Sequence[str] | None = None,
    combine: bool = False,
    indicator: str = "relationship_index",
    output: Literal["json"] | None = None,
) -> list[TrendsReport] | str:
    """Find change points, downward-spiral and escalation alerts, boom and bust (``detente trends``).

    One report per dataset, on the dyad's pooled series. Change points: PELT with a BIC
    penalty, 2 log(n). Spiral: 3 observed periods in a row below baseline. Escalation:
    material-conflict share >= 0.5 and >= baseline + 0.25. Alerts are scored against the
    chronology's crises (``docs/analysis.md``).

    Args:
        store: an open store (see :func:`open_store`).
        dyad: ``"USA-RUS"`` or ``("USA", "RUS")``; default USA-RUS.
        period: ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
        issue: one issue area (default: all).
        since: first day.
        until: last day.
        as_of: analyse as of this date (default: the last event).
        dataset: dataset(s) to analyse (default: each one present).
        combine: pool the datasets into one series.
        indicator: the indicator column to analyse.
        output: ``None`` for the reports, ``"json"`` for what ``--as json`` prints.

    Returns:
        A list of ``detente.analysis.TrendsReport``, one per dataset: ``dataset``,
        ``indicator``, ``period``, ``as_of``, ``periods``, ``change_points``
        (``period_start``, ``direction``, ``before``, ``after``, ``size``, ...),
        ``alerts`` (``kind``, ``start``, ``end``, ``value``, ``baseline``, ...),
        ``surges``, ``score`` (hits, misses and false alarms against the chronology) and
        ``note``; each has ``to_dict()``. With ``output="json"``: that list as JSON text.

    Raises:
        QueryError: a value is not valid.
        AnalysisError: no events in the selection, nothing to analyse.

    Example:
        with detente.open_store() as st:
            for report in detente.trends(st, dyad="USA-RUS", period="year"):
                print(report.dataset, [c.period_start for c in report.change_points])
    """
    from detente.analysis import trends as run

    how = _output(output, (None, "json"), "None returns the reports")
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    datasets = _many(dataset, "dataset")
    reports = run(store, dyad=_dyad(dyad) or ("USA", "RUS"), period=_period(period), issue=issue,
                  since=first, until=last, as_of=_date(as_of, "as_of"), datasets=datasets or None,
                  combine=bool(combine), indicator=_text(indicator, "indicator"))
    if how == "json":
        return _dumps([r.to_dict() for r in reports])
    return reports


def _actors(value: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = [p for p in value.replace(",", "-").split("-") if p.strip()]
    else:
        parts = list(value)
    if not 2 <= len(parts) <= 3:
        raise QueryError(f"actors={value!r} must name two or three countries, e.g. 'USA-RUS' or "
                         "('USA', 'RUS', 'UKR')")
    codes = tuple(_country(p, "actor") for p in parts)
    if len(set(codes)) != len(codes):
        raise QueryError(f"actors={value!r} must be different countries")
    return codes


@overload
def reciprocity(store: Store, *, actors: str | Sequence[str] = ..., period: str = ...,
                issue: str | None = ..., since: str | dt.date | None = ...,
                until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
                dataset: str | None = ..., indicator: str = ..., horizon: int = ..., max_lags: int = ...,
                ic: str = ..., output: None = ...) -> ReciprocityRun: ...
@overload
def reciprocity(store: Store, *, actors: str | Sequence[str] = ..., period: str = ...,
                issue: str | None = ..., since: str | dt.date | None = ...,
                until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
                dataset: str | None = ..., indicator: str = ..., horizon: int = ..., max_lags: int = ...,
                ic: str = ..., output: Literal["json"]) -> str: ...
def reciprocity(
    store: Store,
    *,
    actors: str | Sequence[str] = "USA-RUS",
    period: str = "month",
    issue: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | None = None,
    indicator: str = "goldstein_mean",
    horizon: int = 6,
    max_lags: int = 6,
    ic: str = "aic",
    output: Literal["json"] | None = None,
) -> ReciprocityRun | str:
    """Fit a VAR of the directions' series: who answers whom, and how (``detente reciprocity``).

    Lag order by information criterion, stability and residual checks, Granger tests and
    generalized impulse responses with bootstrapped 95% bands. A shock is one residual
    standard deviation toward cooperation in one direction. When the data cannot carry a
    model the result says so (``status == "insufficient_evidence"`` and ``reason``)
    instead of giving numbers.

    Args:
        store: an open store (see :func:`open_store`).
        actors: two or three countries, ``"USA-RUS-UKR"`` or ``("USA", "RUS", "UKR")``.
        period: ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
        issue: one issue area (default: all).
        since: first day.
        until: last day.
        as_of: analyse as of this date (default: the last event).
        dataset: one dataset (default: the machine-coded one with most events; the
            chronology when it is all there is).
        indicator: the series per direction.
        horizon: periods of impulse response, 1 or more.
        max_lags: the highest lag order to consider.
        ic: information criterion, ``"aic"``, ``"bic"``, ``"hqic"`` or ``"fpe"``.
        output: ``None`` for a :class:`ReciprocityRun`, ``"json"`` for what ``--as json``
            prints.

    Returns:
        A :class:`ReciprocityRun` (``dataset`` and ``result``; ``to_frame()`` gives the
        impulse responses), or its JSON text.

    Raises:
        QueryError: a value is not valid.
        AnalysisError: no events in the selection, or not two or three different actors.

    Example:
        with detente.open_store() as st:
            run = detente.reciprocity(st, actors="USA-RUS", period="year", dataset="curated")
            print(run.result.status, run.result.reason)
    """
    from detente.analysis import reciprocity as run

    how = _output(output, (None, "json"), "None returns a ReciprocityRun")
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    result, used = run(store, actors=_actors(actors), period=_period(period), issue=issue, since=first,
                       until=last, as_of=_date(as_of, "as_of"),
                       dataset=_text(dataset, "dataset") if dataset is not None else None,
                       indicator=_text(indicator, "indicator"), horizon=_whole(horizon, "horizon", 1),
                       maxlags=_whole(max_lags, "max_lags", 1), ic=_text(ic, "ic"))
    out = ReciprocityRun(dataset=used, result=result)
    return _dumps(out.to_dict()) if how == "json" else out


@overload
def forecast(store: Store, *, dyad: str | Sequence[str] | None = ..., indicator: str = ...,
             period: str = ..., issue: str | None = ..., since: str | dt.date | None = ...,
             until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
             dataset: str | None = ..., horizon: int = ..., output: None = ...) -> ForecastRun: ...
@overload
def forecast(store: Store, *, dyad: str | Sequence[str] | None = ..., indicator: str = ...,
             period: str = ..., issue: str | None = ..., since: str | dt.date | None = ...,
             until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
             dataset: str | None = ..., horizon: int = ..., output: Literal["json"]) -> str: ...
def forecast(
    store: Store,
    *,
    dyad: str | Sequence[str] | None = None,
    indicator: str = "relationship_index",
    period: str = "month",
    issue: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | None = None,
    horizon: int = 6,
    output: Literal["json"] | None = None,
) -> ForecastRun | str:
    """Forecast an indicator 1 to 6 periods ahead, with a backtest (``detente forecast``).

    An autoregression on the dyad's pooled series gives a Gaussian predictive
    distribution per period; a rolling-origin backtest scores it against the baselines
    (last value, climatology of the same months, zero; Poisson for counts). Unless
    ``forecast.backtest.verdict`` is ``beats_baselines`` (at least 12 origins per step
    ahead, and a 90% Diebold-Mariano interval of the CRPS difference against the best
    baseline below zero), do not read it as a forecast.

    Args:
        store: an open store (see :func:`open_store`).
        dyad: ``"USA-RUS"`` or ``("USA", "RUS")``; default USA-RUS.
        indicator: the indicator column to forecast.
        period: ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
        issue: one issue area (default: all).
        since: first day.
        until: last day.
        as_of: forecast from this date (default: the last event).
        dataset: one dataset (default: the machine-coded one with most events; the
            chronology when it is all there is).
        horizon: periods ahead, 1 to 6.
        output: ``None`` for a :class:`ForecastRun`, ``"json"`` for what ``--as json``
            prints.

    Returns:
        A :class:`ForecastRun` (``dataset`` and ``forecast``; ``to_frame()`` gives one row
        per period ahead), or its JSON text.

    Raises:
        QueryError: a value is not valid.
        AnalysisError: no events in the selection, or a series too short to model.

    Example:
        with detente.open_store() as st:
            run = detente.forecast(st, dyad="USA-RUS", period="year", horizon=3)
            run.to_frame()
    """
    from detente.analysis import forecast_indicator

    how = _output(output, (None, "json"), "None returns a ForecastRun")
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    fc, used = forecast_indicator(store, dyad=_dyad(dyad) or ("USA", "RUS"),
                                  indicator=_text(indicator, "indicator"), period=_period(period),
                                  issue=issue, since=first, until=last, as_of=_date(as_of, "as_of"),
                                  dataset=_text(dataset, "dataset") if dataset is not None else None,
                                  horizon=_whole(horizon, "horizon", 1))
    out = ForecastRun(dataset=used, forecast=fc)
    return _dumps(out.to_dict()) if how == "json" else out


# -- the playbook and proposals -------------------------------------------------------------


def _book(playbook: str | os.PathLike[str] | Playbook | None) -> Playbook | str | None:
    if playbook is None or isinstance(playbook, str | os.PathLike):
        if playbook is not None and not Path(playbook).is_file():
            raise QueryError(f"playbook={str(playbook)!r}: no such playbook file")
        return None if playbook is None else str(playbook)
    return playbook


def _model_json(model: Any) -> str:
    """Return a report model as the JSON text its command prints with ``--as json``."""
    return json.dumps(model.model_dump(mode="json"), indent=2, default=str) + "\n"


@overload
def playbook_check(store: Store, playbook: str | os.PathLike[str] | Playbook | None = ..., *,
                   as_of: str | dt.date | None = ..., dataset: str | None = ...,
                   output: None = ...) -> PlaybookReport: ...
@overload
def playbook_check(store: Store, playbook: str | os.PathLike[str] | Playbook | None = ..., *,
                   as_of: str | dt.date | None = ..., dataset: str | None = ...,
                   output: Literal["json"]) -> str: ...
def playbook_check(
    store: Store,
    playbook: str | os.PathLike[str] | Playbook | None = None,
    *,
    as_of: str | dt.date | None = None,
    dataset: str | None = None,
    output: Literal["json"] | None = None,
) -> PlaybookReport | str:
    """Evaluate every agenda item and condition of a playbook, with evidence (``detente playbook check``).

    Args:
        store: an open store (see :func:`open_store`).
        playbook: a playbook file, or one loaded with ``detente.policy.load_playbook``;
            default the packaged playbook (the command's ``FILE`` argument).
        as_of: evaluate as of this date (default: the last event of the dataset used).
        dataset: the dataset to evaluate on (default: the one with most events of the dyad).
        output: ``None`` for the report, ``"json"`` for what ``--as json`` prints.

    Returns:
        A ``detente.policy.PlaybookReport``: ``playbook``, ``as_of``, ``dataset``,
        ``dyad``, ``items`` (per agenda item ``basket``, ``title``, ``status``
        (``on_track``, ``deteriorating``, ``stalled``, ``overtaken_by_events``),
        ``reason``, ``conditions`` with their values and events) and ``counts`` per
        status; or its JSON text.

    Raises:
        QueryError: a value is not valid, or the playbook file does not exist.
        PolicyFileError: the playbook is not valid (``file:line: what is wrong``).

    Example:
        with detente.open_store() as st:
            report = detente.playbook_check(st, as_of="2021-12-31")
            print(report.counts)
    """
    from detente.policy import check_playbook

    how = _output(output, (None, "json"), "None returns the report")
    report = check_playbook(store, _book(playbook), _date(as_of, "as_of"),
                            dataset=_text(dataset, "dataset") if dataset is not None else None)
    return _model_json(report) if how == "json" else report


@overload
def assess(store: Store, proposal: str | os.PathLike[str], *,
           playbook: str | os.PathLike[str] | Playbook | None = ..., as_of: str | dt.date | None = ...,
           dataset: str | None = ..., output: None = ...) -> Assessment: ...
@overload
def assess(store: Store, proposal: str | os.PathLike[str], *,
           playbook: str | os.PathLike[str] | Playbook | None = ..., as_of: str | dt.date | None = ...,
           dataset: str | None = ..., output: Literal["json"]) -> str: ...
def assess(
    store: Store,
    proposal: str | os.PathLike[str],
    *,
    playbook: str | os.PathLike[str] | Playbook | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | None = None,
    output: Literal["json"] | None = None,
) -> Assessment | str:
    """Assess a proposed move against the playbook and the record (``detente assess``).

    Which principles it supports or strains, the conditions it depends on, Russia's
    expected answer from the record, the allies' recent relations, and a verdict.
    Proposal files: ``docs/playbook.md``; examples in ``examples/proposals/``.

    Args:
        store: an open store (see :func:`open_store`).
        proposal: the proposal file (YAML).
        playbook: a playbook file or a loaded playbook (default: the packaged one).
        as_of: assess as of this date (default: the last event of the dataset used).
        dataset: the dataset to evaluate on (default: the one with most events of the dyad).
        output: ``None`` for the assessment, ``"json"`` for what ``--as json`` prints.

    Returns:
        A ``detente.policy.Assessment``: ``proposal``, ``as_of``, ``dataset``,
        ``verdict`` (``consistent``, ``consistent_with_conditions`` or ``inconsistent``),
        ``reasons``, ``findings`` (per principle: ``effect`` and ``reason``),
        ``conditions``, ``expected_response`` and ``allies``; or its JSON text.

    Raises:
        QueryError: a value is not valid, or the playbook file does not exist.
        PolicyFileError: the proposal or the playbook is not valid (with file and line).

    Example:
        with detente.open_store() as st:
            result = detente.assess(st, "examples/proposals/mil_to_mil_deconfliction.yaml")
            print(result.verdict, result.reasons)
    """
    from detente.policy import assess_proposal

    how = _output(output, (None, "json"), "None returns the assessment")
    if not isinstance(proposal, str | os.PathLike):
        raise QueryError(f"proposal={proposal!r} must be a path to a proposal file")
    result = assess_proposal(store, Path(proposal), _book(playbook), _date(as_of, "as_of"),
                             dataset=_text(dataset, "dataset") if dataset is not None else None)
    return _model_json(result) if how == "json" else result


# -- the brief ------------------------------------------------------------------------------

_BRIEF_FORMATS = ("html", "markdown", "json")


@overload
def brief(store: Store, *, output: None = ..., dyad: str | Sequence[str] | None = ...,
          period: str = ..., since: str | dt.date | None = ..., until: str | dt.date | None = ...,
          as_of: str | dt.date | None = ..., dataset: str | Sequence[str] | None = ...,
          issue: str | None = ..., playbook: str | os.PathLike[str] | None = ...,
          compare: str | os.PathLike[str] | Brief | None = ...) -> Brief: ...
@overload
def brief(store: Store, *, output: Literal["html", "markdown", "json"],
          dyad: str | Sequence[str] | None = ..., period: str = ..., since: str | dt.date | None = ...,
          until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
          dataset: str | Sequence[str] | None = ..., issue: str | None = ...,
          playbook: str | os.PathLike[str] | None = ...,
          compare: str | os.PathLike[str] | Brief | None = ...) -> str: ...
def brief(
    store: Store,
    *,
    output: Literal["html", "markdown", "json"] | None = None,
    dyad: str | Sequence[str] | None = None,
    period: str = "auto",
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | Sequence[str] | None = None,
    issue: str | None = None,
    playbook: str | os.PathLike[str] | None = None,
    compare: str | os.PathLike[str] | Brief | None = None,
) -> Brief | str:
    """Compute the brief: the relationship at a glance, charts, playbook, evidence (``detente brief``).

    It always renders: a selection with no events gives a brief that says plainly there
    is no evidence for that view. What it holds: ``docs/brief.md``.

    Args:
        store: an open store (see :func:`open_store`).
        output: ``None`` for the ``Brief`` model; ``"html"`` (one page that opens
            offline), ``"markdown"`` or ``"json"`` for its text (``--format``).
        dyad: ``"USA-RUS"`` or ``("USA", "RUS")``; default USA-RUS.
        period: ``"auto"`` (years for the chronology alone, else months), ``"week"``,
            ``"month"``, ``"quarter"`` or ``"year"``.
        since: first day.
        until: last day.
        as_of: compute as of this date (default: the last event date selected).
        dataset: dataset(s) (default: every dataset in the store).
        issue: one issue area only.
        playbook: a playbook file (default: the packaged playbook).
        compare: an earlier brief (its JSON file, or a ``Brief``): the brief then says
            what changed since.

    Returns:
        The ``detente.report.Brief`` (``title``, ``glance``, ``charts``, ``playbook``,
        ``evidence``, ``caveats``, ``reproducibility``, ...), or its text in ``output``.

    Raises:
        QueryError: a value is not valid, or the playbook file does not exist.
        DetenteError: ``compare`` names a file that is not a brief's JSON.

    Example:
        from pathlib import Path

        with detente.open_store() as st:
            Path("brief.html").write_text(detente.brief(st, output="html"), encoding="utf-8")
    """
    from detente.report import BriefOptions, build_brief, load_brief, render, with_changes

    how = _output(output, (None, *_BRIEF_FORMATS), "None returns the Brief model")
    if playbook is not None and not Path(playbook).is_file():
        raise QueryError(f"playbook={str(playbook)!r}: no such playbook file")
    earlier: Brief | None = None
    label = "the earlier brief"
    if isinstance(compare, str | os.PathLike):
        earlier, label = load_brief(Path(compare)), Path(compare).name
    elif compare is not None:
        earlier = compare
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    opts = BriefOptions(
        dyad=_dyad(dyad) or ("USA", "RUS"), period=_period(period, ("auto", *PERIODS)),  # type: ignore[arg-type]
        since=first, until=last, as_of=_date(as_of, "as_of"), datasets=_many(dataset, "dataset"),
        issue=_text(issue, "issue") if issue is not None else None,
        playbook=str(playbook) if playbook is not None else None,
    )
    if how == "html":
        try:
            from detente.report._bundle import prefetch
        except ImportError:  # an optimisation only: the page's JavaScript is then built when rendered
            pass
        else:
            prefetch()  # a cold cache builds the page's JavaScript while the content is computed
    content = build_brief(store, opts)
    if earlier is not None:
        content = with_changes(content, earlier, label)
    return content if how is None else render(content, how)
