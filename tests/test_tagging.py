"""Issue-area rules: cases that must and must not match, user extensions, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from detente.errors import RulesError
from detente.tagging import ISSUE_AREAS, RuleSet, load_rules

COLUMNS = ("event_code", "plover_type", "source_actor", "target_actor", "source_country",
           "target_country", "source_role", "target_role", "source_name", "target_name",
           "text", "url")


def tags(rules: RuleSet, **event: Any) -> list[str]:
    """Tag one event with both the plain and the gated (fast) SQL; they must agree."""
    row = {c: [event.get(c)] for c in COLUMNS}
    row["_given_areas"] = [event.get("given", [])]
    table = pa.table(row, schema=pa.schema(
        [pa.field(c, pa.string()) for c in COLUMNS] + [pa.field("_given_areas", pa.list_(pa.string()))]
    ))
    con = duckdb.connect()
    con.register("ev", table)
    plain = con.execute(f"SELECT {rules.tags_sql()} FROM ev").fetchone()
    fast = con.execute(f"SELECT issue_areas FROM ({rules.tag_select('ev')})").fetchone()
    assert plain is not None and fast is not None
    assert plain[0] == fast[0]
    return list(plain[0])


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules()


def test_default_rules_cover_the_taxonomy(rules: RuleSet) -> None:
    assert tuple(rules.areas) == ISSUE_AREAS


@pytest.mark.parametrize(
    ("event", "must", "must_not"),
    [
        ({"text": "Russia annexes Crimea after a referendum"}, "ukraine", None),
        ({"source_country": "RUS", "target_country": "UKR", "event_code": "190"}, "ukraine", None),
        ({"text": "The UK parliament debates the budget"}, None, "ukraine"),
        ({"event_code": "163", "source_country": "USA", "target_country": "RUS"}, "sanctions", None),
        ({"text": "Treasury sanctions Rosneft and Lukoil"}, "sanctions", None),
        ({"text": "Treasury sanctions Rosneft and Lukoil"}, "energy_economy", None),
        ({"text": "the sanctity of the ballot"}, None, "sanctions"),
        ({"text": "Hackers linked to the GRU breached the network"}, "cyber_elections", None),
        ({"text": "a new bakery opens in Hackney"}, None, "cyber_elections"),
        ({"text": "The Arctic Council suspends meetings"}, "arctic", None),
        ({"text": "a galactic scale of ambition"}, None, "arctic"),
        ({"source_actor": "IGOWSTNAT", "target_actor": "RUSGOV"}, "nato_deterrence", None),
        ({"text": "Donatos pizza expands to Ohio"}, None, "nato_deterrence"),
        ({"text": "Syrian government forces advance"}, "syria", None),
        ({"source_role": "MIL", "target_role": "MIL", "event_code": "040"}, "military_channels", None),
        ({"source_role": "MIL", "target_role": "GOV", "event_code": "040"}, None, "military_channels"),
        ({"source_country": "USA", "target_country": "RUS", "event_code": "040"}, "diplomacy", None),
        ({"source_country": None, "target_country": "USA", "event_code": "043"}, None, "diplomacy"),
        ({"text": "New START expires with no successor"}, "arms_control", None),
        ({"text": "a new start for the team this season"}, None, "arms_control"),
        ({"text": "the INF Treaty collapses"}, "arms_control", None),
        ({"text": "oil prices climb"}, "energy_economy", None),
        ({"text": "hours of toil"}, None, "energy_economy"),
        ({"text": "Navalny dies in an Arctic penal colony"}, "human_rights", None),
        ({"text": "IAEA inspectors visit the plant"}, "nonproliferation", None),
        ({"url": "https://news.example.org/world/ukraine-talks-resume.html"}, "ukraine", None),
    ],
)
def test_cases(rules: RuleSet, event: dict[str, Any], must: str | None, must_not: str | None) -> None:
    got = tags(rules, **event)
    if must:
        assert must in got
    if must_not:
        assert must_not not in got


def test_untaggable_event_gets_empty_list(rules: RuleSet) -> None:
    assert tags(rules, text="weather is fine today", event_code="010") == []


def test_given_areas_are_kept_and_sorted(rules: RuleSet) -> None:
    got = tags(rules, text="Crimea", given=["sanctions"])
    assert got == ["sanctions", "ukraine"]


def test_user_rules_extend_defaults(tmp_path: Path) -> None:
    extra = tmp_path / "rules.yaml"
    extra.write_text(
        "version: 1\nareas:\n"
        "  space:\n    - text: '\\b(iss|soyuz|roscosmos)\\b'\n"
        "  arctic:\n    - countries: [NOR]\n",
        encoding="utf-8",
    )
    rules = load_rules(extra)
    assert "space" in rules.areas
    assert tags(rules, text="Roscosmos launches a Soyuz") == ["space"]
    assert tags(rules, source_country="NOR", target_country="RUS", event_code="010") == ["arctic"]
    assert rules.fingerprint() != load_rules().fingerprint()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("areas: [1, 2", "not valid YAML at line"),
        ("areas:\n  ukraine:\n    - colour: red\n", "unknown key"),
        ("areas:\n  ukraine:\n    - text: '(unclosed'\n", "not a valid regular expression"),
        ("areas:\n  Bad-Name:\n    - text: x\n", "lower_snake_case"),
        ("areas:\n  ukraine: []\n", "non-empty list of rules"),
        ("areas:\n  ukraine:\n    - codes: ['16;DROP']\n", "malformed value"),
        ("just text", "expected a mapping"),
    ],
)
def test_bad_rules_files_name_the_file(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RulesError) as info:
        load_rules(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def _table(events: list[dict[str, Any]], given: bool = False) -> pa.Table:
    cols: dict[str, Any] = {c: [e.get(c) for e in events] for c in COLUMNS}
    fields = [pa.field(c, pa.string()) for c in COLUMNS]
    cols["issue_areas"] = [["stale"] for _ in events]  # ignored: the rules decide
    fields.append(pa.field("issue_areas", pa.list_(pa.string())))
    if given:
        cols["_given_areas"] = [e.get("given", []) for e in events]
        fields.append(pa.field("_given_areas", pa.list_(pa.string())))
    return pa.table(cols, schema=pa.schema(fields))


def test_tag_table_tags_each_row_as_the_sql_does_in_row_order(rules: RuleSet) -> None:
    kinds = [{"text": "Russia annexes Crimea"}, {"text": "weather is fine today", "event_code": "010"},
             {"text": "Treasury sanctions Rosneft", "given": ["arctic"]},
             {"source_role": "MIL", "target_role": "MIL", "event_code": "040"}]
    events = [kinds[i % len(kinds)] for i in range(5000)]  # enough rows for DuckDB to scan in parallel
    got = rules.tag_table(_table(events, given=True))
    assert got == [tags(rules, **e) for e in events[: len(kinds)]] * (len(events) // len(kinds))
    assert "arctic" in got[2] and "stale" not in got[0]
    # without a _given_areas column, no tag is given
    assert rules.tag_table(_table(kinds))[2] == tags(rules, **{**kinds[2], "given": []})
    assert rules.tag_table(_table([])) == []


def test_tagging_loads_no_duckdb_until_it_tags() -> None:
    code = ("import sys, detente.tagging, detente.coder; "
            "print(sorted(m for m in ('duckdb', 'detente.store') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_fast_tagging_agrees_with_the_plain_sql_row_by_row_and_beyond_62_areas(tmp_path: Path) -> None:
    """The bit-per-area tagging gives the plain expression's lists (sorted, given tags kept,
    NULLs), also for a rule set too large for its bits (the plain expression then)."""
    many = tmp_path / "many.yaml"
    many.write_text("version: 1\nareas:\n" + "".join(
        f"  extra_{i:02d}:\n    - text: '\\bword{i}\\b'\n" for i in range(60)), encoding="utf-8")
    kinds = [{"text": "Crimea sanctions and nato summit", "given": ["zeta", "ukraine"]},
             {"text": None, "url": None, "given": None},
             {"url": "https://example.org/arctic/word7-word59", "event_code": "163"},
             {"source_country": "UKR", "target_country": "SYR", "event_code": "040",
              "source_role": "MIL", "target_role": "MIL", "given": []}]
    for rules in (load_rules(), load_rules(many)):
        table = _table(kinds, given=True).drop_columns(["issue_areas"])
        con = duckdb.connect()
        con.register("ev", table)
        plain = [r[0] for r in con.execute(f"SELECT {rules.tags_sql()} FROM ev").fetchall()]
        fast = [r[0] for r in con.execute(f"SELECT issue_areas FROM ({rules.tag_select('ev')})").fetchall()]
        assert fast == plain
        assert plain[0][-1] == "zeta" and plain[1] == [] and "sanctions" in plain[2]
    assert "extra_07" in plain[2] and "extra_59" in plain[2]


def test_fast_tagging_looks_codes_up_as_the_prefixes_would_match(rules: RuleSet) -> None:
    """The fast path finds a rule's code prefixes by a lookup of the event code: for every
    CAMEO code, codes it does not know (stored by no reader, but possible in a table
    tagged after the fact), an empty code and none, crossed with the country pairs and
    roles the rules test, it gives what the prefixes compared one by one give."""
    from detente import ontology

    codes = [*ontology.event_codes(), "999", "0", "X1", "1385X", "", None]
    sides = [("RUS", "UKR", "MIL", "MIL"), ("USA", "USA", "GOV", "MIL"), (None, "RUS", None, None)]
    rows = [{"event_code": c, "source_country": s, "target_country": t, "source_role": a,
             "target_role": b, "source_actor": "IGOWSTNAT" if i % 7 == 0 else None}
            for i, (c, (s, t, a, b)) in enumerate((c, side) for c in codes for side in sides)]
    table = pa.table({c: [r.get(c) for r in rows] for c in COLUMNS},
                     schema=pa.schema([pa.field(c, pa.string()) for c in COLUMNS]))
    table = table.append_column("_given_areas", pa.array([[]] * len(rows), pa.list_(pa.string())))
    con = duckdb.connect()
    con.register("ev", table)
    plain = [r[0] for r in con.execute(f"SELECT {rules.tags_sql()} FROM ev").fetchall()]
    fast = [r[0] for r in con.execute(f"SELECT issue_areas FROM ({rules.tag_select('ev')})").fetchall()]
    assert fast == plain
    tagged = dict(zip([(r["event_code"], r["source_country"]) for r in rows], plain, strict=False))
    assert "arms_control" in tagged[("1385", "RUS")] and "arms_control" in tagged[("1385X", "RUS")]
    assert "diplomacy" in tagged[("040", "RUS")] and "diplomacy" not in tagged[("040", "USA")]
    assert sum(1 for p in plain if p) > len(rows) // 4
