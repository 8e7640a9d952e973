"""Hardening of the command line: bad options and bad files are one line each, a bad file
does not stop the files after it, and `detente check` says what is wrong with a store."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import gdelt2_line, read_sql, write_lines, write_sql
from detente import Store
from detente.cli.app import app

runner = CliRunner(env={"COLUMNS": "200"})


def run(*args: str | Path, stdin: bytes | None = None) -> Any:
    return runner.invoke(app, [str(a) for a in args], input=stdin)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-hardening")
    path = folder / "s.duckdb"
    with Store.open(path) as st:
        st.ingest_file(write_lines(folder / "g.CSV", [gdelt2_line(event_id=n) for n in range(1, 30)]))
    return path


@pytest.mark.parametrize("args", [("events", "--limit", "-5"), ("events", "--offset", "-1"),
                                  ("quarantine", "--limit", "-1")])
def test_negative_row_counts_are_refused(store: Path, args: tuple[str, ...]) -> None:
    result = run(*args, "--store", store)
    assert result.exit_code == 2
    assert f"Invalid value for '{args[1]}'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["brief", "indicators", "trends", "forecast"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_as_of_date_out_of_range_is_one_line(store: Path, command: str, day: str) -> None:
    result = run(command, "--as-of", day, "--store", store)
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"error: --as-of '{day}' is outside 1900-01-01 .. 2100-12-31"


def test_a_damaged_file_does_not_stop_the_files_after_it(tmp_path: Path) -> None:
    text = "\n".join(gdelt2_line(event_id=n) for n in range(1, 400)).encode()
    packed = gzip.compress(text)
    middle = len(packed) // 2
    bad = tmp_path / "a_bad.CSV.gz"
    bad.write_bytes(packed[:middle] + bytes(b ^ 0x5A for b in packed[middle:middle + 32])
                    + packed[middle + 32:])
    good = write_lines(tmp_path / "b_good.CSV", [gdelt2_line(event_id=n) for n in range(1000, 1010)])
    db = tmp_path / "s.duckdb"
    result = run("ingest", "-q", bad, good, "--store", db)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"error: {bad}: " in result.output.replace("\n", "")
    assert "1 file(s) not ingested" in result.output
    with Store.open(db, read_only=True) as st:
        assert st.count() - read_sql(st, "SELECT count(*) FROM events WHERE dataset = 'curated'")[0][0] == 10


def test_code_reads_at_most_its_bound_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.coder import inputs

    monkeypatch.setattr(inputs, "MAX_FILE_BYTES", 1 << 20)
    result = run("code", "-", stdin=b"Russia condemned the United States.\n" * 40_000)
    assert result.exit_code == 1
    assert result.output.strip() == ("error: standard input: more than 1 MB (the most one input "
                                     "may hold); split it into files and give those")


# -- detente check ------------------------------------------------------------------------


def test_check_passes_on_a_sound_store_and_names_each_problem(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as st:
        st.ingest_file(write_lines(tmp_path / "g.CSV", [gdelt2_line(event_id=n) for n in range(1, 30)]))
    result = run("check", "--store", db)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [ln.split()[0] for ln in lines] == ["ok"] * 6
    with Store.open(db, read_only=True) as st:
        held = read_sql(st, "SELECT count(*) FROM events")[0][0]
        curated = read_sql(st, "SELECT count(*) FROM events WHERE dataset = 'curated'")[0][0]
    assert held == curated + 29 and curated > 400  # the chronology and the file
    assert f"3 file(s), {held} event(s): each file's counts match the tables" in result.output

    with Store.open(db) as st:
        write_sql(st, "UPDATE files SET stored = stored + 2 WHERE name = 'g.CSV'")
        write_sql(st, "UPDATE meta SET value = 'older' WHERE key = 'chronology_sha256'")
        write_sql(st, "INSERT INTO events (event_id, _file_id, _error, _dup) VALUES ('x', 99, 'bad', false)")
    result = run("check", "--store", db)
    assert result.exit_code == 1
    problems = {ln.split()[1].rstrip(":"): ln for ln in result.output.splitlines()
                if ln.startswith("PROBLEM")}
    assert sorted(problems) == ["chronology", "orphans", "provenance", "unfinished"]
    assert "g.CSV: 31 stored, 29 held" in problems["provenance"]
    assert "an older chronology than the packaged one; to repair: `detente check --repair`" \
        in problems["chronology"]

    result = run("check", "--repair", "--store", db)
    assert result.exit_code == 1  # what cannot be repaired in place stays a problem
    assert "repaired: removed 1 row(s) left from an unfinished ingest" in result.output
    still = [ln.split()[1] for ln in result.output.splitlines() if ln.startswith("PROBLEM")]
    assert still == ["provenance:"]


def test_a_rules_regex_duckdb_cannot_run_names_the_rules_file(tmp_path: Path) -> None:
    rules = tmp_path / "mine.yaml"
    rules.write_text('areas:\n  diplomacy:\n    - text: "(?<=a)b"\n', encoding="utf-8")
    good = write_lines(tmp_path / "g.CSV", [gdelt2_line(event_id=1)])
    result = run("ingest", "-q", good, "--rules", rules, "--store", tmp_path / "s.duckdb")
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {rules}: area 'diplomacy', rule 1: text is a regular expression DuckDB cannot "
        "run (invalid perl operator: (?<)")


def test_code_skips_a_deeply_nested_json_line() -> None:
    from collections import Counter

    from detente.coder import read_bytes

    data = ('{"id": "a", "date": "2022-03-01", "text": "Russia condemned the United States."}\n'
            + '{"a":' * 20_000 + "1" + "}" * 20_000 + "\n").encode()
    skipped: Counter[str] = Counter()
    docs = list(read_bytes(data, "docs.jsonl", skipped, None, "jsonl"))
    assert [d.id for d in docs] == ["a"]
    assert skipped == Counter({"JSON line not valid": 1})
