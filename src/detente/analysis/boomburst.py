"""Boom and bust: after each cooperative surge, how far and how fast it fell back.

Stated rule: a *surge* is a period whose value exceeds its baseline by at
least ``SURGE_SIGMAS = 1.5`` noise standard deviations (sigma estimated
robustly from first differences); consecutive surge periods form one surge,
read at its peak. Over the next ``horizon`` periods the reading reports the
lowest value reached, the share of the gain given back
``(peak - low) / (peak - baseline)`` (above 1: it fell below where it
started), and the periods until the value first came back to the baseline or
below (``None``: not within the horizon).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from detente.analysis._alerts import baseline
from detente.analysis._common import as_date, json_safe, one_series, robust_sigma, to_float

__all__ = ["SURGE_SIGMAS", "Surge", "boom_and_bust"]

SURGE_SIGMAS = 1.5


@dataclass(frozen=True)
class Surge:
    """One cooperative surge and what followed it."""

    period_start: dt.date | None
    peak: float
    baseline: float
    low: float | None
    low_period: dt.date | None
    gave_back: float | None
    periods_to_baseline: int | None
    observed_after: int

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict (dates as ISO strings)."""
        out = asdict(self)
        for key in ("period_start", "low_period"):
            out[key] = out[key].isoformat() if out[key] else None
        safe: dict[str, Any] = json_safe(out)
        return safe


def boom_and_bust(
    frame: pd.DataFrame,
    column: str = "relationship_index",
    *,
    horizon: int = 12,
    surge_sigmas: float = SURGE_SIGMAS,
) -> list[Surge]:
    """Return every cooperative surge of ``column`` with its fall-back reading."""
    rows = one_series(frame, column)
    y = to_float(rows[column])
    base = baseline(rows, column)
    starts = [as_date(v) for v in rows["period_start"]]
    sigma = robust_sigma(y)
    if not np.isfinite(sigma) or sigma <= 0:
        return []
    surge = ~np.isnan(y) & ~np.isnan(base) & (y - np.nan_to_num(base) >= surge_sigmas * sigma)
    out: list[Surge] = []
    i = 0
    n = len(y)
    while i < n:
        if not surge[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and surge[j + 1]:
            j += 1
        peak_i = i + int(np.nanargmax(y[i:j + 1]))
        peak, ref = float(y[peak_i]), float(base[i])
        after = y[peak_i + 1:peak_i + 1 + horizon]
        observed = int((~np.isnan(after)).sum())
        low = low_period = gave = back = None
        if observed:
            k = int(np.nanargmin(after))
            low, low_period = float(after[k]), starts[peak_i + 1 + k]
            gave = (peak - low) / (peak - ref) if peak != ref else None
            hits = np.nonzero(~np.isnan(after) & (after <= ref))[0]
            back = int(hits[0]) + 1 if len(hits) else None
        out.append(Surge(period_start=starts[peak_i], peak=peak, baseline=ref, low=low,
                         low_period=low_period, gave_back=gave, periods_to_baseline=back,
                         observed_after=observed))
        i = j + 1
    return out
