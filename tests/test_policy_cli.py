"""The policy commands: JSON output, tables, and one-line errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli.app import app
from detente.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "proposals"
runner = CliRunner()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "s.duckdb"
    Store.open(path).close()  # the curated chronology only
    return path


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_playbook_check_json_on_the_chronology(store_path: Path) -> None:
    code, out = _run("playbook", "check", "--as-of", "2026-02-05", "--as", "json",
                     "--store", str(store_path))
    assert code == 0, out
    doc = json.loads(out)
    assert doc["as_of"] == "2026-02-05" and doc["dataset"] == "curated"
    status = {i["id"]: i for i in doc["items"]}
    for item in ("minsk", "inf-impasse", "new-start", "open-skies"):
        assert status[item]["status"] == "overtaken_by_events"
    assert "curated:2026-02-05-new-start-expires" in [e["event_id"]
                                                      for e in status["new-start"]["overtaken_by"]]
    test_ban = next(c for c in status["further-reductions-doctrine"]["conditions"]
                    if c["id"] == "test_ban_upheld")
    assert test_ban["result"] == "not_met"
    assert test_ban["values"][0]["value"] == "deratified"
    assert sum(doc["counts"].values()) == len(doc["items"])


def test_playbook_check_table_and_show(store_path: Path) -> None:
    code, out = _run("playbook", "check", "--as-of", "2017-03-01", "--store", str(store_path))
    assert code == 0, out
    assert "agenda items" in out and "conditions" in out
    code, out = _run("playbook", "show")
    assert code == 0 and "valid" in out


def test_bad_playbook_is_one_line_error_with_file_and_line(store_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("playbook: x\nprinciples: []\nbaskets:\n  essential:\n    - id: a\n      title: A\n"
                   "      summary: s\n      issue_areas: [diplomacy]\n      conditions:\n"
                   "        - id: c\n          description: d\n          when: count(USA-RUS) >< 1\n")
    code, out = _run("playbook", "check", str(bad), "--store", str(store_path))
    assert code == 1
    assert f"{bad}:12:" in out and "condition a.c" in out


def test_assess_json(store_path: Path) -> None:
    code, out = _run("assess", str(EXAMPLES / "grand_bargain.yaml"), "--as-of", "2026-02-05",
                     "--as", "json", "--store", str(store_path))
    assert code == 0, out
    doc = json.loads(out)
    assert doc["verdict"] == "inconsistent"
    assert {f["name"] for f in doc["findings"] if f["effect"] == "strains"} >= {
        "european_norms", "neighbours_first", "no_grand_bargain"}
    assert [a["direction"] for a in doc["allies"]][:2] == ["RUS->UKR", "USA-UKR"]
    assert "status" in doc["expected_response"]


def test_treaties_and_channels(store_path: Path) -> None:
    code, out = _run("treaties", "--as-of", "2023-11-02", "--as", "json")
    assert code == 0, out
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["CTBT"]["statuses"] == {"USA": "signed", "RUS": "deratified"}
    assert rows["NEW_START"]["statuses"] == {"USA": "extended", "RUS": "suspended"}
    code, out = _run("channels", "--as-of", "2024-12-31", "--as", "json", "--store", str(store_path))
    assert code == 0, out
    doc = json.loads(out)
    mil = next(c for c in doc["channels"] if c["channel"] == "mil-to-mil")
    assert (mil["status"], mil["last_contact"], mil["days_since"]) == ("active", "2024-06-25", 189)
    code, out = _run("registry", "--store", str(store_path))
    assert code == 0 and "treaties" in out and "channels" in out


def test_csv_is_refused() -> None:
    code, out = _run("treaties", "--as", "csv")
    assert code == 1 and "table or json" in out
