"""Alerts on an indicator series: downward spirals and escalations.

Stated rules (the defaults, each a parameter):

* **downward spiral**: the relationship index below its baseline in
  ``SPIRAL_RUN = 3`` observed periods in a row. Periods without events carry
  no evidence either way: they neither extend nor break a run.
* **escalation**: the material-conflict share of a period at least
  ``ESCALATION_RISE = 0.25`` above its baseline and at least
  ``ESCALATION_FLOOR = 0.5`` (half the period's events are material conflict),
  on at least ``ESCALATION_MIN_EVENTS = 3`` events.

The baseline is the table's ``<indicator>_baseline`` column where present
(the rolling mean of the previous periods, the current excluded), else the
same computed here over ``BASELINE_PERIODS = 12`` periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from detente.analysis._common import as_date, json_safe, one_series, to_float

__all__ = [
    "BASELINE_PERIODS",
    "ESCALATION_FLOOR",
    "ESCALATION_MIN_EVENTS",
    "ESCALATION_RISE",
    "SPIRAL_RUN",
    "Alert",
    "alerts",
    "baseline",
    "downward_spirals",
    "escalations",
]

SPIRAL_RUN = 3
ESCALATION_RISE = 0.25
ESCALATION_FLOOR = 0.5
ESCALATION_MIN_EVENTS = 3
BASELINE_PERIODS = 12


@dataclass(frozen=True)
class Alert:
    """One alert: what, from which period to which, and the numbers behind it."""

    kind: str
    start: dt.date | None
    end: dt.date | None
    periods: int
    value: float
    baseline: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict (dates as ISO strings)."""
        out = asdict(self)
        out["start"] = self.start.isoformat() if self.start else None
        out["end"] = self.end.isoformat() if self.end else None
        safe: dict[str, Any] = json_safe(out)
        return safe


def baseline(frame: pd.DataFrame, column: str, periods: int = BASELINE_PERIODS) -> np.ndarray:
    """Return the baseline of ``column``: the table's own, else a rolling mean of previous periods."""
    own = f"{column}_baseline"
    if own in frame.columns:
        return to_float(frame[own])
    values = pd.Series(to_float(frame[column]))
    rolled: np.ndarray = values.shift(1).rolling(periods, min_periods=max(3, periods // 4)).mean().to_numpy()
    return rolled


def downward_spirals(
    frame: pd.DataFrame, column: str = "relationship_index", *, run: int = SPIRAL_RUN,
) -> list[Alert]:
    """Return one alert per spell of at least ``run`` observed periods below baseline."""
    rows = one_series(frame, column)
    y = to_float(rows[column])
    base = baseline(rows, column)
    starts = [as_date(v) for v in rows["period_start"]]
    out: list[Alert] = []
    spell: list[int] = []

    def close() -> None:
        if len(spell) >= run:
            vals, bases = y[spell], base[spell]
            out.append(Alert(
                kind="downward_spiral", start=starts[spell[0]], end=starts[spell[-1]], periods=len(spell),
                value=float(np.mean(vals)), baseline=float(np.mean(bases)),
                detail=f"{column} below its baseline in {len(spell)} observed periods in a row "
                       f"(rule: {run}); mean gap {float(np.mean(vals - bases)):+.2f}"))
        spell.clear()

    for i in range(len(y)):
        if np.isnan(y[i]) or np.isnan(base[i]):
            continue
        if y[i] < base[i]:
            spell.append(i)
        else:
            close()
    close()
    return out


def escalations(
    frame: pd.DataFrame,
    column: str = "material_conflict_share",
    *,
    rise: float = ESCALATION_RISE,
    floor: float = ESCALATION_FLOOR,
    min_events: int = ESCALATION_MIN_EVENTS,
) -> list[Alert]:
    """Return one alert per period whose material-conflict share spikes above its baseline."""
    rows = one_series(frame, column)
    y = to_float(rows[column])
    base = baseline(rows, column)
    events = rows["events"].to_numpy(dtype=float) if "events" in rows.columns else np.full(len(y), np.inf)
    out: list[Alert] = []
    for i in range(len(y)):
        if np.isnan(y[i]) or np.isnan(base[i]) or events[i] < min_events:
            continue
        if y[i] >= floor and y[i] - base[i] >= rise:
            start = as_date(rows["period_start"].iloc[i])
            out.append(Alert(
                kind="escalation", start=start, end=start, periods=1, value=float(y[i]),
                baseline=float(base[i]),
                detail=f"{column} {y[i]:.2f} against baseline {base[i]:.2f} on {int(events[i])} events "
                       f"(rule: >= {floor:.2f} and >= baseline + {rise:.2f}, >= {min_events} events)"))
    return out


def alerts(frame: pd.DataFrame, *, index_column: str = "relationship_index") -> list[Alert]:
    """Return spirals (on ``index_column``) and escalations, in time order."""
    found = downward_spirals(frame, index_column)
    if "material_conflict_share" in frame.columns:
        found += escalations(frame)
    return sorted(found, key=lambda a: (a.start or dt.date.min, a.kind))
