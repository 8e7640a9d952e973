"""Proposal assessment: each principle, the grand-bargain limit, gates, allies, verdicts."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from detente.errors import QueryError
from detente.policy import PolicyFileError, assess_proposal

AS_OF = "2024-06-30"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "proposals"


def _rows(dataset: str, recent_code: str) -> list[list[str]]:
    rows = [["old", "2022-06-01", "USAGOV", "RUSGOV", "040", "diplomacy"]]
    # a year earlier: five material-conflict events of Russia against Ukraine
    rows += [[f"e{i}", f"2023-0{i}-10", "RUSMIL", "UKRMIL", "190", "ukraine"] for i in range(1, 6)]
    # the last six months: six events of one code
    rows += [[f"r{i}", f"2024-0{i}-10", "RUSGOV", "UKRGOV", recent_code, "ukraine"] for i in range(1, 7)]
    return [[f"{dataset}-{r[0]}", *r[1:], dataset] for r in rows]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from detente.store import Store

    tmp = tmp_path_factory.mktemp("assess")
    rows = _rows("changed", "042") + _rows("unchanged", "190")
    # Russia toward Poland in the "changed" dataset: 3 verbal conflict, 2 verbal cooperation
    rows += [[f"p{i}", f"2024-0{i}-20", "RUSGOV", "POLGOV", "111" if i <= 3 else "040", "diplomacy",
              "changed"] for i in range(1, 6)]
    rows += [["u1", "2024-03-01", "USAGOV", "POLGOV", "040", "diplomacy", "changed"]]
    path = tmp / "events.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["event_id", "date", "source_actor", "target_actor", "event_code", "issue_areas",
                    "dataset"])
        w.writerows(rows)
    st = Store.open(tmp / "s.duckdb", with_chronology=False)
    st.ingest([path])
    yield st
    st.close()


RELIEF = """\
title: relief
direction: give
levers: [sanctions]
issue_areas: [sanctions]
offers:
  - {text: lift sectoral sanctions, lever: sanctions, issue_areas: [sanctions]}
"""


def no_model(st: Any, **kw: Any) -> dict[str, Any]:
    raise QueryError("no model in these tests")


def _assess(store: Any, tmp_path: Path, text: str, dataset: str = "changed",
            model: Any = no_model) -> Any:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return assess_proposal(store, path, as_of=AS_OF, dataset=dataset, response_model=model)


def _strained(result: Any) -> dict[Any, str]:
    return {f.principle if f.principle is not None else f.name: f.reason
            for f in result.findings if f.effect == "strains"}


def test_sanctions_relief_without_change_in_ukraine_strains_principle_3(store: Any,
                                                                         tmp_path: Path) -> None:
    result = _assess(store, tmp_path, RELIEF, dataset="unchanged")
    assert result.verdict == "inconsistent"
    assert "although condition major_change_in_ukraine is not met" in _strained(result)[3]
    gate = next(c for c in result.conditions if c.id == "sanctions-leverage.major_change_in_ukraine")
    assert gate.result == "not_met"
    # material conflict share 6/6 now against 5/5 a year earlier
    assert [v.value for v in gate.values][:2] == [1.0, 1.0]


def test_sanctions_relief_after_a_major_change_is_consistent(store: Any, tmp_path: Path) -> None:
    result = _assess(store, tmp_path, RELIEF, dataset="changed")
    gate = next(c for c in result.conditions if c.id == "sanctions-leverage.major_change_in_ukraine")
    assert gate.result == "met"
    # share 0/6 <= 0.5 * 5/5, and net cooperation 6/6 > 0
    assert [v.value for v in gate.values] == [0.0, 1.0, 1.0]
    assert _strained(result) == {}
    assert result.verdict == "consistent"


def test_relief_asked_against_change_with_no_evidence_is_conditional(store: Any,
                                                                     tmp_path: Path) -> None:
    text = RELIEF + "asks:\n  - {text: withdraw forces, issue_areas: [ukraine]}\n"
    result = _assess(store, tmp_path, text.replace("2024", "2024"), dataset="changed")
    assert result.verdict == "consistent"  # evidence decides it here
    sparse = assess_proposal(store, tmp_path / "p.yaml", as_of="2023-03-01", dataset="changed",
                             response_model=no_model)
    assert sparse.verdict == "consistent_with_conditions"
    assert "major_change_in_ukraine is not decided by the evidence" in sparse.reasons[0]
    assert any(f.principle == 3 and f.effect == "supports" for f in sparse.findings)
    # without asking anything in return the same lack of evidence strains principle 3
    bare = assess_proposal(store, _write(tmp_path, RELIEF), as_of="2023-03-01", dataset="changed",
                           response_model=no_model)
    assert bare.verdict == "inconsistent"
    assert "with no evidence that major_change_in_ukraine holds" in _strained(bare)[3]


VERIFIED_ASK = """\
concerns: [UKR]
consulted: [UKR]
asks:
  - text: a verified ceasefire
    issue_areas: [ukraine]
    verified_by: international monitors on the line of contact
"""


def test_relief_for_a_verified_change_is_credited_with_the_condition_named(
        store: Any, tmp_path: Path) -> None:
    # no major change in Ukraine on the evidence: the gate is not met
    result = _assess(store, tmp_path, RELIEF + VERIFIED_ASK, dataset="unchanged")
    gate = next(c for c in result.conditions if c.id == "sanctions-leverage.major_change_in_ukraine")
    assert gate.result == "not_met"
    assert _strained(result) == {}
    assert result.verdict == "consistent_with_conditions"
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith("major_change_in_ukraine is not met: the offer "
                                        "(lift sectoral sanctions) is conditional on a verified "
                                        "ceasefire (verified by international monitors")
    supports = {(f.principle, f.reason.split(":")[0]) for f in result.findings
                if f.effect == "supports"}
    assert (3, "offers sanctions (lift sectoral sanctions) only in exchange for a verifiable "
               "change in the conduct condition major_change_in_ukraine is about") in supports
    assert (4, "the countries it concerns (UKR) are consulted") in supports
    # the same relief asked for nothing stays inconsistent
    bare = _assess(store, tmp_path, RELIEF + "concerns: [UKR]\nconsulted: [UKR]\n", dataset="unchanged")
    assert bare.verdict == "inconsistent"
    assert "although condition major_change_in_ukraine is not met" in _strained(bare)[3]
    # asked, but with no word on verification: not credited
    unverified = _assess(store, tmp_path, (RELIEF + VERIFIED_ASK).replace(
        "    verified_by: international monitors on the line of contact\n", ""), dataset="unchanged")
    assert unverified.verdict == "inconsistent"
    assert _strained(unverified)[3].endswith("it asks a verified ceasefire in return but says not "
                                             "how it is verified")
    # an ask on the sanctions themselves is not the conduct the sanctions answer
    lifted = _assess(store, tmp_path, (RELIEF + VERIFIED_ASK).replace(
        "issue_areas: [ukraine]", "issue_areas: [sanctions]"), dataset="unchanged")
    assert lifted.verdict == "inconsistent"


def test_an_ask_names_a_condition_it_meets(store: Any, tmp_path: Path) -> None:
    text = RELIEF + VERIFIED_ASK.replace("issue_areas: [ukraine]", "issue_areas: [diplomacy]")
    # on its issue areas alone the ask is not about the gate ...
    assert _assess(store, tmp_path, text, dataset="unchanged").verdict == "inconsistent"
    # ... but naming the condition ties it to the gate
    named = _assess(store, tmp_path, text + "    meets: [major_change_in_ukraine]\n",
                    dataset="unchanged")
    assert named.verdict == "consistent_with_conditions"
    with pytest.raises(PolicyFileError, match=r"meets unknown condition\(s\) no_such_condition"):
        _assess(store, tmp_path, text + "    meets: [no_such_condition]\n", dataset="unchanged")


def _write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_principle_1_deterrence_on_the_table(store: Any, tmp_path: Path) -> None:
    text = ("title: t\ndirection: give\nlevers: [deterrence]\nissue_areas: [nato_deterrence]\n"
            "offers:\n  - {text: pull back the Baltic battlegroups, lever: deterrence}\n")
    result = _assess(store, tmp_path, text)
    assert "pull back the Baltic battlegroups" in _strained(result)[1]
    assert result.verdict == "inconsistent"
    own = _assess(store, tmp_path, "title: t\ndirection: ask\nlevers: [deterrence]\n"
                                   "issue_areas: [nato_deterrence]\n")
    assert [(f.principle, f.effect) for f in own.findings] == [(1, "supports")]
    assert own.verdict == "consistent"


def test_principle_2_borders_and_alliances(store: Any, tmp_path: Path) -> None:
    text = ("title: t\ndirection: exchange\nlevers: [dialogue_channels]\nissue_areas: [ukraine]\n"
            "changes_borders_or_alliances: true\n")
    result = _assess(store, tmp_path, text)
    assert "Helsinki Final Act" in _strained(result)[2]
    assert result.verdict == "inconsistent"


def test_principle_4_over_the_heads_of_neighbours(store: Any, tmp_path: Path) -> None:
    base = "title: t\ndirection: exchange\nlevers: [dialogue_channels]\nissue_areas: [diplomacy]\n"
    result = _assess(store, tmp_path, base + "concerns: [POL, UKR]\nconsulted: [POL]\n")
    assert _strained(result)[4].startswith("concerns UKR without them being consulted")
    assert result.verdict == "inconsistent"
    ok = _assess(store, tmp_path, base + "concerns: [POL]\nconsulted: [POL]\n")
    assert [(f.principle, f.effect) for f in ok.findings] == [(4, "supports")]
    assert ok.verdict == "consistent"


def test_grand_bargain_limit(store: Any, tmp_path: Path) -> None:
    three = "title: t\ndirection: exchange\nlevers: [summits]\nissue_areas: [arctic, syria, diplomacy]\n"
    assert _assess(store, tmp_path, three).verdict == "consistent"
    # a fourth issue area, brought in by what is asked, crosses the default limit of 3
    four = three + "asks:\n  - {text: talks, issue_areas: [arms_control]}\n"
    result = _assess(store, tmp_path, four)
    assert "bundles 4 issue areas (arctic, syria, diplomacy, arms_control)" in \
        _strained(result)["no_grand_bargain"]
    assert result.verdict == "inconsistent"


def test_allies_record_from_the_store(store: Any, tmp_path: Path) -> None:
    text = ("title: t\ndirection: exchange\nlevers: [dialogue_channels]\nissue_areas: [diplomacy]\n"
            "concerns: [POL]\nconsulted: [POL]\n")
    result = _assess(store, tmp_path, text)
    rus, usa = result.allies
    assert (rus.direction, rus.events) == ("RUS->POL", 5)
    assert rus.net_cooperation == pytest.approx((2 - 3) / 5)
    assert rus.material_conflict_share == 0.0
    assert rus.event_ids[0] == "p5"
    assert (usa.direction, usa.events, usa.net_cooperation) == ("USA-POL", 1, None)
    assert usa.note == "insufficient evidence: 1 events, 5 needed"


def test_expected_response_comes_from_the_reciprocity_model(store: Any, tmp_path: Path) -> None:
    calls: list[dict[str, Any]] = []

    def fake(st: Any, **kw: Any) -> dict[str, Any]:
        calls.append(kw)
        return {"status": "ok", "response": [0.5], "lower": [0.1], "upper": [0.9], "horizon": 1}

    result = _assess(store, tmp_path, RELIEF, model=fake)
    assert result.expected_response["response"] == [0.5]
    assert calls[0]["mover"] == "USA" and calls[0]["responder"] == "RUS"
    assert calls[0]["issue"] == "sanctions" and calls[0]["dataset"] == "changed"
    result = _assess(store, tmp_path, RELIEF)
    assert result.expected_response == {"status": "insufficient_evidence",
                                        "reason": "not enough evidence: no model in these tests"}


def test_bad_proposal_names_file_and_line(store: Any, tmp_path: Path) -> None:
    with pytest.raises(PolicyFileError) as err:
        _assess(store, tmp_path, RELIEF.replace("direction: give", "direction: take"))
    assert err.value.line == 2 and "direction" in str(err.value)
    with pytest.raises(PolicyFileError) as err:
        _assess(store, tmp_path, RELIEF + "concerns: [Poland]\n")
    assert err.value.line == 7 and "'Poland' is not a three-letter country code" in str(err.value)


@pytest.mark.parametrize(("name", "verdict"), [
    ("sanctions_relief_no_change.yaml", "inconsistent"),
    ("mil_to_mil_deconfliction.yaml", "consistent"),
    ("grand_bargain.yaml", "inconsistent"),
    ("sanctions_relief_for_verified_ceasefire.yaml", "consistent_with_conditions"),
])
def test_example_proposals(store: Any, name: str, verdict: str) -> None:
    result = assess_proposal(store, EXAMPLES / name, as_of=AS_OF, dataset="unchanged",
                             response_model=no_model)
    assert result.verdict == verdict
