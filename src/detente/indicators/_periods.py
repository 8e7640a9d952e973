"""Calendar periods for the indicators: the package's (:mod:`detente._periods`) and the
Ibis truncation unit of each."""

from __future__ import annotations

from detente._periods import PERIODS, add_periods, period_floor, period_starts

__all__ = ["PERIODS", "add_periods", "period_floor", "period_starts", "truncate_unit"]

# Ibis truncation units; weeks start on Monday on every backend Ibis compiles to.
_UNITS = {"week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def truncate_unit(period: str) -> str:
    """Return the Ibis truncation unit of ``period``."""
    return _UNITS[period]
