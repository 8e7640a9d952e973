"""Scoring the coder: one-to-one matching and the measures, by hand; the packaged sentences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.coder import GoldEvent, GoldSentence, gold_path, load_gold, match_events, score
from detente.errors import InputFileError
from detente.ontology import event_code


def ev(s: str, t: str, c: str) -> GoldEvent:
    return GoldEvent(s, t, c)


def test_matching_prefers_pairs_that_agree_most() -> None:
    expected = [ev("USAGOV", "RUSGOV", "163"), ev("RUS", "USA", "111")]
    coded = [ev("RUSMIL", "USA", "112"), ev("USA", "RUS", "1631"), ev("CHN", "JPN", "190")]
    # USA>RUS 163 pairs with USA>RUS 1631 (3 agreements), RUS>USA 111 with RUS>USA 112 (3);
    # CHN>JPN 190 agrees with neither on anything and stays unmatched
    assert match_events(expected, coded) == [(0, 1), (1, 0)]


def test_scores_by_hand() -> None:
    gold = [
        GoldSentence("1", None, "a", (ev("USA", "RUS", "163"),)),
        GoldSentence("2", None, "b", (ev("RUS", "UKR", "190"), ev("UKR", "RUS", "190"))),
        GoldSentence("3", None, "c", ()),
    ]
    coded = {
        "1": [ev("USAGOV", "RUS", "1631")],  # right dyad, right root, wrong full code
        "2": [ev("RUS", "UKR", "195")],  # one of two found; same root, other code
        "3": [ev("RUS", "USA", "010")],  # an event where there is none: false positive
    }
    s = score(gold, lambda sent: coded[sent.id])
    d = s.as_dict()
    assert (d["expected_events"], d["coded_events"], d["true_positives"]) == (3, 3, 2)
    assert (d["false_positives"], d["misses"]) == (1, 1)
    assert d["root_accuracy"] == round(2 / 3, 4)
    assert d["full_code_accuracy"] == 0.0
    assert d["dyad_accuracy"] == round(2 / 3, 4)
    assert d["precision"] == round(2 / 3, 4) and d["recall"] == round(2 / 3, 4)
    # roots: 16 tp 1 (F1 1), 19 tp 1 fn 1 (F1 2/3), 01 fp 1 (F1 0) -> macro (1 + 2/3 + 0) / 3
    assert d["f1_by_root"] == {"01": 0.0, "16": 1.0, "19": round(2 / 3, 4)}
    assert d["macro_f1_roots"] == round((1 + round(2 / 3, 4)) / 3, 4)
    assert d["confusion"] == {"-->01": 1, "16>16": 1, "19>--": 1, "19>19": 1}


def test_packaged_sentences_cover_every_root_both_parts_and_no_event_cases() -> None:
    dev, test = load_gold(gold_path("dev")), load_gold(gold_path("test"))
    assert len(dev) + len(test) >= 400
    assert len(test) >= 100
    assert not {s.text for s in dev} & {s.text for s in test}
    for part in (dev, test):
        events = [e for s in part for e in s.events]
        assert all(event_code(e.code) is not None for e in events)
        assert sum(1 for s in part if not s.events) >= 20
    roots = {e.code[:2] for s in dev + test for e in s.events}
    assert roots == {f"{r:02d}" for r in range(1, 21)}
    # both voices and negation are represented
    texts = " ".join(s.text for s in dev + test)
    assert " by " in texts and " not " in texts and "refused to" in texts


def test_a_malformed_gold_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "t", "events": [{"source": "USA"}]}) + "\n")
    with pytest.raises(InputFileError, match="line 1"):
        load_gold(bad)
    with pytest.raises(InputFileError, match="cannot read"):
        load_gold(tmp_path / "missing.jsonl")
