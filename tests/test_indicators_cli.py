"""`detente indicators` on an ingested GDELT file and on hand-built stores."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from conftest import RUSSIA, USA_GOV, actor, gdelt2_line, write_lines
from detente.cli.app import app
from detente.store import Store
from test_indicators import MAIN, add, empty_store

runner = CliRunner(env={"COLUMNS": "120"})
CHINA = actor("CHN", "CHINA", "CHN")


def run(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def gdelt_store(tmp_path: Path) -> Path:
    """A store holding one small GDELT 2.0 file (and the chronology), ingested the normal way."""
    lines = [
        gdelt2_line(event_id=1, date="20180105", actor1=USA_GOV, actor2=RUSSIA, code="042", mentions="10"),
        gdelt2_line(event_id=2, date="20180110", actor1=RUSSIA, actor2=USA_GOV, code="112", mentions="30"),
        gdelt2_line(event_id=3, date="20180320", actor1=USA_GOV, actor2=RUSSIA, code="190", mentions="20"),
        gdelt2_line(event_id=4, date="20180319", actor1=USA_GOV, actor2=CHINA, code="042", mentions="1"),
    ]
    # no date in the name: the file covers its events' days (a dated daily file would
    # cover its own day only, and February would read missing)
    path = write_lines(tmp_path / "usa-rus.export.CSV", lines)
    store = tmp_path / "store.duckdb"
    result = run("ingest", path, "--store", store, "--quiet")
    assert result.exit_code == 0, result.output
    return store


def test_csv_from_an_ingested_gdelt_file(gdelt_store: Path) -> None:
    result = run("indicators", "--store", gdelt_store, "--dataset", "gdelt2", "--as", "csv")
    assert result.exit_code == 0, result.output
    got = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["period_start"] for r in got] == ["2018-01-01", "2018-02-01", "2018-03-01"]
    assert [r["events"] for r in got] == ["2", "0", "1"]
    # CAMEO weights: 042 +1.9, 112 -2.0, 190 -10.0
    assert float(got[0]["goldstein_mean"]) == pytest.approx((1.9 - 2.0) / 2)
    assert float(got[0]["goldstein_weighted"]) == pytest.approx((1.9 * 10 - 2.0 * 30) / 40)
    assert got[1]["goldstein_mean"] == ""  # an empty month: no mean, not zero
    assert float(got[2]["events_share"]) == pytest.approx(1 / 2)
    assert got[2]["force"] == "1" and got[2]["q4"] == "1"


def test_split_and_one_direction(gdelt_store: Path) -> None:
    result = run("indicators", "--store", gdelt_store, "--dataset", "gdelt2", "--split", "--as", "json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert sorted({r["direction"] for r in got}) == ["RUS->USA", "USA->RUS"]
    result = run("indicators", "--store", gdelt_store, "--dataset", "gdelt2", "--from", "RUS", "--to", "USA",
                 "--as", "json")
    got = json.loads(result.stdout)
    assert {r["direction"] for r in got} == {"RUS->USA"}
    assert [r["events"] for r in got] == [1, 0, 0]


def test_terminal_table_and_files(tmp_path: Path) -> None:
    store = empty_store(tmp_path)
    add(store, [dict(r) for r in MAIN])
    store.close()
    path = tmp_path / "events.duckdb"
    result = run("indicators", "--store", path, "--dataset", "gdelt2")
    assert result.exit_code == 0, result.output
    assert "USA-RUS by month, issue all, as of 2020-03-03" in result.stdout
    assert "2020-02" in result.stdout and "low" in result.stdout
    assert "0/0/0/0" in result.stdout  # the empty February
    out = tmp_path / "ind.parquet"
    result = run("indicators", "--store", path, "-o", out, "--dataset", "gdelt2", "--split")
    assert result.exit_code == 0, result.output
    table = pq.read_table(out)
    assert table["direction"].to_pylist() == ["RUS->USA"] * 3 + ["USA->RUS"] * 3
    assert table["events"].to_pylist() == [1, 0, 1, 2, 0, 1]
    assert "relationship_index_z" in table.column_names


def test_show_sql_prints_bigquery_sql(gdelt_store: Path) -> None:
    result = run("indicators", "--store", gdelt_store, "--dataset", "gdelt2", "--show-sql")
    assert result.exit_code == 0, result.output
    assert "CREATE TEMP TABLE period_grid" in result.stdout
    assert "DATE_TRUNC(" in result.stdout and "`events`" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "fortnight"], "period 'fortnight' is not one of week, month, quarter, year"),
    (["--issue", "ukrain"], "unknown issue area 'ukrain'"),
    (["--dataset", "icews"], "unknown dataset(s) icews"),
    (["--since", "2030-01-01"], "no events for USA-RUS, from 2030-01-01"),
    (["--since", "2019-02", "--until", "2019-01"], "after"),
    (["--from", "USA"], "--from and --to go together"),
    (["--dyad", "USA-CHN", "--from", "USA", "--to", "RUS"], "not a direction of --dyad USA-CHN"),
    (["--as", "parquet"], "--as parquet needs a file"),
    (["--as-of", "yesterday"], "--as-of 'yesterday' is not a date"),
    (["--backend", "oracle"], "unknown backend 'oracle'"),
])
def test_bad_input_exits_with_one_line(gdelt_store: Path, args: list[str], message: str) -> None:
    result = run("indicators", "--store", gdelt_store, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert result.output.startswith("error:") and "Traceback" not in result.output


def test_store_opened_read_write_stays_usable(gdelt_store: Path) -> None:
    assert run("indicators", "--store", gdelt_store, "--as", "csv").exit_code == 0
    with Store.open(gdelt_store) as st:
        assert st.count() > 4


def test_an_ingested_icews_file(tmp_path: Path) -> None:
    from conftest import icews_header, icews_line

    lines = [
        icews_header(),
        icews_line(event_id=1, date="2018-06-01", cameo="040", intensity="1"),    # RUS -> USA
        icews_line(event_id=2, date="2018-06-09", cameo="112", intensity="-2",
                   source_name="Citizen (United States)", source_country="United States",
                   target_name="Russia", target_country="Russian Federation"),
        icews_line(event_id=3, date="2018-08-02", cameo="173", intensity="-5"),   # RUS -> USA
        icews_line(event_id=4, date="2018-08-01", cameo="040", intensity="1",
                   target_name="China", target_country="China"),
    ]
    path = write_lines(tmp_path / "events.2018.tab", lines)
    store = tmp_path / "store.duckdb"
    assert run("ingest", path, "--store", store, "--quiet").exit_code == 0
    result = run("indicators", "--store", store, "--dataset", "icews", "--split", "--as", "json")
    assert result.exit_code == 0, result.output
    got = {(r["direction"], r["period_start"]): r for r in json.loads(result.stdout)}
    assert len(got) == 6  # two directions x June, July, August
    june = got[("RUS->USA", "2018-06-01")]
    assert (june["events"], june["goldstein_mean"], june["goldstein_weighted"]) == (1, 1.0, 1.0)
    assert june["events_share"] == pytest.approx(1 / 2)
    assert got[("USA->RUS", "2018-06-01")]["goldstein_mean"] == -2.0
    assert got[("RUS->USA", "2018-07-01")]["events"] == 0
    august = got[("RUS->USA", "2018-08-01")]
    assert (august["events"], august["q4"], august["relationship_index"]) == (1, 1, -5.0)
    assert august["events_share"] == pytest.approx(1 / 2)  # the RUS->CHN event counts in the total
