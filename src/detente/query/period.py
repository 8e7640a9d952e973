"""Calendar periods: weeks (ISO, starting Monday), months, quarters, years.

The one place where the package finds where a period starts, where the next one
begins, how far apart two periods are and how a period is written (``2014``,
``2014-Q1``, ``2014-03``, or a week by its Monday, ``2014-02-24``). Every stage (indicators, analyses, the
brief, the command line) uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from detente.errors import QueryError

__all__ = ["PERIODS", "Period", "add_periods", "period_floor", "period_label", "period_number",
           "period_starts"]

PERIODS: tuple[str, ...] = ("week", "month", "quarter", "year")

_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _check(period: str) -> None:
    if period not in PERIODS:
        raise QueryError(f"period {period!r} is not one of {', '.join(PERIODS)}")


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


def period_number(day: date, period: str) -> int:
    """Return a running number of ``day``'s period (consecutive periods differ by 1)."""
    if period == "month":
        return day.year * 12 + day.month - 1
    if period == "quarter":
        return day.year * 4 + (day.month - 1) // 3
    if period == "year":
        return day.year
    if period == "week":
        return (day.toordinal() - 1) // 7  # ordinal 1 (0001-01-01) is a Monday
    _check(period)
    raise AssertionError(period)


def period_label(day: date, period: str) -> str:
    """Return how the period starting at ``day`` is written: ``2014``, ``2014-Q1``,
    ``2014-03``, or a week by the date of its Monday; one spelling everywhere."""
    if period == "year":
        return f"{day.year}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "week":
        return period_floor(day, "week").isoformat()
    _check(period)
    raise AssertionError(period)


@dataclass(frozen=True)
class Period:
    """A kind of calendar period (``week``, ``month``, ``quarter``, ``year``).

    Raises:
        QueryError: an unknown kind.
    """

    name: str = "month"

    def __post_init__(self) -> None:
        _check(self.name)

    def floor(self, day: date) -> date:
        """Return the first day of the period holding ``day``."""
        return period_floor(day, self.name)

    def add(self, start: date, n: int) -> date:
        """Return the start of the period ``n`` periods after ``start``'s."""
        return add_periods(start, self.name, n)

    def starts(self, first: date, last: date) -> list[date]:
        """Return every period start from ``first``'s period to ``last``'s."""
        return period_starts(first, last, self.name)

    def end(self, start: date) -> date:
        """Return the last day of the period starting at ``start``."""
        return add_periods(start, self.name, 1) - timedelta(days=1)

    def number(self, day: date) -> int:
        """Return the running number of ``day``'s period."""
        return period_number(day, self.name)

    def label(self, start: date) -> str:
        """Return how the period starting at ``start`` is written."""
        return period_label(start, self.name)

    def __str__(self) -> str:
        return self.name
