"""Evaluating conditions on a small hand-built store: numbers, windows, missing evidence."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from detente.errors import QueryError
from detente.policy import EvalContext, compile_condition, evaluate, load_registry
from detente.policy._evaluation import shift_months
from detente.store import Store

AS_OF = date(2024, 6, 30)
COLUMNS = ["event_id", "date", "source_actor", "target_actor", "event_code", "goldstein",
           "num_mentions", "issue_areas", "dataset", "text"]
# recent window (last=6mo: 2023-12-31 .. 2024-06-30), RUS->UKR on ukraine:
# quad classes 4, 4, 1, 1, 2, 3; goldstein -10, -9, 1, 3, 6, -4; mentions 1, 1, 2, 2, 2, 2
RECENT = [
    ("r1", "2024-01-05", "RUSMIL", "UKRMIL", "190", -10, 1),
    ("r2", "2024-02-05", "RUSMIL", "UKRMIL", "180", -9, 1),
    ("r3", "2024-03-05", "RUSGOV", "UKRGOV", "040", 1, 2),
    ("r4", "2024-04-05", "RUSGOV", "UKRGOV", "042", 3, 2),
    ("r5", "2024-05-05", "RUSGOV", "UKRGOV", "061", 6, 2),
    ("r6", "2024-06-30", "RUSGOV", "UKRGOV", "111", -4, 2),
]
# a year earlier (2022-12-31 .. 2023-06-30): five material-conflict events
EARLIER = [(f"e{i}", f"2023-0{i}-10", "RUSMIL", "UKRMIL", "190", -10, 1) for i in range(1, 6)]


def write_events(path: Path, rows: list[tuple[object, ...]], dataset: str = "gdelt2",
                 issue: str = "ukraine") -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in rows:
            event_id, day, src, tgt, code, gold, mentions = r[:7]
            w.writerow([event_id, day, src, tgt, code, gold, mentions,
                        r[7] if len(r) > 7 else issue, dataset, f"event {event_id}"])
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    tmp = tmp_path_factory.mktemp("policy_eval")
    st = Store.open(tmp / "s.duckdb", with_chronology=False)
    st.ingest([write_events(tmp / "ukr.csv", [*RECENT, *EARLIER,
                                              ("late", "2024-08-01", "RUSMIL", "UKRMIL", "190", -10, 1)])])
    st.ingest([write_events(tmp / "other.csv", [
        ("c0", "2022-12-01", "USAGOV", "RUSGOV", "040", 1, 1, "diplomacy"),
        ("s1", "2024-02-01", "USAGOV", "RUSGOV", "163", -8, 1, "sanctions"),
        ("s2", "2024-03-01", "USAGOV", "RUSGOV", "163", -8, 1, "sanctions"),
        ("m1", "2024-05-01", "USAMIL", "RUSMIL", "041", 1, 1, "military_channels"),
    ])])
    yield st
    st.close()


def run(store: Store, text: str, as_of: date = AS_OF, min_events: int = 5,
        params: dict[str, float] | None = None):
    ctx = EvalContext(store=store, registry=load_registry(), as_of=as_of, dataset="gdelt2",
                      min_events=min_events, params=params or {})
    return evaluate(compile_condition(text, params), text, ctx)


def value(store: Store, term: str, **kw: object) -> float:
    result = run(store, f"{term} > -1000", **kw)  # type: ignore[arg-type]
    assert result.result == "met", result.needs
    return result.values[0].value  # type: ignore[return-value]


def test_window_aggregates_match_hand_computation(store: Store) -> None:
    assert value(store, "count(RUS->UKR, issue=ukraine, last=6mo)") == 6
    assert value(store, "share(material_conflict, RUS->UKR, issue=ukraine, last=6mo)") == \
        pytest.approx(2 / 6)
    assert value(store, "share(cooperation, RUS->UKR, last=6mo)") == pytest.approx(3 / 6)
    assert value(store, "net_cooperation(RUS->UKR, issue=ukraine, last=6mo)") == pytest.approx(0.0)
    assert value(store, "goldstein(RUS->UKR, last=6mo)") == pytest.approx(-13 / 6)
    # weighted by mentions: (-10 - 9 + 2 + 6 + 12 - 8) / 10
    assert value(store, "index(RUS->UKR, last=6mo)") == pytest.approx(-0.7)
    assert value(store, "share(material_conflict, RUS->UKR, last=6mo, lag=1y)") == 1.0
    assert value(store, "count(USA->RUS, quad=material_conflict, last=1y)") == 2
    assert value(store, "count(USA->RUS, quad=4, issue=military_channels)") == 0


def test_evidence_lists_window_counts_and_event_ids(store: Store) -> None:
    r = run(store, "share(material_conflict, RUS->UKR, issue=ukraine, last=6mo) <= "
                   "0.5 * share(material_conflict, RUS->UKR, issue=ukraine, last=6mo, lag=1y)")
    assert r.result == "met"  # 1/3 <= 0.5
    recent, earlier = r.values
    assert (recent.since, recent.until, recent.events) == (date(2023, 12, 31), AS_OF, 6)
    assert recent.event_ids == ["r2", "r1"]  # the material-conflict events, latest first
    assert (earlier.since, earlier.until, earlier.events) == (date(2022, 12, 31), date(2023, 6, 30), 5)
    assert earlier.event_ids == ["e5", "e4", "e3", "e2", "e1"]


def test_events_after_the_as_of_date_are_ignored(store: Store) -> None:
    assert value(store, "count(RUS->UKR)") == 11
    assert value(store, "count(RUS->UKR)", as_of=date(2024, 8, 1)) == 12
    # the as-of date moves the relative window with it
    assert value(store, "count(RUS->UKR, last=30d)", as_of=date(2024, 8, 1)) == 1


def test_fixed_window_covers_whole_months(store: Store) -> None:
    assert value(store, "count(RUS->UKR, since=2024-01, until=2024-02)") == 2
    assert value(store, "count(RUS->UKR, since=2023-05-11, until=2024-01-05)") == 1


def test_too_few_events_is_insufficient_evidence_and_says_what_would_decide(store: Store) -> None:
    r = run(store, "share(material_conflict, RUS->UKR, since=2024-01, until=2024-02) < 0.5")
    assert r.result == "insufficient_evidence"
    assert r.needs == ["at least 5 gdelt2 events for RUS->UKR between 2024-01-01 and 2024-02-29 "
                       "(found 2)"]
    assert r.values[0].events == 2 and r.values[0].value is None
    # the same with a lower threshold is decided
    assert run(store, "share(material_conflict, RUS->UKR, since=2024-01, until=2024-02) < 0.5",
               min_events=2).result == "not_met"


def test_window_outside_the_dataset_is_insufficient(store: Store) -> None:
    r = run(store, "count(RUS->UKR, since=2020-01) >= 0")
    assert r.result == "insufficient_evidence"
    assert "the dataset covers 2022-12-01 to 2024-08-01" in r.needs[0]
    r = run(store, "count(RUS->UKR, dataset=icews) >= 0")
    assert r.result == "insufficient_evidence" and "no events" in r.needs[0]


def test_three_valued_logic(store: Store) -> None:
    unknown = "share(conflict, RUS->UKR, since=2024-01, until=2024-02) < 0.5"
    assert run(store, f"{unknown} or 1 < 2").result == "met"
    assert run(store, f"{unknown} and 1 > 2").result == "not_met"
    assert run(store, f"{unknown} and 1 < 2").result == "insufficient_evidence"
    assert run(store, f"{unknown} or 1 > 2").result == "insufficient_evidence"
    assert run(store, f"not ({unknown})").result == "insufficient_evidence"
    assert run(store, "not 1 > 2").result == "met"


def test_arithmetic_params_and_division_by_zero(store: Store) -> None:
    assert run(store, "count(RUS->UKR, last=6mo) * $k == 12", params={"k": 2}).result == "met"
    r = run(store, "count(RUS->UKR, last=6mo) / count(UKR->RUS) > 1")
    assert r.result == "insufficient_evidence"
    assert "count(UKR->RUS) is 0" in r.needs[0]


def test_days_since_a_direction_and_a_channel(store: Store) -> None:
    r = run(store, "days_since(USA->RUS, issue=sanctions) == 121")  # 2024-03-01 -> 2024-06-30
    assert r.result == "met" and r.values[0].event_ids == ["s2"]
    r = run(store, 'days_since(channel="mil-to-mil") == 60')  # USAMIL -> RUSMIL telephone call on 2024-05-01
    assert r.result == "met" and r.values[0].event_ids == ["m1"]
    assert run(store, 'channel("mil-to-mil").status == "active"').result == "met"
    r = run(store, 'days_since(channel="strategic-stability") < 365')
    assert r.result == "insufficient_evidence"


def test_treaty_status_as_of_a_date(store: Store) -> None:
    assert run(store, 'treaty("INF", party=USA).status == "in_force"',
               as_of=date(2018, 10, 19)).result == "met"
    # the announced withdrawal and the 60-day ultimatum strain it; it still binds
    assert run(store, 'treaty("INF", party=USA).status == "withdrawal_announced"',
               as_of=date(2018, 10, 20)).result == "met"
    r = run(store, 'treaty("INF", party=USA).status == "ultimatum" and treaty("INF", party=USA).in_force',
            as_of=date(2019, 1, 31))
    assert r.result == "met" and r.values[0].event_ids == ["curated:2018-12-04-pompeo-inf-ultimatum"]
    # suspension and notice took effect the same day; the notice is listed last
    assert run(store, 'treaty("INF", party=USA).status == "withdrawal_notified"',
               as_of=date(2019, 2, 2)).result == "met"
    assert run(store, 'treaty("INF", party=USA).status == "withdrawn"',
               as_of=date(2019, 8, 2)).result == "met"
    assert run(store, 'treaty("INF", party=USA).ended', as_of=date(2019, 8, 1)).result == "not_met"
    r = run(store, 'treaty("CTBT", party=RUS).status == "deratified"', as_of=date(2023, 11, 2))
    assert r.result == "met" and r.values[0].event_ids == ["curated:2023-11-02-ctbt-ratification-revoked"]
    r = run(store, 'treaty("NEW_START", party=RUS).in_force', as_of=date(2009, 1, 1))
    assert r.result == "insufficient_evidence" and "no status for RUS" in (r.values[0].note or "")


def test_type_errors_are_query_errors(store: Store) -> None:
    with pytest.raises(QueryError, match="cannot compare"):
        run(store, 'treaty("CTBT", party=RUS).status > 3')


def test_shift_months_clamps_to_month_end() -> None:
    assert shift_months(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert shift_months(date(2024, 6, 30), 6) == date(2023, 12, 30)
    assert shift_months(date(2024, 1, 15), 13) == date(2022, 12, 15)
