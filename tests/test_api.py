"""The public surface: exported names, the Python API, and the generated references kept current."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import detente
from detente import api
from detente._apidoc import mapping_problems, render
from detente.cli._reference import cli_reference

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PROPOSAL = ROOT / "examples" / "proposals" / "mil_to_mil_deconfliction.yaml"
MODULES = {"annotations", "api", "cli", "errors", "ontology", "readers", "schema", "store", "tagging",
           "analysis", "policy", "report", "web", "coder", "query", "service", "series", "fetch"}


# -- the package's names ----------------------------------------------------------------------


def test_all_is_sorted_and_exactly_the_public_names() -> None:
    def isort_key(name: str) -> tuple[int, str]:  # constants, then classes, then the rest
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert detente.__all__ == sorted(detente.__all__, key=isort_key)
    public = {n for n in dir(detente) if not n.startswith("_")} - MODULES
    assert public | {"__version__"} == set(detente.__all__)
    loaded = {n for n in vars(detente) if not n.startswith("_")} - MODULES
    assert loaded <= set(detente.__all__)


def test_every_exported_name_resolves() -> None:
    for name in detente.__all__:
        assert getattr(detente, name) is not None, name
    for name in ("open_store", "events", "indicators", "trends", "reciprocity", "forecast",
                 "playbook_check", "assess", "brief"):
        assert callable(getattr(detente, name)), name
        assert name in detente.__all__


def test_import_detente_loads_no_heavy_module() -> None:
    code = ("import sys, detente; print(','.join(sorted(m for m in ('duckdb', 'pyarrow', 'pandas', "
            "'numpy', 'ibis', 'statsmodels', 'typer') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_indicators_is_the_api_function() -> None:
    assert detente.indicators is api.indicators
    assert "period" in inspect.signature(detente.indicators).parameters
    assert "indicators" in dir(detente) and "series" not in detente.__all__


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        detente.no_such_name  # noqa: B018


def test_cli_reference_is_current() -> None:
    expected = cli_reference()
    current = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert current == expected, (
        "docs/cli.md is stale: run `python -m detente.cli._reference > docs/cli.md`")


# -- the reference page and the mapping to the command line ---------------------------------


def test_api_reference_is_current() -> None:
    current = (DOCS / "api.md").read_text(encoding="utf-8")
    assert current == render(), "docs/api.md is stale: run `python -m detente._apidoc > docs/api.md`"


def test_keywords_match_the_cli_options() -> None:
    assert mapping_problems() == []


def test_the_mapping_check_finds_a_missing_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(api.CLI_NAMES, "events", {"--to": "target", "--as": "output"})
    monkeypatch.setitem(api.DEFAULTS, "*", {})
    problems = mapping_problems()
    assert any("--from" in p and "'from'" in p for p in problems), problems
    assert any("'source' is no option" in p for p in problems), problems
    assert any("trends" in p and "output=None but --as defaults to" in p for p in problems), problems


def test_every_function_documents_args_returns_raises_and_an_example() -> None:
    for name in api.COMMANDS | {"open_store": ()}:
        doc = inspect.getdoc(getattr(api, name)) or ""
        for section in ("Args:", "Returns:", "Raises:", "Example:"):
            assert f"\n{section}\n" in doc, (name, section)
        for param in inspect.signature(getattr(api, name)).parameters:
            assert f"    {param}: " in doc, (name, param)


# -- the functions, on the curated chronology -----------------------------------------------


@pytest.fixture(scope="module")
def st(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("api")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(folder / "cache"))
        with detente.open_store(folder / "s.duckdb") as store:
            yield store


def _cli(store: Any, *args: str) -> str:
    from detente.cli.app import app

    result = CliRunner().invoke(app, [*args, "--store", str(store.path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_open_store_gives_a_store_with_the_chronology(st: Any) -> None:
    assert isinstance(st, detente.Store)
    assert st.count() > 400
    assert st.summary().column("dataset").to_pylist() == ["curated"]


def test_open_store_read_only_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(detente.StoreError, match="no store here yet"):
        detente.open_store(tmp_path / "missing.duckdb", read_only=True)
    with pytest.raises(detente.QueryError, match="wait"):
        detente.open_store(tmp_path / "x.duckdb", wait=-1)


def test_indicators_are_compute_indicators_as_a_frame(st: Any) -> None:
    from detente.series import IndicatorSpec, compute_indicators

    frame = detente.indicators(st, dyad="USA-RUS", period="year")
    direct = compute_indicators(st, IndicatorSpec(dyad=("USA", "RUS"), period="year"))
    assert isinstance(frame, pd.DataFrame)
    pd.testing.assert_frame_equal(frame, direct.to_pandas())
    assert set(frame["direction"]) == {"USA-RUS"}
    assert frame.attrs["as_of"] == dt.date.fromisoformat(direct.schema.metadata[b"as_of"].decode())
    assert frame["events"].sum() == direct.column("events").to_pandas().sum() > 0


def test_indicators_accept_what_the_cli_accepts(st: Any) -> None:
    by_text = detente.indicators(st, dyad="usa-rus", period="year", since="2014", until="2020-06",
                                 dataset="curated")
    by_value = detente.indicators(st, dyad=("USA", "RUS"), period="year", since=dt.date(2014, 1, 1),
                                  until=dt.date(2020, 6, 1), dataset=["curated"])
    pd.testing.assert_frame_equal(by_text, by_value)
    assert by_text["period_start"].min() == dt.date(2014, 1, 1)
    split = detente.indicators(st, dyad="USA-RUS", period="year", split=True, output="arrow")
    assert isinstance(split, pa.Table)
    assert set(split.column("direction").to_pylist()) == {"USA->RUS", "RUS->USA"}


def test_indicators_source_and_target_select_one_direction(st: Any) -> None:
    frame = detente.indicators(st, source="RUS", target="UKR", period="year")
    assert set(frame["direction"]) == {"RUS->UKR"}
    both = detente.indicators(st, dyad="RUS-UKR", period="year", split=True)
    one = both[both["direction"] == "RUS->UKR"].reset_index(drop=True)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), one)
    assert detente.indicators(st, dyad="UKR-RUS", source="RUS", target="UKR", period="year").shape \
        == frame.shape


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"source": "RUS"}, "source and target go together"),
    ({"source": "RUS", "target": "UKR", "dyad": "USA-RUS"}, "is not a direction of dyad"),
    ({"period": "decade"}, "period='decade' must be one of week, month, quarter, year"),
    ({"since": "2014-13"}, "since='2014-13' is not a date"),
    ({"dyad": "USA"}, "must be two country codes"),
    ({"dyad": "USA-USA"}, "two different countries"),
    ({"source": "US", "target": "RUS"}, "source='US' is not a three-letter CAMEO country code"),
    ({"issue": "weather"}, "unknown issue area 'weather'"),
    ({"dataset": "nope"}, "unknown dataset"),
    ({"min_events": 0}, "min_events=0 must be 1 or more"),
    ({"output": "csv"}, "output='csv' is not one of None, 'pandas', 'arrow'"),
])
def test_indicators_bad_arguments_raise_query_error(st: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(detente.QueryError, match=re.escape(message)):
        detente.indicators(st, **kwargs)


def test_events_filter_and_shape(st: Any) -> None:
    frame = detente.events(st, source="RUS", target="UKR")
    assert len(frame) > 10
    assert set(frame["source_actor"].str[:3]) == {"RUS"}
    assert set(frame["target_actor"].str[:3]) == {"UKR"}
    assert list(frame["date"]) == sorted(frame["date"])
    assert list(frame.columns) == list(detente.CANONICAL_SCHEMA.names)
    assert len(detente.events(st, dyad="RUS-UKR")) > len(frame)


def test_events_options(st: Any) -> None:
    some = detente.events(st, dyad=("USA", "RUS"), since="2014", until="2014-12-31", quad=[3, "4"],
                          columns="date,quad_class,text", limit=3, offset=1)
    assert list(some.columns) == ["date", "quad_class", "text"]
    assert len(some) == 3
    assert set(some["quad_class"]) <= {3, 4}
    everything = detente.events(st, dyad="USA-RUS", since="2014", until="2014-12-31", quad=[3, 4],
                                columns=["date", "quad_class", "text"])
    pd.testing.assert_frame_equal(some, everything.iloc[1:4].reset_index(drop=True))
    table = detente.events(st, dataset="curated", issue="arms_control", output="arrow", limit=0)
    assert isinstance(table, pa.Table)
    assert table.num_rows == st.count(detente.EventFilter(datasets=("curated",),
                                                          issue_areas=("arms_control",)))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"columns": ["date", "colour"]}, "unknown column"),
    ({"issue": ["arms_control", "weather"]}, "unknown issue area"),
    ({"source": "XYZ"}, "unknown CAMEO country code"),
    ({"quad": 5}, "quad=5 is not a quad class"),
    ({"since": "2015", "until": "2014"}, "since=2015-01-01 is after until=2014-01-01"),
    ({"limit": -1}, "limit=-1 must be 0 or more"),
    ({"output": "table"}, "output='table' is not one of"),
])
def test_events_bad_arguments_raise_query_error(st: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(detente.QueryError, match=re.escape(message)):
        detente.events(st, **kwargs)


def test_trends_returns_the_reports_and_the_cli_json(st: Any) -> None:
    from detente.analysis import TrendsReport

    reports = detente.trends(st, dyad="USA-RUS", period="year")
    assert [type(r) for r in reports] == [TrendsReport]
    report = reports[0]
    assert (report.dataset, report.period, report.indicator) == ("curated", "year", "relationship_index")
    assert dt.date(2012, 1, 1) in {c.period_start for c in report.change_points}  # the lasting break
    text = detente.trends(st, dyad="USA-RUS", period="year", output="json")
    assert text == _cli(st, "trends", "--dyad", "USA-RUS", "--period", "year", "--as", "json")
    assert json.loads(text)[0]["dataset"] == "curated"
    with pytest.raises(detente.QueryError, match="period='fortnight'"):
        detente.trends(st, period="fortnight")


def test_reciprocity_returns_a_run(st: Any) -> None:
    from detente.analysis import ReciprocityResult

    run = detente.reciprocity(st, actors="USA-RUS", period="year", max_lags=2, horizon=3)
    assert isinstance(run, detente.ReciprocityRun)
    assert isinstance(run.result, ReciprocityResult)
    assert run.dataset == "curated"
    assert run.result.variables == ["USA->RUS", "RUS->USA"]
    frame = run.to_frame()
    assert list(frame.columns) == ["shock", "response", "h", "irf", "lower", "upper"]
    assert run.to_arrow().column_names == list(frame.columns)
    assert run.to_arrow().num_rows == len(frame) == (len(run.result.responses) * 4 if run.result.ok else 0)
    assert run.to_dict()["dataset"] == "curated"
    assert json.loads(detente.reciprocity(st, actors=("USA", "RUS"), period="year", max_lags=2,
                                          horizon=3, output="json")) == run.to_dict()
    with pytest.raises(detente.QueryError, match="two or three countries"):
        detente.reciprocity(st, actors="USA")
    with pytest.raises(detente.QueryError, match="horizon=0 must be 1 or more"):
        detente.reciprocity(st, horizon=0)


def test_forecast_returns_a_run(st: Any) -> None:
    from detente.analysis import Forecast

    run = detente.forecast(st, dyad="USA-RUS", period="year", horizon=3)
    assert isinstance(run, detente.ForecastRun)
    assert isinstance(run.forecast, Forecast)
    assert run.dataset == "curated"
    frame = run.to_frame()
    assert list(frame.columns) == ["period_start", "mean", "sd", "lower", "upper"]
    assert len(frame) == 3
    assert (frame["lower"] <= frame["mean"]).all() and (frame["mean"] <= frame["upper"]).all()
    assert run.to_arrow().schema.field("period_start").type == pa.date32()
    text = detente.forecast(st, dyad="USA-RUS", period="year", horizon=3, output="json")
    assert text == _cli(st, "forecast", "--period", "year", "--horizon", "3", "--as", "json")


def test_playbook_check_returns_the_report(st: Any) -> None:
    from detente.policy import PlaybookReport

    report = detente.playbook_check(st, as_of="2021-12-31")
    assert isinstance(report, PlaybookReport)
    assert report.as_of == dt.date(2021, 12, 31)
    assert report.dataset == "curated"
    assert sum(report.counts.values()) == len(report.items) > 0
    text = detente.playbook_check(st, as_of=dt.date(2021, 12, 31), output="json")
    assert json.loads(text) == report.model_dump(mode="json")
    assert text == _cli(st, "playbook", "check", "--as-of", "2021-12-31", "--as", "json")
    with pytest.raises(detente.QueryError, match="no such playbook file"):
        detente.playbook_check(st, "no/such/playbook.yaml")
    with pytest.raises(detente.QueryError, match="as_of='last year' is not a date"):
        detente.playbook_check(st, as_of="last year")


def test_assess_returns_the_assessment(st: Any) -> None:
    from detente.policy import Assessment

    result = detente.assess(st, PROPOSAL, as_of="2021-12-31")
    assert isinstance(result, Assessment)
    assert result.verdict in ("consistent", "consistent_with_conditions", "inconsistent")
    assert result.as_of == dt.date(2021, 12, 31)
    text = detente.assess(st, str(PROPOSAL), as_of="2021-12-31", output="json")
    assert json.loads(text) == result.model_dump(mode="json")
    with pytest.raises(detente.DetenteError, match=r"nope\.yaml"):
        detente.assess(st, PROPOSAL.with_name("nope.yaml"))


def test_brief_returns_the_model_or_its_text(st: Any, tmp_path: Path) -> None:
    from detente.report import Brief, render_markdown

    model = detente.brief(st, dyad="USA-RUS", since="2010", as_of="2021-12-31")
    assert isinstance(model, Brief)
    assert model.title == "USA-RUS: the relationship as of 2021-12-31"
    markdown = detente.brief(st, output="markdown", dyad="USA-RUS", since="2010", as_of="2021-12-31")
    assert markdown == render_markdown(model)
    earlier = tmp_path / "earlier.json"
    earlier.write_text(detente.brief(st, output="json", since="2010", as_of="2019-12-31"), encoding="utf-8")
    later = detente.brief(st, since="2010", as_of="2021-12-31", compare=earlier)
    assert later.compared_with == "earlier.json"
    assert later.changes is not None
    with pytest.raises(detente.QueryError, match="output='pdf'"):
        detente.brief(st, output="pdf")  # type: ignore[call-overload]
    with pytest.raises(detente.QueryError, match="period='daily'"):
        detente.brief(st, period="daily")


# -- the notebook-style example -------------------------------------------------------------


@pytest.mark.slow
def test_notebook_example_runs(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "DETENTE_STORE": str(tmp_path / "default" / "detente.duckdb"), "TMPDIR": str(tmp_path)}
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "notebook.py")], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Restore a military deconfliction line" in result.stdout
    briefs = list(tmp_path.glob("detente-notebook-*/brief.html"))
    assert len(briefs) == 1 and briefs[0].stat().st_size > 100_000
    assert not (tmp_path / "default").exists()  # the example never touches the default store
