"""The brief says when its data ends: the last event's date and how many days before the
brief's own date (as of) that is, in HTML and Markdown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from detente.report import BriefOptions, build_brief, render_html, render_markdown
from detente.report._summary import data_end
from detente.store import Store

# USA-RUS events in two datasets that end on different days
EVENTS = """event_id,date,source_actor,target_actor,event_code,goldstein,num_mentions,text,url,dataset
t:1,2021-01-05,USAGOV,RUSGOV,042,1.9,10,talks in Geneva,http://example.com/1,gdelt2
t:2,2021-02-03,RUSGOV,USAGOV,112,-2.0,30,Moscow accuses Washington,http://example.com/2,gdelt2
i:1,2021-01-10,USAGOV,RUSGOV,042,1.9,,talks,,icews
i:2,2021-01-28,RUSGOV,USAGOV,112,-2.0,,accusation,,icews
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dataend")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    path = folder / "s.duckdb"
    with Store.open(path) as st:
        st.ingest([folder / "events.csv"])
    return path


def test_the_brief_states_its_data_end_and_lag(store: Path) -> None:
    with Store.open(store, read_only=True) as st:
        quick = frozenset[str]()  # the glance and the record only: what the line reads
        later = build_brief(st, BriefOptions(datasets=("gdelt2",), as_of=dt.date(2021, 2, 20)),
                            sections_wanted=quick)
        default = build_brief(st, BriefOptions(datasets=("gdelt2",)), sections_wanted=quick)
        both = build_brief(st, BriefOptions(datasets=("gdelt2", "icews"),
                                            as_of=dt.date(2021, 2, 4)), sections_wanted=quick)
    # as of a day after the last event: the lag is the days between them
    line = "last event 2021-02-03, 17 days before the brief's date (2021-02-20)"
    assert data_end(later) == line
    assert f"Data: {line}" in render_markdown(later)
    escaped = line.replace("'", "&#39;")
    assert f'<p class="meta" id="data-end">Data: {escaped}</p>' in render_html(later)
    # by default a brief is as of its last event
    assert data_end(default) == "last event 2021-02-03, 0 days before the brief's date (2021-02-03)"
    # datasets that end on different days are each named
    assert data_end(both) == ("last event 2021-02-03, 1 day before the brief's date (2021-02-04)"
                              " — gdelt2 2021-02-03, icews 2021-01-28")
