"""`detente code` and `detente evaluate-coder` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from detente.cli.app import app
from detente.store import EventFilter, Store

runner = CliRunner(env={"COLUMNS": "200"})

STATEMENT = (
    "Date: 2022-02-24\n"
    "Russian forces invaded Ukraine. The United States imposed sanctions on Russian banks. "
    "The weather was cold.\n"
)


def test_code_prints_canonical_json_lines_with_issue_areas(tmp_path: Path) -> None:
    f = tmp_path / "statement.txt"
    f.write_text(STATEMENT)
    result = runner.invoke(app, ["code", str(f)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(r["source_actor"], r["target_actor"], r["event_code"]) for r in rows] == [
        ("RUSMIL", "UKR", "190"),
        ("USA", "RUSBUS", "163"),
    ]
    first, second = rows
    assert first["dataset"] == "coded" and first["doc_id"] == "statement" and first["date"] == "2022-02-24"
    assert first["text"] == "Russian forces invaded Ukraine."
    assert (first["quad_class"], first["goldstein"], first["plover_type"]) == (4, -10.0, "ASSAULT")
    assert first["issue_areas"] == ["ukraine"] and second["issue_areas"] == ["sanctions"]
    assert "3 sentences, 2 with events, 2 events" in result.stderr


def test_code_ingests_a_folder_into_the_store_once(tmp_path: Path) -> None:
    folder = tmp_path / "statements"
    folder.mkdir()
    (folder / "a.txt").write_text(STATEMENT)
    (folder / "b.jsonl").write_text(
        json.dumps(
            {
                "id": "b1",
                "date": "2021-06-16",
                "text": "Biden and Putin met in Geneva.",
                "url": "https://example.org/b1",
            }
        )
        + "\n"
    )
    (folder / "empty.txt").write_text("")
    store = tmp_path / "s.duckdb"
    for _ in range(2):
        result = runner.invoke(app, ["code", str(folder), "--ingest", "--store", str(store)])
        assert result.exit_code == 0, result.output
    assert "skipped: 1 x empty file" in result.stderr
    assert "stored 0 coded events (4 already stored" in result.stderr  # the second run stores nothing
    with Store.open(store) as st:
        rows = st.events(EventFilter(datasets=("coded",))).to_pylist()
    assert sorted((r["source_actor"], r["target_actor"], r["event_code"]) for r in rows) == [
        ("RUSGOV", "USAGOV", "044"),
        ("RUSMIL", "UKR", "190"),
        ("USA", "RUSBUS", "163"),
        ("USAGOV", "RUSGOV", "044"),
    ]
    geneva = [r for r in rows if r["doc_id"] == "b1"]
    assert {r["url"] for r in geneva} == {"https://example.org/b1"}
    assert all(r["event_id"].startswith("coded:") for r in rows)


def test_code_reports_non_english_input(tmp_path: Path) -> None:
    f = tmp_path / "2020-01-01-ru.txt"
    f.write_text("Россия ввела санкции против Турции, заявили в министерстве иностранных дел.")
    result = runner.invoke(app, ["code", str(f)])
    assert result.exit_code == 0
    assert result.stdout.strip() == ""
    assert "not English" in result.stderr and "English text only" in result.stderr


def test_evaluate_coder_on_a_small_gold_file(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    lines = [
        {
            "id": "1",
            "date": "2021-01-01",
            "text": "Russia imposed sanctions on Turkey.",
            "events": [{"source": "RUS", "target": "TUR", "code": "163"}],
        },
        {"id": "2", "date": "2021-01-01", "text": "The talks went well.", "events": []},
        {
            "id": "3",
            "date": "2021-01-01",
            "text": "Ukraine thanked Poland.",
            "events": [{"source": "UKR", "target": "POL", "code": "051"}],
        },
    ]
    gold.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = runner.invoke(app, ["evaluate-coder", str(gold), "--as", "json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.stdout)[str(gold)]
    assert (d["expected_events"], d["true_positives"], d["root_accuracy"], d["precision"]) == (2, 2, 1.0, 1.0)
    bad = runner.invoke(app, ["evaluate-coder", str(tmp_path / "nope.jsonl")])
    assert bad.exit_code == 1 and "cannot read gold file" in bad.output
