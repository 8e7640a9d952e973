"""What a query asks, as typed values: a :class:`Dyad`, a :class:`Direction`, a
:class:`Window` of days and a :class:`Selection` of events.

Parsed and checked once, where a command-line value or a keyword argument comes in;
everything downstream receives these values, never the text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from detente.errors import QueryError

__all__ = ["Direction", "Dyad", "EventFilter", "Selection", "Window", "parse_date", "parse_dyad"]

_COUNTRY = re.compile(r"^[A-Z]{3}$")
_CODE = re.compile(r"^[0-9]{2,4}$")


FIRST_DAY = date(1900, 1, 1)
"""Earliest date a query accepts."""
LAST_DAY = date(2100, 12, 31)
"""Latest date a query accepts."""


def parse_date(value: str | date | None, what: str = "date") -> date | None:
    """Parse ``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``, meaning its first day)."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not FIRST_DAY <= day <= LAST_DAY:  # event data lies well inside; date sums stay safe
            raise QueryError(f"{what} {value!r} is outside {FIRST_DAY} .. {LAST_DAY}")
        return day
    raise QueryError(f"{what} {value!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")


def country(code: str, what: str = "country") -> str:
    """Return ``code`` as a checked three-letter CAMEO country code (upper case)."""
    c = code.strip().upper()
    if not _COUNTRY.match(c):
        raise QueryError(f"{what} {code!r} is not a three-letter CAMEO country code (e.g. USA, RUS)")
    return c


def parse_dyad(text: str) -> tuple[str, str]:
    """Parse ``USA-RUS`` (or ``USA->RUS``) into its two country codes."""
    parts = text.replace("->", "-").split("-")
    if len(parts) != 2:
        raise QueryError(f"dyad {text!r} must be two country codes joined by '-', e.g. USA-RUS")
    a, b = (country(p, "dyad side") for p in parts)
    return a, b


@dataclass(frozen=True)
class Direction:
    """One side acting towards the other: ``USA->RUS``."""

    source: str
    target: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", country(self.source, "source"))
        object.__setattr__(self, "target", country(self.target, "target"))

    @classmethod
    def parse(cls, text: str) -> Direction:
        """Parse ``USA->RUS``."""
        if "->" not in text:
            raise QueryError(f"direction {text!r} must be written like USA->RUS")
        a, b = parse_dyad(text)
        return cls(a, b)

    @property
    def label(self) -> str:
        """``USA->RUS``."""
        return f"{self.source}->{self.target}"

    @property
    def dyad(self) -> Dyad:
        """The dyad of both directions, in this direction's order."""
        return Dyad(self.source, self.target)

    def reverse(self) -> Direction:
        """The other direction."""
        return Direction(self.target, self.source)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Dyad:
    """Two countries, both directions between them: ``USA-RUS``.

    Equal to a tuple of its codes in its own order (so ``Dyad("USA", "RUS") ==
    ("USA", "RUS")``), iterable and indexable like one.
    """

    a: str
    b: str

    def __post_init__(self) -> None:
        a, b = country(self.a, "dyad side"), country(self.b, "dyad side")
        if a == b:
            raise QueryError(f"dyad {a}-{b} needs two different countries")
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)

    @classmethod
    def of(cls, value: Dyad | str | tuple[str, str] | list[str]) -> Dyad:
        """Return ``value`` as a dyad: ``"USA-RUS"``, ``("USA", "RUS")`` or a dyad."""
        if isinstance(value, Dyad):
            return value
        if isinstance(value, str):
            return cls(*parse_dyad(value))
        if len(value) != 2:
            raise QueryError(f"dyad {value!r} must be two country codes")
        return cls(str(value[0]), str(value[1]))

    @property
    def label(self) -> str:
        """``USA-RUS``."""
        return f"{self.a}-{self.b}"

    @property
    def directions(self) -> tuple[Direction, Direction]:
        """``USA->RUS`` and ``RUS->USA``."""
        return Direction(self.a, self.b), Direction(self.b, self.a)

    @property
    def key(self) -> tuple[str, str]:
        """The two codes in alphabetical order: the same for ``USA-RUS`` and ``RUS-USA``."""
        return (min(self.a, self.b), max(self.a, self.b))

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter((self.a, self.b))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, i: int) -> str:
        return (self.a, self.b)[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Dyad):
            return (self.a, self.b) == (other.a, other.b)
        if isinstance(other, tuple):
            return (self.a, self.b) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.a, self.b))

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Window:
    """Days from ``since`` to ``until``, both included (``None``: open at that end)."""

    since: date | None = None
    until: date | None = None

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise QueryError(f"the window starts ({self.since}) after it ends ({self.until})")

    def __str__(self) -> str:
        return f"{self.since or 'the start'} to {self.until or 'the end'}"


@dataclass(frozen=True)
class Selection:
    """Which events to select. Every field is optional; all given must hold.

    Attributes:
        dyad: both directions between two countries.
        source, target: the acting and the receiving country (one direction when both
            are given; either alone selects every event of that side).
        since, until: first and last day.
        issue_areas: events tagged with any of these.
        codes: CAMEO codes or prefixes; roots: CAMEO roots (``"19"``).
        quad_classes: 1 to 4.
        datasets: datasets to read (all when empty).
        root_only, min_sources: GDELT's quality filters (events without the fields pass).
        one_a_day: count one event per dataset, day, actors and code (metrics only).
        search: a case-insensitive substring of the text, URL or actor names.
    """

    dyad: tuple[str, str] | None = None
    source: str | None = None
    target: str | None = None
    since: date | None = None
    until: date | None = None
    issue_areas: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    roots: tuple[str, ...] = ()
    quad_classes: tuple[int, ...] = ()
    datasets: tuple[str, ...] = ()
    root_only: bool = False
    min_sources: int | None = None
    search: str | None = None
    one_a_day: bool = False

    def __post_init__(self) -> None:
        if self.dyad is not None:
            a, b = self.dyad if isinstance(self.dyad, Dyad) else parse_dyad("-".join(self.dyad))
            object.__setattr__(self, "dyad", (a, b))
        if self.since and self.until and self.since > self.until:
            raise QueryError(f"--since {self.since} is after --until {self.until}")
        for code in (*self.codes, *self.roots):
            if not _CODE.match(code):
                raise QueryError(f"event code {code!r} must be 2 to 4 digits (e.g. 163, 04)")
        for q in self.quad_classes:
            if q not in (1, 2, 3, 4):
                raise QueryError(f"quad class {q} must be 1, 2, 3 or 4")
        if self.min_sources is not None and self.min_sources < 0:
            raise QueryError("--min-sources must be 0 or more")
        if self.source is not None:
            object.__setattr__(self, "source", country(self.source, "--from"))
        if self.target is not None:
            object.__setattr__(self, "target", country(self.target, "--to"))
        for name in ("issue_areas", "codes", "roots", "quad_classes", "datasets"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    @classmethod
    def of_dyad(cls, dyad: Dyad | str | tuple[str, str], **kw: object) -> Selection:
        """Return the selection of both directions of ``dyad`` (more fields by keyword)."""
        d = Dyad.of(dyad)
        return cls(dyad=(d.a, d.b), **kw)  # type: ignore[arg-type]

    @classmethod
    def of_direction(cls, direction: Direction | str, **kw: object) -> Selection:
        """Return the selection of one direction (more fields by keyword)."""
        d = direction if isinstance(direction, Direction) else Direction.parse(direction)
        return cls(source=d.source, target=d.target, **kw)  # type: ignore[arg-type]

    @property
    def pair(self) -> tuple[str, str] | None:
        """The two countries the selection is about (dyad, or both sides of a direction)."""
        if self.dyad:
            return self.dyad
        if self.source and self.target:
            return (self.source, self.target)
        return None

    @property
    def label(self) -> str:
        """``USA-RUS``, ``USA->RUS``, ``USA->*`` or ``all events``."""
        if self.dyad:
            return f"{self.dyad[0]}-{self.dyad[1]}"
        if self.source or self.target:
            return f"{self.source or '*'}->{self.target or '*'}"
        return "all events"

    @property
    def window(self) -> Window:
        """The selection's days."""
        return Window(self.since, self.until)

    def narrowed(self, **changes: object) -> Selection:
        """Return a copy with ``changes`` (field values)."""
        return replace(self, **changes)  # type: ignore[arg-type]


EventFilter = Selection
"""The name :class:`Selection` had before the query layer (kept for existing code)."""
