"""Issue areas for data without text: codes and sectors tag, the rest is counted as untagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import icews_header, icews_line, write_lines
from detente import Store
from detente.query import Selection
from detente.query.metrics import UNTAGGED_LIMIT
from detente.series import IndicatorSpec, compute_indicators

US, RU = "United States", "Russian Federation"


@pytest.fixture
def icews_store(tmp_path: Path) -> Store:
    """Eight USA–RUS events of one week in an ICEWS file (its Event Text is the CAMEO
    label only), each placed (or not) by its code or its actors' sectors."""
    rows = [
        # (cameo, source sectors, target sectors): the area expected
        ("040", "Executive,Foreign Ministry,Government", "Government"),  # diplomacy (04, sector)
        ("010", "Foreign Ministry,Government", "Executive"),  # diplomacy (sector only)
        ("010", "Executive,Government", "Executive"),  # a statement: none
        ("111", "Government", "Government"),  # a criticism: none
        ("1385", "Military,Government", "Government"),  # arms control, nonproliferation
        ("173", "Police,Government", "Citizen"),  # human rights (arrest between two states)
        ("062", "Military", "Defense / Security Ministry,Government"),  # military channels
        ("020", "Human Rights NGOs", "Government"),  # human rights (sector)
    ]
    lines = [icews_header()]
    for i, (code, ss, ts) in enumerate(rows):
        src, tgt = (US, RU) if i % 2 else (RU, US)
        lines.append(icews_line(event_id=500 + i, date=f"2018-10-{10 + i % 3:02d}", cameo=code,
                                event_text="Make statement", source_sectors=ss,
                                target_sectors=ts, source_country=src, target_country=tgt,
                                story_id=str(900 + i)))
    path = write_lines(tmp_path / "icews-week.tab", lines)
    store = Store.open(tmp_path / "s.duckdb", with_chronology=False)
    store.ingest([path])
    return store


def test_codes_and_sectors_place_what_they_name(icews_store: Store) -> None:
    tags = dict(icews_store._con.execute(
        "SELECT event_code || ':' || event_id, issue_areas FROM events ORDER BY event_id"
    ).fetchall())
    got = {k.split(":")[0]: v for k, v in tags.items()}
    assert got == {
        "040": ["diplomacy"], "010": got["010"], "111": [], "1385": ["arms_control",
                                                                   "nonproliferation"],
        "173": ["human_rights"], "062": ["military_channels"], "020": ["human_rights"],
    }
    both_010 = sorted(tuple(v) for k, v in tags.items() if k.startswith("010"))
    assert both_010 == [(), ("diplomacy",)]  # the foreign ministry's statement, and another


def test_untagged_share_beside_every_issue_figure(icews_store: Store) -> None:
    spec = IndicatorSpec(period="week", datasets=("icews",))
    [all_areas] = compute_indicators(icews_store, spec).to_pylist()
    assert (all_areas["events"], all_areas["dyad_events"]) == (8, 8)
    assert all_areas["untagged_share"] == pytest.approx(2 / 8)  # the statement, the criticism
    [arms] = compute_indicators(icews_store, IndicatorSpec(period="week", datasets=("icews",),
                                                           issue="arms_control")).to_pylist()
    # one event names it; the seven others have no text to read: whether they were about
    # arms control cannot be told, so 0 is not what the source says
    assert (arms["events"], arms["dyad_events"]) == (1, 8)
    assert arms["untagged_share"] == pytest.approx(7 / 8)
    [diplo] = compute_indicators(icews_store, IndicatorSpec(period="week", datasets=("icews",),
                                                            issue="diplomacy")).to_pylist()
    assert (diplo["events"], diplo["untagged_share"]) == (2, pytest.approx(6 / 8))


def test_the_untagged_share_a_condition_reads(icews_store: Store) -> None:
    q = icews_store.queries
    sel = Selection(dyad=("USA", "RUS"), datasets=("icews",))
    assert q.untagged(sel) == (2, 8)
    assert q.untagged(sel, "arms_control") == (7, 8)
    share = q.untagged_share(sel, "arms_control")
    assert share == pytest.approx(7 / 8) and share > UNTAGGED_LIMIT
    # the selection's own issue filter is ignored: the share is of every event selected
    assert q.untagged_share(sel.narrowed(issue_areas=("diplomacy",)), "diplomacy") == \
        pytest.approx(6 / 8)
    assert q.untagged_share(sel.narrowed(since="2019-01-01")) is None


def test_events_with_text_that_names_no_issue_are_not_unknown_for_it(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.duckdb")  # the chronology: every event has a text
    sel = Selection(dyad=("USA", "RUS"), datasets=("curated",))
    n, total = store.queries.untagged(sel, "arctic")
    assert total > 200 and n == store.queries.untagged(sel)[0]


def test_a_brief_on_an_issue_the_data_cannot_show_says_so(icews_store: Store) -> None:
    from detente.report import BriefOptions, build_brief

    brief = build_brief(icews_store, BriefOptions(issue="arctic", period="week"),
                        sections_wanted=frozenset())
    assert brief.glance.summary.startswith(
        "No USA-RUS events are tagged arctic in this selection, and these data cannot tell")
    assert ("8 USA-RUS events of other or no issue areas, 100% of which have an issue area "
            "that cannot be told") in brief.glance.notes[-1]
