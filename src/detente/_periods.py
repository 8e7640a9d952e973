"""Calendar periods: weeks (ISO, starting Monday), months, quarters, years.

The one place the package's stages find where a period starts and the next one
begins; each stage states its own errors for a period it does not know.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = ["PERIODS", "add_periods", "period_floor", "period_starts"]

PERIODS: tuple[str, ...] = ("week", "month", "quarter", "year")

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def period_floor(day: date, period: str) -> date:
    """Return the first day of the period holding ``day``."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    step = _MONTHS[period]
    return date(day.year, (day.month - 1) // step * step + 1, 1)


def add_periods(start: date, period: str, n: int) -> date:
    """Return the start of the period ``n`` periods after the one starting at ``start``."""
    if period == "week":
        return start + timedelta(weeks=n)
    months = start.year * 12 + start.month - 1 + n * _MONTHS[period]
    return date(months // 12, months % 12 + 1, 1)


def period_starts(first: date, last: date, period: str) -> list[date]:
    """Return the starts of every period from the one holding ``first`` to the one holding ``last``."""
    out: list[date] = []
    cur, end = period_floor(first, period), period_floor(last, period)
    while cur <= end:
        out.append(cur)
        cur = add_periods(cur, period, 1)
    return out
