"""Store-level entry points: compute the indicators, then run the pure analyses on them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from detente.analysis._alerts import Alert, alerts
from detente.analysis._common import AnalysisError, as_date, json_safe, judged
from detente.analysis._forecasting import Forecast, forecast
from detente.analysis._var import ReciprocityResult, fit_reciprocity
from detente.analysis.boomburst import Surge, boom_and_bust
from detente.analysis.changepoints import PATH_RANGE, PENALTY_K, ChangePoint, change_points
from detente.analysis.scoring import AlertScore, crisis_periods, score_alerts
from detente.store import EventFilter

if TYPE_CHECKING:
    from detente.store import Store

__all__ = ["TrendsReport", "chronology_crises", "expected_response", "forecast_indicator",
           "indicator_table", "reciprocity", "trends"]

CHRONOLOGY = "curated"


def indicator_table(store: Store, **spec: Any) -> pd.DataFrame:
    """Return ``compute_indicators(store, IndicatorSpec(**spec))`` as a pandas frame."""
    from detente.series import IndicatorSpec, compute_indicators

    table = compute_indicators(store, IndicatorSpec(**spec))
    return table.to_pandas()


def chronology_crises(store: Store, dyad: tuple[str, str], period: str = "month") -> list[dt.date]:
    """Return the crisis periods of the curated chronology for either country of ``dyad``."""
    frame = store.queries.crisis_events(CHRONOLOGY, tuple(dyad)).to_pandas()
    return crisis_periods(frame, period=period)


@dataclass
class TrendsReport:
    """Change points, alerts, boom-and-bust readings and their score, for one dataset's series."""

    dataset: str
    indicator: str
    period: str
    as_of: dt.date | None
    periods: int
    change_points: list[ChangePoint] = field(default_factory=list)
    count_change_points: list[ChangePoint] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    surges: list[Surge] = field(default_factory=list)
    score: AlertScore | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-able dict."""
        return {  # every part is JSON-safe already (its own to_dict)
            "dataset": self.dataset, "indicator": self.indicator, "period": self.period,
            "as_of": self.as_of.isoformat() if self.as_of else None, "periods": self.periods,
            "penalty": (f"MBIC: {PENALTY_K:g} * log(n) a break plus log(l / n) a segment, on the "
                        f"-2 log-likelihood scale; stability traced from x{PATH_RANGE[0]:g} to "
                        f"x{PATH_RANGE[1]:g} that penalty"),
            "change_points": [c.to_dict() for c in self.change_points],
            "count_change_points": [c.to_dict() for c in self.count_change_points],
            "alerts": [a.to_dict() for a in self.alerts],
            "surges": [s.to_dict() for s in self.surges],
            "score": self.score.to_dict() if self.score else None, "note": self.note,
        }


def _in_span(crises: list[dt.date], frame: pd.DataFrame, column: str) -> list[dt.date]:
    base = f"{column}_baseline"
    rows = frame[frame[base].notna()] if base in frame.columns else frame
    if rows.empty:
        return []
    first, last = as_date(rows["period_start"].min()), as_date(rows["period_start"].max())
    return [c for c in crises if first is not None and last is not None and first <= c <= last]


def trends(
    store: Store,
    *,
    dyad: tuple[str, str] = ("USA", "RUS"),
    period: str = "month",
    issue: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    as_of: dt.date | None = None,
    datasets: tuple[str, ...] | None = None,
    combine: bool = False,
    indicator: str = "relationship_index",
) -> list[TrendsReport]:
    """Run change points, alerts and boom-and-bust on the dyad's pooled series, one report per dataset.

    Alerts are scored against the chronology's crises that fall within the
    series' span (from the first period with a baseline to the last).
    """
    table = indicator_table(store, dyad=dyad, period=period, issue=issue, since=since, until=until,
                            as_of=as_of, datasets=datasets, combine=combine)
    if table.empty or int(table["events"].sum()) == 0:
        raise AnalysisError("no events in the selection: nothing to analyse")
    crises = chronology_crises(store, dyad, period)
    reports = []
    for name, all_rows in table.groupby("dataset", sort=True):
        rows = _covered(all_rows)
        if rows.empty:
            continue
        last = as_of or store.last_date(EventFilter(dyad=dyad, since=since, until=until,
                                                    datasets=() if combine else (str(name),)))
        report = TrendsReport(dataset=str(name), indicator=indicator, period=period,
                              as_of=as_date(last), periods=len(rows))
        try:
            report.change_points = change_points(rows, indicator)
            if indicator != "events":
                report.count_change_points = change_points(rows, "events")
        except AnalysisError as exc:
            report.note = str(exc)
        report.alerts = alerts(rows, index_column=indicator)
        report.surges = boom_and_bust(rows, indicator)
        starts = [a.start for a in report.alerts if a.start]
        report.score = score_alerts(starts, _in_span(crises, rows, indicator), period=period)
        reports.append(report)
    return reports


def _covered(rows: pd.DataFrame) -> pd.DataFrame:
    """Drop the periods before a dataset's first event and after its last, and those
    its files do not cover completely (:func:`~detente.analysis._common.judged`).

    The indicator table spans the selection's whole range; a dataset that
    starts later (GDELT 2 in 2015, say) would otherwise show years of empty
    periods that are its coverage, not the relationship.
    """
    active = rows.loc[rows["events"] > 0, "period_start"]
    if active.empty:
        return rows.iloc[0:0]
    keep = (rows["period_start"] >= active.min()) & (rows["period_start"] <= active.max())
    # verdicts rest on complete periods only: a partial one's counts lack its missing files
    return judged(rows[keep].sort_values(["period_start", "direction"]).reset_index(drop=True))


def _pick_dataset(table: pd.DataFrame, dataset: str | None) -> pd.DataFrame:
    if table.empty:
        raise AnalysisError("no events in the selection: nothing to analyse")
    if dataset is not None:
        rows = table[table["dataset"] == dataset]
        if rows.empty or int(rows["events"].sum()) == 0:
            raise AnalysisError(f"dataset {dataset!r} has no events in the selection")
    else:
        totals = table.groupby("dataset")["events"].sum().sort_values(ascending=False, kind="stable")
        machine = [d for d in totals.index if d != CHRONOLOGY]
        dataset = str(machine[0] if machine else totals.index[0])
        rows = table[table["dataset"] == dataset]
    kept = _covered(rows)
    if kept.empty:
        raise AnalysisError(f"dataset {dataset!r} has no period its files cover completely "
                            "(every period of the selection is partial or missing)")
    return kept


def reciprocity(
    store: Store,
    *,
    actors: tuple[str, ...] = ("USA", "RUS"),
    period: str = "month",
    issue: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    as_of: dt.date | None = None,
    dataset: str | None = None,
    indicator: str = "goldstein_mean",
    horizon: int = 6,
    maxlags: int = 6,
    ic: str = "aic",
) -> tuple[ReciprocityResult, str]:
    """Fit the reciprocity VAR of two or three actors' directions; return it and the dataset used.

    Without ``dataset``, the machine-coded dataset with the most events is
    used (the chronology only when it is all there is).
    """
    if not 2 <= len(actors) <= 3 or len(set(actors)) != len(actors):
        raise AnalysisError("reciprocity needs two or three different actors, e.g. USA RUS UKR")
    parts = []
    for i, a in enumerate(actors):
        for b in actors[i + 1:]:
            parts.append(indicator_table(store, dyad=(a, b), split_directions=True, period=period,
                                         issue=issue, since=since, until=until, as_of=as_of,
                                         datasets=(dataset,) if dataset else None))
    table = pd.concat(parts, ignore_index=True)
    rows = _pick_dataset(table, dataset)
    used = str(rows["dataset"].iloc[0])
    directions = [f"{a}->{b}" for a in actors for b in actors if a != b]
    result = fit_reciprocity(rows, indicator=indicator, directions=directions, horizon=horizon,
                             maxlags=maxlags, ic=ic)
    return result, used


def expected_response(
    store: Store,
    *,
    mover: str = "USA",
    responder: str = "RUS",
    issue: str | None = None,
    period: str = "month",
    as_of: dt.date | None = None,
    horizon: int = 6,
    dataset: str | None = None,
) -> dict[str, Any]:
    """Say how ``responder`` answered ``mover`` in the record: the generalized impulse response.

    Returns:
        ``status`` ("ok" or "insufficient_evidence"), ``reason`` (when
        insufficient), ``shock``, ``unit``, ``horizon``, ``response``,
        ``lower``, ``upper`` (periods 0 .. horizon after the shock), ``model``
        (lag order, checks, Granger tests) and ``datasets``.
    """
    result, used = reciprocity(store, actors=(mover, responder), period=period, issue=issue, as_of=as_of,
                               dataset=dataset, horizon=horizon)
    shock, answer = f"{mover}->{responder}", f"{responder}->{mover}"
    out: dict[str, Any] = {
        "status": result.status, "reason": result.reason, "shock": result.shock_text(shock),
        "unit": result.unit_text(answer), "horizon": horizon, "response": [], "lower": [], "upper": [],
        "model": {"lag_order": result.lag_order, "ic": result.ic, "periods": result.periods,
                  "checks": result.checks, "granger": result.granger, "issue": issue or "all",
                  "period": period},
        "datasets": [used],
    }
    if result.ok:
        r = result.response(shock, answer)
        out.update(response=r["response_path"], lower=r["lower"], upper=r["upper"])
    safe: dict[str, Any] = json_safe(out)
    return safe


def forecast_indicator(
    store: Store,
    *,
    dyad: tuple[str, str] = ("USA", "RUS"),
    indicator: str = "relationship_index",
    period: str = "month",
    issue: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    as_of: dt.date | None = None,
    dataset: str | None = None,
    horizon: int = 6,
) -> tuple[Forecast, str]:
    """Forecast one indicator of the dyad's pooled series; return it and the dataset used."""
    table = indicator_table(store, dyad=dyad, period=period, issue=issue, since=since, until=until,
                            as_of=as_of, datasets=(dataset,) if dataset else None)
    rows = _pick_dataset(table, dataset)
    return forecast(rows, indicator, horizon=horizon, period=period), str(rows["dataset"].iloc[0])
