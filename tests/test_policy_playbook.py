"""Playbooks: file:line errors, the default playbook, item statuses on a hand-built store."""

from __future__ import annotations

import csv
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from detente.policy import PolicyFileError, check_playbook, default_playbook_path, load_playbook
from detente.store import Store

AS_OF = date(2024, 6, 30)


def _write_store(tmp: Path) -> Store:
    rows = []
    # USA->RUS on diplomacy: cooperative in the previous half-year, conflictual in the last one
    rows += [(f"p{m}", f"2023-{m:02d}-15", "USAGOV", "RUSGOV", "040", "diplomacy") for m in range(8, 13)]
    rows += [(f"n{m}", f"2024-{m:02d}-15", "USAGOV", "RUSGOV", "111", "diplomacy") for m in range(1, 6)]
    # arctic: the same cooperation in both half-years
    rows += [(f"a{m}", f"2023-{m:02d}-10", "USAGOV", "RUSGOV", "057", "arctic") for m in range(8, 13)]
    rows += [(f"b{m}", f"2024-{m:02d}-10", "USAGOV", "RUSGOV", "057", "arctic") for m in range(1, 6)]
    # an older event elsewhere, so that the dataset covers both trend windows
    rows += [("old", "2023-01-10", "RUSGOV", "USAGOV", "111", "human_rights")]
    path = tmp / "events.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["event_id", "date", "source_actor", "target_actor", "event_code", "issue_areas",
                    "dataset"])
        w.writerows([*r, "gdelt2"] for r in rows)
    st = Store.open(tmp / "s.duckdb", with_chronology=False)
    st.ingest([path])
    return st


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    st = _write_store(tmp_path_factory.mktemp("playbook"))
    yield st
    st.close()


BOOK = """\
playbook: test
principles:
  - {id: 1, name: one, title: One, summary: s}
baskets:
  essential:
    - id: relations
      title: Relations
      summary: s
      issue_areas: [diplomacy]
      conditions:
        - {id: some_contact, description: d, when: "count(USA-RUS, issue=diplomacy, last=1y) >= 1"}
    - id: arctic
      title: Arctic
      summary: s
      issue_areas: [arctic]
      conditions:
        - {id: busy, description: d, when: "count(USA-RUS, issue=arctic, last=1y) >= 10"}
    - id: failing
      title: Failing
      summary: s
      issue_areas: [arctic]
      conditions:
        - {id: busier, description: d, when: "count(USA-RUS, issue=arctic, last=1y) >= 11"}
        - {id: fine, description: d, when: "count(USA-RUS, issue=arctic, last=1y) >= 1"}
  desirable:
    - id: unknown
      title: Unknown
      summary: s
      issue_areas: [nonproliferation]
      conditions:
        - {id: coop, description: d, when: "net_cooperation(USA-RUS, issue=nonproliferation, last=1y) > 0"}
    - id: inf
      title: INF
      summary: s
      issue_areas: [arms_control]
      instruments: [INF]
    - id: new-start
      title: New START
      summary: s
      issue_areas: [arms_control]
      instruments: [NEW_START]
"""


def _book(tmp_path: Path, text: str = BOOK, name: str = "book.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_item_statuses_follow_the_documented_rules(store: Store, tmp_path: Path) -> None:
    report = check_playbook(store, str(_book(tmp_path)), AS_OF)
    assert report.as_of == AS_OF and report.dataset == "gdelt2"
    status = {i.id: i for i in report.items}
    # net cooperation on diplomacy, recomputed by hand from the stored events
    rows = store.events().to_pylist()

    def net(since: date, until: date) -> float:
        sel = [r["quad_class"] for r in rows if "diplomacy" in r["issue_areas"]
               and since <= r["date"] <= until]
        return sum(1 if q in (1, 2) else -1 for q in sel) / len(sel)

    recent, before = net(date(2023, 12, 31), AS_OF), net(date(2023, 7, 1), date(2023, 12, 30))
    assert before - recent > 0.2
    rel = status["relations"]
    assert rel.status == "deteriorating"
    assert rel.trend is not None
    assert [v.value for v in rel.trend.values] == pytest.approx([recent, before])
    assert rel.conditions[0].result == "met"
    assert status["arctic"].status == "on_track"  # 10 arctic events, no fall
    assert status["failing"].status == "stalled"
    assert status["failing"].reason == "not met: busier"
    assert status["unknown"].status == "stalled"
    assert status["unknown"].reason == "no condition decidable on the evidence: coop"
    assert status["unknown"].conditions[0].needs  # says which data would decide it
    inf = status["inf"]
    assert inf.status == "overtaken_by_events"
    assert [e.event_id for e in inf.overtaken_by] == [
        "curated:2018-10-20-trump-intends-inf-exit", "curated:2018-12-04-pompeo-inf-ultimatum",
        "curated:2019-02-01-us-suspends-inf", "curated:2019-03-04-putin-inf-suspension-decree",
        "curated:2019-08-02-inf-withdrawal-effective"]
    # New START had not expired by mid-2024 but Russia had suspended it (the registry)
    ns = status["new-start"]
    assert ns.status == "deteriorating"
    assert ns.reason.startswith("registry: NEW_START: RUS suspended since 2023-02-28")
    assert [e.event_id for e in ns.strained_by] == ["curated:2023-02-28-new-start-suspension-law"]
    assert report.counts == {"on_track": 1, "deteriorating": 2, "stalled": 2,
                             "overtaken_by_events": 1}


def test_as_of_moves_items_into_overtaken(store: Store, tmp_path: Path) -> None:
    report = check_playbook(store, str(_book(tmp_path)), "2026-02-05")
    status = {i.id: i.status for i in report.items}
    assert status["new-start"] == "overtaken_by_events"
    report = check_playbook(store, str(_book(tmp_path)), "2019-08-01")
    assert {i.id: i.status for i in report.items}["inf"] != "overtaken_by_events"


def test_default_playbook_encodes_the_essay() -> None:
    book = load_playbook()
    assert [p.id for p in book.principles] == [1, 2, 3, 4]
    ids = {basket: [i.id for i in items] for basket, items in book.baskets.items()}
    assert {"election-meddling-cyber", "military-channels", "ukraine-deescalation", "minsk",
            "sanctions-leverage", "ukraine-aid-reform", "realism-inside-russia"} <= set(ids["essential"])
    assert {"nonproliferation-nuclear-security", "inf-impasse", "new-start", "arctic",
            "confidence-building", "further-reductions-doctrine"} <= set(ids["desirable"])
    assert {"contain-problems", "leader-engagement"} <= set(ids["realistic"])
    assert "grand_bargain" in book.stance
    overtaken = {i.id: i.instruments for _, i in book.items() if i.instruments}
    assert overtaken == {"minsk": ["MINSK"], "inf-impasse": ["INF"], "new-start": ["NEW_START"],
                         "open-skies": ["OPEN_SKIES"]}
    mil = next(i for _, i in book.items() if i.id == "military-channels")
    assert any("SYRIA_AIR_SAFETY_MOU" in c.when for c in mil.conditions)


def test_default_playbook_check_gives_every_item_a_status(store: Store) -> None:
    report = check_playbook(store, None, AS_OF)
    assert len(report.items) == sum(len(v) for v in load_playbook().baskets.values())
    assert all(c.result in ("met", "not_met", "insufficient_evidence")
               for i in report.items for c in i.conditions)
    status = {i.id: i.status for i in report.items}
    assert status["minsk"] == status["inf-impasse"] == status["open-skies"] == "overtaken_by_events"
    assert status["new-start"] != "overtaken_by_events"  # expired only in 2026
    # no Ukraine events in this store: the sanctions gate cannot be decided, and says why
    sanctions = next(i for i in report.items if i.id == "sanctions-leverage")
    gate = next(c for c in sanctions.conditions if c.id == "major_change_in_ukraine")
    assert gate.result == "insufficient_evidence"
    assert any("RUS->UKR" in n for n in gate.needs)


@pytest.mark.parametrize(("edit", "line", "fragment"), [
    (("      title: Arctic\n", ""), 12, "baskets.essential.1.title: field required"),
    (("      summary: s\n      issue_areas: [arctic]\n      conditions:\n"
      "        - {id: busy",
      "      summary: s\n      issue_areas: [arctic]\n      colour: red\n      conditions:\n"
      "        - {id: busy"), 16, "baskets.essential.1.colour: unknown field"),
    (("issue_areas: [nonproliferation]", "issue_areas: [nonproliferaton]"), 29,
     "unknown issue area(s) nonproliferaton"),
    (("  desirable:", "  wishful:"), 26, "baskets.wishful"),
    (("instruments: [INF]", "instruments: [SALT_III]"), 36, "unknown instrument 'SALT_III'"),
    (("principles:\n", "principles:\n  - [\n"), 4, "not valid YAML"),
])
def test_schema_errors_name_file_and_line(tmp_path: Path, edit: tuple[str, str], line: int,
                                          fragment: str) -> None:
    assert edit[0] in BOOK
    path = _book(tmp_path, BOOK.replace(edit[0], edit[1], 1))
    with pytest.raises(PolicyFileError) as err:
        load_playbook(path)
    assert err.value.line == line, str(err.value)
    assert fragment in str(err.value)
    assert str(err.value).startswith(f"{path}:{line}")


def test_bad_condition_names_file_line_and_column(tmp_path: Path) -> None:
    old = '        - {id: busy, description: d, when: "count(USA-RUS, issue=arctic, last=1y) >= 10"}\n'
    assert old in BOOK
    text = BOOK.replace(old, "        - id: busy\n          description: d\n"
                             "          when: count(USA-RUS, issue=arctic, last=1y) >= $ten\n")
    path = _book(tmp_path, text)
    with pytest.raises(PolicyFileError) as err:
        load_playbook(path)
    # line 19; the expression starts at column 17 and `$ten` is its 42nd character
    assert (err.value.line, err.value.column) == (19, 17 + 41)
    assert "condition arctic.busy: unknown parameter $ten" in str(err.value)


def test_bad_condition_in_a_folded_block(tmp_path: Path) -> None:
    text = textwrap.dedent("""\
        playbook: t
        principles: []
        baskets:
          realistic:
            - id: x
              title: X
              summary: s
              issue_areas: [diplomacy]
              conditions:
                - id: c
                  description: d
                  when: >-
                    count(USA-RUS, last=1y)
                    >= treaty("SALT", party=RUS).status
        """)
    with pytest.raises(PolicyFileError) as err:
        load_playbook(_book(tmp_path, text))
    assert err.value.line == 12
    assert "column 35 of the expression: unknown treaty 'SALT'" in str(err.value)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError, match="no such playbook"):
        load_playbook(tmp_path / "nope.yaml")
    with pytest.raises(PolicyFileError, match="empty playbook"):
        load_playbook(_book(tmp_path, ""))


def test_default_playbook_path_is_packaged() -> None:
    assert default_playbook_path().name == "default.yaml"
    assert default_playbook_path().is_file()
