"""Windows of days: the batched answers (statistics and newest ids of windows, channels'
latest events, untagged shares) equal those worked out from the events one by one, at
the edges of every step the layer takes to read fewer days."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from conftest import write_sql
from detente.query import Selection
from detente.query._sql import MAX_AREA_BITS
from detente.query._windows import LOOK_BACK_DAYS, ChannelRequest, MetricRequest
from detente.query.metrics import derive_row
from detente.store import Store
from test_indicators import quad_of

UNTIL = dt.date(2024, 6, 30)
CODES = ["010", "036", "042", "043", "046", "057", "061", "112", "130", "138", "172", "190"]
AREAS = [(), ("ukraine",), ("sanctions",), ("ukraine", "sanctions"), ("arms_control",)]
PAIRS = [("USA", "RUS"), ("RUS", "USA"), ("USA", "UKR"), ("RUS", "UKR"), ("CHN", "USA")]
ROLES = ["GOV", "MIL", "BUS"]

_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("date", pa.date32()), ("source_country", pa.string()),
    ("target_country", pa.string()), ("source_role", pa.string()), ("target_role", pa.string()),
    ("event_code", pa.string()), ("event_root", pa.string()), ("quad_class", pa.int8()),
    ("goldstein", pa.float64()), ("num_mentions", pa.int32()), ("num_sources", pa.int32()),
    ("is_root", pa.bool_()), ("issue_areas", pa.list_(pa.string())), ("dataset", pa.string()),
    ("text", pa.string()), ("url", pa.string()),
])


def _row(i: int, day: dt.date, src: str, tgt: str, code: str, rnd: random.Random,
         **kw: Any) -> dict[str, Any]:
    dataset = kw.pop("dataset", "gdelt2" if rnd.random() < 0.7 else "icews")
    row = {"event_id": f"{dataset}:{i:05d}", "date": day, "source_country": src,
           "target_country": tgt, "source_role": rnd.choice(ROLES), "target_role": rnd.choice(ROLES),
           "event_code": code, "event_root": code[:2], "quad_class": quad_of(code),
           "goldstein": None if rnd.random() < 0.05 else round(rnd.uniform(-10, 10), 1),
           "num_mentions": rnd.choice([None, 0, 3, 12]), "num_sources": rnd.choice([None, 1, 2, 5]),
           "is_root": rnd.choice([None, True, False]), "issue_areas": list(rnd.choice(AREAS)),
           "dataset": dataset, "text": rnd.choice([None, "", "a summit on strategic stability",
                                                    "talks"]),
           "url": rnd.choice([None, "", "https://example.org/a"])}
    row.update(kw)
    return row


def _events(seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    rows = []
    for i in range(1500):
        # most in the last two years, some up to ten years back; many on the same days
        back = rnd.choice([rnd.randrange(60), rnd.randrange(800), rnd.randrange(3650)])
        src, tgt = rnd.choice(PAIRS)
        rows.append(_row(i, UNTIL - dt.timedelta(days=back), src, tgt, rnd.choice(CODES), rnd))
    return rows


def _add(st: Store, rows: list[dict[str, Any]]) -> None:
    st._con.register("new_rows", pa.Table.from_pylist(rows, schema=_SCHEMA))
    write_sql(st, "INSERT INTO events BY NAME SELECT * FROM new_rows")
    st._con.unregister("new_rows")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    st = Store.open(tmp_path_factory.mktemp("windows") / "s.duckdb", with_chronology=False)
    rows = _events(11)
    _add(st, rows)
    st.rows = rows  # type: ignore[attr-defined]
    yield st
    st.close()


def _in(r: dict[str, Any], req: MetricRequest) -> bool:
    pairs = {(req.source, req.target), (req.target, req.source)} if req.pooled else {
        (req.source, req.target)}
    return ((r["source_country"], r["target_country"]) in pairs and r["dataset"] == req.dataset
            and (req.since is None or r["date"] >= req.since) and r["date"] <= req.until
            and (not req.issue_areas or bool(set(r["issue_areas"]) & set(req.issue_areas)))
            and (not req.roots or r["event_root"] in req.roots)
            and (not req.codes or any(r["event_code"].startswith(c) for c in req.codes)))


def _requests(rnd: random.Random, n: int) -> list[MetricRequest]:
    out = []
    for _ in range(n):
        src, tgt = rnd.choice(PAIRS[:4])
        since = rnd.choice([None, UNTIL - dt.timedelta(days=rnd.randrange(30, 2000))])
        out.append(MetricRequest(
            src, tgt, rnd.random() < 0.5, rnd.choice(["gdelt2", "icews"]), since,
            UNTIL - dt.timedelta(days=rnd.choice([0, 0, 15, 200])),
            issue_areas=rnd.choice([(), ("ukraine",), ("sanctions", "arms_control")]),
            codes=rnd.choice([(), (), ("04",), ("130", "19")]), roots=rnd.choice([(), (), ("17",)]),
            quads=rnd.choice([(), (4,), (1, 2)])))
    return out


def test_windows_give_the_statistics_and_newest_ids_of_their_events(store: Store) -> None:
    requests = _requests(random.Random(3), 40)
    got = store.queries.measure(requests, max_ids=5)
    nonempty = ties = 0
    for req in requests:
        mine = [r for r in store.rows if _in(r, req)]  # type: ignore[attr-defined]
        res = got[req]
        assert res.metrics["events"] == len(mine)
        for k in (1, 2, 3, 4):
            assert res.metrics[f"q{k}"] == sum(r["quad_class"] == k for r in mine)
        g = [r["goldstein"] for r in mine if r["goldstein"] is not None]
        expected = derive_row({"events": len(mine), "q1": 0, "q2": 0, "q3": 0, "q4": 0,
                               "threats": 0, "force": 0, "g_n": len(g), "g_sum": sum(g) if g else None,
                               "w_num": None, "w_den": None})
        assert res.metrics["goldstein_mean"] == pytest.approx(expected["goldstein_mean"], abs=1e-9)
        newest = sorted(mine, key=lambda r: (-r["date"].toordinal(), r["event_id"]))
        in_quads = [r for r in newest if not req.quads or r["quad_class"] in req.quads]
        assert res.event_ids == [r["event_id"] for r in in_quads[:5]]
        last = max((r["date"] for r in mine), default=None)
        assert res.last_date == last
        on_last = sorted(r["event_id"] for r in mine if r["date"] == last)
        if len(on_last) <= 5:  # more than max_ids on one day: any five of them may be kept
            assert res.last_ids == on_last
        nonempty += bool(mine)
        ties += len(on_last) > 1
    assert nonempty >= 30 and ties >= 3


def test_windows_naming_more_issue_areas_than_bits_are_answered_alike(store: Store) -> None:
    requests = _requests(random.Random(5), 12)
    many = [MetricRequest("USA", "RUS", True, "gdelt2", None, UNTIL,
                          issue_areas=(f"area{i}", "ukraine")) for i in range(MAX_AREA_BITS + 1)]
    together = store.queries.measure(requests + many)
    alone = store.queries.measure(requests)
    for req in requests:
        assert together[req].metrics["events"] == alone[req].metrics["events"]
        assert together[req].event_ids == alone[req].event_ids
    ukraine = MetricRequest("USA", "RUS", True, "gdelt2", None, UNTIL, issue_areas=("ukraine",))
    alike = store.queries.measure([ukraine])[ukraine].metrics["events"]
    assert together[many[0]].metrics["events"] == alike > 0


def _channel_store(tmp_path: Path) -> tuple[Store, dict[str, dt.date]]:
    """One event per channel code, each on a day at an edge of the look-back steps."""
    st = Store.open(tmp_path / "c.duckdb", with_chronology=False)
    rnd = random.Random(1)
    edges = [0, 1]
    for days in LOOK_BACK_DAYS:
        edges += [days - 1, days, days + 1]
    edges.append(4000)
    days = {f"01{i:02d}": UNTIL - dt.timedelta(days=d) for i, d in enumerate(edges)}
    rows = [_row(i, day, "USA", "RUS", "010", rnd, event_code=code, event_root="01",
                 dataset="gdelt2", text="x")
            for i, (code, day) in enumerate(days.items())]
    rows += [_row(100 + i, UNTIL - dt.timedelta(days=d), "RUS", "USA", "043", rnd,
                  dataset="icews", text="talks" if i else "a summit")
             for i, d in enumerate([5000, 10, 400])]
    _add(st, rows)
    return st, days


def test_a_channel_latest_event_is_found_at_every_edge_of_the_look_back(tmp_path: Path) -> None:
    st, days = _channel_store(tmp_path)
    try:
        asked = [ChannelRequest("USA", "RUS", ("gdelt2",), UNTIL, codes=(code,)) for code in days]
        asked += [ChannelRequest("RUS", "USA", ("gdelt2", "icews"), UNTIL, search=("summit",)),
                  ChannelRequest("USA", "RUS", ("gdelt2", "icews"), UNTIL, roots=("04",)),
                  ChannelRequest("USA", "RUS", ("gdelt2",), UNTIL, codes=("999",)),
                  ChannelRequest("USA", "RUS", ("gdelt2",), UNTIL - dt.timedelta(days=2),
                                 codes=("000",))]
        got = st.queries.last_contacts(asked)
        for code, day in days.items():
            found = got[ChannelRequest("USA", "RUS", ("gdelt2",), UNTIL, codes=(code,))]
            assert found[0] == day, code
        assert got[asked[-4]] == (UNTIL - dt.timedelta(days=5000), "icews:00100")
        assert got[asked[-3]] == (UNTIL - dt.timedelta(days=10), "icews:00101")
        assert got[asked[-2]] == (None, None)
        # before its own until: the event 1 day before UNTIL is out of reach, none older
        assert got[asked[-1]] == (None, None)
        # one at a time, the same
        for req in asked:
            assert st.queries.last_contacts([req])[req] == got[req]
    finally:
        st.close()


def test_untagged_shares_of_many_windows_are_those_of_each_alone(store: Store) -> None:
    rnd = random.Random(9)
    asked: list[tuple[Selection, tuple[str, ...]]] = []
    for _ in range(30):
        src, tgt = rnd.choice(PAIRS[:4])
        pooled = rnd.random() < 0.5
        since = rnd.choice([None, UNTIL - dt.timedelta(days=rnd.randrange(30, 2000))])
        sel = Selection(dyad=(src, tgt) if pooled else None, source=None if pooled else src,
                        target=None if pooled else tgt, since=since, until=UNTIL,
                        datasets=(rnd.choice(["gdelt2", "icews"]),),
                        codes=rnd.choice([(), ("04",)]), roots=rnd.choice([(), ("17",)]),
                        quad_classes=rnd.choice([(), (3, 4)]),
                        root_only=rnd.random() < 0.2,
                        min_sources=rnd.choice([None, None, 2]))
        asked.append((sel, rnd.choice([(), ("ukraine",), ("sanctions", "arms_control")])))
    grouped = store.queries.untagged_many(asked)
    searched = store.queries.untagged_many(
        [*asked, (Selection(dyad=("USA", "RUS"), search="summit"), ("ukraine",))])
    counted = 0
    for sel, issues in asked:
        unknown, total = grouped[(sel, issues)]
        assert searched[(sel, issues)] == (unknown, total)
        if len(issues) <= 1:
            assert (unknown, total) == store.queries.untagged(sel, issues[0] if issues else None)
        rows = [r for r in store.rows if _selected(r, sel)]  # type: ignore[attr-defined]
        assert total == len(rows)
        assert unknown == sum(_unknown(r, issues) for r in rows)
        counted += total > 0 and 0 < unknown < total
    assert counted >= 10


def _selected(r: dict[str, Any], sel: Selection) -> bool:
    pair = (r["source_country"], r["target_country"])
    if sel.dyad and pair not in (sel.dyad, sel.dyad[::-1]):
        return False
    if sel.source and pair != (sel.source, sel.target):
        return False
    return ((sel.since is None or r["date"] >= sel.since) and r["date"] <= UNTIL
            and r["dataset"] in sel.datasets
            and (not sel.codes or any(r["event_code"].startswith(c) for c in sel.codes))
            and (not sel.roots or r["event_root"] in sel.roots)
            and (not sel.quad_classes or r["quad_class"] in sel.quad_classes)
            and (not sel.root_only or r["is_root"] is not False)
            and (sel.min_sources is None or (r["num_sources"] or 1) >= sel.min_sources))


def _unknown(r: dict[str, Any], issues: tuple[str, ...]) -> bool:
    if not r["issue_areas"]:
        return True
    return bool(issues) and not r["text"] and not r["url"] and not set(issues) & set(r["issue_areas"])
