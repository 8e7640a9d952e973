"""Reading documents to code: formats, bad input, sentences, language."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from detente.coder import Coder, CodingReport, Document
from detente.coder.inputs import read_bytes, read_path
from detente.coder.language import english_problem
from detente.coder.sentences import split_sentences, tokenize

EN = "Russia imposed sanctions on Turkey. The United States criticised the decision."


def docs(
    data: bytes, name: str = "x.txt", day: dt.date | None = dt.date(2020, 1, 1)
) -> tuple[list[Document], Counter[str]]:
    skipped: Counter[str] = Counter()
    return list(read_bytes(data, name, skipped, day)), skipped


def test_sentences_split_at_full_stops_but_not_after_abbreviations() -> None:
    text = (
        "Mr. Lavrov met Gen. Milley on Jan. 5 in Geneva. The U.S. delegation left early! "
        "Did Russia agree? It did not."
    )
    assert list(split_sentences(text)) == [
        "Mr. Lavrov met Gen. Milley on Jan. 5 in Geneva.",
        "The U.S. delegation left early!",
        "Did Russia agree?",
        "It did not.",
    ]
    assert tokenize("Russia's U.S.-made jets, again.") == [
        "Russia",
        "'s",
        "U.S.",
        "made",
        "jets",
        ",",
        "again",
    ]


def test_plain_text_takes_its_date_from_a_date_line_or_the_file_name() -> None:
    got, _ = docs(f"Date: 2019-03-04\n{EN}".encode(), "statement.txt", None)
    assert got[0].date == dt.date(2019, 3, 4) and got[0].id == "statement" and "Date:" not in got[0].text
    got, _ = docs(EN.encode(), "2018-07-16-helsinki.txt", None)
    assert got[0].date == dt.date(2018, 7, 16)


def test_json_lines_keep_id_date_and_url_and_skip_bad_lines() -> None:
    lines = [
        json.dumps({"id": "a1", "date": "2021-02-03", "text": EN, "url": "https://example.org/a1"}),
        "{not json",
        json.dumps({"id": "a2"}),
        json.dumps([1, 2]),
    ]
    got, skipped = docs("\n".join(lines).encode(), "in.jsonl")
    assert [(d.id, d.date, d.url) for d in got] == [("a1", dt.date(2021, 2, 3), "https://example.org/a1")]
    assert skipped == Counter({"JSON line not valid": 1, "JSON line without a text": 2})


def test_rss_and_atom_feeds() -> None:
    rss = (
        "<?xml version='1.0'?><rss><channel><item><title>Russia expels diplomats</title>"
        "<description>&lt;p&gt;Moscow expelled two Polish diplomats.&lt;/p&gt;</description>"
        "<link>https://example.org/1</link><guid>g1</guid><pubDate>Tue, 05 Mar 2019 10:00:00 GMT</pubDate>"
        "</item></channel></rss>"
    )
    got, _ = docs(rss.encode(), "feed.xml")
    assert got == [
        Document(
            "g1",
            dt.date(2019, 3, 5),
            "Russia expels diplomats. Moscow expelled two Polish diplomats.",
            "https://example.org/1",
        )
    ]
    atom = (
        "<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>e1</id><title>Talks</title>"
        "<summary>Russia and Ukraine held talks.</summary><link href='https://example.org/e1'/>"
        "<updated>2022-02-28T12:00:00Z</updated></entry></feed>"
    )
    got, _ = docs(atom.encode(), "feed.atom")
    assert [(d.id, d.date, d.url) for d in got] == [("e1", dt.date(2022, 2, 28), "https://example.org/e1")]


def test_a_feed_with_entity_declarations_is_refused_not_expanded() -> None:
    bomb = (
        "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;'>]>"
        "<rss><channel><item><title>&b;</title></item></channel></rss>"
    )
    got, skipped = docs(bomb.encode(), "bomb.xml")
    assert got == [] and skipped == Counter({"feed with a DOCTYPE or ENTITY (refused)": 1})


def test_empty_binary_and_oddly_encoded_files(tmp_path: Path) -> None:
    assert docs(b"") == ([], Counter({"empty file": 1}))
    assert docs(b"   \n\n") == ([], Counter({"empty file": 1}))
    assert docs(b"\x00\x01\x02PK\x03\x04" * 50) == ([], Counter({"binary file": 1}))
    got, skipped = docs(EN.encode("utf-16"))
    assert got[0].text == EN and not skipped
    got, skipped = docs("Russia criticised the caf\xe9 owners.".encode("cp1252"))
    assert "café" in got[0].text and skipped == Counter({"decoded as Windows-1252 (read anyway)": 1})
    missing: Counter[str] = Counter()
    big = tmp_path / "big.txt"
    big.write_bytes(b"")
    assert list(read_path(big, missing)) == [] and missing == Counter({"empty file": 1})


def test_non_english_text_is_detected() -> None:
    assert english_problem(EN + " It was the first time in years that the two sides met.") is None
    assert (
        english_problem("Россия ввела санкции против Турции, заявили в министерстве.")
        == "not English (non-Latin script)"
    )
    assert (
        english_problem(
            "La Russie a imposé des sanctions contre la Turquie, selon le ministère "
            "des affaires étrangères du pays."
        )
        == "not English (too few English function words)"
    )


def test_the_coder_counts_what_it_skips_and_never_fails() -> None:
    report = CodingReport()
    day = dt.date(2020, 1, 1)
    inputs = [
        Document("en", day, EN),
        Document("ru", day, "Россия ввела санкции против Турции, заявили в министерстве иностранных дел."),
        Document("undated", None, EN),
        Document("long", day, "Russia " + "and Russia " * 400 + "attacked Ukraine."),
        Document("noactors", day, "The weather was fine. Nobody said anything at all."),
    ]
    events = list(Coder().code_documents(inputs, report))
    # the criticism names no actor as its target: the target is of unknown country
    assert [(e.doc_id, e.source, e.target, e.code) for e in events] == [
        ("en", "RUS", "TUR", "163"),
        ("en", "USA", "---", "111"),
    ]
    assert events[0].sentence == "Russia imposed sanctions on Turkey."
    assert events[0].event_id.startswith("coded:")
    assert report.documents == 5
    assert report.skipped == Counter(
        {
            "document not English (non-Latin script)": 1,
            "document without a date": 1,
            "sentence longer than 1000 characters": 1,
            # "The weather was fine."
            "sentence without an event verb": 1,
            # "Nobody said anything at all.": nobody is no speaker
            "sentence without actors": 1,
        }
    )
    assert report.sentences == 2 + 1 + 2
    assert report.events == len(events)
