"""Verdicts that hold: zero curated counts, enough decided conditions, the registry's
statuses, and channels read from every dataset with the CAMEO codes that count."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from conftest import write_sql
from detente.policy import (
    EvalContext,
    check_playbook,
    compile_condition,
    evaluate,
    load_playbook,
    load_registry,
)
from detente.policy.listing import channel_report
from detente.store import Store

COLUMNS = ["event_id", "date", "source_actor", "target_actor", "event_code", "issue_areas",
           "dataset"]
ROWS = [
    # machine-coded: a year of USA-RUS diplomacy and the meetings, calls and consultations
    *[(f"g{m}", f"2024-{m:02d}-05", "USAGOV", "RUSGOV", "036", "diplomacy", "gdelt2")
      for m in range(1, 7)],
    ("g-old", "2014-01-10", "USAGOV", "RUSGOV", "036", "diplomacy", "gdelt2"),
    ("i-meet", "2024-02-01", "USAGOV", "RUSGOV", "044", "", "icews"),
    ("i-call", "2024-03-01", "RUSGOV", "USAGOV", "041", "", "icews"),
    ("i-consult", "2024-05-01", "USAGOV", "RUSGOV", "040", "", "icews"),
    ("i-mediate", "2024-05-02", "USAGOV", "RUSGOV", "045", "", "icews"),
    ("i-business", "2024-06-01", "USABUS", "RUSBUS", "043", "", "icews"),
    # hand-picked: a visit, a defence ministers' call and sanctions
    ("c-visit", "2024-04-01", "USAGOV", "RUSGOV", "042", "diplomacy", "curated"),
    ("c-mil", "2015-09-18", "USAMIL", "RUSMIL", "041", "military_channels", "curated"),
    ("c-sanctions", "2024-03-10", "USAGOV", "RUSGOV", "163", "sanctions", "curated"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    tmp = tmp_path_factory.mktemp("verdicts")
    path = tmp / "events.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        # a canonical file may not claim the chronology's dataset: its rows come in under
        # another name and are moved there as the chronology's loader would store them
        w.writerows((*row[:-1], "hand" if row[-1] == "curated" else row[-1]) for row in ROWS)
    st = Store.open(tmp / "s.duckdb", with_chronology=False)
    st.ingest([path])
    write_sql(st, "UPDATE events SET dataset = 'curated' WHERE dataset = 'hand'")
    yield st
    st.close()


def run(store: Store, text: str, dataset: str, as_of: date = date(2024, 6, 30)) -> Any:
    ctx = EvalContext(store=store, registry=load_registry(), as_of=as_of, dataset=dataset)
    return evaluate(compile_condition(text), text, ctx)


# -- zero counts of curated events decide nothing ---------------------------------------

NOT_GROWING = ("count(RUS->USA, issue=cyber_elections, quad=conflict, last=2y) <= "
               "count(RUS->USA, issue=cyber_elections, quad=conflict, last=2y, lag=2y)")
SUPPORT = "count(USA->UKR, quad=cooperation, last=1y) >= 1"


def test_zero_curated_counts_are_insufficient_and_say_why(store: Store) -> None:
    # 0 against 0 in the chronology: not "met"
    r = run(store, NOT_GROWING, "curated")
    assert r.result == "insufficient_evidence"
    assert [v.value for v in r.values] == [0.0, 0.0]
    assert all("silence is not evidence" in (v.note or "") for v in r.values)
    assert "is 0 in the hand-picked curated chronology, which decides nothing" in r.needs[0]
    # 0 in the chronology: not "not met"
    r = run(store, SUPPORT, "curated")
    assert r.result == "insufficient_evidence" and r.values[0].value == 0.0
    # a count the chronology holds still decides
    assert run(store, "count(USA->RUS, issue=sanctions, last=1y) >= 1", "curated").result == "met"
    # in machine-coded data a zero is a zero
    assert run(store, NOT_GROWING, "gdelt2").result == "met"
    assert run(store, SUPPORT, "gdelt2").result == "not_met"


def test_default_playbook_on_curated_zero_counts(store: Store) -> None:
    report = check_playbook(store, None, "2024-06-30", dataset="curated")
    cond = {f"{i.id}.{c.id}": c for i in report.items for c in i.conditions}
    assert cond["election-meddling-cyber.interference_not_growing"].result == "insufficient_evidence"
    assert cond["ukraine-aid-reform.support_continues"].result == "insufficient_evidence"
    assert cond["sanctions-leverage.sanctions_kept"].result == "met"


# -- on track needs two-thirds of the conditions decided ---------------------------------

BOOK = """\
playbook: test
settings: {{on_track_decided: {share}}}
principles:
  - {{id: 1, name: one, title: One, summary: s}}
baskets:
  essential:
    - id: three
      title: Three conditions, two decided
      summary: s
      issue_areas: [diplomacy]
      conditions:
        - {{id: a, description: d, when: "count(USA-RUS, issue=diplomacy, last=1y) >= 1"}}
        - {{id: b, description: d, when: "count(USA-RUS, last=1y) >= 2"}}
        - {{id: c, description: d, when: "net_cooperation(USA-RUS, issue=arctic, last=1y) > 0"}}
    - id: two
      title: Two conditions, one decided
      summary: s
      issue_areas: [diplomacy]
      conditions:
        - {{id: a, description: d, when: "count(USA-RUS, issue=diplomacy, last=1y) >= 1"}}
        - {{id: c, description: d, when: "net_cooperation(USA-RUS, issue=arctic, last=1y) > 0"}}
    - id: inf
      title: INF
      summary: s
      issue_areas: [arms_control]
      instruments: [INF]
    - id: mil
      title: Military channels
      summary: s
      issue_areas: [military_channels]
      channels: [mil-to-mil]
"""


def _book(tmp_path: Path, share: str = "2/3") -> Path:
    path = tmp_path / "book.yaml"
    path.write_text(BOOK.format(share=share))
    return path


def test_on_track_needs_two_thirds_of_conditions_decided(store: Store, tmp_path: Path) -> None:
    items = {i.id: i for i in check_playbook(store, str(_book(tmp_path)), "2024-06-30",
                                             dataset="gdelt2").items}
    assert [c.result for c in items["three"].conditions] == ["met", "met", "insufficient_evidence"]
    assert items["three"].status == "on_track"
    assert items["three"].reason == "2 of 3 conditions decided, all met (undecided: c)"
    assert items["two"].status == "stalled"
    assert items["two"].reason == ("only 1 of 2 conditions decided (on track needs 67%); "
                                   "undecided: c")
    # the threshold is a setting
    half = {i.id: i for i in check_playbook(store, str(_book(tmp_path, "0.5")), "2024-06-30",
                                            dataset="gdelt2").items}
    assert half["two"].status == "on_track"
    assert load_playbook(_book(tmp_path)).settings.on_track_decided == pytest.approx(2 / 3)


# -- items read the registry -----------------------------------------------------------

@pytest.mark.parametrize(("as_of", "status", "reason", "events"), [
    ("2018-10-19", "stalled", "the item has no conditions of its own; the registry shows INF: "
     "USA in force, RUS in force", []),
    ("2018-10-20", "deteriorating", "registry: INF: USA withdrawal announced since 2018-10-20",
     ["curated:2018-10-20-trump-intends-inf-exit"]),
    ("2018-12-04", "deteriorating", "registry: INF: USA ultimatum since 2018-12-04",
     ["curated:2018-12-04-pompeo-inf-ultimatum"]),
    ("2019-02-02", "deteriorating", "registry: INF: USA withdrawal notified since 2019-02-02",
     ["curated:2019-02-01-us-suspends-inf"]),
    ("2019-08-01", "deteriorating", "registry: INF: USA withdrawal notified since 2019-02-02",
     ["curated:2019-02-01-us-suspends-inf", "curated:2019-03-04-putin-inf-suspension-decree"]),
    ("2019-08-02", "overtaken_by_events", "INF ended by 2019-08-02", []),
])
def test_inf_item_follows_the_registry(store: Store, tmp_path: Path, as_of: str, status: str,
                                       reason: str, events: list[str]) -> None:
    inf = next(i for i in check_playbook(store, str(_book(tmp_path)), as_of,
                                         dataset="gdelt2").items if i.id == "inf")
    assert inf.status == status
    assert inf.reason.startswith(reason)
    assert [e.event_id for e in inf.strained_by] == events


def _default_condition(store: Store, item_id: str, cond_id: str, as_of: date) -> str:
    book = load_playbook()
    item = next(i for _, i in book.items() if i.id == item_id)
    cond = next(c for c in item.conditions if c.id == cond_id)
    ctx = EvalContext(store=store, registry=load_registry(), as_of=as_of, dataset="gdelt2")
    return evaluate(book.compiled(item, cond), cond.when, ctx).result


def test_a_suspended_treaty_does_not_bind(store: Store) -> None:
    def limits(as_of: date) -> str:
        return _default_condition(store, "confidence-building", "conventional_limits", as_of)

    assert limits(date(2007, 12, 11)) == "met"  # the suspension decree had not taken effect
    assert limits(date(2007, 12, 12)) == "not_met"  # Russia suspended CFE
    assert limits(date(2023, 5, 29)) == "not_met"  # denunciation law
    assert limits(date(2024, 1, 1)) == "not_met"  # withdrawn

    def plutonium(as_of: date) -> str:
        return _default_condition(store, "nonproliferation-nuclear-security",
                                  "plutonium_agreement_intact", as_of)

    assert plutonium(date(2011, 7, 13)) == "met"  # in force with its protocols
    assert plutonium(date(2016, 10, 3)) == "not_met"  # suspended
    assert plutonium(date(2025, 10, 27)) == "not_met"  # denounced, no longer "suspended"


def test_a_suspended_channel_with_no_contact_since_is_deteriorating(store: Store,
                                                                    tmp_path: Path) -> None:
    def mil(as_of: str) -> Any:
        return next(i for i in check_playbook(store, str(_book(tmp_path)), as_of,
                                              dataset="gdelt2").items if i.id == "mil")

    item = mil("2014-06-30")
    assert item.status == "deteriorating"
    assert item.reason.startswith("registry: channel mil-to-mil: suspended on 2014-03-03 with no "
                                  "contact recorded since")
    assert [e.event_id for e in item.strained_by] == [
        "curated:2014-03-03-pentagon-suspends-mil-to-mil"]
    # the defence ministers' call of 2015 (in the hand-picked data) reopened it
    assert mil("2015-12-31").status == "stalled"


# -- channels ----------------------------------------------------------------------------

def test_channels_read_every_dataset_and_count_the_right_codes(store: Store) -> None:
    as_of, ds, states = channel_report(store, as_of="2024-06-30", dataset="gdelt2")
    assert as_of == date(2024, 6, 30)
    assert ds == "gdelt2"
    by = {s.channel: s for s in states}
    # the curated visit (042) is the latest meeting of leaders or ministers; the 040
    # consultation, the 045 mediation and the businessmen's 043 count for no channel
    for channel in ("summits", "ministerial"):
        assert (by[channel].status, by[channel].last_contact, by[channel].last_event) == (
            "active", date(2024, 4, 1), "c-visit")
    assert (by["leaders-telephone"].last_contact, by["leaders-telephone"].last_event) == (
        date(2024, 3, 1), "i-call")
    # before the visit, ICEWS's 044 meeting at a third location
    _, _, early = channel_report(store, as_of="2024-03-31", dataset="gdelt2")
    assert next(s for s in early if s.channel == "summits").last_event == "i-meet"
    mil = by["mil-to-mil"]
    assert (mil.status, mil.last_event) == ("dormant", "c-mil")


def test_a_channel_condition_cites_the_datasets_read(store: Store) -> None:
    ctx = EvalContext(store=store, registry=load_registry(), as_of=date(2024, 6, 30),
                      dataset="gdelt2", channel_datasets=("gdelt2", "curated", "icews"))
    text = 'days_since(channel="summits") == 90'
    r = evaluate(compile_condition(text), text, ctx)
    assert r.result == "met" and r.values[0].event_ids == ["c-visit"]
    assert r.values[0].dataset == "gdelt2, curated, icews"
    # on one dataset alone there is no such contact
    alone = EvalContext(store=store, registry=load_registry(), as_of=date(2024, 6, 30),
                        dataset="gdelt2")
    assert evaluate(compile_condition(text), text, alone).result == "insufficient_evidence"


# -- an issue area whose events mostly cannot be told decides no "not met" ---------------

ARMS = "count(RUS->USA, issue=arms_control, since=2024-02-15) >= 1"


def test_untagged_majority_makes_not_met_insufficient(store: Store) -> None:
    # ICEWS carries no text: its RUS->USA call of 2024-03-01 has no issue area, so whether
    # arms control was discussed cannot be told, and 0 such events shows nothing
    r = run(store, ARMS, "icews")
    assert r.result == "insufficient_evidence"
    assert r.values[0].value == 0.0 and r.values[0].untagged_share == 1.0
    assert "cannot be told (above 50%)" in r.needs[0] and "1 of the 1 icews events" in r.needs[0]
    # with the limit raised to all events, the same zero reads "not met" again
    ctx = EvalContext(store=store, registry=load_registry(), as_of=date(2024, 6, 30),
                      dataset="icews", untagged_limit=1.0)
    assert evaluate(compile_condition(ARMS), ARMS, ctx).result == "not_met"
    # a condition that holds is met whatever the untagged share
    held = "count(RUS->USA, issue=arms_control, since=2024-02-15) <= 3"
    assert run(store, held, "icews").result == "met"


def test_untagged_shares_are_fetched_in_one_batch(store: Store) -> None:
    texts = [ARMS, "count(USA->RUS, issue=sanctions, since=2024-02-15) >= 1",
             "count(USA-RUS, issue=[diplomacy, cyber_elections], since=2024-03-01) >= 1"]
    ctx = EvalContext(store=store, registry=load_registry(), as_of=date(2024, 6, 30),
                      dataset="icews")
    calls: list[int] = []
    original = store.queries.untagged_many

    def counting(asked: list[Any]) -> Any:
        calls.append(len(asked))
        return original(asked)

    store.queries.untagged_many = counting  # type: ignore[method-assign]
    try:
        trees = [compile_condition(t) for t in texts]
        ctx.prefetch(lambda: [evaluate(n, t, ctx) for n, t in zip(trees, texts, strict=True)])
        results = [evaluate(n, t, ctx) for n, t in zip(trees, texts, strict=True)]
    finally:
        del store.queries.untagged_many
    assert calls == [3]  # one query for the three windows, none after
    shares = [r.values[0].untagged_share for r in results]
    # without text, a call or a consultation cannot be told to be about arms control or
    # sanctions; that it is diplomacy, its CAMEO code tells (tagged at ingest)
    assert shares == [1.0, 1.0, 0.0]
    assert [r.result for r in results] == ["insufficient_evidence", "insufficient_evidence", "met"]


def test_a_window_no_file_covers_is_missing_not_empty(tmp_path: Path) -> None:
    # two daily files, in January and June: the spring between them is a gap in the
    # files, not a quiet spring
    for day, eid in (("20240105", "a"), ("20240601", "b")):
        with (tmp_path / f"{day}-events.csv").open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            w.writerow((eid, f"{day[:4]}-{day[4:6]}-{day[6:]}", "USAGOV", "RUSGOV", "036",
                        "diplomacy", "gdelt2"))
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        st.ingest(sorted(tmp_path.glob("*.csv")))
        text = "count(USA->RUS, last=30d) >= 1"
        spring = run(st, text, "gdelt2", as_of=date(2024, 4, 30))
        assert spring.result == "insufficient_evidence"
        assert "none does: the window is missing, not empty" in spring.needs[0]
        # a window the files cover in part is read, and says so
        wide = run(st, "count(USA->RUS, last=120d) >= 1", "gdelt2", as_of=date(2024, 6, 1))
        assert wide.result == "met" and "cover only part" in (wide.values[0].note or "")
