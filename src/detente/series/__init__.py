"""Indicators of a dyad: counts, shares and Goldstein means per period, with baselines,
and what the ingested files cover of each period.

Written once as Ibis expressions over the canonical events table; they run on
the DuckDB store by default and on Apache Spark with the same results, and
compile to BigQuery SQL.
"""

from __future__ import annotations

from detente.query._engines import BACKENDS, get_backend
from detente.query.period import PERIODS
from detente.series._compute import (
    INDICATOR_SCHEMA,
    compute_indicators,
    indicators_sql,
    relationship_index,
)
from detente.series._coverage import (
    COVERAGE_STATES,
    REPORTING_LAG,
    FileCoverage,
    dataset_coverage,
    period_coverage,
    publication_window,
    window_coverage,
)
from detente.series._spec import BASELINE_METRICS, IndicatorSpec, min_baseline_periods

__all__ = [
    "BACKENDS",
    "BASELINE_METRICS",
    "COVERAGE_STATES",
    "INDICATOR_SCHEMA",
    "PERIODS",
    "REPORTING_LAG",
    "FileCoverage",
    "IndicatorSpec",
    "compute_indicators",
    "dataset_coverage",
    "get_backend",
    "indicators_sql",
    "min_baseline_periods",
    "period_coverage",
    "publication_window",
    "relationship_index",
    "window_coverage",
]
