"""Query parameters of the dashboard's API: declared once, validated, bound."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Query
from pydantic import BeforeValidator, StringConstraints, WithJsonSchema

from detente.errors import QueryError
from detente.query.types import FIRST_DAY, LAST_DAY
from detente.report import BriefOptions
from detente.store import EventFilter, parse_dyad

__all__ = ["EventQuery", "ViewQuery"]

Dyad = Annotated[str, Query(pattern=r"^[A-Za-z]{3}-[A-Za-z]{3}$", max_length=7,
                            description="Both directions, e.g. USA-RUS.")]
Direction = Annotated[Literal["both", "forward", "backward"], Query(
    description="both: pooled; forward: first side to second (USA->RUS); backward: the other way.")]
Period = Annotated[Literal["auto", "week", "month", "quarter", "year"], Query(
    description="Period of the series (auto: years for the chronology alone, else months).")]
Issue = Annotated[str | None, Query(pattern=r"^[a-z_]{1,40}$", description="One issue area.")]
_SHAPE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
# exactly the dates accepted, for the OpenAPI description: a year of 1900 .. 2100, a month
# of it, or a day of the calendar (29 February in leap years only)
_YEAR = r"(19[0-9]{2}|20[0-9]{2}|2100)"
_LEAP = r"(19(0[48]|[2468][048]|[13579][26])|20(0[048]|[2468][048]|[13579][26]))"
_MONTH_DAY = (r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
              r"|02-(0[1-9]|1[0-9]|2[0-8]))")
DAY_PATTERN = (rf"^({_YEAR}(-(0[1-9]|1[0-2]))?|{_YEAR}-{_MONTH_DAY}|{_LEAP}-02-29)$")
"""What a date parameter accepts, as a regular expression (declared in the description)."""


def _day(value: object) -> object:
    """Read ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (its first day) as a date.

    Nothing else is a date here: not ``0`` or ``1700000000`` (which the standard
    validation would take for seconds since 1970), nor a date with a time.
    """
    if not isinstance(value, str):
        return value
    if not re.fullmatch(_SHAPE, value):
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = [*value.split("-"), "01", "01"][:3]
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{value!r} is not a day of the calendar") from None


# within the dates any query accepts: a far date would cost a long computation or overflow
Day = Annotated[dt.date | None, BeforeValidator(_day), WithJsonSchema(
    {"anyOf": [{"type": "string", "pattern": DAY_PATTERN}, {"type": "null"}]}),
    Query(description="YYYY-MM-DD, YYYY-MM or YYYY (its first day), within "
                      "1900-01-01 .. 2100-12-31", ge=FIRST_DAY, le=LAST_DAY)]
_DATASET = r"^[a-z0-9_]{1,20}$"
Datasets = Annotated[list[Annotated[str, StringConstraints(pattern=_DATASET)]] | None, Query(
    max_length=10, description="Datasets (repeatable); all when absent.")]


def _datasets(values: list[str] | None) -> tuple[str, ...]:
    out = tuple(values or ())
    bad = [v for v in out if not re.fullmatch(_DATASET, v)]
    if bad:
        raise QueryError(f"dataset {bad[0]!r} is not a dataset name")
    return out


@dataclass(frozen=True)
class ViewQuery:
    """The filters of a view: dyad, direction, issue, period, dates, datasets."""

    dyad: Dyad = "USA-RUS"
    direction: Direction = "both"
    issue: Issue = None
    period: Period = "auto"
    since: Day = None
    until: Day = None
    as_of: Day = None
    dataset: Datasets = None

    def options(self) -> BriefOptions:
        """Return the brief options of this view.

        Raises:
            QueryError: a value no dyad or dataset can have.
        """
        return BriefOptions(dyad=parse_dyad(self.dyad), direction=self.direction,
                            period=self.period, since=self.since, until=self.until,
                            as_of=self.as_of, datasets=_datasets(self.dataset), issue=self.issue)


@dataclass(frozen=True)
class EventQuery:
    """A page of events: the view's filters plus search and paging."""

    dyad: Dyad = "USA-RUS"
    direction: Direction = "both"
    issue: Issue = None
    since: Day = None
    until: Day = None
    dataset: Datasets = None
    search: Annotated[str | None, Query(max_length=200,
                                        description="Substring of text, URL or names.")] = None
    order: Annotated[Literal["newest", "oldest"], Query(
        description="newest: latest events first (the default); oldest: earliest first.")] = "newest"
    limit: Annotated[int, Query(ge=1, le=500, description="Rows per page.")] = 50
    offset: Annotated[int, Query(ge=0, le=100_000_000, description="Rows to skip.")] = 0

    def event_filter(self) -> EventFilter:
        """Return the store filter of this page.

        Raises:
            QueryError: a value no filter can have (since after until, a bad code).
        """
        a, b = parse_dyad(self.dyad)
        sides = {"both": None, "forward": (a, b), "backward": (b, a)}[self.direction]
        return EventFilter(
            dyad=None if sides else (a, b), source=sides[0] if sides else None,
            target=sides[1] if sides else None, since=self.since, until=self.until,
            issue_areas=(self.issue,) if self.issue else (), datasets=_datasets(self.dataset),
            search=self.search or None,
        )
