"""Every metric of the relationship, defined once.

A metric is computed in two steps, each written here and nowhere else:

1. **Statistics of a group of events** (:data:`STATS`): counts per quad class,
   threats, uses of force, Goldstein sums and the mentions-weighted sums. Each is
   declared as a small expression (:class:`Agg` over :class:`Expr`), which this
   module turns into DuckDB SQL (:func:`stats_sql`) or into an Ibis expression
   for any engine Ibis compiles to (:func:`stats_ibis`: DuckDB, Spark, BigQuery).
2. **Metrics from the statistics** (:func:`derive`): shares, net cooperation,
   material-conflict share, Goldstein mean, the relationship index. Each is one
   formula over the statistics, evaluated by an :class:`Algebra`: on Ibis
   columns (the indicators) or on plain numbers (policy conditions, the allies'
   record, the issue heatmap, from statistics the store returned).

The indicators, the conditions of a playbook, the allies' record of an
assessment, the brief's heatmap and the dashboard all call these; a test
computes each metric through every one of them and gets the same number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    import ibis.expr.types as ir  # type: ignore[import-untyped]

__all__ = [
    "BASELINE_METRICS",
    "CURATED_DATASETS",
    "FORCE_ROOTS",
    "JUDGED",
    "METRICS",
    "NET_COOPERATION_STATS",
    "QUAD_GROUPS",
    "STATS",
    "UNTAGGED_LIMIT",
    "UNTAGGED_NONE",
    "UNTAGGED_RULE",
    "UNTAGGED_TEXTLESS",
    "Algebra",
    "carries_sql",
    "derive",
    "derive_row",
    "min_baseline_periods",
    "quad_count",
    "quad_share",
    "stats_ibis",
    "stats_sql",
    "sums_ibis",
    "sums_sql",
    "untagged_of",
    "untagged_sql",
]

FORCE_ROOTS: tuple[str, ...] = ("18", "19", "20")
"""CAMEO roots of the use of force: assault, fight, mass violence."""
THREAT_ROOT = "13"
"""CAMEO root of threats."""

QUAD_GROUPS: dict[str, tuple[int, ...]] = {
    "verbal_cooperation": (1,),
    "material_cooperation": (2,),
    "verbal_conflict": (3,),
    "material_conflict": (4,),
    "cooperation": (1, 2),
    "conflict": (3, 4),
}
"""Quad classes by name, as conditions name them (``share(material_conflict, ...)``)."""

CURATED_DATASETS: frozenset[str] = frozenset({"curated"})
"""Hand-picked datasets: their counts say what someone chose to record, not how much news
there was, so a share of the dataset's volume means nothing for them."""

JUDGED: tuple[str, ...] = ("complete", "curated")
"""The coverage of the periods a verdict (change point, alert, forecast, headline) may rest
on: those whose files cover every reporting day (``complete``), and the chronology's
(``curated``: hand-picked, its coverage is its own). A ``partial`` period's counts lack
the files it misses; a ``missing`` one has none (see :mod:`detente.series`)."""

UNTAGGED_RULE = (
    "An event's issue area cannot be told when it has none, or, for a given issue, when it "
    "has no text to read (no text, no URL: ICEWS, GDELT without its source's address) and "
    "does not carry that issue: codes and sectors place some events, and the rest, "
    "unread, are not evidence that the issue was absent."
)
"""What the ``untagged_share`` of the indicators and of :meth:`Queries.untagged` counts."""


UNTAGGED_LIMIT = 0.5
"""Above this untagged share, a reading of an issue area says too little to decide (the
default; a playbook may set its own)."""


UNTAGGED_NONE = "coalesce(len(issue_areas), 0) = 0"
"""The DuckDB test of an event without any issue area."""

UNTAGGED_TEXTLESS = "coalesce(text, '') = '' AND coalesce(url, '') = ''"
"""The DuckDB test of an event with no text to read (no text, no URL)."""


def untagged_of(none: str, textless: str, carries: str | None) -> str:
    """Return :data:`UNTAGGED_RULE` as a DuckDB condition over its parts: ``none`` (the
    event has no issue area, :data:`UNTAGGED_NONE`), ``textless``
    (:data:`UNTAGGED_TEXTLESS`) and ``carries`` (it carries one of the issues asked about,
    false when not known; ``None``: no issue asked, any issue area)."""
    if carries is None:
        return f"({none})"
    return f"(({none}) OR (({textless}) AND NOT ({carries})))"


def untagged_sql(issue: str | tuple[str, ...] | None) -> str:
    """Return the DuckDB condition of :data:`UNTAGGED_RULE` over an event's columns, for
    one issue, any of several, or (``None``) any issue area."""
    return untagged_of(UNTAGGED_NONE, UNTAGGED_TEXTLESS, carries_sql(issue))


def carries_sql(issue: str | tuple[str, ...] | None) -> str | None:
    """Return the DuckDB test of an event carrying ``issue`` (or one of several; false
    when not known), the ``carries`` of :func:`untagged_of`; ``None`` without an issue."""
    issues = (issue,) if isinstance(issue, str) else tuple(issue or ())
    if not issues:
        return None
    quoted = ", ".join("'" + i.replace("'", "''") + "'" for i in issues)
    if len(issues) == 1:
        return f"coalesce(list_contains(issue_areas, {quoted}), false)"
    return f"coalesce(list_has_any(issue_areas, [{quoted}]::VARCHAR[]), false)"


BASELINE_METRICS: tuple[str, ...] = (
    "events", "goldstein_mean", "net_cooperation", "material_conflict_share", "relationship_index",
)
"""Metrics that get a rolling baseline, a difference and a z-score."""


def min_baseline_periods(baseline_periods: int) -> int:
    """Return how many non-empty baseline periods a baseline needs.

    Half the window, rounded up, and at least 3 (a standard deviation of one or two
    values says little), but never more than the window itself.
    """
    return min(baseline_periods, max(3, -(-baseline_periods // 2)))


# -- 1. statistics of a group of events -----------------------------------------------


@dataclass(frozen=True)
class Expr:
    """A value of one event: a column, a constant, or an operation on values."""

    op: str  # col | lit | eq | isin | notnull | gt | and | ifelse | mul | float
    args: tuple[Any, ...]


def col(name: str) -> Expr:
    """The event's column ``name``."""
    return Expr("col", (name,))


def lit(value: Any) -> Expr:
    """A constant."""
    return Expr("lit", (value,))


@dataclass(frozen=True)
class Agg:
    """An aggregate over a group of events: ``count``, ``count_if`` (events where an
    :class:`Expr` holds) or ``sum`` of an :class:`Expr` (nulls skipped)."""

    kind: str
    expr: Expr | None = None


_mentions = col("num_mentions")
_goldstein = col("goldstein")
_valid_mentions = Expr("and", (Expr("notnull", (_mentions,)), Expr("gt", (_mentions, lit(0)))))
WEIGHT = Expr("ifelse", (_valid_mentions, Expr("float", (_mentions,)), lit(1.0)))
"""An event's weight in the relationship index: its mentions where the source counts
them (more than 0), else 1 (so a dataset without mentions gets its plain mean)."""


def _quad(k: int) -> Agg:
    return Agg("count_if", Expr("eq", (col("quad_class"), lit(k))))


STATS: dict[str, Agg] = {
    "events": Agg("count"),
    "q1": _quad(1),
    "q2": _quad(2),
    "q3": _quad(3),
    "q4": _quad(4),
    "threats": Agg("count_if", Expr("eq", (col("event_root"), lit(THREAT_ROOT)))),
    "force": Agg("count_if", Expr("isin", (col("event_root"), FORCE_ROOTS))),
    "g_n": Agg("count_if", Expr("notnull", (_goldstein,))),
    "g_sum": Agg("sum", _goldstein),
    "w_num": Agg("sum", Expr("mul", (_goldstein, WEIGHT))),
    "w_den": Agg("sum", Expr("ifelse", (Expr("notnull", (_goldstein,)), WEIGHT, lit(0.0)))),
}
"""The statistics every metric is made of, by name (counts are exact integers)."""


def _sql_value(v: Any) -> str:
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    raise TypeError(f"no SQL literal for {v!r}")


def _sql(e: Expr) -> str:
    op, a = e.op, e.args
    if op == "col":
        return f'"{a[0]}"'
    if op == "lit":
        return _sql_value(a[0])
    if op == "eq":
        return f"({_sql(a[0])} = {_sql(a[1])})"
    if op == "gt":
        return f"({_sql(a[0])} > {_sql(a[1])})"
    if op == "isin":
        return f"({_sql(a[0])} IN ({', '.join(_sql_value(v) for v in a[1])}))"
    if op == "notnull":
        return f"({_sql(a[0])} IS NOT NULL)"
    if op == "and":
        return f"({_sql(a[0])} AND {_sql(a[1])})"
    if op == "ifelse":
        return f"(CASE WHEN {_sql(a[0])} THEN {_sql(a[1])} ELSE {_sql(a[2])} END)"
    if op == "mul":
        return f"({_sql(a[0])} * {_sql(a[1])})"
    if op == "float":
        return f"CAST({_sql(a[0])} AS DOUBLE)"
    raise ValueError(op)


def _sql_agg(g: Agg) -> str:
    if g.kind == "count":
        return "count(*)"
    assert g.expr is not None
    if g.kind == "count_if":
        return f"count(*) FILTER (WHERE {_sql(g.expr)})"
    return f"sum({_sql(g.expr)})"


def stats_sql(prefix: str = "", names: tuple[str, ...] | None = None) -> str:
    """Return the statistics as a DuckDB select list (``..., count(*) AS "events", ...``)
    over a relation with the canonical event columns; ``prefix`` starts each name.
    ``names``: only these statistics (see :func:`derive_row`'s ``only``)."""
    return ", ".join(f'{_sql_agg(g)} AS "{prefix}{name}"' for name, g in STATS.items()
                     if names is None or name in names)


def _ibis(e: Expr, t: Any) -> Any:
    import ibis  # type: ignore[import-untyped,unused-ignore]

    op, a = e.op, e.args
    if op == "col":
        return t[a[0]]
    if op == "lit":
        return ibis.literal(a[0])
    if op == "eq":
        return _ibis(a[0], t) == _ibis(a[1], t)
    if op == "gt":
        return _ibis(a[0], t) > _ibis(a[1], t)
    if op == "isin":
        return _ibis(a[0], t).isin(list(a[1]))
    if op == "notnull":
        return _ibis(a[0], t).notnull()
    if op == "and":
        return _ibis(a[0], t) & _ibis(a[1], t)
    if op == "ifelse":
        return ibis.ifelse(_ibis(a[0], t), _ibis(a[1], t), _ibis(a[2], t))
    if op == "mul":
        return _ibis(a[0], t) * _ibis(a[1], t)
    if op == "float":
        return _ibis(a[0], t).cast("float64")
    raise ValueError(op)


def stats_ibis(t: ir.Table, prefix: str = "") -> dict[str, ir.Value]:
    """Return the statistics as Ibis aggregations over ``t`` (for ``group_by().aggregate``)."""
    out: dict[str, Any] = {}
    for name, g in STATS.items():
        if g.kind == "count":
            value = t.count()
        elif g.kind == "count_if":
            assert g.expr is not None
            value = _ibis(g.expr, t).cast("int64").sum()
        else:
            assert g.expr is not None
            value = _ibis(g.expr, t).sum()
        out[prefix + name] = value
    return out


def sums_sql(prefix: str = "", names: tuple[str, ...] | None = None) -> str:
    """Return the statistics of groups of rows that each hold statistics already (a day's
    events, see :mod:`detente.query._days`), as a DuckDB select list: every statistic is a
    count or a sum, so that of a group is the sum of its parts' (counts stay integers)."""
    return ", ".join(
        (f'sum("{name}")' if g.kind == "sum" else f'CAST(sum("{name}") AS BIGINT)')
        + f' AS "{prefix}{name}"' for name, g in STATS.items() if names is None or name in names)


def sums_ibis(t: ir.Table, prefix: str = "") -> dict[str, ir.Value]:
    """Return :func:`sums_sql` as Ibis aggregations over ``t`` (rows holding statistics)."""
    return {prefix + name: (t[name].sum() if g.kind == "sum" else t[name].sum().cast("int64"))
            for name, g in STATS.items()}


# -- 2. metrics from the statistics -----------------------------------------------------

V = TypeVar("V")


class Algebra(Protocol, Generic[V]):
    """How formulas are evaluated: on Ibis columns or on plain numbers."""

    def ratio(self, num: V, den: V) -> V:
        """``num / den`` as a float; null when ``den`` is 0 or null."""

    def zero_if_null(self, value: V) -> V:
        """``value``, 0 where it is null."""

    def when_events(self, events: V, value: V, otherwise: V) -> V:
        """``value`` where there are events, else ``otherwise``."""


class NumberAlgebra:
    """Formulas on plain Python numbers (``None`` is null)."""

    def ratio(self, num: Any, den: Any) -> float | None:
        if num is None or den is None or den <= 0:
            return None
        return float(num) / float(den)

    def zero_if_null(self, value: Any) -> Any:
        return 0 if value is None else value

    def when_events(self, events: Any, value: Any, otherwise: Any) -> Any:
        return value if events else otherwise


class IbisAlgebra:
    """Formulas on Ibis columns (compiled by Ibis for the engine that runs them)."""

    def ratio(self, num: Any, den: Any) -> Any:
        import ibis

        return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))

    def zero_if_null(self, value: Any) -> Any:
        return value.fill_null(0)

    def when_events(self, events: Any, value: Any, otherwise: Any) -> Any:
        import ibis

        return ibis.ifelse(events > 0, value, otherwise)


NUMBERS = NumberAlgebra()
IBIS = IbisAlgebra()

_Stats = Mapping[str, Any]

METRICS: dict[str, Callable[[Any, _Stats], Any]] = {
    "q1_share": lambda f, s: f.ratio(s["q1"], s["events"]),
    "q2_share": lambda f, s: f.ratio(s["q2"], s["events"]),
    "q3_share": lambda f, s: f.ratio(s["q3"], s["events"]),
    "q4_share": lambda f, s: f.ratio(s["q4"], s["events"]),
    "goldstein_mean": lambda f, s: f.ratio(s["g_sum"], s["g_n"]),
    "goldstein_weighted": lambda f, s: f.ratio(s["w_num"], s["w_den"]),
    "goldstein_sum": lambda f, s: f.when_events(s["events"], s["g_sum"], 0.0),
    "net_cooperation": lambda f, s: f.ratio(s["q1"] + s["q2"] - s["q3"] - s["q4"], s["events"]),
    "material_conflict_share": lambda f, s: f.ratio(s["q4"], s["events"]),
    # the headline: Goldstein weighted by mentions (a dataset without mentions weighs
    # each event 1, so this is its plain mean)
    "relationship_index": lambda f, s: f.ratio(s["w_num"], s["w_den"]),
}
"""Each metric as one formula over :data:`STATS` (evaluated by an :class:`Algebra`)."""

_COUNTS = ("events", "q1", "q2", "q3", "q4", "threats", "force", "g_n")


def derive(algebra: Algebra[V], stats: _Stats) -> dict[str, V]:
    """Return every metric of :data:`METRICS` (and the counts, nulls as 0) from ``stats``."""
    s = dict(stats)
    for name in _COUNTS:
        s[name] = algebra.zero_if_null(s[name])
    out: dict[str, V] = {name: s[name] for name in _COUNTS if name != "g_n"}
    for name, formula in METRICS.items():
        out[name] = formula(algebra, s)
    return out


NET_COOPERATION_STATS: tuple[str, ...] = ("events", "q1", "q2", "q3", "q4")
"""The statistics net cooperation and the quad-class shares are made of."""


def derive_row(stats: _Stats, only: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Return :func:`derive` of one group's statistics, as plain numbers.

    ``only``: the statistics given are these alone (the others count as none: zero
    counts, no sums), so that a reader that needs a few metrics (the issue heatmap:
    events and net cooperation) asks the store for their statistics only; the metrics
    made of the others are then meaningless and must not be read."""
    if only is not None:
        stats = {**{n: (None if STATS[n].kind == "sum" else 0) for n in STATS}, **stats}
    return derive(NUMBERS, stats)


def quad_count(row: _Stats, quads: tuple[int, ...]) -> int:
    """Return the events of a derived row in the quad classes ``quads``."""
    return int(sum(row[f"q{k}"] or 0 for k in quads))


def quad_share(row: _Stats, quads: tuple[int, ...]) -> float | None:
    """Return the share of a derived row's events in the quad classes ``quads``."""
    return NUMBERS.ratio(quad_count(row, quads), row["events"])
