"""Period arithmetic: how many periods lie between two period starts."""

from __future__ import annotations

import datetime as dt

from detente._periods import PERIODS, period_floor
from detente.analysis._common import AnalysisError

__all__ = ["PERIOD_NAMES", "period_number", "period_of"]

PERIOD_NAMES = PERIODS


def period_number(day: dt.date, period: str) -> int:
    """Return a running number of ``day``'s period (consecutive periods differ by 1)."""
    if period == "month":
        return day.year * 12 + day.month - 1
    if period == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    if period == "year":
        return day.year
    if period == "week":
        return (day.toordinal() - 1) // 7  # weeks start on Monday: ordinal 1 is a Monday
    raise AnalysisError(f"period {period!r} is not one of {', '.join(PERIOD_NAMES)}")


def period_of(day: dt.date, period: str) -> dt.date:
    """Return the first day of ``day``'s period."""
    if period not in PERIOD_NAMES:
        raise AnalysisError(f"period {period!r} is not one of {', '.join(PERIOD_NAMES)}")
    return period_floor(day, period)
