"""The embedded curated chronology: every row checked, key milestones present."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from detente import ontology
from detente.readers.canonical import CHRONOLOGY_COLUMNS
from detente.store import Store, chronology_files
from detente.tagging import ISSUE_AREAS

TREATIES = ("abm", "inf", "cfe", "open-skies", "ctbt", "new-start")


def _rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in chronology_files():
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert tuple(reader.fieldnames or ()) == CHRONOLOGY_COLUMNS, path.name
            rows.extend(reader)
    return rows


ROWS = _rows()


def _actor_ok(code: str) -> bool:
    if code.startswith("IGO"):
        return len(code) >= 6 and code[-3:] in ontology.known_groups()
    roles = ontology.actor_types()
    return code[:3] in ontology.countries() and all(
        code[i:i + 3] in roles for i in range(3, len(code), 3)
    ) and len(code) % 3 == 0


def test_size_and_unique_ids() -> None:
    assert len(ROWS) >= 250
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_every_row(row: dict[str, str]) -> None:
    day = date.fromisoformat(row["date"])
    assert date(1960, 1, 1) <= day <= date(2026, 11, 28)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}-[a-z0-9-]+", row["id"])
    assert row["id"].startswith(row["date"])
    if day.year < 2012:  # before 2012 only the treaty milestones
        assert row["issue_areas"].split(";")[0] in ("arms_control", "nonproliferation")
    assert ontology.event_code(row["event_code"]) is not None, row["event_code"]
    assert _actor_ok(row["source_actor"]), row["source_actor"]
    assert _actor_ok(row["target_actor"]), row["target_actor"]
    areas = row["issue_areas"].split(";")
    assert areas and all(a in ISSUE_AREAS for a in areas)
    assert 10 <= len(row["description"]) <= 200
    assert row["citation_issuer"].strip() and row["citation_title"].strip()
    assert date.fromisoformat(row["citation_date"]) >= date(1960, 1, 1)
    assert row["citation_url"] == "" or row["citation_url"].startswith("https://")


@pytest.mark.parametrize(
    ("day", "words"),
    [
        ("2010-04-08", "new start"),
        ("2011-02-05", "new start"),
        ("2021-02-03", "new start"),
        ("2026-02-05", "new start"),
        ("2023-11-02", "ctbt"),
        ("2019-08-02", "inf"),
        ("1987-12-08", "inf"),
        ("2001-12-13", "abm"),
        ("2002-06-13", "abm"),
        ("2014-03-18", "crimea"),
        ("2022-02-24", "invasion"),
        ("2023-11-07", "cfe"),
        ("2020-11-22", "open skies"),
    ],
)
def test_checked_milestones_are_present(day: str, words: str) -> None:
    text = " ".join((r["id"] + " " + r["description"]).lower() for r in ROWS if r["date"] == day)
    assert words in text.replace("-", " ") or words in text


def test_treaty_notice_and_effect_are_separate_events() -> None:
    abm = sorted(r["date"] for r in ROWS if "abm" in r["id"] and "withdraw" in r["id"])
    assert "2001-12-13" in abm and "2002-06-13" in abm


def test_period_2012_to_2026_is_covered() -> None:
    years = {date.fromisoformat(r["date"]).year for r in ROWS}
    assert set(range(2012, 2026)) <= years


def test_new_store_holds_the_chronology(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as st:
        assert st.count() == len(ROWS)
        assert st.quarantine().num_rows == 0
        summary = {r["dataset"]: r["events"] for r in st.summary().to_pylist()}
        assert summary == {"curated": len(ROWS)}
        wanted = "curated:2014-03-18-crimea-annexation-treaty"
        row = [e for e in st.events().to_pylist() if e["event_id"] == wanted]
        assert row and row[0]["source_country"] == "RUS" and "ukraine" in row[0]["issue_areas"]
        assert row[0]["citation_issuer"] and row[0]["text"]


def _row(rid: str) -> dict[str, str]:
    found = [r for r in ROWS if r["id"] == rid]
    assert len(found) == 1, rid
    return found[0]


@pytest.mark.parametrize(("rid", "code", "words"), [
    # corrected
    ("2021-08-20-navalny-second-cbw-round", "163", "second round of cbw act"),
    ("2014-03-16-eo-13661-sanctions-russian-officials", "163", "the first names follow the next day"),
    ("2012-12-28-putin-signs-dima-yakovlev-law", "163", "names follow in april 2013"),
    ("2013-04-13-russia-publishes-counter-list", "163", ""),
    # added
    ("2019-08-02-second-cbw-round-skripal", "163", "second round of cbw act"),
    ("2021-06-18-russia-open-skies-notice", "160", "six months later"),
    ("2023-05-29-putin-signs-cfe-denunciation", "160", "denouncing"),
    ("2024-02-14-russia-suspends-arctic-council-payments", "160", "arctic council"),
    ("2024-11-19-atacms-strike-bryansk", "195", "atacms"),
    ("2025-10-27-russia-denounces-pmda", "160", "plutonium"),
    ("2025-10-29-trump-nuclear-testing-instruction", "130", "no signed order"),
])
def test_corrected_and_added_events(rid: str, code: str, words: str) -> None:
    row = _row(rid)
    assert row["event_code"] == code
    assert words in row["description"].lower()
    assert row["citation_date"] == row["date"] or rid.startswith("2013-04-13")


def test_navalny_sanctions_of_2024_are_not_dated_2021() -> None:
    assert not any("500" in r["description"] for r in ROWS if r["date"].startswith("2021"))
    assert "500" in _row("2024-02-23-navalny-anniversary-sanctions")["description"]
    assert not any(r["id"].startswith("2014-03-17-eo-13661") for r in ROWS)


def test_telephone_calls_from_2017_are_coded_041() -> None:
    calls = [r for r in ROWS if r["date"] >= "2017" and r["event_code"].startswith("04")
             and any(w in r["description"].lower() for w in ("phone", "call", "by phone"))]
    assert len(calls) >= 15
    assert {r["event_code"] for r in calls} == {"041"}, [r["id"] for r in calls
                                                         if r["event_code"] != "041"]
