"""Shared helpers of the analysis modules: the error class and series extraction."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from detente.errors import DetenteError
from detente.query.metrics import JUDGED

__all__ = [
    "JUDGED",
    "AnalysisError",
    "as_date",
    "json_safe",
    "judged",
    "one_series",
    "robust_sigma",
    "to_float",
]


class AnalysisError(DetenteError):
    """An analysis cannot run on the series given (too short, empty, ambiguous)."""


def judged(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the periods of ``frame`` a verdict may rest on (:data:`JUDGED`); all of them
    when the frame says nothing of coverage."""
    if "coverage" not in frame.columns:
        return frame
    keep = frame["coverage"].isna() | frame["coverage"].isin(JUDGED)
    return frame if bool(keep.all()) else frame[keep].reset_index(drop=True)


def to_float(values: pd.Series | np.ndarray | list[float | None]) -> np.ndarray:
    """Return values as a float array with NaN where a value is missing (null)."""
    if isinstance(values, pd.Series):
        out: np.ndarray = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return out
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def json_safe(value: Any) -> Any:
    """Return ``value`` with NaN and infinities as ``None`` and dates as ISO strings, recursively."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def as_date(value: object) -> dt.date | None:
    """Return a period start as a plain date (from date, datetime or Timestamp)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, dt.datetime):  # pandas' Timestamp is a datetime too
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return value
    stamp = pd.Timestamp(str(value))
    return dt.date(stamp.year, stamp.month, stamp.day)


def one_series(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return the rows of one dataset x direction x issue series, sorted by period.

    Raises:
        AnalysisError: The column is missing, the frame is empty, or it holds
            more than one series (the caller must choose one).
    """
    if column not in frame.columns:
        raise AnalysisError(f"indicator {column!r} is not a column of the indicator table")
    if frame.empty:
        raise AnalysisError("no periods to analyse: the selection holds no events")
    for key in ("dataset", "direction", "issue_area"):
        if key in frame.columns and frame[key].nunique(dropna=False) > 1:
            found = ", ".join(sorted(map(str, frame[key].unique())))
            raise AnalysisError(f"the table holds several series ({key}: {found}); select one")
    out = frame.sort_values("period_start") if "period_start" in frame.columns else frame
    return out.reset_index(drop=True)


def robust_sigma(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Estimate the noise standard deviation from first differences, robustly.

    With weights ``w`` (events behind each mean), a mean of ``w`` events has
    variance ``sigma^2 / w``, so the difference of two consecutive observed
    means is scaled by ``sqrt(1/w_i + 1/w_j)``; without weights by ``sqrt(2)``.
    The scale is the median absolute deviation times 1.4826 (the normal
    consistency factor), so level shifts and outliers barely move it.
    """
    ok = ~np.isnan(values)
    if weights is not None:
        ok &= weights > 0
    y = values[ok]
    if len(y) < 3:
        return float("nan")
    if weights is None:
        d = np.diff(y) / np.sqrt(2.0)
    else:
        w = weights[ok]
        d = np.diff(y) / np.sqrt(1.0 / w[1:] + 1.0 / w[:-1])
    sigma = 1.4826 * float(np.median(np.abs(d - np.median(d))))
    if sigma == 0.0:
        sigma = float(np.std(d))
    return sigma
