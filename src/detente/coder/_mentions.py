"""What the actor dictionary holds and finds: dated terms in office, its entries, and the
actor mentions of a sentence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


def actor_country(code: str) -> str:
    """Return the country (or, for IGOs, known group) of a CAMEO-style actor code."""
    if code.startswith("IGO"):
        return code[-3:] if len(code) >= 6 else "IGO"
    return code[:3]


@dataclass(frozen=True, slots=True)
class Term:
    """One spell in office: the code a person carries from..to (inclusive start)."""

    code: str
    start: dt.date
    end: dt.date | None
    office: str

    def holds(self, day: dt.date) -> bool:
        """Return whether the term covers ``day``."""
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class _Entry:
    # country | adjective | capital | place | demonym | group | person | role | office | treaty | ignore
    kind: str
    value: str  # country code, actor code, role, office name, person display name
    name: str = ""
    terms: tuple[Term, ...] = ()
    otherwise: str | None = None
    parties: tuple[str, ...] = ()


@dataclass(slots=True)
class ActorMention:
    """One actor found in a sentence: tokens ``start``..``end`` (exclusive)."""

    start: int
    end: int
    code: str
    name: str
    strong: bool = True
    locative: bool = False
    pronoun: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def country(self) -> str:
        """The mention's country (or IGO group) code."""
        return actor_country(self.code)
