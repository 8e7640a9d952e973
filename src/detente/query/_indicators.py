"""The indicators as one backend-neutral Ibis expression over the events table.

Nothing here knows which engine runs it: DuckDB, Spark and BigQuery all get
the same expression, compiled by Ibis. The statistics and metrics are those of
:mod:`detente.query.metrics`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis  # type: ignore[import-untyped]

from detente.query._baseline import with_baselines
from detente.query._plan import Plan
from detente.query.metrics import CURATED_DATASETS, IBIS, derive, stats_ibis, sums_ibis

if TYPE_CHECKING:
    import ibis.expr.types as ir  # type: ignore[import-untyped]

    from detente.series import IndicatorSpec

__all__ = ["Plan", "daily_totals_expr", "indicator_expr", "untagged_ibis"]

_KEYS = ("dataset", "direction", "period_start")
# Ibis truncation units; weeks start on Monday on every backend Ibis compiles to.
_UNITS = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def _span(t: ir.Table, plan: Plan) -> ir.Table:
    """Keep the datasets and days of the run."""
    return t.filter(t.dataset.isin(list(plan.datasets)), t.date >= plan.first_day, t.date <= plan.last_day)


def _gdelt_filters(t: ir.Table, spec: IndicatorSpec) -> ir.Table:
    """Keep the events that pass GDELT's quality filters (others keep events without the fields)."""
    preds = []
    if spec.root_only:
        preds.append(t.is_root.fill_null(True))
    if spec.min_sources is not None:
        preds.append(t.num_sources.fill_null(1) >= spec.min_sources)
    return t.filter(*preds) if preds else t


def _quality(t: ir.Table, spec: IndicatorSpec, plan: Plan) -> ir.Table:
    """Keep the datasets and days of the run, and GDELT's quality filters."""
    return _gdelt_filters(_span(t, plan), spec)


def _one_a_day(t: ir.Table) -> ir.Table:
    """Collapse repeats: one event per dataset, day, source and target actor and code.

    The collapsed event keeps its Goldstein mean and the sum of the mentions
    of the reports it stands for, so weighting still follows attention.
    """
    return t.group_by(
        "dataset", "date", "source_actor", "target_actor", "source_country", "target_country",
        "event_code", "plover_type",
    ).aggregate(
        event_root=t.event_root.min(),
        quad_class=t.quad_class.min(),
        goldstein=t.goldstein.mean(),
        num_mentions=t.num_mentions.sum(),
    )


def _labelled(t: ir.Table, spec: IndicatorSpec) -> ir.Table:
    """Add the series label (dataset or ``combined``) and the period start."""
    return t.mutate(
        dataset=ibis.literal("combined") if spec.combine else t.dataset,
        period_start=t.date.truncate(_UNITS[spec.period]).cast("date"),
    )


def _only_dyad(t: ir.Table, spec: IndicatorSpec, only_dyad: bool = False) -> ir.Table:
    """Keep the dyad's events (both directions).

    ``only_dyad``: ``t`` holds the dyad's events only, so they need no test.
    """
    if only_dyad:
        return t
    a, b = spec.dyad
    sc, tc = t.source_country, t.target_country
    return t.filter(((sc == a) & (tc == b)) | ((sc == b) & (tc == a)))


def _directed(t: ir.Table, spec: IndicatorSpec) -> ir.Table:
    """Label each event's direction (or the pooled label)."""
    direction = (t.source_country.concat("->", t.target_country) if spec.split_directions
                 else ibis.literal(spec.pooled_direction))
    return t.mutate(direction=direction)


def _dyad(t: ir.Table, spec: IndicatorSpec, only_dyad: bool = False) -> ir.Table:
    """Keep the dyad's events (and the issue's) and label their direction.

    ``only_dyad``: ``t`` holds the dyad's events only, so they need no test.
    """
    t = _only_dyad(t, spec, only_dyad)
    if spec.issue:
        t = t.filter(t.issue_areas.contains(spec.issue))
    if spec.one_a_day:
        t = _one_a_day(t)
    return _directed(t, spec)


def untagged_ibis(t: ir.Table, issue: str | None) -> ir.Value:
    """Return, per event, whether its issue area cannot be told (see
    :data:`~detente.query.metrics.UNTAGGED_RULE`): no issue area at all, or, for
    ``issue``, no text to read and no tag of that issue."""
    none = t.issue_areas.isnull() | (t.issue_areas.length() == 0)
    if not issue:
        return none
    textless = (t.text.fill_null("") == "") & (t.url.fill_null("") == "")
    return none | (textless & ~t.issue_areas.contains(issue).fill_null(False))


def _untagged(t: ir.Table, spec: IndicatorSpec, only_dyad: bool, daily: bool = False) -> ir.Table:
    """Count each cell's events of the dyad (any issue area) and those whose issue area
    cannot be told (``daily``: ``t`` holds daily sums, see :mod:`detente.query._days`).

    Counted over the reports, before any one-a-day collapse: the share says how much of
    what the source carried the issue-area rules could not place.
    """
    d = _labelled(_directed(_only_dyad(t, spec, only_dyad), spec), spec)
    if daily:  # the day's events with no issue area: those untagged_ibis(t, None) holds for
        return d.group_by(*_KEYS).aggregate(c_dyad_all=d.events.sum().cast("int64"),
                                            c_untagged=d.untagged.sum().cast("int64"))
    return d.group_by(*_KEYS).aggregate(
        c_dyad_all=d.count(), c_untagged=untagged_ibis(d, spec.issue).cast("int64").sum())


def _cells(t: ir.Table, daily: bool = False) -> ir.Table:
    """Aggregate each dataset x direction x period cell into the metrics' statistics
    (``daily``: ``t`` holds daily sums of them already)."""
    return t.group_by(*_KEYS).aggregate(**(sums_ibis if daily else stats_ibis)(t, prefix="c_"))


def daily_totals_expr(events: ir.Table, spec: IndicatorSpec) -> ir.Table:
    """Return every dataset's events per day, all dyads (``dataset, date, n``), as counted
    for ``spec`` (its quality filters and one-a-day rule); the share of attention a dyad
    gets is its events over these.

    The table does not depend on the dyad, dates or period, so one run can keep it
    and hand it to :func:`indicator_expr` as ``totals`` for the next.
    """
    kept = _gdelt_filters(events, spec)
    every = _one_a_day(kept) if spec.one_a_day else kept
    return every.group_by("dataset", "date").aggregate(n=every.count())


def indicator_expr(events: ir.Table, grid: ir.Table, spec: IndicatorSpec, plan: Plan,
                   totals: ir.Table | None = None, *, only_dyad: bool = False,
                   daily: bool = False) -> ir.Table:
    """Return the indicator table as an Ibis expression over ``events``.

    Args:
        events: the canonical events table (at least the indicator columns).
        grid: ``plan.grid`` as a table beside ``events``.
        spec: what to compute.
        plan: the resolved days, datasets and period grid.
        totals: :func:`daily_totals_expr` of ``spec``, already computed, if at hand;
            else the expression counts every dyad's events itself.
        only_dyad: ``events`` holds the dyad's events only (a scope of the store);
            ``totals`` must then be given when the run reads a dataset other than the
            curated ones.
        daily: ``events`` holds the dyad's daily sums (see :mod:`detente.query._days`),
            not its events; ``only_dyad`` then, and in ``spec`` no issue area, GDELT
            quality filter or one-a-day rule.
    """
    machine = [d for d in plan.datasets if d not in CURATED_DATASETS]
    if only_dyad and totals is None and machine:
        raise ValueError("events of one dyad only need the daily totals of all events")
    if daily and (not only_dyad or spec.issue or spec.one_a_day or spec.root_only
                  or spec.min_sources is not None):
        raise ValueError("daily sums serve one dyad's runs of all issue areas, without "
                         "quality filters or one-a-day")
    kept = _quality(events, spec, plan)
    cells = _cells(_labelled(_dyad(kept, spec, only_dyad), spec), daily)
    j = grid.left_join(cells, list(_KEYS)).select(*grid.columns, *(c for c in cells.columns
                                                                      if c.startswith("c_")))
    tags = _untagged(kept, spec, only_dyad, daily)
    j = j.left_join(tags, list(_KEYS)).select(*j.columns, "c_dyad_all", "c_untagged")
    if machine and totals is not None:
        days = _labelled(_span(totals, plan), spec)
        totals = days.group_by("dataset", "period_start").aggregate(c_total=days.n.sum())
        j = j.left_join(totals, ["dataset", "period_start"]).select(*j.columns, "c_total")
    elif machine:
        # per day first (a cheap grouping), then per period: the period of each of millions
        # of events is not worked out one by one
        every = _one_a_day(kept) if spec.one_a_day else kept
        days = _labelled(every.group_by("dataset", "date").aggregate(n=every.count()), spec)
        totals = days.group_by("dataset", "period_start").aggregate(c_total=days.n.sum())
        j = j.left_join(totals, ["dataset", "period_start"]).select(*j.columns, "c_total")
    else:
        j = j.mutate(c_total=ibis.null("int64"))

    own = ("c_total", "c_dyad_all", "c_untagged")
    stats = {name[2:]: j[name] for name in j.columns if name.startswith("c_") and name not in own}
    m = derive(IBIS, stats)
    counted = m["events"].cast("int64")
    # a period no file covers and that holds no event is missing, not empty: every count
    # and metric of it is null, so that no reading (baselines included) takes it for zero
    missing = (j.coverage == "none") & (counted == 0)
    coverage = ibis.ifelse(j.coverage == "none", ibis.ifelse(missing, "missing", "partial"),
                           j.coverage)

    def known(value: ir.Value, kind: str) -> ir.Value:
        return ibis.ifelse(missing, ibis.null(kind), value)

    events_n = known(counted, "int64")
    is_curated = j.dataset.isin(sorted(CURATED_DATASETS))
    dyad_all = j.c_dyad_all.fill_null(0)
    out = j.select(
        "dataset",
        "direction",
        issue_area=ibis.literal(spec.issue_area),
        period_start="period_start",
        period_end="period_end",
        coverage=coverage,
        events=events_n,
        **{k: known(m[k].cast("int64"), "int64") for k in ("q1", "q2", "q3", "q4", "threats", "force")},
        q1_share=m["q1_share"],
        q2_share=m["q2_share"],
        q3_share=m["q3_share"],
        q4_share=m["q4_share"],
        goldstein_mean=m["goldstein_mean"],
        goldstein_weighted=m["goldstein_weighted"],
        goldstein_sum=known(m["goldstein_sum"].cast("float64"), "float64"),
        net_cooperation=m["net_cooperation"],
        material_conflict_share=m["material_conflict_share"],
        events_share=ibis.ifelse(is_curated, ibis.null("float64"), IBIS.ratio(events_n, j.c_total)),
        low_evidence=missing | (counted < spec.min_events),
        relationship_index=m["relationship_index"],
        dyad_events=known(dyad_all, "int64"),
        untagged_share=IBIS.ratio(j.c_untagged.fill_null(0), dyad_all),
    )
    out = with_baselines(out, spec.baseline_periods)
    return out.filter(out.period_start >= plan.output_start).order_by(*_KEYS)
