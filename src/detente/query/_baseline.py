"""Rolling baselines: each metric against its own previous periods.

For period *t* the baseline of a metric is the mean of its values over the
``N`` periods before *t* (not *t* itself), within one dataset and direction.
Empty periods count with their value: 0 events, and null means, which a mean
skips. The baseline is stated only when at least
:func:`~detente.query.metrics.min_baseline_periods` of those ``N`` values
are present; the z-score also needs a standard deviation above 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis  # type: ignore[import-untyped]

from detente.query.metrics import BASELINE_METRICS, min_baseline_periods

if TYPE_CHECKING:
    import ibis.expr.types as ir  # type: ignore[import-untyped]

__all__ = ["with_baselines"]


def with_baselines(t: ir.Table, periods: int, metrics: tuple[str, ...] = BASELINE_METRICS) -> ir.Table:
    """Add ``<m>_baseline``, ``<m>_diff`` and ``<m>_z`` for each metric ``m``.

    Args:
        t: one row per dataset, direction and period, with no period missing.
        periods: the window: this many periods before the current one.
        metrics: the columns to compare with their baseline.
    """
    window = ibis.window(group_by=["dataset", "direction"], order_by="period_start", rows=(-periods, -1))
    need = min_baseline_periods(periods)
    null = ibis.null("float64")
    # the window statistics first, as columns of their own, so the SQL states each once
    stats: dict[str, ir.Value] = {}
    for m in metrics:
        value = t[m].cast("float64")
        stats[f"w_n_{m}"] = t[m].count().over(window)
        stats[f"w_mean_{m}"] = value.mean().over(window)
        stats[f"w_sd_{m}"] = value.std(how="sample").over(window)
    w = t.mutate(**stats)
    added: dict[str, ir.Value] = {}
    for m in metrics:
        value, n, mean, sd = w[m].cast("float64"), w[f"w_n_{m}"], w[f"w_mean_{m}"], w[f"w_sd_{m}"]
        enough = n >= need
        added[f"{m}_baseline"] = ibis.ifelse(enough, mean, null)
        added[f"{m}_diff"] = ibis.ifelse(enough, value - mean, null)
        added[f"{m}_z"] = ibis.ifelse(enough & (sd > 0), (value - mean) / sd, null)
    return w.select(*t.columns, **added)
