"""Store-level analysis: the embedded chronology's breaks, an ingested GDELT file, and the commands."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import RUSSIA, USA_GOV, gdelt2_line, write_lines
from detente.analysis import expected_response, forecast_indicator, reciprocity, trends
from detente.analysis.synthetic import monthly_starts, var_process
from detente.cli.app import app
from detente.store import Store

A1 = np.array([[[0.5, 0.0], [0.4, 0.3]]])  # RUS->USA answers USA->RUS a month later
MONTHS = 84


@pytest.fixture(scope="module")
def chronology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    st = Store.open(tmp_path_factory.mktemp("chrono") / "s.duckdb")
    yield st
    st.close()


@pytest.fixture(scope="module")
def gdelt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store with the chronology and a GDELT file whose directions follow a known VAR."""
    folder = tmp_path_factory.mktemp("gdelt")
    y = 2.0 * var_process(A1, np.array([[1.0, 0.3], [0.3, 1.0]]), MONTHS, seed=5)
    rng = np.random.default_rng(6)
    lines, eid = [], 1
    for m, start in enumerate(monthly_starts(dt.date(2015, 1, 1), MONTHS)):
        for k, (a1, a2) in enumerate(((USA_GOV, RUSSIA), (RUSSIA, USA_GOV))):
            for day in (3, 9, 15, 21, 27):
                value = float(np.clip(y[m, k] + rng.normal(0, 0.5), -10, 10))
                lines.append(gdelt2_line(event_id=eid, date=start.replace(day=day).strftime("%Y%m%d"),
                                         actor1=a1, actor2=a2, code="042", goldstein=f"{value:.4f}",
                                         mentions="1", url=f"http://example.org/{eid}"))
                eid += 1
    path = folder / "s.duckdb"
    with Store.open(path) as st:
        st.ingest_file(write_lines(folder / "gdelt-sample.export.CSV", lines))
    return path


def _months_apart(a: dt.date, b: dt.date) -> int:
    return abs((a.year * 12 + a.month) - (b.year * 12 + b.month))


def test_chronology_breaks_are_read_with_the_variation_between_months(chronology: Store) -> None:
    # The hand-picked chronology varies far more from month to month than its event counts
    # explain (a month of one treaty, the next of one expulsion). With that variation in the
    # cost, its index shows one sustained break, from the cooperative record before 2012 to
    # the contested one after, kept by every penalty traced; the crisis months of 2014 and
    # 2022 are short episodes, not changes of level (docs/analysis.md).
    (report,) = trends(chronology)
    assert report.dataset == "curated" and report.indicator == "relationship_index"
    assert report.change_points, report.note
    main = min(report.change_points, key=lambda c: c.size)
    assert main.period_start is not None and 2011 <= main.period_start.year <= 2012
    assert main.direction == "down" and main.size < -5 and main.stability == "strong"
    for c in report.change_points:  # one break per change: the levels either side differ
        assert abs(c.after - c.before) > 1.0
    assert all(c.model == "counts" for c in report.count_change_points)


def test_chronology_alerts_are_scored_against_its_crises(chronology: Store) -> None:
    (report,) = trends(chronology, since=dt.date(2010, 1, 1))
    score = report.score
    assert score is not None
    assert score.hits + score.misses == len(score.episodes) > 0
    alert_starts = [a.start for a in report.alerts]
    # The 2022 invasion is an episode and an escalation alert sits on it.
    ep = next(e for e in score.episodes if e.start <= dt.date(2022, 2, 1) <= e.end)
    assert ep.hit
    assert dt.date(2022, 2, 1) in alert_starts
    assert score.false_alarms == len(score.false_alarm_periods)


def test_reciprocity_on_the_chronology_is_not_enough_evidence(chronology: Store) -> None:
    out = expected_response(chronology, mover="USA", responder="RUS")
    assert set(out) >= {"status", "reason", "shock", "unit", "horizon", "response", "lower", "upper",
                        "model", "datasets"}
    assert out["status"] == "insufficient_evidence"
    assert out["reason"].startswith("too few events: USA->RUS has no events in")
    assert out["response"] == [] and out["datasets"] == ["curated"]


def test_expected_response_on_ingested_gdelt(gdelt: Path) -> None:
    with Store.open(gdelt) as st:
        out = expected_response(st, mover="USA", responder="RUS", horizon=4)
        result, used = reciprocity(st, actors=("USA", "RUS"), horizon=4)
    assert used == "gdelt2" and out["datasets"] == ["gdelt2"]  # the machine-coded series, not the chronology
    assert out["status"] == "ok", out["reason"]
    assert out["model"]["lag_order"] == 1
    assert len(out["response"]) == len(out["lower"]) == len(out["upper"]) == 5
    # True answer one month on: (A1 Sigma e_0)_1 / sqrt(Sigma_00), Sigma = 4 * [[1, .3], [.3, 1]] plus noise.
    assert out["response"][1] > 0.5
    assert all(lo <= v <= hi for v, lo, hi in zip(out["response"], out["lower"], out["upper"], strict=True))
    assert "USA->RUS" in out["shock"] and "RUS->USA" in out["unit"]
    granger = {(g["cause"], g["effect"]): g["pvalue"] for g in result.granger}
    assert granger[("USA->RUS", "RUS->USA")] < 0.01


def test_forecast_on_ingested_gdelt(gdelt: Path) -> None:
    with Store.open(gdelt) as st:
        fc, used = forecast_indicator(st, dataset="gdelt2", indicator="goldstein_mean", horizon=3)
    assert used == "gdelt2"
    # the file's name has no date, so it covers its events' days and the reporting lag: its
    # last month (2021-12, events to the 27th) is partial and the forecast starts there
    assert fc.period_starts[0] == dt.date(2021, 12, 1)
    assert fc.backtest is not None and {s["model"] for s in fc.backtest.scores} == {
        "model", "no_change", "seasonal_mean", "zero"}


runner = CliRunner()


def _no_nan(token: str) -> None:
    raise AssertionError(f"{token} in JSON output")


def test_trends_command_table_and_json(gdelt: Path) -> None:
    res = runner.invoke(app, ["trends", "--store", str(gdelt), "--dataset", "curated", "--as", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout, parse_constant=_no_nan)  # strict JSON: no NaN or Infinity
    assert [d["dataset"] for d in doc] == ["curated"]
    cps = doc[0]["change_points"]
    assert cps and all(c["model"] == "events" and c["stability"] in ("strong", "moderate", "weak")
                       for c in cps)
    assert all(c["holds_from"] <= 1.0 <= c["holds_to"] for c in cps)
    assert all(c["model"] == "counts" for c in doc[0]["count_change_points"])
    assert doc[0]["penalty"].startswith("MBIC: 3 * log(n)")
    res = runner.invoke(app, ["trends", "--store", str(gdelt), "--dataset", "curated"])
    assert res.exit_code == 0 and "change points" in res.stdout and "false alarms" in res.stdout


def test_reciprocity_command(gdelt: Path) -> None:
    res = runner.invoke(app, ["reciprocity", "--store", str(gdelt), "--horizon", "3", "--as", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["dataset"] == "gdelt2" and doc["status"] == "ok"
    assert doc["variables"] == ["USA->RUS", "RUS->USA"]
    res = runner.invoke(app, ["reciprocity", "--store", str(gdelt), "--dataset", "curated"])
    assert res.exit_code == 0 and "insufficient evidence: too few events" in res.stdout


def test_forecast_command(gdelt: Path) -> None:
    res = runner.invoke(app, ["forecast", "--store", str(gdelt), "--dataset", "gdelt2", "--horizon", "2"])
    assert res.exit_code == 0, res.output
    assert "backtest" in res.stdout and "no_change" in res.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["trends", "--period", "decade"], "--period 'decade'"),
    (["trends", "--as", "csv"], "table or json"),
    (["reciprocity", "--actors", "USA"], "two or three countries"),
    (["forecast", "--horizon", "9"], "horizon 9"),
    (["trends", "--since", "1900-01-01", "--until", "1900-12-31"], "no events"),
])
def test_bad_input_is_one_clear_line(gdelt: Path, args: list[str], message: str) -> None:
    res = runner.invoke(app, [*args, "--store", str(gdelt)])
    assert res.exit_code == 1
    assert message in res.output
    assert "Traceback" not in res.output
