"""The analyses: trends, reciprocity and forecasts of a dyad's indicator series."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, overload

from detente._api.arguments import (
    _country,
    _date,
    _dumps,
    _dyad,
    _many,
    _output,
    _period,
    _text,
    _whole,
    _window,
)
from detente._api.runs import ForecastRun, ReciprocityRun
from detente.errors import QueryError

if TYPE_CHECKING:
    from detente.analysis import TrendsReport
    from detente.store import Store


@overload
def trends(store: Store, *, dyad: str | Sequence[str] | None = ..., period: str = ...,
           issue: str | None = ..., since: str | dt.date | None = ..., until: str | dt.date | None = ...,
           as_of: str | dt.date | None = ..., dataset: str | Sequence[str] | None = ...,
           combine: bool = ..., indicator: str = ..., output: None = ...) -> list[TrendsReport]: ...
@overload
def trends(store: Store, *, dyad: str | Sequence[str] | None = ..., period: str = ...,
           issue: str | None = ..., since: str | dt.date | None = ..., until: str | dt.date | None = ...,
           as_of: str | dt.date | None = ..., dataset: str | Sequence[str] | None = ...,
           combine: bool = ..., indicator: str = ..., output: Literal["json"]) -> str: ...
def trends(
    store: Store,
    *,
    dyad: str | Sequence[str] | None = None,
    period: str = "month",
    issue: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | Sequence[str] | None = None,
    combine: bool = False,
    indicator: str = "relationship_index",
    output: Literal["json"] | None = None,
) -> list[TrendsReport] | str:
    """Find change points, downward-spiral and escalation alerts, boom and bust (``detente trends``).

    One report per dataset, on the dyad's pooled series. Change points: PELT with a BIC
    penalty, 2 log(n). Spiral: 3 observed periods in a row below baseline. Escalation:
    material-conflict share >= 0.5 and >= baseline + 0.25. Alerts are scored against the
    chronology's crises (``docs/analysis.md``).

    Args:
        store: an open store (see :func:`open_store`).
        dyad: ``"USA-RUS"`` or ``("USA", "RUS")``; default USA-RUS.
        period: ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
        issue: one issue area (default: all).
        since: first day.
        until: last day.
        as_of: analyse as of this date (default: the last event).
        dataset: dataset(s) to analyse (default: each one present).
        combine: pool the datasets into one series.
        indicator: the indicator column to analyse.
        output: ``None`` for the reports, ``"json"`` for what ``--as json`` prints.

    Returns:
        A list of ``detente.analysis.TrendsReport``, one per dataset: ``dataset``,
        ``indicator``, ``period``, ``as_of``, ``periods``, ``change_points``
        (``period_start``, ``direction``, ``before``, ``after``, ``size``, ...),
        ``alerts`` (``kind``, ``start``, ``end``, ``value``, ``baseline``, ...),
        ``surges``, ``score`` (hits, misses and false alarms against the chronology) and
        ``note``; each has ``to_dict()``. With ``output="json"``: that list as JSON text.

    Raises:
        QueryError: a value is not valid.
        AnalysisError: no events in the selection, nothing to analyse.

    Example:
        with detente.open_store() as st:
            for report in detente.trends(st, dyad="USA-RUS", period="year"):
                print(report.dataset, [c.period_start for c in report.change_points])
    """
    from detente.analysis import trends as run

    how = _output(output, (None, "json"), "None returns the reports")
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    datasets = _many(dataset, "dataset")
    reports = run(store, dyad=_dyad(dyad) or ("USA", "RUS"), period=_period(period), issue=issue,
                  since=first, until=last, as_of=_date(as_of, "as_of"), datasets=datasets or None,
                  combine=bool(combine), indicator=_text(indicator, "indicator"))
    if how == "json":
        return _dumps([r.to_dict() for r in reports])
    return reports


def _actors(value: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = [p for p in value.replace(",", "-").split("-") if p.strip()]
    else:
        parts = list(value)
    if not 2 <= len(parts) <= 3:
        raise QueryError(f"actors={value!r} must name two or three countries, e.g. 'USA-RUS' or "
                         "('USA', 'RUS', 'UKR')")
    codes = tuple(_country(p, "actor") for p in parts)
    if len(set(codes)) != len(codes):
        raise QueryError(f"actors={value!r} must be different countries")
    return codes


@overload
def reciprocity(store: Store, *, actors: str | Sequence[str] = ..., period: str = ...,
                issue: str | None = ..., since: str | dt.date | None = ...,
                until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
                dataset: str | None = ..., indicator: str = ..., horizon: int = ..., max_lags: int = ...,
                ic: str = ..., output: None = ...) -> ReciprocityRun: ...
@overload
def reciprocity(store: Store, *, actors: str | Sequence[str] = ..., period: str = ...,
                issue: str | None = ..., since: str | dt.date | None = ...,
                until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
                dataset: str | None = ..., indicator: str = ..., horizon: int = ..., max_lags: int = ...,
                ic: str = ..., output: Literal["json"]) -> str: ...
def reciprocity(
    store: Store,
    *,
    actors: str | Sequence[str] = "USA-RUS",
    period: str = "month",
    issue: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | None = None,
    indicator: str = "goldstein_mean",
    horizon: int = 6,
    max_lags: int = 6,
    ic: str = "aic",
    output: Literal["json"] | None = None,
) -> ReciprocityRun | str:
    """Fit a VAR of the directions' series: who answers whom, and how (``detente reciprocity``).

    Lag order by information criterion, stability and residual checks, Granger tests and
    generalized impulse responses with bootstrapped 95% bands. A shock is one residual
    standard deviation toward cooperation in one direction. When the data cannot carry a
    model the result says so (``status == "insufficient_evidence"`` and ``reason``)
    instead of giving numbers.

    Args:
        store: an open store (see :func:`open_store`).
        actors: two or three countries, ``"USA-RUS-UKR"`` or ``("USA", "RUS", "UKR")``.
        period: ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
        issue: one issue area (default: all).
        since: first day.
        until: last day.
        as_of: analyse as of this date (default: the last event).
        dataset: one dataset (default: the machine-coded one with most events; the
            chronology when it is all there is).
        indicator: the series per direction.
        horizon: periods of impulse response, 1 or more.
        max_lags: the highest lag order to consider.
        ic: information criterion, ``"aic"``, ``"bic"``, ``"hqic"`` or ``"fpe"``.
        output: ``None`` for a :class:`ReciprocityRun`, ``"json"`` for what ``--as json``
            prints.

    Returns:
        A :class:`ReciprocityRun` (``dataset`` and ``result``; ``to_frame()`` gives the
        impulse responses), or its JSON text.

    Raises:
        QueryError: a value is not valid.
        AnalysisError: no events in the selection, or not two or three different actors.

    Example:
        with detente.open_store() as st:
            run = detente.reciprocity(st, actors="USA-RUS", period="year", dataset="curated")
            print(run.result.status, run.result.reason)
    """
    from detente.analysis import reciprocity as run

    how = _output(output, (None, "json"), "None returns a ReciprocityRun")
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    result, used = run(store, actors=_actors(actors), period=_period(period), issue=issue, since=first,
                       until=last, as_of=_date(as_of, "as_of"),
                       dataset=_text(dataset, "dataset") if dataset is not None else None,
                       indicator=_text(indicator, "indicator"), horizon=_whole(horizon, "horizon", 1),
                       maxlags=_whole(max_lags, "max_lags", 1), ic=_text(ic, "ic"))
    out = ReciprocityRun(dataset=used, result=result)
    return _dumps(out.to_dict()) if how == "json" else out


@overload
def forecast(store: Store, *, dyad: str | Sequence[str] | None = ..., indicator: str = ...,
             period: str = ..., issue: str | None = ..., since: str | dt.date | None = ...,
             until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
             dataset: str | None = ..., horizon: int = ..., output: None = ...) -> ForecastRun: ...
@overload
def forecast(store: Store, *, dyad: str | Sequence[str] | None = ..., indicator: str = ...,
             period: str = ..., issue: str | None = ..., since: str | dt.date | None = ...,
             until: str | dt.date | None = ..., as_of: str | dt.date | None = ...,
             dataset: str | None = ..., horizon: int = ..., output: Literal["json"]) -> str: ...
def forecast(
    store: Store,
    *,
    dyad: str | Sequence[str] | None = None,
    indicator: str = "relationship_index",
    period: str = "month",
    issue: str | None = None,
    since: str | dt.date | None = None,
    until: str | dt.date | None = None,
    as_of: str | dt.date | None = None,
    dataset: str | None = None,
    horizon: int = 6,
    output: Literal["json"] | None = None,
) -> ForecastRun | str:
    """Forecast an indicator 1 to 6 periods ahead, with a backtest (``detente forecast``).

    An autoregression on the dyad's pooled series gives a Gaussian predictive
    distribution per period; a rolling-origin backtest scores it against the baselines
    (last value, climatology of the same months, zero; Poisson for counts). Unless
    ``forecast.backtest.verdict`` is ``beats_baselines`` (at least 12 origins per step
    ahead, and a 90% Diebold-Mariano interval of the CRPS difference against the best
    baseline below zero), do not read it as a forecast.

    Args:
        store: an open store (see :func:`open_store`).
        dyad: ``"USA-RUS"`` or ``("USA", "RUS")``; default USA-RUS.
        indicator: the indicator column to forecast.
        period: ``"week"``, ``"month"``, ``"quarter"`` or ``"year"``.
        issue: one issue area (default: all).
        since: first day.
        until: last day.
        as_of: forecast from this date (default: the last event).
        dataset: one dataset (default: the machine-coded one with most events; the
            chronology when it is all there is).
        horizon: periods ahead, 1 to 6.
        output: ``None`` for a :class:`ForecastRun`, ``"json"`` for what ``--as json``
            prints.

    Returns:
        A :class:`ForecastRun` (``dataset`` and ``forecast``; ``to_frame()`` gives one row
        per period ahead), or its JSON text.

    Raises:
        QueryError: a value is not valid.
        AnalysisError: no events in the selection, or a series too short to model.

    Example:
        with detente.open_store() as st:
            run = detente.forecast(st, dyad="USA-RUS", period="year", horizon=3)
            run.to_frame()
    """
    from detente.analysis import forecast_indicator

    how = _output(output, (None, "json"), "None returns a ForecastRun")
    first, last = _date(since, "since"), _date(until, "until")
    _window(first, last)
    fc, used = forecast_indicator(store, dyad=_dyad(dyad) or ("USA", "RUS"),
                                  indicator=_text(indicator, "indicator"), period=_period(period),
                                  issue=issue, since=first, until=last, as_of=_date(as_of, "as_of"),
                                  dataset=_text(dataset, "dataset") if dataset is not None else None,
                                  horizon=_whole(horizon, "horizon", 1))
    out = ForecastRun(dataset=used, forecast=fc)
    return _dumps(out.to_dict()) if how == "json" else out
