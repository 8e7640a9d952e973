"""The brief: content computed from the store, the same content in HTML, Markdown and JSON."""

from __future__ import annotations

import datetime as dt
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
from detente.report.evidence import evidence_group
from detente.store import EventFilter, Store

runner = CliRunner()

# Three USA-RUS events and one unrelated, with mentions, in a machine-coded dataset.
EVENTS = """event_id,date,source_actor,target_actor,event_code,goldstein,num_mentions,text,url,dataset
t:1,2021-01-05,USAGOV,RUSGOV,042,1.9,10,talks in Geneva,http://example.com/1,gdelt2
t:2,2021-01-20,RUSGOV,USAGOV,112,-2.0,30,Moscow accuses Washington,http://example.com/2,gdelt2
t:3,2021-02-03,USAGOV,RUSGOV,190,-10.0,5,an exchange of fire,,gdelt2
t:4,2021-03-01,FRAGOV,DEUGOV,042,1.9,50,unrelated visit,,gdelt2
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
        rows = st.con.execute(
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
