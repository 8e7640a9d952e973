"""The query layer: each metric the same through every consumer, no stale answer after a
write, the two spellings of the statistics equal, and the source kept to its rules."""

from __future__ import annotations

import ast
import datetime as dt
import random
import re
from pathlib import Path
from typing import Any

import pytest

from conftest import read_sql, write_sql
from detente.policy import compile_condition, evaluate, load_registry
from detente.policy._evaluation import EvalContext
from detente.policy.assess import Proposal, _allies
from detente.query import CACHE, Selection
from detente.query.metrics import STATS, derive_row, stats_ibis, stats_sql
from detente.report import BriefOptions, build_brief
from detente.series import IndicatorSpec, compute_indicators
from detente.store import Store
from test_indicators import add, ev

SRC = Path(__file__).resolve().parent.parent / "src" / "detente"
MONTHS = [dt.date(2021, m, 1) for m in range(1, 7)]
CODES = ["010", "036", "042", "057", "061", "071", "112", "120", "130", "138", "163", "172", "190"]
AREAS = [(), ("ukraine",), ("arms_control",), ("ukraine", "sanctions"), ("sanctions",)]


def _events(seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    out = []
    for _ in range(400):
        day = dt.date(2021, 1, 1) + dt.timedelta(days=rnd.randrange(181))
        src, tgt = rnd.choice([("USA", "RUS"), ("RUS", "USA"), ("USA", "RUS"), ("RUS", "UKR"),
                               ("USA", "POL"), ("POL", "USA"), ("CHN", "USA")])
        code = rnd.choice(CODES)
        g = None if rnd.random() < 0.05 else round(rnd.uniform(-10, 10), 1)
        mentions = None if rnd.random() < 0.2 else rnd.randrange(0, 40)
        dataset = "gdelt2" if rnd.random() < 0.7 else "icews"
        out.append(ev(day.isoformat(), src, tgt, code, g, mentions=mentions, dataset=dataset,
                      issues=rnd.choice(AREAS)))
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    st = Store.open(tmp_path_factory.mktemp("layer") / "s.duckdb", with_chronology=False)
    add(st, _events(7))
    yield st
    st.close()


def _month_end(start: dt.date) -> dt.date:
    nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _condition(st: Store, text: str, as_of: dt.date, dataset: str) -> float | None:
    ctx = EvalContext(store=st, registry=load_registry(), as_of=as_of, dataset=dataset, min_events=1)
    res = evaluate(compile_condition(text + " > -1000"), text + " > -1000", ctx)
    value = res.values[0].value
    return None if value is None else float(value)  # type: ignore[arg-type]


@pytest.mark.parametrize("dataset", ["gdelt2", "icews"])
def test_each_metric_is_the_same_through_every_consumer(store: Store, dataset: str) -> None:
    rows = compute_indicators(store, IndicatorSpec(dyad=("USA", "RUS"), period="month",
                                                   datasets=(dataset,))).to_pylist()
    by_month = {r["period_start"]: r for r in rows}
    ukraine = {r["period_start"]: r for r in compute_indicators(store, IndicatorSpec(
        dyad=("USA", "RUS"), period="month", datasets=(dataset,), issue="ukraine")).to_pylist()}
    cells = {c["period_start"]: c for c in store.queries.issue_cells(
        Selection(dyad=("USA", "RUS"), datasets=(dataset,)), "month") if c["issue_area"] == "ukraine"}
    checked = allies = 0
    for month in MONTHS:
        row, end = by_month[month], _month_end(month)
        if not row["events"]:
            continue
        window = f"USA-RUS, dataset={dataset}, since={month:%Y-%m}, until={month:%Y-%m}"
        as_of = max(r["period_end"] for r in rows)
        # the conditions of a playbook
        assert _condition(store, f"count({window})", as_of, dataset) == row["events"]
        for text, column in ((f"net_cooperation({window})", "net_cooperation"),
                             (f"share(material_conflict, {window})", "material_conflict_share"),
                             (f"goldstein({window})", "goldstein_mean"),
                             (f"index({window})", "relationship_index")):
            assert _condition(store, text, as_of, dataset) == pytest.approx(row[column], abs=1e-12), text
        # the allies' record of an assessment: the mover and a concerned country, pooled
        ctx = EvalContext(store=store, registry=load_registry(), as_of=end, dataset=dataset,
                          min_events=1)
        proposal = Proposal(title="t", mover="USA", counterpart="CHN", direction="give",
                            levers=["summits"], issue_areas=["arms_control"], concerns=["RUS"])
        [ally] = [a for a in _allies(store, proposal, ctx, 1) if a.direction == "USA-RUS"]
        if ally.since == month:  # "the last month" is the calendar month when the one before is no longer
            assert (ally.until, ally.events) == (end, row["events"])
            assert ally.net_cooperation == pytest.approx(row["net_cooperation"], abs=1e-12)
            assert ally.material_conflict_share == pytest.approx(row["material_conflict_share"],
                                                                 abs=1e-12)
            allies += 1
        # the brief's issue heatmap
        if ukraine[month]["events"]:
            assert cells[month]["events"] == ukraine[month]["events"]
            assert cells[month]["net_cooperation"] == pytest.approx(
                ukraine[month]["net_cooperation"], abs=1e-12)
        checked += 1
    assert checked >= 5 and allies >= 2
    # the dashboard's view: the brief's glance, its figures of the latest period
    brief = build_brief(store, BriefOptions(datasets=(dataset,), period="month"),
                        sections_wanted=frozenset({"issues"}))
    latest = by_month[max(by_month)]
    figures = {f.indicator: f.value for f in brief.glance.figures if f.dataset == dataset}
    for name in ("relationship_index", "net_cooperation", "material_conflict_share", "events"):
        assert figures[name] == pytest.approx(latest[name], abs=1e-12), name


def test_a_write_through_the_library_shows_in_every_later_answer(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "w.duckdb", with_chronology=False)
    add(store, _events(11))
    opts = BriefOptions(datasets=("gdelt2",), period="month")
    sel = Selection(dyad=("USA", "RUS"), datasets=("gdelt2",))
    spec = IndicatorSpec(dyad=("USA", "RUS"), period="month", datasets=("gdelt2",))

    def answers() -> tuple[Any, ...]:
        return (store.count(sel), store.queries.coverage(sel), store.queries.span("gdelt2"),
                compute_indicators(store, spec).to_pylist()[-1]["events"],
                sum(c["events"] for c in store.queries.issue_cells(sel, "month")),
                build_brief(store, opts, sections_wanted=frozenset()).glance.figures[-1].events)

    before = answers()
    assert answers() == before and CACHE.hits > 0  # kept
    csv = tmp_path / "more.csv"
    csv.write_text("event_id,date,source_actor,target_actor,event_code,dataset\n"
                   "m1,2021-06-30,USAGOV,RUSGOV,042,gdelt2\nm2,2021-07-02,RUSGOV,USAGOV,042,gdelt2\n",
                   encoding="utf-8")
    version = store.version
    store.ingest([csv])
    assert store.version == version + 1
    after = answers()
    assert after[0] == before[0] + 2
    assert after[2][1] == dt.date(2021, 7, 2) and after[1][0].last == dt.date(2021, 7, 2)
    assert after[3] == 1  # a new latest month, July, with one event
    assert after[5] == 1
    # a retag is a write too: the rules find no issue in these events' (empty) texts
    version = store.version
    store.retag()
    assert store.version == version + 1
    retagged = answers()
    # (an event with no issue area counts once, in the heatmap's "(no issue area)" row)
    tagged = read_sql(store, "SELECT count(*) FROM (SELECT unnest(CASE WHEN len(issue_areas) "
                      "= 0 THEN ['(no issue area)'] ELSE issue_areas END) FROM events "
                      "WHERE dataset = 'gdelt2' AND source_country IN ('USA', 'RUS') "
                      "AND target_country IN ('USA', 'RUS'))")
    assert retagged[4] == tagged[0][0] != after[4]
    CACHE.clear()
    assert answers() == retagged
    # and so is a change made with raw SQL as the library makes it
    write_sql(store, "DELETE FROM events WHERE event_id IN ('m1', 'm2')")
    assert answers()[:4] == before[:4]
    store.close()


def _same_rows(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    assert len(a) == len(b) > 0
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for k in x:
            if isinstance(x[k], float) and isinstance(y[k], float):
                assert x[k] == pytest.approx(y[k], abs=1e-12, nan_ok=True), k
            else:
                assert x[k] == y[k], k


@pytest.mark.parametrize("read_only", [False, True])
def test_the_daily_sums_give_the_numbers_of_the_events(tmp_path: Path, read_only: bool,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas  # noqa: F401  (a process that reads Arrow tables: the daily totals are kept)

    from detente.query._layer import Queries

    path = tmp_path / "d.duckdb"
    with Store.open(path, with_chronology=False) as st:
        add(st, _events(5))
    store = Store.open(path, read_only=read_only)
    dyad = ("RUS", "USA")
    specs = [IndicatorSpec(dyad=("USA", "RUS"), period="month"),
             IndicatorSpec(dyad=("USA", "RUS"), period="week", split_directions=True),
             IndicatorSpec(dyad=("RUS", "USA"), period="quarter", combine=True),
             IndicatorSpec(dyad=("USA", "RUS"), period="year", datasets=("icews",),
                           since=dt.date(2021, 2, 10), until=dt.date(2021, 5, 3))]
    sel = Selection(dyad=("USA", "RUS"), since=dt.date(2021, 3, 5), datasets=("gdelt2",))

    def answers() -> tuple[Any, ...]:
        return ([compute_indicators(store, s).to_pylist() for s in specs],
                store.queries.coverage(sel), store.queries.dyad_counts(dyad),
                store.queries.extent(sel, dt.date(2021, 4, 1), dt.date(2021, 6, 1)))

    try:
        CACHE.clear()
        by_days = answers()
        assert CACHE.get(store.stamp, ("days", dyad))[0]  # they were read from the daily sums
        with monkeypatch.context() as m:
            m.setattr(Queries, "_days", lambda self, sel, build=True: None)
            CACHE.clear()
            by_events = answers()
        for a, b in zip(by_days[0], by_events[0], strict=True):
            _same_rows(a, b)
        assert by_days[1:] == by_events[1:]
        assert by_days[1] and sum(c.events for c in by_days[1]) == store.count(sel)
    finally:
        store.close()


def test_a_store_cut_short_is_told_apart_while_other_daily_sums_are_kept(tmp_path: Path) -> None:
    import duckdb

    from detente.errors import StoreError
    from detente.store._store import open_for_reading

    path = tmp_path / "d.duckdb"
    with Store.open(path, with_chronology=False) as st:
        add(st, _events(3))
    with Store.open(path, read_only=True) as st:  # daily sums kept in the process's memory
        st.queries.coverage(Selection(dyad=("USA", "RUS")))
        assert CACHE.get(st.stamp, ("days", ("RUS", "USA")))[0]
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()  # a creation cut short: a DuckDB file without tables
    with pytest.raises(StoreError, match="no store here yet"):
        Store.open(empty, read_only=True)
    with open_for_reading(empty) as st:  # created whole, then read
        assert st.count(Selection()) > 0  # the chronology


def test_dates_that_leave_out_no_event_give_the_answers_of_the_whole(store: Store) -> None:
    q = store.queries
    whole = Selection(dyad=("USA", "RUS"), datasets=("gdelt2",))
    early = whole.narrowed(since=dt.date(1990, 1, 1), until=dt.date(2030, 1, 1))
    inside = whole.narrowed(since=dt.date(2021, 3, 15))
    CACHE.clear()
    q.coverage(early)  # the selection's daily counts, kept: they tell its first and last days
    assert q._trimmed(early) == whole and q._trimmed(inside) == inside
    assert q.places(early) == q.places(whole)
    assert q.issue_cells(early, "month") == q.issue_cells(whole, "month")
    # a date inside the data still cuts: the events from it, as the events table counts them
    total = read_sql(store, "SELECT count(*) FROM events WHERE dataset = 'gdelt2' AND date >= "
                     "DATE '2021-03-15' AND ((source_country = 'USA' AND target_country = 'RUS') "
                     "OR (source_country = 'RUS' AND target_country = 'USA'))")[0][0]
    assert q.places(inside)[0] == total < q.places(whole)[0]
    march = [c for c in q.issue_cells(inside, "month") if c["period_start"] == dt.date(2021, 3, 1)]
    assert 0 < sum(c["events"] for c in march) < sum(
        c["events"] for c in q.issue_cells(whole, "month") if c["period_start"] == dt.date(2021, 3, 1))


def test_the_statistics_in_sql_and_in_ibis_agree(store: Store) -> None:
    import ibis

    con = store._con
    sql = con.execute(f"SELECT dataset, {stats_sql()} FROM events GROUP BY dataset ORDER BY dataset")
    names = [d[0] for d in sql.description]
    by_sql = [dict(zip(names, r, strict=True)) for r in sql.fetchall()]
    t = ibis.duckdb.from_connection(con).table("events")
    by_ibis = t.group_by("dataset").aggregate(**stats_ibis(t)).order_by("dataset").to_pyarrow().to_pylist()
    assert len(by_sql) == 2 and set(STATS) <= set(by_sql[0])
    for a, b in zip(by_sql, by_ibis, strict=True):
        for name in STATS:
            assert a[name] == pytest.approx(b[name], rel=1e-12), name
        assert derive_row(a) == pytest.approx(derive_row(b), rel=1e-12)


# -- the source's rules ------------------------------------------------------------------

LAYER = ("store", "query")
"""The packages that may hold a DuckDB connection to the store and run SQL on it."""
SCANNERS: dict[str, str] = {}
"""Packages allowed to use DuckDB without the store (none: the readers describe how a file
is scanned and the store runs it; the tagging rules compile to SQL the store runs)."""
_EVENTS_SQL = re.compile(r"(?i)\b(from|join|into|update|table)\s+\"?events\b")


def _modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        out.append((rel, ast.parse(path.read_text("utf-8"), filename=rel)))
    return out


def _package(rel: str) -> str:
    return rel.split("/")[0].removesuffix(".py")


def test_only_the_store_and_the_query_layer_touch_the_store() -> None:
    found = []
    for rel, tree in _modules():
        pkg = _package(rel)
        for node in ast.walk(tree):
            if pkg not in LAYER and pkg not in SCANNERS:
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                             else [node.module or ""])
                    if any(n == "duckdb" or n.startswith("duckdb.") for n in names):
                        found.append(f"{rel}:{node.lineno} imports duckdb")
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in ("sql", "execute"):
                    found.append(f"{rel}:{node.lineno} calls .{node.func.attr}(")
            if pkg not in LAYER:
                if isinstance(node, ast.Attribute) and node.attr in ("_con", "con") \
                        and pkg not in SCANNERS:
                    found.append(f"{rel}:{node.lineno} reaches for a connection (.{node.attr})")
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and _EVENTS_SQL.search(node.value):
                    found.append(f"{rel}:{node.lineno} names the events table")
    assert found == []


def test_no_stage_is_loaded_by_name_and_nothing_hides_the_events_table() -> None:
    found = []
    for rel, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [f"{node.module}.{a.name}" for a in node.names]
                if any(n == "importlib" or n.startswith(("importlib.import_module", "importlib.util"))
                       for n in names):
                    found.append(f"{rel}:{node.lineno} imports {names}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if name in ("import_module", "find_spec", "__import__"):
                    found.append(f"{rel}:{node.lineno} loads a module by name")
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search(
                    r"(?i)create\s+(or\s+replace\s+)?(temp\w*\s+)?view\s+\"?events\b", node.value):
                found.append(f"{rel}:{node.lineno} hides the events table behind a view")
    assert found == []


_CACHE_NAME = re.compile(r"(?i)(cache|memo|kept|responses|remember|analysed)")


def test_no_cache_of_query_results_outside_the_layer() -> None:
    found = []
    for rel, tree in _modules():
        if _package(rel) == "query":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for dec in node.decorator_list:
                    name = ast.unparse(dec)
                    if "cache" in name and any(
                            a.annotation is not None
                            and re.search(r"\b(Store|Queries)\b", ast.unparse(a.annotation))
                            for a in node.args.args):
                        found.append(f"{rel}:{node.lineno} caches {node.name} of a store")
        for node in tree.body:  # module-level mappings that keep answers
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = ast.unparse(node.value) if node.value is not None else ""
                for t in targets:
                    if isinstance(t, ast.Name) and _CACHE_NAME.search(t.id) and re.match(
                            r"(OrderedDict|dict|\{|defaultdict|WeakValueDictionary)", value):
                        found.append(f"{rel}:{node.lineno} keeps answers in {t.id}")
    assert found == []


@pytest.mark.parametrize("text", ["O'Brien", "'; DROP TABLE events; --", "a ? b", "$first_day",
                                  "\"quoted\"", "''", "Україна", "back\\slash", "new\nline"])
def test_values_written_into_a_query_stay_data(store: Store, text: str) -> None:
    from detente.query._sql import bind

    sql = bind("SELECT ? AS a, '?' AS b, \"x?y\" AS c, ? AS d FROM (SELECT 1 AS \"x?y\")",
               [text, dt.date(2021, 3, 4)])
    assert store._con.execute(sql).fetchall() == [(text, "?", 1, dt.date(2021, 3, 4))]
    named = bind("SELECT $v AS v, '$v' AS w", {"v": text})
    assert store._con.execute(named).fetchall() == [(text, "$v")]
    assert store.count(Selection(search=text)) == 0  # a search for it finds nothing, breaks nothing


def test_only_plain_values_are_written_into_a_query() -> None:
    from detente.errors import QueryError
    from detente.query._sql import bind, literal

    assert literal(["a", "b'c"]) == "['a', 'b''c']::VARCHAR[]"
    assert literal([1, 2]) == "[1, 2]::BIGINT[]"
    assert literal(None) == "NULL" and literal(True) == "true" and literal(2.5) == "2.5"
    for bad in (object(), {"a": 1}, b"bytes", "nul\x00", dt.datetime(2021, 1, 1), [1, "a"]):
        with pytest.raises(QueryError):
            literal(bad)
    with pytest.raises(ValueError, match="fewer"):
        bind("SELECT ?, ?", [1])
    with pytest.raises(ValueError, match="more"):
        bind("SELECT ?", [1, 2])


def test_grid_written_out_as_literal_writes_each_value() -> None:
    """The period grid goes into the indicator query as literals: each value as
    :func:`literal` writes it (quotes doubled), recurring values included, and DuckDB reads
    the rows back as they were."""
    import duckdb

    from detente.query._compiled import _grid_values
    from detente.query._sql import literal

    grid = (("icews", "USA-RUS", dt.date(2020, 1, 1), dt.date(2020, 1, 31), "complete"),
            ("o'brien", "USA-RUS", dt.date(2020, 2, 1), dt.date(2020, 2, 29), "partial"),
            ("o'brien", "RUS-USA", dt.date(2020, 2, 1), dt.date(2020, 2, 29), "none"))
    text = _grid_values(grid)
    for row in grid:
        assert "(" + ", ".join(literal(v) for v in row) + ")" in text
    rows = duckdb.connect().execute(f"SELECT * FROM {text}").fetchall()
    assert rows == [tuple(r) for r in grid]
