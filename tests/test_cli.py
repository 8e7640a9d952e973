"""The command line: every command documented, readers named, errors on one line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import typer.main
from typer.testing import CliRunner

from conftest import RUSSIA, USA_GOV, gdelt2_line, icews_header, icews_line
from detente import __version__
from detente.cli.app import app

runner = CliRunner(env={"COLUMNS": "200"})


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for name, cmd in group.commands.items():
        out.append((*prefix, name))
        if hasattr(cmd, "commands"):
            out.extend(_commands(cmd, (*prefix, name)))
    return out


COMMANDS = _commands(typer.main.get_command(app))  # type: ignore[arg-type]


def run(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def test_the_store_commands_are_all_there() -> None:
    names = {c[0] for c in COMMANDS}
    assert {"ingest", "events", "export", "retag", "quarantine", "files", "status", "formats"} <= names


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    cmd: Any = typer.main.get_command(app)
    for part in command:
        cmd = cmd.commands[part]
    assert cmd.help and cmd.help.strip(), f"`detente {' '.join(command)}` has no help text"


def test_version_through_python_dash_m() -> None:
    out = subprocess.run([sys.executable, "-m", "detente", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == f"detente {__version__}"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


def _gdelt_file(write: Callable[..., Path]) -> Path:
    return write("20180101000000.export.CSV", [
        gdelt2_line(event_id=1, code="042"),
        gdelt2_line(event_id=2, code="190", actor1=RUSSIA, actor2=USA_GOV),
        gdelt2_line(event_id=3, code="036", date="20180102"),
    ])


def test_ingest_names_the_reader_and_summarises(write: Callable[..., Path], store: Path) -> None:
    path = _gdelt_file(write)
    first = run("ingest", path, "--store", store)
    assert first.exit_code == 0, first.output
    assert "reading as gdelt2 (detected)" in first.stderr
    assert _summary_row(first.stdout, path.name)[-5:] == ["3", "3", "0", "0", "0"]
    again = run("ingest", path, "--store", store, "--quiet")
    assert again.exit_code == 0
    assert "reading as" not in again.stderr  # -q: no line per file, the summary stays
    # read 3, stored 0, duplicates 3 the second time
    assert _summary_row(again.stdout, path.name)[-5:] == ["3", "0", "3", "0", "0"]


def _summary_row(output: str, name: str) -> list[str]:
    line = next(line for line in output.splitlines() if name in line)
    return [c.strip() for c in line.split("│") if c.strip()]


def test_forced_format_is_reported(write: Callable[..., Path], store: Path) -> None:
    path = write("events.tab", [icews_header(), icews_line()])
    result = run("ingest", path, "--store", store, "--format", "icews")
    assert result.exit_code == 0, result.output
    assert "reading as icews (forced)" in result.stderr


def test_unknown_format_is_one_line_error(write: Callable[..., Path], store: Path) -> None:
    result = run("ingest", _gdelt_file(write), "--store", store, "--format", "nope")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: unknown format 'nope'")


def test_binary_file_fails_on_one_line_naming_it(tmp_path: Path, store: Path) -> None:
    bad = tmp_path / "picture.bin"
    bad.write_bytes(bytes(range(256)) * 20)
    result = run("ingest", bad, "--store", store, "--quiet")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "picture.bin" in errors[0]
    assert "Traceback" not in result.output


def test_missing_path_is_a_clean_error(tmp_path: Path, store: Path) -> None:
    result = run("ingest", tmp_path / "nothing-here.csv", "--store", store)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {tmp_path / 'nothing-here.csv'}: no such file or folder"


def test_events_as_json_csv_and_jsonl(write: Callable[..., Path], store: Path) -> None:
    run("ingest", _gdelt_file(write), "--store", store, "--quiet")
    js = run("events", "--store", store, "--dataset", "gdelt2", "--as", "json")
    assert js.exit_code == 0, js.output
    rows = json.loads(js.stdout)
    assert [r["event_id"] for r in rows] == ["gdelt2:1", "gdelt2:2", "gdelt2:3"]
    assert [r["event_code"] for r in rows] == ["042", "190", "036"]
    assert rows[1]["source_country"] == "RUS" and rows[1]["quad_class"] == 4
    assert rows[1]["goldstein"] == -10.0
    csv_out = run("events", "--store", store, "--dataset", "gdelt2", "--from", "RUS", "--as", "csv",
                  "--columns", "event_id,date,event_code")
    parsed = list(csv.DictReader(io.StringIO(csv_out.stdout)))
    assert parsed == [{"event_id": "gdelt2:2", "date": "2018-01-01", "event_code": "190"}]
    jl = run("events", "--store", store, "--dataset", "gdelt2", "--since", "2018-01-02",
             "--as", "jsonl")
    assert [json.loads(x)["event_id"] for x in jl.stdout.splitlines()] == ["gdelt2:3"]


def test_events_unknown_column_and_bad_dates(store: Path) -> None:
    bad_col = run("events", "--store", store, "--columns", "date,nonsense")
    assert bad_col.exit_code == 1 and "nonsense" in bad_col.stderr
    bad_range = run("events", "--store", store, "--since", "2020", "--until", "2019")
    assert bad_range.exit_code == 1 and "is after" in bad_range.stderr


def test_events_of_the_embedded_chronology(store: Path) -> None:
    result = run("events", "--store", store, "--dataset", "curated", "--since", "2014-03-18",
                 "--until", "2014-03-18", "--as", "json")
    rows = json.loads(result.stdout)
    assert rows, "the chronology should hold the Crimea annexation treaty day"
    assert all(r["date"] == "2014-03-18" for r in rows)


def test_export_writes_every_canonical_column(write: Callable[..., Path], store: Path,
                                              tmp_path: Path) -> None:
    run("ingest", _gdelt_file(write), "--store", store, "--quiet")
    out = tmp_path / "out.parquet"
    result = run("export", out, "--store", store, "--dataset", "gdelt2")
    assert result.exit_code == 0
    table = pq.read_table(out)
    assert table.num_rows == 3
    from detente.schema import CANONICAL_SCHEMA
    assert table.schema.names == CANONICAL_SCHEMA.names


def test_quarantine_and_files(write: Callable[..., Path], store: Path) -> None:
    path = write("20180102000000.export.CSV", [gdelt2_line(event_id=7), "7\t2018\tcut off"])
    result = run("ingest", path, "--store", store, "--quiet")
    assert result.exit_code == 0
    q = run("quarantine", "--store", store, "--as", "json")
    rows = json.loads(q.stdout)
    assert len(rows) == 1 and rows[0]["line"] == 2
    f = run("files", "--store", store, "--as", "json")
    names = {Path(r["path"]).name: r for r in json.loads(f.stdout)} if "path" in f.stdout else {}
    assert any(path.name in json.dumps(r) for r in json.loads(f.stdout))
    assert names == {} or names[path.name]["quarantined"] == 1


def test_status_lists_datasets(write: Callable[..., Path], store: Path) -> None:
    run("ingest", _gdelt_file(write), "--store", store, "--quiet")
    result = run("status", "--store", store)
    assert result.exit_code == 0
    assert "curated" in result.stdout and "gdelt2" in result.stdout


def test_formats_lists_every_reader() -> None:
    from detente.readers import READERS

    result = run("formats")
    for name in READERS:
        assert name in result.stdout


def test_ingest_a_folder_and_a_glob(write: Callable[..., Path], tmp_path: Path, store: Path) -> None:
    folder = tmp_path / "downloads"
    (folder / "2018").mkdir(parents=True)
    (folder / "2018" / "20180101000000.export.CSV").write_text(
        gdelt2_line(event_id=11) + "\n" + gdelt2_line(event_id=12) + "\n")
    (folder / "events.2018.tab").write_text(icews_header() + "\n" + icews_line() + "\n")
    (folder / "README.md").write_text("# what these files are\n")
    (folder / ".hidden.CSV").write_text("junk\n")
    result = run("ingest", folder, "--store", store, "--quiet")
    assert result.exit_code == 0, result.output
    assert _summary_row(result.stdout, "total")[-5:] == ["3", "3", "0", "0", "0"]
    assert "README" not in result.stdout
    again = run("ingest", f"{folder}/*/*.CSV", "--store", store, "--quiet")
    assert again.exit_code == 0
    assert _summary_row(again.stdout, "20180101000000")[-5:] == ["2", "0", "2", "0", "0"]


# -- start-up -----------------------------------------------------------------

HEAVY = ("detente.report", "detente.analysis", "detente.series", "detente.policy", "pandas",
         "pyarrow", "duckdb", "ibis", "altair")


def _loaded(code: str) -> set[str]:
    probe = f"import sys; {code}; print(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return {m for m in out.stdout.split() if any(m == h or m.startswith(h + ".") for h in HEAVY)}


def test_starting_the_cli_imports_no_heavy_module() -> None:
    # the CLI registers every command without importing what the commands run
    assert sorted(_loaded("import detente.cli.app")) == []
    out = subprocess.run([sys.executable, "-m", "detente", "--version"], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == f"detente {__version__}" and not out.stderr


def test_the_cli_periods_are_the_query_layers() -> None:
    from detente.cli._options import PERIODS
    from detente.query import PERIODS as QUERY_PERIODS

    assert PERIODS == QUERY_PERIODS


def test_wait_is_an_option_of_every_command_that_opens_the_store() -> None:
    from detente.store import DEFAULT_WAIT

    root: Any = typer.main.get_command(app)
    opens = [c for c in COMMANDS if not hasattr(_command(root, c), "commands")
             and any(p.name == "store" for p in _command(root, c).params)]
    assert len(opens) >= 15
    for path in opens:
        if path == ("serve",):  # the dashboard's requests wait by a --wait of their own
            continue
        wait = next((p for p in _command(root, path).params if p.name == "wait"), None)
        assert wait is not None, f"`detente {' '.join(path)}` has no --wait"
        assert wait.envvar == "DETENTE_WAIT"
        assert f"default: {DEFAULT_WAIT:g}" in (getattr(wait, "help", "") or "")


def _command(root: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        root = root.commands[part]
    return root


# -- ingest, file by file ------------------------------------------------------


def test_ingest_opens_and_releases_the_store_for_each_group_of_files(
        write: Callable[..., Path], store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.store._batch as batch_mod
    from detente.store import Store

    monkeypatch.setattr(batch_mod, "BATCH_FILES", 1)  # a group of one file each

    first = _gdelt_file(write)
    second = write("events.tab", [icews_header(), icews_line()])
    seen: list[str] = []
    real_open = Store.open.__func__  # type: ignore[attr-defined]

    def spy_open(cls: type[Store], path: Any = None, **kwargs: Any) -> Store:
        if seen:  # before each later file: another process can take the file read-write
            code = "import duckdb, sys; duckdb.connect(sys.argv[1]).close()"
            subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
        st = real_open(cls, path, **kwargs)
        seen.append("open")
        real_close = st.close

        def close() -> None:
            seen.append("close")
            real_close()

        st.close = close  # type: ignore[method-assign]
        return st

    monkeypatch.setattr(Store, "open", classmethod(spy_open))
    result = run("ingest", first, second, "--store", store)
    assert result.exit_code == 0, result.output
    assert seen == ["open", "close", "open", "close"]
    assert "reading as gdelt2 (detected)" in result.stderr
    assert "reading as icews (detected)" in result.stderr
    assert _summary_row(result.stdout, first.name)[-5:] == ["3", "3", "0", "0", "0"]
    assert _summary_row(result.stdout, second.name)[-5:] == ["1", "1", "0", "0", "0"]
    assert _summary_row(result.stdout, "total")[-5:] == ["4", "4", "0", "0", "0"]


def test_a_bad_file_leaves_the_others_ingested(write: Callable[..., Path], tmp_path: Path,
                                               store: Path) -> None:
    good = _gdelt_file(write)
    bad = tmp_path / "picture.bin"
    bad.write_bytes(bytes(range(256)) * 20)
    other = write("events.tab", [icews_header(), icews_line()])
    result = run("ingest", good, bad, other, "--store", store, "--quiet")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "picture.bin" in errors[0]
    assert "1 file(s) not ingested" in result.stderr
    assert _summary_row(result.stdout, "total")[-5:] == ["4", "4", "0", "0", "0"]
    assert run("status", "--store", store).exit_code == 0


def test_ingest_summary_tells_files_of_one_name_apart(write: Callable[..., Path], store: Path,
                                                      tmp_path: Path) -> None:
    a = _gdelt_file(write)
    other = tmp_path / "other"
    other.mkdir()
    b = other / a.name
    b.write_text(a.read_text().replace("\t1\t", "\t1\t", 1).replace("20180101\t", "20180103\t", 1))
    out = run("ingest", a, b, "--store", store, "-q")
    assert out.exit_code == 0, out.output
    assert f"{a.parent.name}/{a.name}" in out.stdout.replace("\n", "").replace(" ", "").replace("│", "")
    assert f"other/{a.name}" in out.stdout.replace("\n", "").replace(" ", "").replace("│", "")


def test_events_to_a_file_keep_every_digit(write: Callable[..., Path], store: Path,
                                           tmp_path: Path) -> None:
    tone = "-2.56410256410256"
    path = write("20180101000000.export.CSV", [gdelt2_line(event_id=1, tone=tone),
                                               gdelt2_line(event_id=2, code="190")])
    assert run("ingest", path, "--store", store, "-q").exit_code == 0
    out = tmp_path / "ev.csv"
    result = run("events", "--store", store, "--dataset", "gdelt2", "-o", out)
    assert result.exit_code == 0, result.output
    assert "wrote 2 of 2 events" in result.stderr
    with out.open(encoding="utf-8") as fh:
        rows = {r["event_id"]: r for r in csv.DictReader(fh)}
    assert rows["gdelt2:1"]["avg_tone"] == tone  # the terminal rounds; a file does not
    assert rows["gdelt2:1"]["place_country"] == "RUS" and rows["gdelt2:1"]["publisher"] == "example.com"
    pq_out = tmp_path / "ev.parquet"
    assert run("events", "--store", store, "--dataset", "gdelt2", "-o", pq_out).exit_code == 0
    assert pq.read_table(pq_out).num_rows == 2
    shown = run("events", "--store", store, "--dataset", "gdelt2", "--as", "csv")
    assert tone in shown.stdout
    bad = run("events", "--store", store, "-o", tmp_path / "ev.txt")
    assert bad.exit_code == 1 and "--as" in bad.stderr


@pytest.mark.parametrize("command", [["events"], ["brief", "-o", "-"], ["indicators"],
                                     ["export", "x.parquet"], ["reciprocity"],
                                     ["playbook", "check"]])
def test_an_unknown_dataset_is_an_error_naming_the_known_ones(store: Path,
                                                              command: list[str]) -> None:
    result = run(*command, "--store", store, "--dataset", "gdelt3")
    assert result.exit_code == 1, result.output
    assert "unknown dataset(s) gdelt3; known:" in result.stderr and "icews" in result.stderr


def test_brief_as_and_the_deprecated_format(store: Path, tmp_path: Path) -> None:
    assert run("status", "--store", store).exit_code == 0
    md = run("brief", "--store", store, "--as", "markdown")
    assert md.exit_code == 0 and md.stdout.startswith("# ")
    old = run("brief", "--store", store, "--format", "json")
    assert old.exit_code == 0 and json.loads(old.stdout)["dyad"] == "USA-RUS"
    assert "--format is deprecated" in old.stderr
    by_suffix = tmp_path / "b.json"
    assert run("brief", "--store", store, "-o", by_suffix).exit_code == 0
    assert json.loads(by_suffix.read_text())["dyad"] == "USA-RUS"
    st = run("status", "--store", store, "--as", "json")
    assert {d["dataset"] for d in json.loads(st.stdout)} == {"curated"}


def test_code_prints_as_asked(tmp_path: Path) -> None:
    text = tmp_path / "note.txt"
    text.write_text("Date: 2019-02-01\nRussia condemned the United States.\n", encoding="utf-8")
    lines = run("code", text)
    assert lines.exit_code == 0 and json.loads(lines.stdout.splitlines()[0])["event_code"] == "111"
    as_csv = run("code", text, "--as", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert [(r["source_country"], r["target_country"], r["event_code"]) for r in rows] == [
        ("RUS", "USA", "111")]
