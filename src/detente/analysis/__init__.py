"""Analysis of indicator series: change points, alerts, boom and bust, reciprocity, forecasts.

The functions over pandas frames (in the layout of
``detente.series.compute_indicators``) are pure; ``trends``,
``reciprocity``, ``expected_response`` and ``forecast_indicator`` take a store,
compute the indicators and run them.
"""

from __future__ import annotations

from detente.analysis._alerts import Alert, alerts, downward_spirals, escalations
from detente.analysis._common import AnalysisError
from detente.analysis._forecasting import Backtest, Forecast, backtest, crps_normal, forecast
from detente.analysis._store import (
    TrendsReport,
    chronology_crises,
    expected_response,
    forecast_indicator,
    reciprocity,
    trends,
)
from detente.analysis._var import ReciprocityResult, fit_reciprocity, girf
from detente.analysis.boomburst import Surge, boom_and_bust
from detente.analysis.changepoints import ChangePoint, change_points
from detente.analysis.scoring import AlertScore, crisis_periods, score_alerts

__all__ = [
    "Alert",
    "AlertScore",
    "AnalysisError",
    "Backtest",
    "ChangePoint",
    "Forecast",
    "ReciprocityResult",
    "Surge",
    "TrendsReport",
    "alerts",
    "backtest",
    "boom_and_bust",
    "change_points",
    "chronology_crises",
    "crisis_periods",
    "crps_normal",
    "downward_spirals",
    "escalations",
    "expected_response",
    "fit_reciprocity",
    "forecast",
    "forecast_indicator",
    "girf",
    "reciprocity",
    "score_alerts",
    "trends",
]
