"""Indicators on small hand-built stores, every number worked out by hand."""

from __future__ import annotations

import math
import re
import statistics
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from conftest import write_sql
from detente.errors import QueryError
from detente.series import (
    INDICATOR_SCHEMA,
    IndicatorSpec,
    compute_indicators,
    indicators_sql,
    min_baseline_periods,
    relationship_index,
)
from detente.store import Store

_ROW_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("date", pa.date32()), ("source_actor", pa.string()),
    ("target_actor", pa.string()), ("source_country", pa.string()), ("target_country", pa.string()),
    ("event_code", pa.string()), ("event_root", pa.string()), ("quad_class", pa.int8()),
    ("goldstein", pa.float64()), ("num_mentions", pa.int32()), ("num_sources", pa.int32()),
    ("is_root", pa.bool_()), ("issue_areas", pa.list_(pa.string())), ("dataset", pa.string()),
])


def quad_of(code: str) -> int:
    """GDELT's quad class of a CAMEO root, written out independently of the package."""
    root = int(code[:2])
    return 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4


def ev(day: str, src: str, tgt: str, code: str, g: float | None, *, mentions: int | None = None,
       dataset: str = "gdelt2", issues: tuple[str, ...] = (), sources: int | None = None,
       is_root: bool | None = None, src_actor: str | None = None,
       tgt_actor: str | None = None) -> dict[str, Any]:
    """One event row; ids are filled in by :func:`add`."""
    return {"date": date.fromisoformat(day), "source_actor": src_actor or src,
            "target_actor": tgt_actor or tgt,
            "source_country": src, "target_country": tgt, "event_code": code, "event_root": code[:2],
            "quad_class": quad_of(code), "goldstein": g, "num_mentions": mentions, "num_sources": sources,
            "is_root": is_root, "issue_areas": list(issues), "dataset": dataset}


def add(store: Store, rows: list[dict[str, Any]]) -> None:
    """Insert rows into the store's events table."""
    start = store.count()
    for i, r in enumerate(rows):
        r.setdefault("event_id", f"{r['dataset']}:{start + i}")
    batch = pa.Table.from_pylist(rows, schema=_ROW_SCHEMA)
    store._con.register("new_rows", batch)
    write_sql(store, "INSERT INTO events BY NAME SELECT * FROM new_rows")
    store._con.unregister("new_rows")


def empty_store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "events.duckdb", with_chronology=False)


# The main fixture: three months of a USA-RUS dyad in GDELT and in a curated list.
#   Jan  gdelt2: USA->RUS 042 (+1.9, 10 mentions), RUS->USA 112 (-2, 30), USA->RUS 190 (-10, 20)
#        plus USA->CHN 042 (another dyad: only in the dataset's monthly total)
#        curated: USA->RUS 036 (+4)
#   Feb  gdelt2: nothing for the dyad; USA->CHN 042
#   Mar  gdelt2: RUS->USA 138 (-7, 5), USA->RUS 057 (+8, 15, ukraine)
#        curated: RUS->USA 172 (-5)   <- the last event: as-of 2020-03-10
MAIN = [
    ev("2020-01-05", "USA", "RUS", "042", 1.9, mentions=10),
    ev("2020-01-10", "RUS", "USA", "112", -2.0, mentions=30),
    ev("2020-01-20", "USA", "RUS", "190", -10.0, mentions=20),
    ev("2020-01-25", "USA", "CHN", "042", 1.9, mentions=3),
    ev("2020-02-14", "USA", "CHN", "042", 1.9, mentions=3),
    ev("2020-03-02", "RUS", "USA", "138", -7.0, mentions=5),
    ev("2020-03-03", "USA", "RUS", "057", 8.0, mentions=15, issues=("ukraine",)),
    ev("2020-01-15", "USA", "RUS", "036", 4.0, dataset="curated"),
    ev("2020-03-10", "RUS", "USA", "172", -5.0, dataset="curated"),
]


@pytest.fixture
def main_store(tmp_path: Path) -> Store:
    store = empty_store(tmp_path)
    add(store, [dict(r) for r in MAIN])
    return store


def rows(table: pa.Table, dataset: str | None = None,
         direction: str | None = None) -> list[dict[str, Any]]:
    return [r for r in table.to_pylist()
            if (dataset is None or r["dataset"] == dataset)
            and (direction is None or r["direction"] == direction)]


def test_pooled_monthly_counts_means_and_shares(main_store: Store) -> None:
    table = compute_indicators(main_store, IndicatorSpec(baseline_periods=2))
    assert table.schema == INDICATOR_SCHEMA.with_metadata(table.schema.metadata)
    assert table.schema.metadata == {b"as_of": b"2020-03-10"}
    g = rows(table, "gdelt2")
    assert [r["period_start"] for r in g] == [date(2020, 1, 1), date(2020, 2, 1), date(2020, 3, 1)]
    assert [r["period_end"] for r in g] == [date(2020, 1, 31), date(2020, 2, 29), date(2020, 3, 10)]
    assert {r["direction"] for r in table.to_pylist()} == {"USA-RUS"}
    assert {r["issue_area"] for r in table.to_pylist()} == {"all"}
    jan, feb, mar = g
    assert (jan["events"], jan["q1"], jan["q2"], jan["q3"], jan["q4"]) == (3, 1, 0, 1, 1)
    assert (jan["threats"], jan["force"]) == (0, 1)
    assert jan["goldstein_mean"] == pytest.approx((1.9 - 2.0 - 10.0) / 3)
    assert jan["goldstein_sum"] == pytest.approx(-10.1)
    assert jan["goldstein_weighted"] == pytest.approx((1.9 * 10 - 2.0 * 30 - 10.0 * 20) / 60)
    assert jan["relationship_index"] == jan["goldstein_weighted"]
    assert jan["net_cooperation"] == pytest.approx((1 - 1 - 1) / 3)
    assert jan["material_conflict_share"] == pytest.approx(1 / 3)
    assert jan["q4_share"] == pytest.approx(1 / 3) and jan["q2_share"] == 0.0
    assert jan["events_share"] == pytest.approx(3 / 4)  # 3 of the 4 gdelt2 events that month
    assert jan["low_evidence"] is True
    # an empty month: zero counts, null (not NaN, not zero) means, a share of 0 of 1 event
    assert feb["events"] == 0 and feb["q1"] == 0 and feb["goldstein_sum"] == 0.0
    for col in ("goldstein_mean", "goldstein_weighted", "net_cooperation", "material_conflict_share",
                "relationship_index", "q1_share"):
        assert feb[col] is None, col
    assert feb["events_share"] == 0.0
    assert (mar["events"], mar["q1"], mar["q3"], mar["threats"]) == (2, 1, 1, 1)
    assert mar["goldstein_mean"] == pytest.approx(0.5)
    assert mar["goldstein_weighted"] == pytest.approx((-7.0 * 5 + 8.0 * 15) / 20)
    assert mar["events_share"] == 1.0


def test_curated_series_is_separate_and_unweighted(main_store: Store) -> None:
    table = compute_indicators(main_store, IndicatorSpec(baseline_periods=2))
    c = rows(table, "curated")
    assert [r["events"] for r in c] == [1, 0, 1]
    assert c[0]["goldstein_mean"] == 4.0 and c[0]["goldstein_weighted"] == 4.0
    assert c[2]["relationship_index"] == -5.0 and c[2]["material_conflict_share"] == 1.0
    assert all(r["events_share"] is None for r in c)  # hand-picked: no share of a news volume
    assert [r["dataset"] for r in table.to_pylist()] == ["curated"] * 3 + ["gdelt2"] * 3


def test_split_directions(main_store: Store) -> None:
    table = compute_indicators(main_store, IndicatorSpec(split_directions=True, datasets=("gdelt2",)))
    assert sorted({r["direction"] for r in table.to_pylist()}) == ["RUS->USA", "USA->RUS"]
    us = rows(table, direction="USA->RUS")
    ru = rows(table, direction="RUS->USA")
    assert [r["events"] for r in us] == [2, 0, 1]
    assert [r["events"] for r in ru] == [1, 0, 1]
    assert us[0]["goldstein_mean"] == pytest.approx((1.9 - 10.0) / 2)
    assert us[0]["goldstein_weighted"] == pytest.approx((19.0 - 200.0) / 30)
    assert ru[2]["goldstein_mean"] == -7.0 and ru[2]["threats"] == 1
    assert us[0]["events_share"] == pytest.approx(2 / 4)


def test_combine_pools_datasets(main_store: Store) -> None:
    table = compute_indicators(main_store, IndicatorSpec(combine=True))
    assert {r["dataset"] for r in table.to_pylist()} == {"combined"}
    jan = table.to_pylist()[0]
    assert jan["events"] == 4
    assert jan["goldstein_mean"] == pytest.approx((1.9 - 2.0 - 10.0 + 4.0) / 4)
    # the curated event has no mentions: it weighs 1
    assert jan["goldstein_weighted"] == pytest.approx((19.0 - 60.0 - 200.0 + 4.0) / 61)
    assert jan["events_share"] == pytest.approx(4 / 5)


def test_as_of_cuts_later_events(main_store: Store) -> None:
    table = compute_indicators(main_store, IndicatorSpec(as_of=date(2020, 3, 2)))
    assert table.schema.metadata == {b"as_of": b"2020-03-02"}
    g = rows(table, "gdelt2")
    assert g[-1]["period_end"] == date(2020, 3, 2)
    assert g[-1]["events"] == 1 and g[-1]["goldstein_mean"] == -7.0
    assert rows(table, "curated")[-1]["events"] == 0
    # until ends the window the same way; the default as-of is then the last event before it
    until = compute_indicators(main_store, IndicatorSpec(until=date(2020, 2, 29)))
    assert until.schema.metadata == {b"as_of": b"2020-01-20"}
    assert [r["period_start"] for r in rows(until, "gdelt2")] == [date(2020, 1, 1)]


def test_issue_area(main_store: Store) -> None:
    table = compute_indicators(main_store, IndicatorSpec(issue="ukraine"))
    # a dataset with events of the dyad but none of the issue is listed (0 events), beside
    # the share of its dyad events no rule could tag: absence of tags is not absence
    got = {(r["dataset"], r["period_start"].month): (r["events"], r["dyad_events"],
                                                     r["untagged_share"])
           for r in table.to_pylist()}
    assert got == {("gdelt2", 1): (0, 3, 1.0), ("gdelt2", 2): (0, 0, None),
                   ("gdelt2", 3): (1, 2, 0.5), ("curated", 1): (0, 1, 1.0),
                   ("curated", 2): (0, 0, None), ("curated", 3): (0, 1, 1.0)}
    [mar] = [r for r in table.to_pylist() if r["dataset"] == "gdelt2" and r["events"]]
    assert (mar["issue_area"], mar["events"], mar["goldstein_mean"]) == ("ukraine", 1, 8.0)
    # the share is of every gdelt2 event that month, whatever the issue
    assert mar["events_share"] == pytest.approx(1 / 2)


def test_low_evidence_threshold(main_store: Store) -> None:
    table = compute_indicators(main_store, IndicatorSpec(min_events=2, datasets=("gdelt2",)))
    assert [r["low_evidence"] for r in table.to_pylist()] == [False, True, False]


def test_one_a_day_and_gdelt_filters(tmp_path: Path) -> None:
    store = empty_store(tmp_path)
    add(store, [
        # the same event reported three times on one day, plus a different code that day
        ev("2021-05-03", "USA", "RUS", "042", 1.9, mentions=2, sources=1, is_root=True),
        ev("2021-05-03", "USA", "RUS", "042", 1.9, mentions=3, sources=2, is_root=False),
        ev("2021-05-03", "USA", "RUS", "042", 1.9, mentions=5, sources=3, is_root=True),
        ev("2021-05-03", "USA", "RUS", "112", -2.0, mentions=10, sources=4, is_root=True),
        # the same code the next day is another event
        ev("2021-05-04", "USA", "RUS", "042", 1.9, mentions=1, sources=1),
        # same day and code, another actor of the same country: another event
        ev("2021-05-03", "USA", "RUS", "042", 1.9, mentions=1, sources=1, src_actor="USAGOV"),
    ])
    plain = compute_indicators(store, IndicatorSpec()).to_pylist()[0]
    assert plain["events"] == 6
    once = compute_indicators(store, IndicatorSpec(one_a_day=True)).to_pylist()[0]
    assert (once["events"], once["q1"], once["q3"]) == (4, 3, 1)
    # the collapsed event carries the mentions of its three reports (10)
    assert once["goldstein_weighted"] == pytest.approx((1.9 * 10 - 2.0 * 10 + 1.9 + 1.9) / 22)
    assert once["events_share"] == 1.0
    root = compute_indicators(store, IndicatorSpec(root_only=True)).to_pylist()[0]
    assert root["events"] == 5  # one flagged non-root; events without the flag stay
    sourced = compute_indicators(store, IndicatorSpec(min_sources=2)).to_pylist()[0]
    assert sourced["events"] == 3
    assert sourced["goldstein_mean"] == pytest.approx((1.9 + 1.9 - 2.0) / 3)


# Six months with 1, 2, 3, 4, 0 and 6 events; every event scores +1 in Jan-Mar, +3 in Apr, +2 in Jun.
BASELINE_COUNTS = [1, 2, 3, 4, 0, 6]
BASELINE_SCORES = [1.0, 1.0, 1.0, 3.0, None, 2.0]


@pytest.fixture
def baseline_store(tmp_path: Path) -> Store:
    store = empty_store(tmp_path)
    rows_: list[dict[str, Any]] = []
    for month, (n, g) in enumerate(zip(BASELINE_COUNTS, BASELINE_SCORES, strict=True), start=1):
        rows_ += [ev(f"2019-{month:02d}-{day + 1:02d}", "RUS", "USA", "042", g, dataset="icews")
                  for day in range(n)]
    add(store, rows_)
    return store


def test_baseline_difference_and_z(baseline_store: Store) -> None:
    assert min_baseline_periods(3) == 3
    table = compute_indicators(baseline_store, IndicatorSpec(baseline_periods=3)).to_pylist()
    assert [r["events"] for r in table] == BASELINE_COUNTS
    # the first three months lack three earlier periods
    assert all(r["events_baseline"] is None and r["events_z"] is None for r in table[:3])
    for i in (3, 4, 5):
        previous = BASELINE_COUNTS[i - 3:i]
        mean, sd = statistics.mean(previous), statistics.stdev(previous)
        assert table[i]["events_baseline"] == pytest.approx(mean)
        assert table[i]["events_diff"] == pytest.approx(BASELINE_COUNTS[i] - mean)
        assert table[i]["events_z"] == pytest.approx((BASELINE_COUNTS[i] - mean) / sd)
    assert table[3]["events_z"] == pytest.approx(2.0)
    assert table[4]["events_z"] == pytest.approx(-3.0)
    # Goldstein: Apr against Jan-Mar (all 1.0): a difference of 2, but a z-score needs spread
    apr, may, jun = table[3], table[4], table[5]
    assert apr["goldstein_mean_baseline"] == 1.0 and apr["goldstein_mean_diff"] == 2.0
    assert apr["goldstein_mean_z"] is None
    assert may["goldstein_mean"] is None and may["goldstein_mean_diff"] is None
    assert may["goldstein_mean_baseline"] == pytest.approx(5 / 3)
    assert may["goldstein_mean_z"] is None  # nothing to compare
    # Jun's window holds Mar, Apr and the empty May: two values are too few
    assert jun["goldstein_mean_baseline"] is None and jun["goldstein_mean_z"] is None
    assert not any(isinstance(v, float) and math.isnan(v) for r in table for v in r.values())


def test_since_keeps_earlier_periods_as_baseline(baseline_store: Store) -> None:
    table = compute_indicators(baseline_store, IndicatorSpec(baseline_periods=3, since=date(2019, 4, 15)))
    got = table.to_pylist()
    assert [r["period_start"] for r in got] == [date(2019, m, 1) for m in (4, 5, 6)]
    assert got[0]["events_z"] == pytest.approx(2.0)  # Jan-Mar still make Apr's baseline


def test_periods_week_quarter_year(baseline_store: Store) -> None:
    quarters = compute_indicators(baseline_store, IndicatorSpec(period="quarter")).to_pylist()
    assert [(r["period_start"], r["period_end"], r["events"]) for r in quarters] == [
        (date(2019, 1, 1), date(2019, 3, 31), 6), (date(2019, 4, 1), date(2019, 6, 6), 10)]
    years = compute_indicators(baseline_store, IndicatorSpec(period="year")).to_pylist()
    assert [(r["period_start"], r["events"]) for r in years] == [(date(2019, 1, 1), 16)]
    weeks = compute_indicators(baseline_store, IndicatorSpec(period="week")).to_pylist()
    # 2019-01-01 was a Tuesday: the first week starts on Monday 2018-12-31
    assert weeks[0]["period_start"] == date(2018, 12, 31)
    assert all(r["period_start"].weekday() == 0 for r in weeks)
    assert sum(r["events"] for r in weeks) == 16
    assert len(weeks) == 23  # every week from 2018-12-31 to the one of 2019-06-06, empty ones too
    assert sum(r["events"] == 0 for r in weeks) > 0


def test_relationship_index_is_the_pooled_series(main_store: Store) -> None:
    table = relationship_index(main_store, ("USA", "RUS"), "month", datasets=("gdelt2",))
    assert {r["direction"] for r in table.to_pylist()} == {"USA-RUS"}
    assert table.column("relationship_index").to_pylist()[0] == pytest.approx(-241 / 60)


@pytest.mark.parametrize(("spec", "message"), [
    ({"period": "fortnight"}, "period 'fortnight' is not one of week, month, quarter, year"),
    ({"issue": "ukrain"}, "unknown issue area 'ukrain'"),
    ({"datasets": ("icews",)}, "unknown dataset(s) icews; in the store: curated, gdelt2"),
    ({"since": date(2021, 1, 1)}, "no events for USA-RUS, from 2021-01-01"),
    ({"dyad": ("USA", "XYZ")}, "unknown CAMEO country code(s): XYZ"),
    ({"dyad": ("USA", "USA")}, "two different countries"),
    ({"since": date(2020, 3, 1), "until": date(2020, 1, 1)}, "since 2020-03-01 is after until 2020-01-01"),
    ({"min_events": 0}, "min_events must be 1 or more"),
    ({"baseline_periods": 1}, "baseline_periods must be 2 or more"),
    ({"issue": "arctic", "datasets": ("curated",), "since": date(2020, 4, 1)},
     "no events for USA-RUS, issue arctic, dataset curated, from 2020-04-01"),
])
def test_bad_input_is_one_clear_error(main_store: Store, spec: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryError) as info:
        compute_indicators(main_store, IndicatorSpec(**spec))
    assert message in str(info.value)


def test_unknown_backend(main_store: Store) -> None:
    with pytest.raises(QueryError, match="unknown backend 'oracle'; known: duckdb, spark"):
        compute_indicators(main_store, IndicatorSpec(), backend="oracle")


def test_show_sql_compiles_for_bigquery(main_store: Store) -> None:
    sql = indicators_sql(main_store, IndicatorSpec(split_directions=True))
    assert "CREATE TEMP TABLE period_grid" in sql
    assert "STRUCT('gdelt2' AS dataset, 'USA->RUS' AS direction, DATE '2020-01-01' AS period_start" in sql
    assert "DATE_TRUNC(" in sql and "MONTH" in sql
    assert "ROWS BETWEEN 12 preceding AND 1 preceding" in sql
    assert "ibis_pandas_memtable" not in sql


def test_chronology_shows_2014_and_2022_worse_than_2010_2012(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "chronology.duckdb")
    table = compute_indicators(store, IndicatorSpec(datasets=("curated",), period="year"))
    by_year = {r["period_start"].year: r for r in table.to_pylist()}
    reset = [by_year[y]["relationship_index"] for y in (2010, 2011, 2012)]
    for crisis in (2014, 2022):
        assert by_year[crisis]["relationship_index"] < min(reset), crisis
        assert by_year[crisis]["material_conflict_share"] > max(
            by_year[y]["material_conflict_share"] for y in (2010, 2011, 2012)), crisis
    monthly = compute_indicators(store, IndicatorSpec(datasets=("curated",), since=date(2010, 1, 1)))
    months = {(r["period_start"].year, r["period_start"].month): r for r in monthly.to_pylist()}
    assert months[(2022, 2)]["relationship_index"] < 0 and months[(2022, 2)]["events"] >= 1

    def monthly_mean(years: tuple[int, ...]) -> float:
        values = [r["relationship_index"] for (y, _), r in months.items()
                  if y in years and r["relationship_index"] is not None]
        return statistics.fmean(values)

    assert monthly_mean((2014,)) < monthly_mean((2010, 2011, 2012))
    assert monthly_mean((2022,)) < monthly_mean((2010, 2011, 2012))


def test_the_store_connection_is_left_as_it_was(main_store: Store) -> None:
    def state() -> Any:
        return main_store._con.execute(
            "SELECT current_setting('TimeZone'), current_setting('python_enable_replacements'), "
            "(SELECT count(*) FROM duckdb_views() WHERE NOT internal)").fetchall()

    before = state()
    compute_indicators(main_store, IndicatorSpec())
    assert state() == before


def test_show_sql_parses_as_bigquery(main_store: Store) -> None:
    import sqlglot

    sql = indicators_sql(main_store, IndicatorSpec(one_a_day=True, issue="ukraine", period="week"))
    statements = [s for s in sqlglot.parse(sql, read="bigquery") if s is not None]
    assert len(statements) == 2  # the grid, then the query
    assert re.search(r"UNNEST\(`t\d+`\.`issue_areas`\)", sql)  # the issue test on the array


def test_runs_that_differ_in_dates_reuse_one_compiled_query(main_store: Store) -> None:
    from detente.query import CACHE
    from detente.query import _compiled as _duckdb

    _duckdb.clear_compiled()
    spans = [(None, None), (date(2020, 2, 1), None), (None, date(2020, 2, 20)),
             (date(2020, 3, 1), date(2020, 3, 31))]
    kept = [compute_indicators(main_store, IndicatorSpec(baseline_periods=2, since=a, until=b))
            for a, b in spans]
    assert len(_duckdb._compiled) == 1  # one shape of query, four sets of dates
    for (a, b), table in zip(spans, kept, strict=True):
        _duckdb.clear_compiled()
        CACHE.clear()  # no kept whole history either
        fresh = compute_indicators(main_store, IndicatorSpec(baseline_periods=2, since=a, until=b))
        assert table.to_pylist() == fresh.to_pylist(), (a, b)
    until_feb = rows(kept[2], "gdelt2")  # as of the last event by 20 February: 20 January
    assert [r["period_end"] for r in until_feb] == [date(2020, 1, 20)]
    assert [r["events"] for r in rows(kept[3], "gdelt2")] == [2]


def test_remembered_daily_totals_follow_new_events(main_store: Store) -> None:
    spec = IndicatorSpec(baseline_periods=2)
    jan = rows(compute_indicators(main_store, spec), "gdelt2")[0]
    assert jan["events_share"] == pytest.approx(3 / 4)
    add(main_store, [ev("2020-01-26", "USA", "CHN", "042", 1.9, mentions=3),
                     ev("2020-01-27", "FRA", "DEU", "042", 1.9)])  # other dyads: only the total grows
    jan = rows(compute_indicators(main_store, spec), "gdelt2")[0]
    assert jan["events"] == 3 and jan["events_share"] == pytest.approx(3 / 6)
    write_sql(main_store, "UPDATE events SET dataset = 'other' WHERE source_country = 'FRA'")
    jan = rows(compute_indicators(main_store, spec), "gdelt2")[0]
    assert jan["events_share"] == pytest.approx(3 / 5)


def test_compiled_queries_outlive_the_process_in_the_cache_folder(
        main_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.query import CACHE
    from detente.query import _compiled as _duckdb

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def forget() -> None:  # the compiled queries in memory, and the store's kept results
        _duckdb.clear_compiled()
        CACHE.clear()

    forget()
    spec = IndicatorSpec(baseline_periods=2, since=date(2020, 2, 1))
    first = compute_indicators(main_store, spec).to_pylist()
    kept = list((tmp_path / "cache" / "detente" / "sql").glob("indicators-*.json"))
    assert len(kept) == 1 and "$output_start" in kept[0].read_text("utf-8")

    def refuse(*_: Any) -> None:
        raise AssertionError("compiled again although the cache folder holds the query")

    forget()  # a new process: nothing in memory
    with monkeypatch.context() as m:
        m.setattr(_duckdb, "_compile", refuse)
        assert compute_indicators(main_store, spec).to_pylist() == first
    with monkeypatch.context() as m:  # the folder keeps the latest few only
        m.setattr(_duckdb, "_KEPT_ON_DISK", 1)
        forget()
        compute_indicators(main_store, IndicatorSpec(baseline_periods=3))
        assert [p.name for p in kept[0].parent.glob("indicators-*.json")] != [kept[0].name]
        assert len(list(kept[0].parent.glob("indicators-*.json"))) == 1
    forget()
    compute_indicators(main_store, spec)
    kept[0].write_text("{not json", encoding="utf-8")  # a damaged file is compiled afresh
    forget()
    assert compute_indicators(main_store, spec).to_pylist() == first
    assert "$output_start" in kept[0].read_text("utf-8")
