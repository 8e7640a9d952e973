"""The glance's forecast line: shown only when the model beat the baselines in its backtest.

The analysis stage fits an autoregression to each dataset's index and scores
it from rolling origins against the usual baselines (last value, climatology of
the same months, zero). The model beats them only with at least 12 origins per
step ahead and a mean CRPS difference against the best of them whose 90%
interval lies below zero; otherwise the brief says so ("does not beat the
baselines" or "not enough history to judge") and gives no number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from detente.errors import DetenteError
from detente.query.metrics import JUDGED
from detente.report.model import ForecastLine

__all__ = ["HORIZON", "forecast_lines"]

HORIZON = 1
"""Periods ahead the glance forecasts: the next one."""


def _mean_crps(scores: list[dict[str, Any]], model: str) -> float | None:
    vals = [float(s["crps"]) for s in scores if s["model"] == model]
    return sum(vals) / len(vals) if vals else None


def _active(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the periods before the dataset's first event (its coverage, not the relationship)
    and those its files do not cover completely."""
    ordered = sorted(rows, key=lambda r: r["period_start"])
    first = next((i for i, r in enumerate(ordered) if r.get("events")), None)
    # a forecast starts from complete periods only (a partial one lacks some of its files)
    return [] if first is None else [r for r in ordered[first:]
                                     if r.get("coverage") in (None, *JUDGED)]


def forecast_lines(mod: Any, rows: list[dict[str, Any]], period: str) -> list[ForecastLine]:
    """Return one forecast line per dataset of ``rows`` (a pooled indicator table)."""
    import pandas as pd

    by: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by.setdefault(str(r["dataset"]), []).append(r)
    out = []
    for dataset, series in sorted(by.items()):
        frame = pd.DataFrame(_active(series))
        try:
            fc = mod.forecast(frame, "relationship_index", horizon=HORIZON, period=period)
        except DetenteError as exc:
            out.append(ForecastLine(dataset=dataset, period=period, beats_no_change=False,
                                    message=f"{dataset}: no forecast ({exc})."))
            continue
        bt = fc.backtest
        scores = bt.scores if bt else []
        model_crps, still_crps = _mean_crps(scores, "model"), _mean_crps(scores, "no_change")
        origins = bt.origins if bt else 0
        verdict = bt.verdict_text if bt else "no backtest"
        if not (bt and bt.beats_baselines):
            out.append(ForecastLine(
                dataset=dataset, period=period, beats_no_change=False, origins=origins,
                model_crps=model_crps, no_change_crps=still_crps,
                message=f"{dataset}: no forecast shown: the model {verdict}."))
            continue
        start: dt.date | None = fc.period_starts[0]
        out.append(ForecastLine(
            dataset=dataset, period=period, beats_no_change=True, origins=origins,
            model_crps=model_crps, no_change_crps=still_crps, period_start=start,
            mean=fc.mean[0], lower=fc.lower[0], upper=fc.upper[0], coverage=fc.coverage,
            message=f"{dataset}: forecast of the relationship index for the period from {start}: "
                    f"{fc.mean[0]:.2f} ({fc.coverage:.0%} interval {fc.lower[0]:.2f} … "
                    f"{fc.upper[0]:.2f}); the model {verdict}."))
    return out
