"""Parquet archives read as stores, and the indicators written against GDELT's BigQuery table.

An archive exported from a store answers every read as the store does (the same rows
of `detente indicators` and `detente events`), refuses every write in one line, and is
written whole or not at all. The SQL printed by `--show-sql --against gdelt`, transpiled
to DuckDB by sqlglot and run over a table with GDELT's own column names, gives the rows
`detente indicators` gives on a store that ingested the same GDELT 2.0 file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from typer.testing import CliRunner

from conftest import RUSSIA, USA_GOV, actor, gdelt2_fields
from detente.cli.app import app
from detente.query._gdelt import GDELT_COLUMNS
from detente.store import Store

runner = CliRunner()


def cli(*args: str) -> Any:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result


def rows(*args: str) -> list[dict[str, Any]]:
    result = cli(*args, "--as", "json")
    assert result.exit_code == 0, result.output
    data: list[dict[str, Any]] = json.loads(result.stdout)
    return data


def assert_same_rows(got: list[dict[str, Any]], expected: list[dict[str, Any]]) -> None:
    """The same rows: every count, label, date and flag exactly; sums and means of
    Goldstein scores to 1e-12 (the engine adds them up in the order it reads the files)."""
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        assert a.keys() == b.keys()
        for name in b:
            if isinstance(b[name], float) or isinstance(a[name], float):
                assert a[name] is not None and b[name] is not None, (name, a, b)
                assert math.isclose(a[name], b[name], rel_tol=1e-12, abs_tol=1e-12), (name, a, b)
            else:
                assert a[name] == b[name], (name, a, b)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The embedded chronology's store and its archive by year and month."""
    folder = tmp_path_factory.mktemp("archive")
    store = folder / "store.duckdb"
    with Store.open(store):
        pass
    result = cli("export", "--partition", "year/month", str(folder / "arch"), "--store", str(store))
    assert result.exit_code == 0, result.output
    return store, folder / "arch"


# -- the archive --------------------------------------------------------------------


def test_archive_is_hive_partitioned_with_its_side_tables(exported: tuple[Path, Path]) -> None:
    store, arch = exported
    manifest = json.loads((arch / "archive.json").read_text())
    with Store.open(store, read_only=True) as st:
        total = st.count()
        files = st.files().num_rows
    assert manifest["format"] == "detente-archive" and manifest["partition"] == "year/month"
    assert manifest["events"] == total > 400 and manifest["files"] == files
    parts = sorted(p.relative_to(arch / "events").parts[:2] for p in (arch / "events").rglob("*.parquet"))
    assert parts and all(y.startswith("year=") and m.startswith("month=") for y, m in parts)
    # any engine reads the events folder as a Hive-partitioned dataset
    glob = str(arch / "events" / "*" / "*" / "*.parquet")
    n, years = duckdb.sql(f"SELECT count(*), count(DISTINCT year) FROM read_parquet('{glob}', "
                          "hive_partitioning = true)").fetchone() or (0, 0)
    assert n == total and years > 10
    for name in ("files", "quarantine", "meta", "coverage", "events_schema"):
        assert (arch / "tables" / f"{name}.parquet").is_file(), name
    assert not [p for p in arch.parent.iterdir() if p.name.startswith(".")]  # no partial left


@pytest.mark.parametrize("args", [
    ["--period", "year", "--split"],
    ["--period", "quarter", "--since", "2014-01-01", "--baseline", "4"],
], ids=["yearly-split", "quarterly-since"])
def test_indicators_and_events_on_the_archive_are_the_store_s(exported: tuple[Path, Path],
                                                                args: list[str]) -> None:
    store, arch = exported
    on_store = rows("indicators", *args, "--store", str(store))
    on_archive = rows("indicators", *args, "--store", str(arch))
    assert len(on_store) > 10 and sum(r["events"] or 0 for r in on_store) > 100
    assert_same_rows(on_archive, on_store)
    for flt in ([], ["--dyad", "USA-RUS", "--since", "2022-01-01"], ["--root", "19"]):
        a = rows("events", *flt, "--limit", "0", "--store", str(store))
        b = rows("events", *flt, "--limit", "0", "--store", str(arch))
        assert a == b and len(a) > 0


def test_brief_status_and_files_read_the_archive(exported: tuple[Path, Path], tmp_path: Path) -> None:
    store, arch = exported
    assert rows("files", "--store", str(arch)) == rows("files", "--store", str(store))
    out = tmp_path / "brief.html"
    result = cli("brief", "-o", str(out), "--store", str(arch))
    assert result.exit_code == 0, result.output
    assert "USA" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [
    ["ingest", "{store}"], ["retag"], ["fetch", "gdelt", "--since", "2024-01-01"],
], ids=["ingest", "retag", "fetch"])
def test_writes_to_an_archive_fail_in_one_line(exported: tuple[Path, Path], args: list[str]) -> None:
    store, arch = exported
    before = sorted((p.relative_to(arch), p.stat().st_mtime_ns) for p in arch.rglob("*"))
    result = cli(*[a.format(store=store) for a in args], "--store", str(arch))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"error: {arch}: a Parquet archive, read-only (ingest, fetch and retag "
                     "write to a store file: --store FILE.duckdb)"]
    assert sorted((p.relative_to(arch), p.stat().st_mtime_ns) for p in arch.rglob("*")) == before


def test_export_refuses_a_folder_that_is_not_empty_and_replaces_it_with_force(
        exported: tuple[Path, Path], tmp_path: Path) -> None:
    store, _ = exported
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    result = cli("export", "--partition", "year", str(target), "--store", str(store))
    assert result.exit_code == 1 and "folder is not empty (--force replaces it)" in result.output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    result = cli("export", "--partition", "year", "--force", str(target), "--store", str(store))
    assert result.exit_code == 0, result.output
    assert not (target / "notes.txt").exists()
    assert all(p.parent.parent.name == "events" and p.parent.name.startswith("year=")
               for p in (target / "events").rglob("*.parquet"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    bad = cli("export", "--partition", "month", str(tmp_path / "x"), "--store", str(store))
    assert bad.exit_code == 1 and "--partition month: not one of year, year/month" in bad.output
    filtered = cli("export", "--partition", "year", "--dyad", "USA-RUS", str(tmp_path / "y"),
                   "--store", str(store))
    assert filtered.exit_code == 1 and "whole store" in filtered.output


def test_a_folder_that_is_not_an_archive_is_refused(tmp_path: Path) -> None:
    result = cli("events", "--store", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path}: a folder, but not a detente archive" in result.output


def test_an_archive_keeps_quarantine_and_provenance(tmp_path: Path) -> None:
    src = tmp_path / "20240105120000.export.CSV"
    good = "\t".join(gdelt2_fields(event_id=1, date="20240105"))
    bad = "\t".join(gdelt2_fields(event_id=2, date="20241305"))
    src.write_text(f"{good}\n{bad}\n", encoding="utf-8")
    store = tmp_path / "s.duckdb"
    with Store.open(store, with_chronology=False) as st:
        st.ingest_file(src)
    arch = tmp_path / "a"
    assert cli("export", "--partition", "year", str(arch), "--store", str(store)).exit_code == 0
    with Store.open(arch) as a, Store.open(store, read_only=True) as st:
        assert a.archive and a.read_only
        assert a.quarantine().to_pylist() == st.quarantine().to_pylist()
        assert a.quarantine().num_rows == 1
        assert a.count() == st.count() and a.files().to_pylist() == st.files().to_pylist()
        assert a.summary().to_pylist() == st.summary().to_pylist()
        assert {r["dataset"]: r["events"] for r in a.summary().to_pylist()}["gdelt2"] == 1
        assert a.stamp == st.stamp
    with Store.open(tmp_path / "empty.duckdb", with_chronology=False) as nothing:
        assert nothing.export_archive(tmp_path / "e", "year")["events"] == 0
    with Store.open(tmp_path / "e") as e:
        assert e.count() == 0 and e.events().num_rows == 0


# -- the indicators against GDELT's BigQuery table -----------------------------------

CHINA = actor("CHN", "CHINA", "CHN")
NATO = actor("NAT", "NATO", "", known_group="NAT")


def _gdelt_rows() -> list[list[str]]:
    """Four months of GDELT 2.0 rows: the dyad both ways, other dyads, repeats on a day,
    non-root events, few sources, a known group instead of a country."""
    codes = ["042", "057", "112", "138", "173", "190", "036", "061", "163"]
    out = []
    for i in range(140):
        month = 1 + i % 4
        day = 1 + (i * 7) % 28
        pair = [(USA_GOV, RUSSIA), (RUSSIA, USA_GOV), (USA_GOV, CHINA), (NATO, RUSSIA)][(i // 5) % 4]
        out.append(gdelt2_fields(
            event_id=1_000_000 + i, date=f"2024{month:02d}{day:02d}", actor1=pair[0], actor2=pair[1],
            code=codes[(i * 5) % len(codes)], mentions=str(1 + i % 9), sources=str(1 + i % 4),
            is_root="1" if i % 6 else "0", date_added=f"2024{month:02d}{day:02d}120000",
            url="" if i % 7 == 0 else f"http://www.example.com/{i}"))
    for j in range(3):  # the same report three times on one day: what --one-a-day collapses
        out.append(gdelt2_fields(event_id=2_000_000 + j, date="20240312", code="042",
                                 date_added="20240312120000"))
    return out


_NAMES = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
          *[f"Actor{n}{f}" for n in (1, 2) for f in (
              "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
              "Religion2Code", "Type1Code", "Type2Code", "Type3Code")],
          "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
          "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]


def _gdelt_table(con: duckdb.DuckDBPyConnection, fields: list[list[str]]) -> None:
    """Create ``gdelt-bq.gdeltv2.events`` with GDELT's column names and BigQuery's types,
    holding ``fields`` (empty fields as NULL, as in GDELT's table)."""
    # the 61 columns of the export: the first 35 as named, then the geography, DATEADDED, SOURCEURL
    names = _NAMES + [f"_geo{k}" for k in range(24)] + ["DATEADDED", "SOURCEURL"]
    assert len(names) == 61
    types = {"int64": "BIGINT", "float64": "DOUBLE", "string": "VARCHAR"}
    cols = {n: types[GDELT_COLUMNS[n]] for n in GDELT_COLUMNS}
    con.execute("ATTACH ':memory:' AS \"gdelt-bq\"")
    con.execute('CREATE SCHEMA "gdelt-bq".gdeltv2')
    typed = ", ".join(f'"{n}" {t}' for n, t in cols.items())
    con.execute(f'CREATE TABLE "gdelt-bq".gdeltv2.events ({typed})')
    at = {n: names.index(n) for n in cols}
    for f in fields:
        con.execute('INSERT INTO "gdelt-bq".gdeltv2.events VALUES (' + ", ".join("?" for _ in cols) + ")",
                    [None if f[at[n]] == "" else f[at[n]] for n in cols])


def _run_gdelt_sql(sql: str, fields: list[list[str]]) -> list[dict[str, Any]]:
    con = duckdb.connect()
    try:
        _gdelt_table(con, fields)
        # the one BigQuery function sqlglot leaves as it is: division by IEEE 754's rules
        con.execute("CREATE MACRO ieee_divide(a, b) AS CAST(a AS DOUBLE) / CAST(b AS DOUBLE)")
        (query,) = sqlglot.transpile(sql, read="bigquery", write="duckdb")
        cur = con.execute(query)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


_SPAN = ["--until", "2024-04-28", "--as-of", "2024-04-28"]


@pytest.mark.parametrize("args", [
    ["--period", "month", "--since", "2024-03-01", *_SPAN, "--baseline", "2"],
    ["--period", "week", "--split", "--since", "2024-03-04", *_SPAN, "--baseline", "3",
     "--one-a-day", "--root-only", "--min-sources", "2"],
    ["--period", "month", "--combine", "--since", "2024-03-01", *_SPAN,
     "--baseline", "2", "--dyad", "RUS-NAT"],
], ids=["monthly", "weekly-split-one-a-day-quality", "combined-known-group"])
def test_gdelt_sql_gives_the_store_s_rows(tmp_path: Path, args: list[str]) -> None:
    fields = _gdelt_rows()
    # a file whose name carries no date covers its first to last event's days (GDELT's table
    # is taken as complete too): no period is "missing" on either side
    export = tmp_path / "gdelt-export.CSV"
    export.write_text("".join("\t".join(f) + "\n" for f in fields), encoding="utf-8")
    store = tmp_path / "s.duckdb"
    with Store.open(store, with_chronology=False) as st:
        report = st.ingest_file(export)
    assert report.stored == len(fields) and report.quarantined == 0
    expected = rows("indicators", *args, "--dataset", "gdelt2", "--store", str(store))
    sql = cli("indicators", "--show-sql", "--dialect", "bigquery", "--against", "gdelt", *args)
    assert sql.exit_code == 0, sql.output
    assert "FROM `gdelt-bq`.`gdeltv2`.`events`" in sql.stdout and "SQLDATE" in sql.stdout
    assert "untagged_share is NULL" in sql.stdout  # what cannot be expressed is said
    got = _run_gdelt_sql(sql.stdout, fields)
    assert len(got) == len(expected) >= 2
    assert sum(r["events"] or 0 for r in expected) > 5
    for mine, theirs in zip(got, expected, strict=True):
        assert mine["untagged_share"] is None and mine["coverage"] == "complete"
        for name, value in theirs.items():
            if name in ("coverage", "untagged_share"):
                continue
            left = mine[name].isoformat() if hasattr(mine[name], "isoformat") else mine[name]
            assert _same(left, value), (name, left, value, mine["period_start"])


def test_gdelt_sql_names_gdelt_1_s_table_and_refuses_what_it_cannot_do() -> None:
    one = cli("indicators", "--show-sql", "--against", "gdelt", "--version", "1", "--since", "2010-01-01",
              "--until", "2010-12-31")
    assert one.exit_code == 0, one.output
    assert "`gdelt-bq`.`full`.`events`" in one.stdout and "'gdelt1:'" in one.stdout
    issue = cli("indicators", "--show-sql", "--against", "gdelt", "--since", "2024-01-01", "--issue",
                "sanctions")
    assert issue.exit_code == 1 and "GDELT's table has none" in issue.output
    nosince = cli("indicators", "--show-sql", "--against", "gdelt")
    assert nosince.exit_code == 1 and "needs --since" in nosince.output
    run = cli("indicators", "--against", "gdelt", "--since", "2024-01-01")
    assert run.exit_code == 1 and "goes with --show-sql" in run.output
    show = ["indicators", "--show-sql", "--against", "gdelt", "--since", "2024-01-01"]
    foo = cli(*show, "--dialect", "foo")
    assert foo.exit_code == 1 and "--dialect foo: not one of athena, bigquery" in foo.output
    lite = cli(*show, "--dialect", "sqlite")
    assert lite.exit_code == 1 and "the indicators cannot be written in it" in lite.output
    pg = cli(*show, "--until", "2024-03-01", "--dialect", "postgres")
    assert pg.exit_code == 0 and '"gdelt-bq"."gdeltv2"."events"' in pg.stdout


def test_an_export_cut_short_leaves_the_old_archive_and_no_partial_folder(
        exported: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store, _ = exported
    target = tmp_path / "arch"
    assert cli("export", "--partition", "year", str(target), "--store", str(store)).exit_code == 0
    before = sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    real = Path.write_text

    def full(self: Path, *args: Any, **kw: Any) -> int:
        if self.name == "archive.json":
            raise OSError(28, "No space left on device")
        return real(self, *args, **kw)

    monkeypatch.setattr(Path, "write_text", full)
    result = cli("export", "--partition", "year/month", "--force", str(target), "--store", str(store))
    assert result.exit_code == 1
    assert f"{target}: cannot write the archive (No space left on device)" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arch"]  # no partial folder left
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == before
    assert json.loads((target / "archive.json").read_text())["partition"] == "year"
