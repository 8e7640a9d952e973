"""Select events: filters validated once, bound as parameters, never pasted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from detente.errors import QueryError

__all__ = ["EventFilter", "parse_date", "parse_dyad"]

_COUNTRY = re.compile(r"^[A-Z]{3}$")
_CODE = re.compile(r"^[0-9]{2,4}$")


def parse_date(value: str | date | None, what: str = "date") -> date | None:
    """Parse ``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``, meaning its first day)."""
    if value is None or isinstance(value, date):
        return value
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise QueryError(f"{what} {value!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")


def _country(code: str, what: str) -> str:
    c = code.strip().upper()
    if not _COUNTRY.match(c):
        raise QueryError(f"{what} {code!r} is not a three-letter CAMEO country code (e.g. USA, RUS)")
    return c


def parse_dyad(text: str) -> tuple[str, str]:
    """Parse ``USA-RUS`` into its two country codes."""
    parts = text.replace("->", "-").split("-")
    if len(parts) != 2:
        raise QueryError(f"dyad {text!r} must be two country codes joined by '-', e.g. USA-RUS")
    a, b = (_country(p, "dyad side") for p in parts)
    return a, b


@dataclass(frozen=True)
class EventFilter:
    """Which events to select. Every field is optional; all given must hold."""

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

    def __post_init__(self) -> None:
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
            object.__setattr__(self, "source", _country(self.source, "--from"))
        if self.target is not None:
            object.__setattr__(self, "target", _country(self.target, "--to"))

    def where(self) -> tuple[str, list[object]]:
        """Return the SQL ``WHERE`` clause (or ``true``) and its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        if self.dyad:
            a, b = self.dyad
            clauses.append("((source_country = ? AND target_country = ?) OR "
                           "(source_country = ? AND target_country = ?))")
            params += [a, b, b, a]
        if self.source:
            clauses.append("source_country = ?")
            params.append(self.source)
        if self.target:
            clauses.append("target_country = ?")
            params.append(self.target)
        if self.since:
            clauses.append("date >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("date <= ?")
            params.append(self.until)
        if self.issue_areas:
            clauses.append("len(list_intersect(issue_areas, ?::VARCHAR[])) > 0")
            params.append(list(self.issue_areas))
        if self.codes:
            clauses.append("(" + " OR ".join("starts_with(event_code, ?)" for _ in self.codes) + ")")
            params += list(self.codes)
        if self.roots:
            clauses.append("event_root IN (" + ", ".join("?" for _ in self.roots) + ")")
            params += [r.zfill(2) for r in self.roots]
        if self.quad_classes:
            clauses.append("quad_class IN (" + ", ".join("?" for _ in self.quad_classes) + ")")
            params += list(self.quad_classes)
        if self.datasets:
            clauses.append("dataset IN (" + ", ".join("?" for _ in self.datasets) + ")")
            params += list(self.datasets)
        if self.root_only:
            clauses.append("coalesce(is_root, true)")
        if self.min_sources is not None:
            clauses.append("coalesce(num_sources, 1) >= ?")
            params.append(self.min_sources)
        if self.search:
            clauses.append("contains(lower(concat_ws(' ', text, url, source_name, target_name)), ?)")
            params.append(self.search.lower())
        return (" AND ".join(clauses) or "true"), params
