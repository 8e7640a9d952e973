"""The brief: content computed from the store, the same content in HTML, Markdown and JSON."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from detente.cli.app import app
from detente.report import (
    Brief,
    BriefOptions,
    build_brief,
    charts,
    compare_briefs,
    render_html,
    render_json,
    render_markdown,
)
from detente.report._sources import indicator_rows
from detente.report.evidence import evidence_group
from detente.store import EventFilter, Store

runner = CliRunner()

# Three USA-RUS events and one unrelated, with mentions, in a machine-coded dataset.
EVENTS = """event_id,date,source_actor,target_actor,event_code,goldstein,num_mentions,text,url,dataset
t:1,2021-01-05,USAGOV,RUSGOV,042,1.9,10,talks in Geneva,http://example.com/1,gdelt2
t:2,2021-01-20,RUSGOV,USAGOV,112,-2.0,30,Moscow accuses Washington,http://example.com/2,gdelt2
t:3,2021-02-03,USAGOV,RUSGOV,190,-10.0,5,an exchange of fire,,gdelt2
t:4,2021-02-02,FRAGOV,DEUGOV,042,1.9,50,unrelated visit,,gdelt2
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("small")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    path = folder / "small.duckdb"
    with Store.open(path) as st:
        st.ingest([folder / "events.csv"])
    return path


@pytest.fixture(scope="module")
def brief(small: Path) -> Brief:
    with Store.open(small, read_only=True) as st:
        return build_brief(st, BriefOptions(datasets=("gdelt2",)))


def test_as_of_and_coverage_come_from_the_store(small: Path, brief: Brief) -> None:
    with Store.open(small, read_only=True) as st:
        rows = st._con.execute(
            "SELECT dataset, count(*), max(date) FROM events WHERE dataset = 'gdelt2' AND ("
            "(source_country = 'USA' AND target_country = 'RUS') OR "
            "(source_country = 'RUS' AND target_country = 'USA')) GROUP BY dataset ORDER BY 1"
        ).fetchall()
    assert brief.as_of == max(r[2] for r in rows)
    assert [(d.dataset, d.events) for d in brief.reproducibility.datasets] == [
        (r[0], r[1]) for r in rows]
    gdelt = next(d for d in brief.reproducibility.datasets if d.dataset == "gdelt2")
    assert (gdelt.events, gdelt.first, gdelt.last) == (3, dt.date(2021, 1, 5), dt.date(2021, 2, 3))
    assert brief.reproducibility.parameters["dyad"] == "USA-RUS"
    assert {f.name for f in brief.reproducibility.files} >= {"events.csv"}


def test_evidence_is_ordered_by_mentions_then_strength(small: Path) -> None:
    with Store.open(small, read_only=True) as st:
        group = evidence_group(st, "k", "title", EventFilter(dyad=("USA", "RUS"), datasets=("gdelt2",)),
                               limit=2)
    assert group.total == 3
    assert [e.event_id for e in group.events] == ["t:2", "t:1"]  # 30 mentions, then 10
    assert group.events[0].url == "http://example.com/2"
    assert group.events[0].source_actor == "RUSGOV" and group.events[0].event_code == "112"


def test_chronology_events_cite_their_source(tmp_path: Path) -> None:
    with Store.open(tmp_path / "c.duckdb") as st:
        group = evidence_group(st, "k", "t", EventFilter(dyad=("USA", "RUS"),
                                                         since=dt.date(2019, 8, 2),
                                                         until=dt.date(2019, 8, 2)), limit=5)
    assert group.total >= 1
    assert all(e.source for e in group.events), "every curated event names its source"


@pytest.mark.parametrize("opts, says", [
    (BriefOptions(dyad=("USA", "XXX")), "unknown CAMEO country code(s): XXX"),
    (BriefOptions(since=dt.date(2022, 1, 1), until=dt.date(2021, 1, 1)), "date range"),
    (BriefOptions(dyad=("FRA", "JPN")), "no events for FRA-JPN"),
])
def test_bad_views_still_render_and_say_there_is_no_evidence(small: Path, opts: BriefOptions,
                                                               says: str) -> None:
    with Store.open(small, read_only=True) as st:
        content = build_brief(st, opts)
    assert content.as_of is None and not content.evidence
    assert any(says in n for n in content.glance.notes), content.glance.notes
    html = render_html(content)
    md = render_markdown(content)
    for text in (html, md):
        assert "no evidence" in text
    assert all(c.spec is None for c in content.charts if c.name != "treaties")
    assert Brief.model_validate_json(render_json(content)) == content


def test_json_round_trips_and_comparing_with_itself_finds_nothing(brief: Brief) -> None:
    again = Brief.model_validate_json(render_json(brief))
    assert again == brief
    assert compare_briefs(again, brief) == []


def test_compare_reports_what_changed(small: Path, brief: Brief) -> None:
    with Store.open(small, read_only=True) as st:
        earlier = build_brief(st, BriefOptions(until=dt.date(2021, 1, 31), datasets=("gdelt2",)))
    changes = {(c.section, c.item): (c.before, c.after) for c in compare_briefs(earlier, brief)}
    assert changes[("record", "as of")] == ("2021-01-20", "2021-02-03")
    assert changes[("datasets", "gdelt2 events")] == ("2", "3")


class _Refs(HTMLParser):
    """Collect every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetching: list[tuple[str, str, str]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if tag == "a" and name == "href":
                self.links.append(value or "")
            elif name in ("src", "href", "srcset", "poster", "data", "action", "background"):
                self.fetching.append((tag, name, value or ""))


def test_html_brief_is_self_contained(brief: Brief) -> None:
    html = render_html(brief)
    refs = _Refs()
    refs.feed(html)
    assert refs.fetching == [], "nothing may be loaded from a file or a host"
    assert all(h.startswith(("#", "http://example.com")) for h in refs.links)
    styles = " ".join(re.findall(r"<style>(.*?)</style>", html, flags=re.S))
    assert "url(" not in styles and "@import" not in styles
    assert "default-src 'none'" in html  # the browser itself refuses any request
    assert "window.vegaEmbed" in html  # the plotting library is inline
    assert html.count("<script") == 3


def test_html_brief_carries_the_figures_and_caveats(brief: Brief) -> None:
    html = render_html(brief)
    assert "2021-02-03" in html and "an exchange of fire" in html
    assert "Media attention is not behaviour" in html
    assert "Reproducibility record" in html and "events.csv" in html
    md = render_markdown(brief)
    assert "## Caveats" in md and "an exchange of fire" in md


def _values(spec: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a chart's inline rows, whether stated in place or named in ``datasets``."""
    rows: list[dict[str, Any]] = data["values"] if "values" in data else spec["datasets"][data["name"]]
    return rows


def test_index_chart_marks_coverage_edges_only_inside_its_range() -> None:
    rows = [{"dataset": "gdelt2", "period_start": dt.date(y, 1, 1), "relationship_index": 0.5,
             "relationship_index_baseline": 0.4, "events": 9, "low_evidence": False}
            for y in (2014, 2016, 2018)]
    spec = charts.index_chart(rows)
    text = json.dumps(spec)
    assert "GDELT 2.0 begins (Feb 2015)" in text and "ICEWS ends" not in text
    values = _values(spec, spec["layer"][0]["data"])
    assert [v["period_start"] for v in values] == ["2014-01-01", "2016-01-01", "2018-01-01"]


def test_coverage_edge_labels_are_stacked_not_overlaid() -> None:
    rows = [{"dataset": ds, "period_start": dt.date(y, 1, 1), "relationship_index": 0.1,
             "relationship_index_baseline": 0.0, "events": 9, "low_evidence": False}
            for y in range(1995, 2026) for ds in ("icews", "gdelt2")]
    spec = charts.index_chart(rows)
    texts = [layer for layer in spec["layer"] if layer["mark"].get("type") == "text"]
    assert len(texts) == 1 and texts[0]["encoding"]["y"] == {"field": "y_px", "type": "quantitative",
                                                              "scale": None}
    labels = {v["label"]: v["y_px"] for v in _values(spec, texts[0]["data"])}
    assert labels == {"GDELT 2.0 begins (Feb 2015)": 150, "ICEWS ends (Apr 2023)": 163}
    # a dataset's edge is drawn only when the chart shows that dataset
    only_icews = charts.index_chart([r for r in rows if r["dataset"] == "icews"])
    assert "ICEWS ends" in json.dumps(only_icews) and "GDELT 2.0" not in json.dumps(only_icews)
    chronology = charts.index_chart([{**r, "dataset": "curated"} for r in rows[::2]])
    assert "ICEWS ends" not in json.dumps(chronology) and "GDELT" not in json.dumps(chronology)


def test_a_chart_layout_is_built_once_and_each_spec_owns_its_copy() -> None:
    def rows(year: int) -> list[dict[str, Any]]:
        return [{"dataset": "gdelt2", "period_start": dt.date(year, m, 1), "relationship_index": m,
                 "relationship_index_baseline": None, "events": 9, "low_evidence": False}
                for m in (1, 2, 3)]

    charts._index_layout.built.cache_clear()  # type: ignore[attr-defined]
    first, second = charts.index_chart(rows(2010)), charts.index_chart(rows(2011))
    assert charts._index_layout.built.cache_info().misses == 1  # type: ignore[attr-defined]
    first["layer"][0]["mark"]["type"] = "bar"  # a caller changing its spec changes no other
    assert second["layer"][0]["mark"]["type"] == "line"
    assert [v["period_start"] for v in second["datasets"]["rows_0"]] == [
        "2011-01-01", "2011-02-01", "2011-03-01"]
    with_edge = charts.index_chart(rows(2015))  # February 2015 is inside: one more layer
    assert len(with_edge["layer"]) == len(second["layer"]) + 2


def test_quad_chart_has_one_bar_per_quad_class_and_period() -> None:
    rows = [{"dataset": "d", "period_start": dt.date(2020, m, 1), "quad_class": q, "events": q * m}
            for m in (1, 2) for q in (1, 2, 3, 4)]
    spec = charts.quad_chart(rows)
    values = _values(spec, spec["data"])
    assert len(values) == 8
    assert {v["kind"] for v in values} == set(charts.QUAD_LABELS.values())


def test_cli_brief_writes_html_and_json_and_compares(small: Path, tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    result = runner.invoke(app, ["brief", "--store", str(small), "--dataset", "gdelt2",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    old = tmp_path / "old.json"
    result = runner.invoke(app, ["brief", "--store", str(small), "--dataset", "gdelt2",
                                 "--until", "2021-01-31",
                                 "--format", "json", "-o", str(old)])
    assert result.exit_code == 0, result.output
    assert json.loads(old.read_text(encoding="utf-8"))["as_of"] == "2021-01-20"
    result = runner.invoke(app, ["brief", "--store", str(small), "--dataset", "gdelt2",
                                 "--format", "markdown",
                                 "--compare", str(old)])
    assert result.exit_code == 0, result.output
    assert "What changed since the earlier brief" in result.stdout
    assert "| record | as of | 2021-01-20 | 2021-02-03 |" in result.stdout


def test_cli_brief_bad_compare_file_is_one_clean_line(small: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": 1}', encoding="utf-8")
    result = runner.invoke(app, ["brief", "--store", str(small), "--dataset", "gdelt2",
                                 "--compare", str(bad)])
    assert result.exit_code == 1
    assert "bad.json: not a brief's JSON" in result.output
    assert "Traceback" not in result.output


# --- the glance: thin latest periods, change points, forecasts -----------------------------

def _row(year: int, events: int, index: float | None, low: bool = False) -> dict[str, Any]:
    return {"dataset": "d", "direction": "USA-RUS", "period_start": dt.date(year, 1, 1),
            "period_end": dt.date(year, 12, 31), "events": events, "relationship_index": index,
            "relationship_index_baseline": 0.5, "relationship_index_diff":
            None if index is None else index - 0.5, "low_evidence": low}


def test_a_thin_latest_period_gives_the_headline_to_the_latest_solid_one() -> None:
    from detente.report import _sections, build

    rows = [_row(2022, 9, 1.0), _row(2023, 12, 2.0), _row(2024, 0, None, True),
            _row(2025, 1, -4.0, True)]
    latest = build._figures(rows)
    steady = build._figures(rows, steady=True)
    assert {f.period_start for f in latest} == {dt.date(2025, 1, 1)}
    assert {f.period_start for f in steady} == {dt.date(2023, 1, 1)}
    index = next(f for f in steady if f.indicator == "relationship_index")
    assert (index.value, index.events, index.diff) == (2.0, 12, 1.5)
    text = _sections.summary_sentence("USA-RUS", dt.date(2025, 3, 1), latest, [], None,
                                      [brief_dataset(13)], steady)
    assert "latest period (from 2025-01-01) has only 1 event, too few to read" in text
    assert ("the headline is the latest complete period with enough evidence (from "
            "2023-01-01, 12 events): relationship index 2.00, 1.50 above") in text
    assert "-4.00" not in text
    # a latest period with enough events is the headline itself: nothing steady
    assert build._figures(rows[:2], steady=True) == []


def test_a_partial_period_is_never_the_headline() -> None:
    from detente.report import _sections, build
    from detente.report.markdown import render_markdown  # noqa: F401 - the table's columns

    rows = [_row(2022, 9, 1.0), {**_row(2023, 12, 2.0), "coverage": "complete"},
            {**_row(2024, 400, -3.0), "coverage": "partial"}]
    latest = build._figures(rows)
    steady = build._figures(rows, steady=True)
    assert {(f.period_start, f.coverage) for f in latest} == {(dt.date(2024, 1, 1), "partial")}
    assert {f.period_start for f in steady} == {dt.date(2023, 1, 1)}
    text = _sections.summary_sentence("USA-RUS", dt.date(2024, 3, 1), latest, [], None,
                                      [brief_dataset(421)], steady)
    assert "the latest period (from 2024-01-01) is partial (400 events so far" in text
    assert "(from 2023-01-01, 12 events): relationship index 2.00" in text
    assert "-3.00" not in text
    # no complete period at all: nothing leads, and the partial period's numbers are not said
    only = [{**_row(2024, 400, -3.0), "coverage": "partial"}]
    assert build._figures(only, steady=True) == []
    text = _sections.summary_sentence("USA-RUS", dt.date(2024, 3, 1), build._figures(only), [],
                                      None, [brief_dataset(400)], [])
    assert "d: no complete period with enough evidence to lead with" in text
    assert "-3.00" not in text
    # a curated period leads like a complete one
    cur = [{**_row(2024, 8, 1.5), "coverage": "curated"}]
    assert build.headline_row(cur) is cur[0]


def brief_dataset(events: int) -> Any:
    from detente.report.model import DatasetRecord

    return DatasetRecord(dataset="d", events=events, first=dt.date(2022, 1, 1),
                         last=dt.date(2025, 3, 1))


def test_event_counts_print_as_whole_numbers(brief: Brief) -> None:
    html = render_html(brief)
    shown = re.findall(r'data-indicator="events">\s*<div class="label">events</div>\s*'
                       r'<div class="value">([^<]*)</div>', html)
    latest = next(f for f in brief.glance.figures if f.indicator == "events")
    assert shown and shown[0] == str(latest.events)  # "1", never "1.00"
    assert "| events | latest (not the headline) | 2021-02-01 | partial | 1 |" \
        in render_markdown(brief)


def test_change_points_shown_are_the_big_moves_with_their_labels() -> None:
    from detente.analysis import ChangePoint as Found
    from detente.report import _adapt

    def found(month: int, before: float, after: float, rate_after: float = 2.0) -> Found:
        return Found(index=0, period_start=dt.date(2014, month, 1), before=before, after=after,
                     size=after - before, direction="up" if after >= before else "down",
                     rate_before=1.0, rate_after=rate_after)

    class Analysis:
        @staticmethod
        def change_points(frame: Any, column: str) -> list[Found]:
            return [found(1, 2.8, -2.9, rate_after=0.0),  # a lull starts: no tone to compare
                    found(2, 2.8, -2.9), found(5, -2.9, -3.4), found(9, -3.4, -1.4)]

    rows = [{"dataset": "d", "period_start": dt.date(2014, m, 1), "relationship_index": 0.0,
             "events": 1} for m in range(1, 13)]
    cps, notes = _adapt.change_points(Analysis, rows, "month")
    assert notes == []
    assert [(c.label, c.period) for c in cps] == [("2014-02", "month"), ("2014-09", "month")]
    assert "monthly index moved down from 2.80 to -2.90" in cps[0].message
    spec = charts.index_chart(rows, [{"dataset": "d", "date": c.date, "message": c.message,
                                       "label": c.label} for c in cps])
    texts = [layer for layer in spec["layer"] if layer["mark"].get("type") == "text"]
    labels = [v["text"] for layer in texts for v in _values(spec, layer["data"])]
    assert labels == ["2014-02", "2014-09"]
    long = [{**rows[0], "period_start": dt.date(y, 1, 1)} for y in range(2000, 2025)]
    close = charts.index_chart(long, [{"dataset": ds, "date": dt.date(2022, m, 1),
                                       "message": "m", "label": f"2022-0{m}"}
                                      for m, ds in ((2, "d"), (4, "e"), (9, "d"))])
    texts = [layer for layer in close["layer"] if layer["mark"].get("type") == "text"]
    # two months apart on a 25-year axis (of any dataset): one label names both, so the
    # texts do not overprint; seven months apart is far enough
    assert [v["text"] for v in _values(close, texts[0]["data"])] == ["2022-02, 2022-04", "",
                                                                     "2022-09"]
    assert charts.label_gap_days(dt.date(2000, 1, 1), dt.date(2025, 1, 1)) == 200


def _series_rows(values: list[float]) -> list[dict[str, Any]]:
    return [{"dataset": "d", "period_start": dt.date(1950 + i, 1, 1), "events": 5,
             "relationship_index": v} for i, v in enumerate(values)]


def test_a_forecast_is_shown_only_when_it_beats_no_change() -> None:
    import numpy as np

    from detente import analysis
    from detente.report._forecast import forecast_lines

    rng = np.random.default_rng(7)
    noise = list(rng.normal(0.0, 1.0, 70))  # no change is a poor guess for noise
    walk = list(np.cumsum(rng.normal(0.0, 1.0, 70)) + np.linspace(0, 30, 70))  # a drift
    for values in (noise, walk):
        (line,) = forecast_lines(analysis, _series_rows(values), "year")
        bt = analysis.backtest(np.array(values), horizon=1, period="year")
        crps = {m: np.mean([s["crps"] for s in bt.scores if s["model"] == m])
                for m in ("model", "no_change")}
        assert line.model_crps == pytest.approx(crps["model"])
        assert line.no_change_crps == pytest.approx(crps["no_change"])
        assert line.beats_no_change == bt.beats_baselines
        if line.beats_no_change:
            assert crps["model"] < crps["no_change"]
        if line.beats_no_change:
            assert line.mean is not None and f"{line.mean:.2f}" in line.message
            assert line.lower is not None and line.upper is not None
            assert line.lower < line.mean < line.upper
            assert line.period_start == dt.date(2020, 1, 1)  # the year after the last
        else:
            assert (line.mean, line.lower, line.upper) == (None, None, None)
            assert "does not beat the baselines" in line.message
    beats = [forecast_lines(analysis, _series_rows(v), "year")[0].beats_no_change
             for v in (noise, walk)]
    assert beats == [bt.beats_baselines for bt in (analysis.backtest(np.array(v), horizon=1, period="year")
                                                   for v in (noise, walk))]
    assert beats[1] is False
    (short,) = forecast_lines(analysis, _series_rows(noise[:10]), "year")
    assert not short.beats_no_change and short.mean is None and "too short" in short.message


@pytest.fixture(scope="module")
def chronology_brief(tmp_path_factory: pytest.TempPathFactory) -> Brief:
    path = tmp_path_factory.mktemp("chron") / "c.duckdb"
    with Store.open(path) as st:
        return build_brief(st)


def test_chronology_brief_uses_monthly_change_points_and_no_unearned_forecast(
        chronology_brief: Brief) -> None:
    b = chronology_brief
    assert b.period == "year"
    cps = b.glance.change_points
    assert cps and all(c.period == "month" for c in cps)
    assert all(abs((c.after or 0) - (c.before or 0)) >= 2.0 for c in cps)
    assert all(c.label == f"{c.date.year}-{c.date.month:02d}" for c in cps)
    # the chronology's sustained break: from its cooperative record to the contested one
    assert any(2011 <= c.date.year <= 2012 and (c.before or 0) - (c.after or 0) >= 2.0 for c in cps)
    (line,) = b.glance.forecasts
    html = render_html(b)
    if line.beats_no_change:
        assert line.mean is not None and line.message in html
    else:
        assert line.mean is None and ("does not beat the baselines" in html
                                      or "not enough history to judge" in html)
    latest = next(f for f in b.glance.figures if f.indicator == "events")
    if latest.low_evidence:
        assert b.glance.steady and "too few to read" in b.glance.summary
        assert b.evidence_group("steady:curated") is not None


def test_a_cold_bundle_is_built_by_another_process_while_the_brief_computes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.report import _bundle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(_bundle, "_text", None)
    monkeypatch.setattr(_bundle, "_builder", None)
    # a stand-in for vl-convert's bundler, so that the test stays quick
    monkeypatch.setattr(_bundle, "_BUILD", "import sys\nopen(sys.argv[1], 'w').write('// js')\n")
    _bundle.prefetch()
    assert _bundle._builder is not None
    assert _bundle.vega_bundle() == "// js"
    assert _bundle._cached_path().read_text() == "// js"
    assert _bundle._cached_path().parent == tmp_path / "detente"
    monkeypatch.setattr(_bundle, "_text", None)
    _bundle.prefetch()  # cached now: nothing to start
    assert _bundle._builder is None


def test_every_chart_of_the_brief_is_valid_vega_lite(brief: Brief) -> None:
    # the charts are built with Altair's checks off (they cost more than the charts), so
    # each finished spec is checked here, once, against the Vega-Lite schema Altair ships
    import jsonschema
    from altair.vegalite.v6.schema import core

    validator = jsonschema.Draft7Validator(core.load_schema())
    drawn = [c for c in brief.charts if c.spec]
    assert {c.name for c in drawn} >= {"index", "quad", "issues", "treaties"}
    for chart in drawn:
        errors = [e.message for e in validator.iter_errors(chart.spec)]
        assert errors == [], (chart.name, errors[:3])
    response = charts.response_chart([
        {"pair": "USA → RUS", "step": k, "response": 0.1 * k, "lower": 0.0, "upper": 0.2 * k}
        for k in range(4)])
    assert [e.message for e in validator.iter_errors(response)] == []
    broken = {**drawn[0].spec, "mark": {"type": "no-such-mark"}}
    assert list(validator.iter_errors(broken))


def test_a_view_from_a_copy_of_the_dyad_is_the_same_view(tmp_path: Path) -> None:
    # the dashboard has a dyad's events copied once (Queries.prepare_scope) and its views
    # read the copy; whatever needs other dyads (the share of all events) reads them all
    from detente.query import CACHE

    csv = tmp_path / "events.csv"
    csv.write_text(EVENTS + "t:5,2021-01-07,CHNGOV,USAGOV,042,1.9,4,other talks,,gdelt2\n"
                   "t:6,2021-02-01,GBRGOV,RUSGOV,112,-2.0,2,other words,,gdelt2\n", encoding="utf-8")
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        st.ingest([csv])  # (with the chronology, USA-RUS would be most of the store: no copy)
    quick = frozenset({"issues"})
    gdelt = EventFilter(datasets=("gdelt2",))
    with Store.open(tmp_path / "s.duckdb", read_only=True) as st:
        opts = BriefOptions(datasets=("gdelt2",), period="month")
        outside = build_brief(st, opts, sections_wanted=quick).model_dump(mode="json")
        CACHE.clear()
        assert st.queries.prepare_scope(("RUS", "USA"))
        assert st.queries._source(EventFilter(dyad=("USA", "RUS")))[0] != "events"
        inside = build_brief(st, opts, sections_wanted=quick).model_dump(mode="json")
        shares = indicator_rows(st, dyad=("USA", "RUS"), period="month", datasets=("gdelt2",))
        assert st.count(gdelt) == 6
    assert inside == outside
    # January: 2 of the 3 gdelt2 events; February: 1 of 3 (t:3 of t:3, t:4 and t:6)
    assert [r["events_share"] for r in shares] == [pytest.approx(2 / 3), pytest.approx(1 / 3)]


def test_compare_lists_change_points_and_forecasts_that_changed(brief: Brief) -> None:
    from detente.report.model import ChangePoint, ForecastLine

    def line(mean: float | None) -> ForecastLine:
        return ForecastLine(dataset="gdelt2", period="month", beats_no_change=mean is not None,
                            origins=30, period_start=dt.date(2021, 3, 1), mean=mean,
                            lower=None if mean is None else mean - 1,
                            upper=None if mean is None else mean + 1, message="m")

    cp = ChangePoint(dataset="gdelt2", date=dt.date(2021, 1, 1), message="down")
    old = brief.model_copy(update={"glance": brief.glance.model_copy(
        update={"forecasts": [line(None)], "change_points": [cp]})})
    new = brief.model_copy(update={"glance": brief.glance.model_copy(
        update={"forecasts": [line(0.5)], "change_points": []})})
    changes = {(c.section, c.item): (c.before, c.after) for c in compare_briefs(old, new)}
    assert changes[("forecasts", "gdelt2 index, next period")] == (
        "not shown (did not beat the baselines)", "0.50 [-0.50, 1.50] for 2021-03-01")
    assert changes[("change points", "gdelt2 2021-01-01")] == ("found", None)
    assert not [c for c in compare_briefs(new, new)]


@pytest.mark.parametrize("period", ["week", "month", "quarter", "year"])
def test_issue_cells_from_a_date_are_the_kept_whole_cells_and_a_fresh_first_period(
        tmp_path: Path, period: str) -> None:
    from test_indicators import add, empty_store, ev

    store = empty_store(tmp_path)
    areas = [("ukraine",), ("arms_control", "ukraine"), (), ("energy",)]
    codes = ["042", "112", "190", "057"]
    add(store, [ev((dt.date(2018, 1, 1) + dt.timedelta(days=(i * 11) % 900)).isoformat(),
                   *(("USA", "RUS"), ("RUS", "USA"), ("USA", "CHN"))[i % 3], codes[i % 4],
                   1.0, dataset=("gdelt2", "icews")[i % 2], issues=areas[i % 4])
                for i in range(300)])
    for since in (dt.date(2018, 1, 1), dt.date(2018, 7, 1), dt.date(2019, 2, 13),
                  dt.date(2019, 10, 30), dt.date(2020, 6, 17)):
        flts = [EventFilter(dyad=("USA", "RUS"), since=since)]
        if since < dt.date(2020, 1, 9):
            flts.append(EventFilter(dyad=("USA", "RUS"), since=since, until=dt.date(2020, 1, 9),
                                    issue_areas=("ukraine",), datasets=("icews",)))
        for flt in flts:
            got = store.queries.issue_cells(flt, period)
            assert got == store.queries._issue_query(flt, period), (since, flt)
    whole = store.queries.issue_cells(EventFilter(dyad=("USA", "RUS")), period)
    # an event counts once per issue area, and once under "(no issue area)" if it has none
    assert sum(c["events"] for c in whole) == sum(
        max(len(a), 1) for i, a in enumerate(areas * 75) if i % 3 != 2)
    store.close()


def test_analyses_of_the_same_rows_are_kept_and_new_rows_analysed_afresh(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.query import CACHE
    from detente.report import _sections

    calls: list[int] = []
    real = _sections._analyse

    def counted(*args: Any) -> Any:
        calls.append(len(args[1]))
        return real(*args)

    monkeypatch.setattr(_sections, "_analyse", counted)
    CACHE.clear()
    low = [1.0] * 20 + [-6.0] * 20
    rows = _series_rows(low)
    first = _sections.analysis_results(rows, "USA-RUS", "year")
    assert [c.date.year for c in first[0]] == [1970]  # the break, found
    again = _sections.analysis_results(_series_rows(low), "USA-RUS", "year")  # equal rows
    assert again == first and calls == [40]
    again[0].clear()  # the caller's lists are its own
    assert _sections.analysis_results(rows, "USA-RUS", "year")[0] == first[0]
    moved = _sections.analysis_results(_series_rows([1.0] * 25 + [-6.0] * 15), "USA-RUS", "year")
    assert [c.date.year for c in moved[0]] == [1975] and calls == [40, 40]
    _sections.analysis_results(rows, "RUS->USA", "year")  # another direction: its own
    assert calls == [40, 40, 40]


def test_the_brief_flags_a_partial_latest_period_and_leads_with_none(brief: Brief) -> None:
    # the fixture's last month holds one event of its first three days: partial, so no
    # figure leads and the rendered brief says why
    [latest] = [f for f in brief.glance.figures if f.indicator == "events"]
    assert (latest.period_start, latest.coverage, latest.events) == (
        dt.date(2021, 2, 1), "partial", 1)
    assert brief.glance.steady == []
    assert "gdelt2: no complete period with enough evidence to lead with; the latest (from " \
        "2021-02-01) is partial (1 event so far" in brief.glance.summary
    html = render_html(brief)
    assert '<span class="tag" data-coverage="partial">partial period</span>' in html
    assert 'data-no-headline="gdelt2"' in html
    assert "<summary>The latest period, 2021-02-01 … 2021-02-03: partial: the files cover " \
        "only part of its reporting days</summary>" in html


def test_key_events_follow_the_rule(small: Path) -> None:
    from detente.report._milestones import MAX_MILESTONES, milestones
    from detente.report._sources import registry

    reg = registry()
    with Store.open(small, read_only=True) as st:  # the small store holds the chronology
        three = milestones(st, ("USA", "RUS"), dt.date(2018, 1, 1), dt.date(2020, 12, 31), reg)
        whole = milestones(st, ("USA", "RUS"), dt.date(1963, 1, 1), dt.date(2026, 2, 5), reg)
        weeks = milestones(st, ("USA", "RUS"), dt.date(2018, 10, 1), dt.date(2018, 11, 30), reg)
    labels = [k["label"] for k in three]
    # the registry's INF changes, labelled by instrument and change (the party where the
    # two parties' changes differ)
    assert {"INF: suspended (USA)", "INF: withdrawn (USA)"} <= set(labels), labels
    for keys, lo, hi in ((three, dt.date(2018, 1, 1), dt.date(2020, 12, 31)),
                         (whole, dt.date(1963, 1, 1), dt.date(2026, 2, 5))):
        gap = charts.label_gap_days(lo, hi)
        assert len(keys) <= MAX_MILESTONES
        assert all((b["date"] - a["date"]).days >= gap for a, b in itertools.pairwise(keys))
    # over the whole history only registry-cited events fit, the most recent kept
    assert len(whole) == MAX_MILESTONES and all(":" in k["label"] for k in whole)
    assert whole[-1]["label"] == "NEW START: expired"
    # a range of weeks says what happened, from the chronology's other events
    assert [k["date"] for k in weeks] == [dt.date(2018, 10, 4), dt.date(2018, 10, 20),
                                          dt.date(2018, 11, 29)]
    # the announced US withdrawal of 2018-10-20 is in the registry: labelled by it
    assert weeks[1]["label"] == "INF: withdrawal announced", weeks


def test_the_first_screen_reads_from_the_glance(chronology_brief: Brief) -> None:
    from detente.report._summary import summarise

    sm = summarise(chronology_brief)
    # the chronology's latest year is thin: its headline is the latest period with enough
    # evidence, the one the glance gives
    steady = [f for f in chronology_brief.glance.steady if f.indicator == "relationship_index"]
    assert [s.dataset for s in sm.standing] == ["curated"]
    assert sm.standing[0].figures[0].period_start == steady[0].period_start
    assert len(sm.changed) <= 4 and len(sm.watch) <= 4 and len(sm.items) <= 4
    # what changed since the period before the headline one
    prev = [f for f in chronology_brief.glance.previous if f.indicator == "relationship_index"]
    assert prev and prev[0].period_start < steady[0].period_start and prev[0].events > 0
    assert f"from {prev[0].value:.2f} in the period from {prev[0].period_start}" in sm.changed[0]
    assert sum(sm.item_counts.values()) == len(chronology_brief.playbook.items)
    assert sm.more["items"] == max(0, len([i for i in chronology_brief.playbook.items
                                           if i.status not in ("stalled",
                                                               "insufficient_evidence")]) - 4)
    html = render_html(chronology_brief)
    assert html.index('id="summary"') < html.index('id="glance"')
    assert '<details class="basket">' in html
