"""Score alerts against the crises of the chronology: hits, misses, false alarms.

Which chronology events count as a crisis is stated, not learned: material
conflict (quad class 4, CAMEO roots 15-20) in the curated chronology with
either country of the dyad on one side. A *crisis period* has at least
``CRISIS_MIN_EVENTS = 2`` such events, or one use of force (roots 18-20).
Crisis periods no more than ``tolerance`` periods apart form one crisis
episode. An episode is *hit* when an alert starts within ``tolerance``
periods of it (before its first period or after its last), *missed*
otherwise; an alert near no episode is a *false alarm*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from detente.query.period import Period, period_floor, period_number

__all__ = ["CRISIS_MIN_EVENTS", "FORCE_ROOTS", "AlertScore", "Episode", "crisis_periods", "score_alerts"]

CRISIS_MIN_EVENTS = 2
FORCE_ROOTS = frozenset({"18", "19", "20"})


@dataclass(frozen=True)
class Episode:
    """A crisis episode: first and last crisis period, and whether an alert caught it."""

    start: dt.date
    end: dt.date
    hit: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "hit": self.hit}


@dataclass(frozen=True)
class AlertScore:
    """Counts of hits, misses and false alarms, with the episodes and stray alerts."""

    hits: int
    misses: int
    false_alarms: int
    tolerance: int
    episodes: list[Episode] = field(default_factory=list)
    false_alarm_periods: list[dt.date] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        """Share of episodes hit (``None`` without episodes)."""
        total = self.hits + self.misses
        return self.hits / total if total else None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return {"hits": self.hits, "misses": self.misses, "false_alarms": self.false_alarms,
                "tolerance": self.tolerance, "recall": self.recall,
                "episodes": [e.to_dict() for e in self.episodes],
                "false_alarm_periods": [d.isoformat() for d in self.false_alarm_periods]}


def crisis_periods(
    events: pd.DataFrame,
    *,
    period: str = "month",
    min_events: int = CRISIS_MIN_EVENTS,
) -> list[dt.date]:
    """Return the starts of the crisis periods among ``events``.

    Args:
        events: Chronology events with ``date``, ``quad_class`` and ``event_root``
            (already restricted to the dyad's countries).
        period: ``week``, ``month``, ``quarter`` or ``year``.
        min_events: Material-conflict events that make a period a crisis.
    """
    Period(period)  # checked
    if events.empty:
        return []
    conflict = events[events["quad_class"].astype("Int64") == 4]
    counts: dict[dt.date, int] = {}
    force: set[dt.date] = set()
    for day, root in zip(conflict["date"], conflict["event_root"].astype("string"), strict=True):
        start = period_floor(pd.Timestamp(day).date(), period)
        counts[start] = counts.get(start, 0) + 1
        if isinstance(root, str) and root.zfill(2) in FORCE_ROOTS:
            force.add(start)
    return sorted(p for p, n in counts.items() if n >= min_events or p in force)


def _episodes(crises: Sequence[dt.date], period: str, tolerance: int) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    for p in sorted(crises):
        if out and period_number(p, period) - period_number(out[-1][1], period) <= tolerance:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def score_alerts(
    alert_starts: Iterable[dt.date],
    crises: Sequence[dt.date],
    *,
    period: str = "month",
    tolerance: int = 1,
) -> AlertScore:
    """Score alerts (their first periods) against crisis periods.

    Args:
        alert_starts: The first period of each alert.
        crises: Crisis period starts (see :func:`crisis_periods`).
        period: The period both are in.
        tolerance: Periods an alert may lead or lag an episode and still hit it.
    """
    episodes = _episodes(crises, period, tolerance)
    windows = [(period_number(a, period) - tolerance, period_number(b, period) + tolerance)
               for a, b in episodes]
    hit = [False] * len(episodes)
    strays: list[dt.date] = []
    for start in sorted(alert_starts):
        num = period_number(start, period)
        matched = [k for k, (lo, hi) in enumerate(windows) if lo <= num <= hi]
        for k in matched:
            hit[k] = True
        if not matched:
            strays.append(start)
    eps = [Episode(a, b, h) for (a, b), h in zip(episodes, hit, strict=True)]
    return AlertScore(hits=sum(hit), misses=len(hit) - sum(hit), false_alarms=len(strays),
                      tolerance=tolerance, episodes=eps, false_alarm_periods=strays)
