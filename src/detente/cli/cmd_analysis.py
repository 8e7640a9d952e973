"""Commands `trends`, `reciprocity` and `forecast`: thin shells over detente.analysis."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from detente.cli._options import (
    PERIODS,
    DatasetOpt,
    DyadOpt,
    SinceOpt,
    StoreOpt,
    UntilOpt,
    WaitOpt,
    open_store,
)
from detente.cli._render import OutputFormat, render
from detente.errors import QueryError

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["register"]

PeriodOpt = Annotated[str, typer.Option("--period", help="week, month, quarter or year.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Analyse as of this date (default: last event).",
                                             show_default=False)]
OneIssueOpt = Annotated[str | None, typer.Option("--issue", help="One issue area (default: all).")]
FormatOpt = Annotated[OutputFormat, typer.Option("--as", help="Output format: table or json.")]

def _check(period: str, output: OutputFormat) -> None:
    if period not in PERIODS:
        raise QueryError(f"--period {period!r} must be one of {', '.join(PERIODS)}")
    if output not in (OutputFormat.table, OutputFormat.json):
        raise QueryError(f"--as {output.value}: these results print as table or json")


def _dump(doc: Any) -> None:
    from detente.analysis._common import json_safe

    typer.echo(json.dumps(json_safe(doc), indent=2, allow_nan=False))


def _rows(title: str, rows: list[dict[str, Any]], console: Console) -> None:
    if rows:
        import pyarrow as pa

        render(pa.Table.from_pylist(rows), OutputFormat.table, title=title, console=console)
    else:
        console.print(f"{title}: none")


def _r(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def trends_cmd(
    dyad: DyadOpt = None,
    period: PeriodOpt = "month",
    issue: OneIssueOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
    dataset: DatasetOpt = None,
    combine: Annotated[bool, typer.Option("--combine", help="Pool the datasets into one series.")] = False,
    indicator: Annotated[str, typer.Option("--indicator", help="Series to analyse.")] = "relationship_index",
    output: FormatOpt = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Change points, downward-spiral and escalation alerts, boom and bust, scored against crises.

    One series per dataset (the dyad's both directions pooled). Change points:
    exact optimal partitioning with an MBIC penalty (negative-binomial counts for
    event counts; for means of events, a variance per period that includes the
    variation between periods), each with the range of penalties it holds for.
    Spiral: 3 observed periods in a row below
    baseline. Escalation: material-conflict share >= 0.5 and >= baseline + 0.25.
    """
    _check(period, output)
    from rich.console import Console

    from detente.analysis import trends  # statsmodels and ruptures load only when needed
    from detente.query.types import parse_date, parse_dyad

    with open_store(store, wait=wait) as st:
        st.check_datasets(dataset or ())
        reports = trends(st, dyad=parse_dyad(dyad) if dyad else ("USA", "RUS"), period=period, issue=issue,
                         since=parse_date(since, "--since"), until=parse_date(until, "--until"),
                         as_of=parse_date(as_of, "--as-of"), datasets=tuple(dataset) if dataset else None,
                         combine=combine, indicator=indicator)
    if output is OutputFormat.json:
        _dump([r.to_dict() for r in reports])
        return
    console = Console()
    for r in reports:
        console.rule(f"{r.dataset}: {r.indicator} by {r.period}, as of {r.as_of}")
        if r.note:
            console.print(r.note)
        _rows("change points", [{"period": c.period_start, "direction": c.direction, "before": _r(c.before),
                                 "after": _r(c.after), "size": _r(c.size),
                                 "events/period": f"{c.rate_before:.1f} -> {c.rate_after:.1f}"
                                 if c.rate_before is not None and c.rate_after is not None else "",
                                 "holds for penalty": f"x{c.holds_from:g}-x{c.holds_to:g} ({c.stability})"
                                 if c.holds_from is not None and c.holds_to is not None else ""}
                                for c in r.change_points], console)
        _rows("change points of the event counts (negative binomial)",
              [{"period": c.period_start, "direction": c.direction, "before": _r(c.before),
                "after": _r(c.after),
                "holds for penalty": f"x{c.holds_from:g}-x{c.holds_to:g} ({c.stability})"
                if c.holds_from is not None and c.holds_to is not None else ""}
               for c in r.count_change_points], console)
        _rows("alerts (--as json for the rule behind each)",
              [{"kind": a.kind.replace("_", " "), "start": a.start, "end": a.end, "periods": a.periods,
                "value": _r(a.value), "baseline": _r(a.baseline)} for a in r.alerts], console)
        _rows("boom and bust", [{"surge": s.period_start, "peak": _r(s.peak), "baseline": _r(s.baseline),
                                 "low": _r(s.low), "gave_back": _r(s.gave_back),
                                 "periods_to_baseline": s.periods_to_baseline} for s in r.surges], console)
        if r.score:
            console.print(f"alerts against chronology crises: {r.score.hits} hits, {r.score.misses} misses, "
                          f"{r.score.false_alarms} false alarms (tolerance {r.score.tolerance} period)")


def _actors(text: str) -> tuple[str, ...]:
    from detente.query.types import parse_dyad

    parts = tuple(p.strip().upper() for p in text.replace(",", "-").split("-") if p.strip())
    if not 2 <= len(parts) <= 3:
        raise QueryError(f"--actors {text!r} must name two or three countries, e.g. USA-RUS or USA-RUS-UKR")
    for p in parts:
        parse_dyad(f"{p}-XXX")
    return parts


def reciprocity_cmd(
    actors: Annotated[str, typer.Option("--actors", help="Two or three countries, e.g. USA-RUS-UKR.")]
    = "USA-RUS",
    period: PeriodOpt = "month",
    issue: OneIssueOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset (default: the largest).")] = None,
    indicator: Annotated[str, typer.Option("--indicator", help="Series per direction.")] = "goldstein_mean",
    horizon: Annotated[int, typer.Option("--horizon", help="Periods of impulse response.")] = 6,
    lags: Annotated[int, typer.Option("--max-lags", help="Highest lag order to consider.")] = 6,
    ic: Annotated[str, typer.Option("--ic", help="Information criterion: aic, bic, hqic, fpe.")] = "aic",
    output: FormatOpt = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """VAR of the directions' series: lag order, checks, Granger tests, generalized impulse responses.

    A shock is one residual standard deviation toward cooperation in one
    direction (generalized impulse response: independent of variable order);
    bands are bootstrapped 95% intervals. Prints "insufficient evidence" with
    the reason instead of numbers when the data cannot carry a model.
    """
    _check(period, output)
    if horizon < 1:
        raise QueryError("--horizon must be 1 or more")
    from rich.console import Console

    from detente.analysis import reciprocity
    from detente.query.types import parse_date

    with open_store(store, wait=wait) as st:
        st.check_datasets([dataset] if dataset else ())
        result, used = reciprocity(st, actors=_actors(actors), period=period, issue=issue,
                                   since=parse_date(since, "--since"), until=parse_date(until, "--until"),
                                   as_of=parse_date(as_of, "--as-of"), dataset=dataset, indicator=indicator,
                                   horizon=horizon, maxlags=lags, ic=ic)
    if output is OutputFormat.json:
        _dump({"dataset": used, **result.to_dict()})
        return
    console = Console()
    console.rule(f"{used}: {', '.join(result.variables)} ({result.indicator}, {result.periods} {period}s)")
    if not result.ok:
        console.print(f"insufficient evidence: {result.reason}")
    if result.lag_order:
        c = result.checks
        console.print(f"lag order {result.lag_order} ({result.ic}); stable: {c.get('stable')}; "
                      f"residuals white: {c.get('white')} (p={c.get('whiteness_pvalue', 0):.3f}); "
                      f"normal: {c.get('normal')} (p={c.get('normality_pvalue', 0):.3f}, reported only)")
        _rows("Granger tests", [{"cause": g["cause"], "effect": g["effect"], "F": _r(g["statistic"]),
                                 "p": _r(g["pvalue"], 4), "significant": g["significant"]}
                                for g in result.granger], console)
    if result.ok:
        rows = [{"shock": r["shock"], "response": r["response"], "h": h, "irf": _r(v, 3),
                 "lower": _r(lo, 3), "upper": _r(hi, 3)}
                for r in result.responses if r["shock"] != r["response"]
                for h, (v, lo, hi) in enumerate(zip(r["response_path"], r["lower"], r["upper"], strict=True))]
        _rows("impulse responses", rows, console)
        first = result.variables[0]
        console.print(f"shock: {result.shock_text(first)}")
        console.print(f"unit: {result.unit_text('<response>')}")


def forecast_cmd(
    dyad: DyadOpt = None,
    indicator: Annotated[str, typer.Option("--indicator", help="Series to forecast.")] = "relationship_index",
    period: PeriodOpt = "month",
    issue: OneIssueOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    as_of: AsOfOpt = None,
    dataset: Annotated[str | None, typer.Option("--dataset", help="Dataset (default: the largest).")] = None,
    horizon: Annotated[int, typer.Option("--horizon", help="Periods ahead, 1-6.")] = 6,
    output: FormatOpt = OutputFormat.table,
    store: StoreOpt = None,
    wait: WaitOpt = None,
) -> None:
    """Forecast an indicator 1-6 periods ahead, with a rolling-origin backtest against the baselines.

    Baselines: last value, climatology of the same months, zero, and for counts a
    Poisson with the last value's rate. The model "beats the baselines" only with
    at least 12 rolling origins per step ahead and a mean CRPS difference against
    the best baseline whose 90% interval (Diebold-Mariano) lies below zero.
    """
    _check(period, output)
    from rich.console import Console

    from detente.analysis import forecast_indicator
    from detente.query.types import parse_date, parse_dyad

    with open_store(store, wait=wait) as st:
        st.check_datasets([dataset] if dataset else ())
        fc, used = forecast_indicator(
            st, dyad=parse_dyad(dyad) if dyad else ("USA", "RUS"), indicator=indicator, period=period,
            issue=issue, since=parse_date(since, "--since"), until=parse_date(until, "--until"),
            as_of=parse_date(as_of, "--as-of"), dataset=dataset, horizon=horizon)
    if output is OutputFormat.json:
        _dump({"dataset": used, **fc.to_dict()})
        return
    console = Console()
    console.rule(f"{used}: {indicator} by {period}, AR({fc.lag_order})")
    if fc.backtest:
        warn = "" if fc.backtest.beats_baselines else "; do not read it as a forecast"
        console.print(f"[bold]backtest: the model {fc.backtest.verdict_text}{warn}[/bold]")
    _rows("forecast", [{"period": d, "mean": _r(m), "sd": _r(s), f"{fc.coverage:.0%} low": _r(lo),
                        f"{fc.coverage:.0%} high": _r(hi)}
                       for d, m, s, lo, hi in zip(fc.period_starts, fc.mean, fc.sd, fc.lower, fc.upper,
                                                  strict=True)], console)
    if fc.backtest:
        _rows(f"backtest ({fc.backtest.origins} origins)",
              [{**s, "mae": _r(s["mae"], 3), "crps": _r(s["crps"], 3),
                "interval_score": _r(s["interval_score"], 3), "coverage": _r(s["coverage"])}
               for s in fc.backtest.scores], console)
        _rows("verdict per step ahead (against the best baseline; 90% interval of the CRPS difference)",
              [{"step": s["horizon"], "origins": s["origins"], "best baseline": s["best_baseline"],
                "difference": _r(s["mean_diff"], 3), "low": _r(s["lower"], 3), "high": _r(s["upper"], 3),
                "verdict": s["verdict"].replace("_", " ")} for s in fc.backtest.steps], console)


def register(app: typer.Typer) -> None:
    """Add `trends`, `reciprocity` and `forecast` to the CLI."""
    app.command(name="trends")(trends_cmd)
    app.command(name="reciprocity")(reciprocity_cmd)
    app.command(name="forecast")(forecast_cmd)

