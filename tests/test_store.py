"""The DuckDB store: identity, duplicates, conflicts, quarantine, atomicity, queries, export."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import detente.store._ingest as ingest_mod
from conftest import RUSSIA, USA_GOV, actor, gdelt2_line, write_lines
from detente import CANONICAL_SCHEMA, EventFilter, InputFileError, QueryError, Store, StoreError
from detente.store import parse_dyad
from detente.tagging import load_rules

RUS_MIL = actor("RUSMIL", "RUSSIA", "RUS", type1="MIL")
UKR = actor("UKR", "UKRAINE", "UKR")
NATO = actor("IGOWSTNAT", "NATO", "", known_group="NAT", type1="IGO")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    st = Store.open(tmp_path / "s.duckdb", with_chronology=False)
    yield st
    st.close()


def gdelt_file(path: Path, rows: list[dict[str, object]]) -> Path:
    return write_lines(path, [gdelt2_line(**r) for r in rows])


BASE = [
    {"event_id": 1, "date": "20220224", "actor1": RUS_MIL, "actor2": UKR, "code": "190",
     "url": "https://example.org/ukraine-invasion"},
    {"event_id": 2, "date": "20220225", "actor1": USA_GOV, "actor2": RUSSIA, "code": "163",
     "goldstein": "-8.0", "sources": "5"},
    {"event_id": 3, "date": "20220301", "actor1": RUSSIA, "actor2": USA_GOV, "code": "111",
     "is_root": "0", "sources": "1"},
    {"event_id": 4, "date": "20220302", "actor1": NATO, "actor2": RUSSIA, "code": "0871"},
]


def test_ingest_counts_and_reingest_is_safe(store: Store, tmp_path: Path) -> None:
    path = gdelt_file(tmp_path / "a.export.CSV", BASE)
    first = store.ingest_file(path)
    assert (first.reader, first.read, first.stored, first.duplicates, first.quarantined) == (
        "gdelt2", 4, 4, 0, 0)
    again = store.ingest_file(path)
    assert (again.read, again.stored, again.duplicates, again.conflicts) == (4, 0, 4, 0)
    assert store.count() == 4
    files = store.files().to_pylist()
    assert [f["stored"] for f in files] == [4, 0]
    assert files[0]["sha256"] == first.sha256[:16] and files[0]["reader"] == "gdelt2"


def test_ingest_loads_neither_pandas_nor_pyarrow(tmp_path: Path) -> None:
    """An ingest (one good file, then one with a bad row and repeats) runs without pandas,
    pyarrow or NumPy: loading them would cost a quarter of a second or more a process."""
    import subprocess
    import sys

    good = gdelt_file(tmp_path / "a.export.CSV", BASE)
    bad = write_lines(tmp_path / "b.export.CSV", [
        gdelt2_line(event_id=1, date="20220301", code="190", actor1=USA_GOV, actor2=RUSSIA),
        gdelt2_line(event_id=9, date="2022-03-01", code="190"),
    ])
    script = (
        "import sys\n"
        "from detente.store import Store\n"
        f"with Store.open({str(tmp_path / 's.duckdb')!r}, with_chronology=False) as st:\n"
        f"    a = st.ingest_file({str(good)!r})\n"
        f"    b = st.ingest_file({str(bad)!r})\n"
        "print(a.stored, b.stored, b.duplicates, b.quarantined,\n"
        "      sorted(m for m in ('pandas', 'pyarrow', 'numpy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.strip().split(maxsplit=4)
    assert out == ["4", "0", "1", "1", "[]"]


def test_conflicting_duplicate_keeps_first_version(store: Store, tmp_path: Path) -> None:
    store.ingest_file(gdelt_file(tmp_path / "a.CSV", BASE))
    changed = [dict(BASE[1], goldstein="-9.5"), BASE[2]]
    report = store.ingest_file(gdelt_file(tmp_path / "b.CSV", changed))
    assert (report.stored, report.duplicates, report.conflicts) == (0, 2, 1)
    kept = store.events(EventFilter(codes=("163",))).to_pylist()
    assert [e["goldstein"] for e in kept] == [-8.0]
    rows = store._con.execute("SELECT event_id, columns FROM conflicts").fetchall()
    assert rows == [("gdelt2:2", ["goldstein"])]


def test_repeat_inside_one_file_counts_once(store: Store, tmp_path: Path) -> None:
    rows = [BASE[0], BASE[1], dict(BASE[0], mentions="99"), BASE[0]]
    report = store.ingest_file(gdelt_file(tmp_path / "a.CSV", rows))
    assert (report.read, report.stored, report.duplicates, report.conflicts) == (4, 2, 2, 1)
    assert store.events(EventFilter(codes=("190",))).column("num_mentions").to_pylist() == [10]


def test_quarantine_rows_with_line_numbers(store: Store, tmp_path: Path) -> None:
    lines = [gdelt2_line(**BASE[0]), "", gdelt2_line(**dict(BASE[1], date="20221399")),
             gdelt2_line(**BASE[2]), gdelt2_line(**BASE[3])[:120]]
    path = write_lines(tmp_path / "q.CSV", lines, trailing_newline=False)
    report = store.ingest_file(path, fmt="gdelt2")
    assert (report.read, report.stored, report.quarantined) == (4, 2, 2)
    q = store.quarantine().to_pylist()
    assert [(r["file"], r["line"]) for r in q] == [("q.CSV", 3), ("q.CSV", 5)]
    assert q[0]["reason"].startswith("SQLDATE is not a valid")
    assert q[1]["reason"].startswith("cut off")
    assert q[1]["raw"] == lines[4]
    # nothing of a quarantined row is left among the events
    leftover = "SELECT count(*) FROM events WHERE _error IS NOT NULL OR _dup"
    assert store._con.execute(leftover).fetchone() == (0,)


@pytest.mark.parametrize("as_values", [1000, 0])
def test_quarantined_text_is_kept_exactly(store: Store, tmp_path: Path, as_values: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad row's text goes to quarantine as read: quotes, NUL characters, non-ASCII;
    alike whether the bad rows are written as SQL values (few) or an Arrow table (many)."""
    monkeypatch.setattr(ingest_mod, "QUARANTINE_AS_VALUES", as_values)
    odd = gdelt2_line(**dict(BASE[1], date="2022-02-25", url="https://ex.org/o'brien\x00é''"))
    path = write_lines(tmp_path / "it's.CSV", [gdelt2_line(**BASE[0]), odd])
    report = store.ingest_file(path, fmt="gdelt2")
    assert (report.stored, report.quarantined) == (1, 1)
    (row,) = store.quarantine().to_pylist()
    assert (row["file"], row["line"], row["raw"]) == ("it's.CSV", 2, odd)


def test_failed_file_leaves_store_as_it_was(store: Store, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    store.ingest_file(gdelt_file(tmp_path / "a.CSV", BASE[:2]))
    before = (store.count(), store.files().num_rows, store.quarantine().num_rows)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest_mod, "quarantine_rows", boom)
    with pytest.raises(RuntimeError):  # fails after the rows were appended
        store.ingest_file(gdelt_file(tmp_path / "b.CSV", BASE[2:]))
    assert (store.count(), store.files().num_rows, store.quarantine().num_rows) == before
    monkeypatch.undo()
    with pytest.raises(InputFileError):
        store.ingest_file(write_lines(tmp_path / "c.txt", ["hello", "world"]))
    assert (store.count(), store.files().num_rows) == before[:2]


def test_filters(store: Store, tmp_path: Path) -> None:
    store.ingest_file(gdelt_file(tmp_path / "a.CSV", BASE))

    def ids(**kw: object) -> list[str]:
        return store.events(EventFilter(**kw)).column("event_id").to_pylist()  # type: ignore[arg-type]

    assert ids(dyad=parse_dyad("USA-RUS")) == ["gdelt2:2", "gdelt2:3"]
    assert ids(source="USA", target="RUS") == ["gdelt2:2"]
    assert ids(since=date(2022, 2, 25), until=date(2022, 3, 1)) == ["gdelt2:2", "gdelt2:3"]
    assert ids(issue_areas=("ukraine",)) == ["gdelt2:1"]
    assert ids(codes=("16",)) == ["gdelt2:2"]
    assert ids(roots=("11",)) == ["gdelt2:3"]
    assert ids(quad_classes=(2,)) == ["gdelt2:4"]
    assert ids(root_only=True) == ["gdelt2:1", "gdelt2:2", "gdelt2:4"]
    assert ids(min_sources=2) == ["gdelt2:1", "gdelt2:2", "gdelt2:4"]
    assert ids(dyad=("NAT", "RUS")) == ["gdelt2:4"]
    assert ids(datasets=("icews",)) == []
    assert ids(search="invasion") == ["gdelt2:1"]
    assert store.last_date() == date(2022, 3, 2)


def test_filter_validation(store: Store) -> None:
    with pytest.raises(QueryError, match="after"):
        EventFilter(since=date(2022, 1, 2), until=date(2022, 1, 1))
    with pytest.raises(QueryError, match="three-letter"):
        parse_dyad("USA-RUSSIA")
    with pytest.raises(QueryError, match="2 to 4 digits"):
        EventFilter(codes=("1x",))
    with pytest.raises(QueryError, match="unknown issue area"):
        store.validate(EventFilter(issue_areas=("weather",)))
    with pytest.raises(QueryError, match="unknown CAMEO country"):
        store.validate(EventFilter(dyad=("USA", "XYZ")))


def test_export_parquet_has_canonical_columns(store: Store, tmp_path: Path) -> None:
    store.ingest_file(gdelt_file(tmp_path / "a.CSV", BASE))
    out = tmp_path / "out.parquet"
    assert store.export_parquet(out, EventFilter(dyad=("USA", "RUS"))) == 2
    table = pq.read_table(out)
    assert table.schema.names == CANONICAL_SCHEMA.names
    assert table.schema.field("date").type == CANONICAL_SCHEMA.field("date").type
    assert table.column("event_code").to_pylist() == ["163", "111"]
    assert table.column("goldstein").to_pylist() == [-8.0, -2.0]
    assert not (tmp_path / "out.parquet.partial").exists()


def test_retag_applies_new_rules_and_keeps_given_areas(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    with Store.open(path) as st:
        curated = st.count(EventFilter(datasets=("curated",)))
        assert curated > 250
        given = st._con.execute("SELECT count(*) FROM events WHERE len(_given_areas) > 0").fetchone()
        assert given == (curated,)
    extra = tmp_path / "rules.yaml"
    extra.write_text("areas:\n  prisoners:\n    - text: '\\b(prisoner|swap|exchange)'\n", encoding="utf-8")
    with Store.open(path, rules=load_rules(extra)) as st:
        changed = st.retag()
        assert changed > 0
        assert st.count(EventFilter(issue_areas=("prisoners",))) == changed
        # tags the chronology gives itself survive a retag
        kept = st._con.execute(
            "SELECT count(*) FROM events WHERE NOT list_has_all(issue_areas, _given_areas)"
        ).fetchone()
        assert kept == (0,)


def test_open_refuses_foreign_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot open store"):
        Store.open(junk)
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(StoreError, match="not a detente store"):
        Store.open(other)
    with pytest.raises(StoreError, match="no store here"):
        Store.open(tmp_path / "missing.duckdb", read_only=True)


def test_chronology_refreshes_when_package_data_changes(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.duckdb"
    with Store.open(path) as st:
        n = st.count()
    import detente.store._store as store_mod

    files = store_mod.chronology_files()
    monkeypatch.setattr(store_mod, "chronology_files", lambda: files[:1])
    with Store.open(path) as st:
        assert 0 < st.count() < n
    monkeypatch.undo()
    with Store.open(path) as st:
        assert st.count() == n


def _canonical_csv(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    lines = ["event_id,date,source_actor,target_actor,event_code,dataset"]
    lines += [f"{path.stem}{i},{d},{s},{t},042,{ds}" for i, (d, s, t, ds) in enumerate(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_copy_of_a_dyad_answers_as_the_table_and_never_outlives_a_write(tmp_path: Path) -> None:
    from detente.query import CACHE

    rows = [("2021-01-05", "USAGOV", "RUSGOV", "x"), ("2021-01-06", "RUSGOV", "USAGOV", "x"),
            ("2021-01-07", "FRAGOV", "RUSGOV", "x"), ("2021-01-08", "USAGOV", "CHNGOV", "x"),
            ("2021-01-09", "DEUGOV", "FRAGOV", "x"), ("2021-01-10", "JPNGOV", "CHNGOV", "x")]
    pair = EventFilter(dyad=("USA", "RUS"), datasets=("x",))
    one_way = EventFilter(source="RUS", target="USA")
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        st.ingest([_canonical_csv(tmp_path / "a.csv", rows)])
        before = (st.count(pair), st.count(one_way), st.events(pair).to_pylist(),
                  st.queries.coverage(pair), st.queries.issue_cells(pair, "month"))
        assert st.queries.prepare_scope(("RUS", "USA")) and st.queries.has_scope(("USA", "RUS"))
        assert st.queries._source(pair) == ("_detente_scope_RUS_USA", True)
        assert st.queries._source(one_way)[0] == "_detente_scope_RUS_USA"
        CACHE.clear()  # the answers again, from the copy
        assert st.queries.prepare_scope(("USA", "RUS"))
        after = (st.count(pair), st.count(one_way), st.events(pair).to_pylist(),
                 st.queries.coverage(pair), st.queries.issue_cells(pair, "month"))
        assert after == before and after[0] == 2 and after[1] == 1
        # what a dataset holds is the whole table's, whatever copy is kept
        assert st.queries.span("x") == (date(2021, 1, 5), date(2021, 1, 10))
        # a write makes a new version: the copy is not used for it
        version = st.version
        st.ingest([_canonical_csv(tmp_path / "b.csv", [("2021-02-01", "RUSGOV", "USAGOV", "x")])])
        assert st.version > version
        assert not st.queries.has_scope(("USA", "RUS")) and st.queries._source(pair)[0] == "events"
        assert st.count(pair) == 3 and st.queries.span("x")[1] == date(2021, 2, 1)


def test_copies_are_kept_for_the_two_latest_dyads_and_not_for_most_of_the_store(tmp_path: Path) -> None:
    rows = [("2021-01-05", "USAGOV", "RUSGOV", "x"), ("2021-01-06", "FRAGOV", "DEUGOV", "x"),
            ("2021-01-07", "JPNGOV", "CHNGOV", "x"), ("2021-01-08", "USAGOV", "CHNGOV", "x"),
            ("2021-01-09", "POLGOV", "UKRGOV", "x")]
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        st.ingest([_canonical_csv(tmp_path / "a.csv", rows)])
        for dyad in (("USA", "RUS"), ("FRA", "DEU"), ("JPN", "CHN")):
            assert st.queries.prepare_scope(dyad)
        assert [st.queries.has_scope(d) for d in (("USA", "RUS"), ("FRA", "DEU"), ("JPN", "CHN"))] \
            == [False, True, True]
        with Store.open(tmp_path / "t.duckdb", with_chronology=False) as big:
            big.ingest([_canonical_csv(tmp_path / "b.csv", rows[:1] * 1 + [
                ("2021-01-06", "RUSGOV", "USAGOV", "x"), ("2021-01-07", "FRAGOV", "DEUGOV", "x")])])
            assert not big.queries.prepare_scope(("USA", "RUS"))  # two of three: not worth it
            assert big.count(EventFilter(dyad=("USA", "RUS"))) == 2




def test_a_store_of_schema_1_is_upgraded_when_opened_for_writing(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with Store.open(path, with_chronology=False) as st:
        st.ingest_file(write_lines(tmp_path / "20180101000000.export.CSV", [gdelt2_line(event_id=7)]))
    new = ("publisher", "place", "place_country", "latitude", "longitude")
    con = duckdb.connect(str(path))  # make it what version 1 wrote: no place, no publisher
    for col in new:
        con.execute(f'ALTER TABLE events DROP COLUMN "{col}"')
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match=r"schema 1.*open it once for writing"):
        Store.open(path, read_only=True)
    with Store.open(path, with_chronology=False) as st:
        assert st.meta("schema_version") == "2"
        row = st.events(limit=1).to_pylist()[0]
        assert row["event_id"] == "gdelt2:7" and all(row[c] is None for c in new)
        # and a new file fills the new columns
        st.ingest_file(write_lines(tmp_path / "b.CSV", [gdelt2_line(event_id=8)]))
        got = {r["event_id"]: r for r in st.events().to_pylist()}
        assert got["gdelt2:8"]["place_country"] == "RUS"
    with Store.open(path, read_only=True) as st:
        assert st.count() == 2
