"""The coder on wire copy as it is written: long sentences, attribution, apposition, relative
clauses, coordination, passives, nominal events, accusations, topics of talks; and scoring it
on labelled news sentences in the two published layouts (class per sentence, source/target
spans). Every sentence here was written for these tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.cli.app import app
from detente.coder import Coder, load_gold
from detente.coder._prose import (
    cameo_class,
    detect_layout,
    evaluate_prose,
    head,
    load_class_file,
    load_span_file,
    part_of,
)
from detente.coder.sentences import split_sentences
from detente.errors import InputFileError

CODER = Coder()
DAY = dt.date(2022, 6, 1)


def coded(sentence: str, day: dt.date = DAY) -> set[tuple[str, str, str]]:
    return {(s.code, t.code, c) for s, t, c in CODER.code_sentence(sentence, day, [])}


# -- sentences ------------------------------------------------------------------------


def test_an_initialism_before_a_name_or_title_does_not_end_the_sentence() -> None:
    text = (
        "Talks between U.S. Secretary of State Antony Blinken and Sergei Lavrov ended at 4 p.m. "
        "Friday without a deal. Gen. Mark Milley spoke later. Moscow blamed the U.S. "
        "The Kremlin said so."
    )
    assert list(split_sentences(text)) == [
        "Talks between U.S. Secretary of State Antony Blinken and Sergei Lavrov ended at 4 p.m. "
        "Friday without a deal.",
        "Gen. Mark Milley spoke later.",
        "Moscow blamed the U.S.",
        "The Kremlin said so.",
    ]


# -- constructions of wire copy -------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # attribution after the report: the report is coded, not the saying
        (
            "Russian forces shelled the port city of Odesa overnight, Ukrainian officials said on Tuesday.",
            {("RUSMIL", "UKR", "194")},
        ),
        # apposition: the subject is the phrase the apposition renames, not a name inside it
        (
            "The head of NATO, Jens Stoltenberg, met Ukrainian President Volodymyr Zelensky in Brussels.",
            {("IGOWSTNAT", "UKRGOV", "044")},
        ),
        # a relative clause between subject and verb is passed over
        (
            "Ukrainian troops, who crossed the border last week, attacked Russian positions near Kursk.",
            {("UKRMIL", "RUS", "190")},
        ),
        # coordinated subjects act each on their own
        (
            "Poland and Lithuania expelled Russian diplomats.",
            {("POL", "RUSGOV", "174"), ("LTU", "RUSGOV", "174")},
        ),
        # passive with the agent after "by"; and without one: the agent is unknown
        (
            "Two Ukrainian cargo ships were seized by the Russian navy in the Kerch Strait.",
            {("RUSMIL", "UKR", "192")},
        ),
        ("Two Ukrainian soldiers were killed in an ambush near Bakhmut.", {("---", "UKRMIL", "1823")}),
        # events named by a noun when no verb codes one
        ("The release of two Estonian border guards came after weeks of talks.", {("---", "ESTCOP", "0841")}),
        ("Russia's invasion of Ukraine drew condemnation across Europe.", {("RUS", "UKR", "190")}),
        # "accused X of ...": the accused is the target; what is alleged refines the code
        ("Kyiv accused Moscow of shelling the Zaporizhzhia nuclear plant.", {("UKRGOV", "RUSGOV", "1123")}),
        ("Western officials accused the Wagner Group of atrocities in Mali.", {("---GOV", "RUSMIL", "1124")}),
        # what is discussed is a topic, not a party: the parties are each other, or "with" whom
        (
            "Blinken and Lavrov discussed Ukraine in Geneva.",
            {("USAGOV", "RUSGOV", "040"), ("RUSGOV", "USAGOV", "040")},
        ),
        ("Macron discussed Ukraine with Scholz by telephone.", {("FRAGOV", "---", "041")}),
        # a name the dictionary does not know is an actor of unknown country
        ("The Earth Liberation Front claimed responsibility for the fire.", {("---", "---", "015")}),
        # a long sentence: a court, a name with an apposition and a relative clause after it
        (
            "A court in Minsk sentenced Maria Kalesnikava, an opposition leader who had led protests, "
            "to eleven years in prison.",
            {("BLRJUD", "---", "116")},
        ),
        # reported obligations are demands
        (
            "The European Union said Russia must withdraw its forces from Ukraine.",
            {("IGOEUREEC", "RUS", "100")},
        ),
        # a relative clause inside the object is an event of its own, its subject the phrase before
        (
            "Moldovan police detained a man who had threatened the president, the interior ministry said.",
            {("MDACOP", "---", "173"), ("---", "---GOV", "130")},
        ),
        # cooperation refused: a negated act of cooperation is a rejection
        ("Hungary will not accept the European Union's proposal.", {("HUN", "IGOEUREEC", "124")}),
    ],
)
def test_constructions_of_wire_copy(sentence: str, expected: set[tuple[str, str, str]]) -> None:
    assert coded(sentence) == expected


def test_a_statement_is_coded_only_when_nothing_else_is() -> None:
    assert coded("Lithuania's president said the talks had been difficult.") == {("LTUGOV", "---", "010")}
    # a reported act is the event; the saying is not coded beside it
    assert coded("Lithuania's president said Russian jets had violated its airspace.") == {
        ("RUSMIL", "---", "128")
    }


def test_a_transfer_goes_to_its_recipient_not_to_what_is_given() -> None:
    got = CODER.code_sentence("Japan donated $5 million to the World Food Programme in Afghanistan.", DAY, [])
    src, tgt, code = got[0]
    assert (src.code, tgt.code, code, tgt.name) == ("JPN", "---", "071", "World Food Programme")
    # a denial's other party is the one who made the charges
    got = CODER.code_sentence("The Guatemalan government denied charges by Jesuit clergymen.", DAY, [])
    assert [(s.code, t.code, c, t.name) for s, t, c in got] == [("GTMGOV", "---", "016", "Jesuit")]


def test_nobody_is_not_an_actor() -> None:
    assert coded("Nobody said anything at all.") == set()
    assert coded("The weather in Moscow was unusually warm this week.") == set()


# -- the five classes ----------------------------------------------------------------------


def test_classes_of_cameo_roots() -> None:
    assert [cameo_class(f"{r:02d}0") for r in range(1, 21)] == [
        0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 3, 4, 4, 4, 4,
    ]  # fmt: skip


# -- the split ------------------------------------------------------------------------------


def test_the_split_depends_on_the_words_only() -> None:
    a = "Kenya's president met Somali leaders in Nairobi on Monday."
    b = "Kenya ’s president met Somali leaders in Nairobi on Monday ."
    assert part_of(a) == part_of(b)
    parts = [part_of(f"Sentence number {i} about talks.") for i in range(600)]
    # about one in three is held
    assert 0.25 < parts.count("held") / len(parts) < 0.42


def test_head_words() -> None:
    assert head(["the", "Croatian", "government", "'s", "request"]) == "government"
    assert head(["Russian", "President", "Vladimir", "Putin"]) == "putin"
    assert head(["a", "car", "bomb", "in", "Kiev"]) == "bomb"


# -- the two layouts ------------------------------------------------------------------------

CLASS_FILE = (
    "Kenyan police arrested three opposition leaders in Nairobi on Monday.\t4\n"
    "Japan donated medical supplies to Nepal, the embassy said.\t2\n"
    "Sweden's foreign minister said the vote had been fair.\t0\n"
    "The weather was mild all week.\t3\n"
)

SPAN_FILE = """Kenyan B-S
police I-S
arrested O
three B-T
opposition I-T
leaders I-T
in O
Nairobi O
. O

Putin B-R
met O
Erdogan B-R
in O
Sochi O
. O

The O
weather O
was O
mild O
. O
"""


def test_class_file_scores_every_sentence(tmp_path: Path) -> None:
    f = tmp_path / "classes.tsv"
    f.write_text(CLASS_FILE, encoding="utf-8")
    assert detect_layout(f) == "class"
    sents = load_class_file(f)
    assert [s.label for s in sents] == [4, 2, 0, 3]
    s = evaluate_prose(sents, CODER)
    d = s.as_dict()
    # three coded (arrest 173: class 4; donation 070: class 2; statement 010: class 0); the
    # last has no event and counts as a miss
    assert (d["sentences"], d["coded_sentences"], d["coverage"]) == (4, 3, 0.75)
    assert d["class_accuracy"] == 0.75
    assert d["confusion"] == {"0>0": 1, "2>2": 1, "3>--": 1, "4>4": 1}


def test_span_file_scores_sources_targets_and_reciprocal_pairs(tmp_path: Path) -> None:
    f = tmp_path / "spans.txt"
    f.write_text(SPAN_FILE, encoding="utf-8")
    assert detect_layout(f) == "span"
    sents = load_span_file(f)
    assert sents[0].text == "Kenyan police arrested three opposition leaders in Nairobi."
    assert sents[0].sources == (("Kenyan", "police"),)
    assert sents[1].mutual == (("Putin",), ("Erdogan",))
    d = evaluate_prose(sents, CODER).as_dict()
    assert d["sentences"] == 3
    # S/T in the first sentence, R (either way round) in the second; the third has no gold span
    assert (d["source_spans"], d["target_spans"], d["mutual_spans"]) == (2, 2, 1)
    assert d["source_agreement"] == 1.0 and d["target_agreement"] == 1.0
    assert d["mutual_agreement"] == 1.0


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        (
            "nolabel.tsv",
            "Kenya's police arrested three men.\t\n",
            "line 1: expected a sentence, a tab and its class",
        ),
        ("allO.txt", "Putin O\nmet O\nErdogan O\n", "no gold spans"),
        ("badtag.txt", "Putin B-X\n", "line 1: expected 'token TAG'"),
    ],
)
def test_a_file_without_gold_is_one_clear_error(
    tmp_path: Path, name: str, content: str, problem: str
) -> None:
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=problem):
        load_class_file(f) if name.endswith(".tsv") else load_span_file(f)


def test_a_json_gold_file_without_events_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "nogold.jsonl"
    f.write_text(
        json.dumps({"id": "1", "text": "Russia imposed sanctions on Turkey."}) + "\n", encoding="utf-8"
    )
    with pytest.raises(InputFileError, match="no gold events"):
        load_gold(f)
    result = CliRunner().invoke(app, ["evaluate-coder", str(f)])
    assert result.exit_code != 0
    assert "no gold events" in result.output


def test_evaluate_coder_reads_both_layouts_and_parts(tmp_path: Path) -> None:
    c = tmp_path / "classes.tsv"
    c.write_text(CLASS_FILE, encoding="utf-8")
    s = tmp_path / "spans.txt"
    s.write_text(SPAN_FILE, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate-coder", str(c), str(s), "--as", "json"])
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert d[str(c)]["class_accuracy"] == 0.75 and d[str(s)]["source_agreement"] == 1.0
    held = runner.invoke(app, ["evaluate-coder", str(c), "--part", "held", "--as", "json"])
    tune = runner.invoke(app, ["evaluate-coder", str(c), "--part", "tune", "--as", "json"])
    n_held = json.loads(held.output)[f"{c} (held)"]["sentences"]
    n_tune = json.loads(tune.output)[f"{c} (tune)"]["sentences"]
    assert n_held + n_tune == 4
    assert n_held == sum(part_of(line.split("\t")[0]) == "held" for line in CLASS_FILE.splitlines())
    table = runner.invoke(app, ["evaluate-coder", str(c), "--errors", "5"])
    assert table.exit_code == 0 and "coverage" in table.output and "The weather was mild" in table.output
