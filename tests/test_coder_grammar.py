"""The rule coder on single sentences: actors, voice, joint subjects, negation, modality."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.coder import Coder

CODER = Coder()
DAY = dt.date(2021, 6, 1)


def coded(sentence: str, day: dt.date = DAY) -> set[tuple[str, str, str]]:
    return {(s.code, t.code, c) for s, t, c in CODER.code_sentence(sentence, day, [])}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # active voice: source before the verb, target after it
        ("Russia imposed sanctions on Turkey.", {("RUS", "TUR", "163")}),
        ("Russian forces invaded Ukraine.", {("RUSMIL", "UKR", "190")}),
        ("Washington expelled 35 Russian diplomats.", {("USAGOV", "RUSGOV", "174")}),
        ("NATO condemned the Russian attack.", {("IGOWSTNAT", "RUS", "111")}),
        # passive voice: the actor after "by" is the source
        ("A Russian bomber was shot down by Turkish fighter jets.", {("TURMIL", "RUSMIL", "195")}),
        ("The Polish ambassador was expelled by Moscow.", {("RUSGOV", "POLGOV", "174")}),
        # a joint subject with a symmetric verb codes both directions
        ("Russia and Ukraine exchanged prisoners.", {("RUS", "UKR", "0841"), ("UKR", "RUS", "0841")}),
        ("Biden and Putin met in Geneva.", {("USAGOV", "RUSGOV", "044"), ("RUSGOV", "USAGOV", "044")}),
        # several countries sharing one head noun
        (
            "American and Russian diplomats held talks in Vienna.",
            {("USAGOV", "RUSGOV", "046"), ("RUSGOV", "USAGOV", "046")},
        ),
        # accusations take the object as target and refine the code by what is alleged
        ("The White House accused Russian intelligence of hacking.", {("USAGOV", "RUSSPY", "1125")}),
    ],
)
def test_structure(sentence: str, expected: set[tuple[str, str, str]]) -> None:
    assert coded(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Russia did not attack Ukraine.",
        "Russia has never attacked Ukraine.",
        "Russia may invade Ukraine.",
        "Russia could cut gas supplies to Europe next winter.",
        "The weather in Moscow was unusually warm this week.",
        "The talks were described as constructive.",
    ],
)
def test_negated_hedged_or_eventless_sentences_yield_nothing(sentence: str) -> None:
    assert coded(sentence) == set()


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # control verbs turn the governed act into a threat, rejection, intent or appeal
        ("Washington threatened to impose sanctions on Moscow.", {("USAGOV", "RUSGOV", "1312")}),
        ("Russia refused to withdraw its troops from Moldova.", {("RUS", "MDA", "1246")}),
        ("Russia threatened to deploy missiles near the Polish border.", {("RUS", "POL", "138")}),
        ("Russia refused to meet American negotiators.", {("RUS", "USAGOV", "125")}),
        ("Russia pledged to send humanitarian aid to Syria.", {("RUS", "SYR", "0333")}),
        ("Japan urged Russia to return the islands.", {("JPN", "RUS", "0253")}),
        # a future act is an announced intent for cooperation
        ("Moscow said it would hold talks with Washington.", {("RUSGOV", "USAGOV", "036")}),
    ],
)
def test_control_verbs_and_modality(sentence: str, expected: set[tuple[str, str, str]]) -> None:
    assert coded(sentence) == expected


def test_a_hedged_report_leaves_only_the_statement() -> None:
    # the invasion is conditional, so it is no event; what remains is Biden's statement about Russia
    assert coded("Biden said there would be costs if Russia invaded Ukraine.") == {("USAGOV", "RUS", "010")}


def test_reported_speech_codes_what_is_reported_not_the_speech() -> None:
    assert coded("Ukraine said Russian artillery shelled Kharkiv.") == {("RUSMIL", "UKR", "194")}


def test_treaty_withdrawal_takes_the_other_party_as_target() -> None:
    assert coded("Russia suspended its obligations under the INF Treaty.") == {("RUS", "USA", "160")}
    assert coded("The United States withdrew from the Open Skies Treaty.") == {("USA", "RUS", "160")}


def test_a_noun_after_a_determiner_is_not_a_verb() -> None:
    # "arrests" and "sanctions" here are nouns; only the criticism is an event
    got = coded("Washington criticised the arrests of protesters in Moscow.")
    assert {c for _, _, c in got} == {"111"}


def test_bare_role_nouns_take_the_country_of_the_place() -> None:
    assert coded("Russian soldiers killed civilians in Bucha.") == {("RUSMIL", "UKRCVL", "1823")}
    assert coded("Rebels in Idlib were bombed by Syrian aircraft.") == {("SYRMIL", "SYRREB", "195")}


def test_a_meeting_in_the_targets_capital_is_a_visit() -> None:
    assert coded("Tillerson met Lavrov in Moscow.", dt.date(2017, 4, 12)) == {("USAGOV", "RUSGOV", "042")}


def test_one_sentence_can_yield_several_events() -> None:
    got = coded("Biden and Putin agreed in a phone call to extend New START.")
    assert {c for _, _, c in got} == {"041", "057"}
    assert len(got) == 4


def test_joint_subject_symmetric_verb_ignores_actors_later_in_the_clause() -> None:
    # the United States is named in the deal's terms, not as a third party to the signing
    assert coded(
        "Washington and Kyiv signed a deal giving the United States a share of mineral revenue.",
        dt.date(2025, 4, 30),
    ) == {("USAGOV", "UKRGOV", "057"), ("UKRGOV", "USAGOV", "057")}
    # a coordinated "with" group stays whole: both partners are parties
    assert coded("Russia and Ukraine signed deals with Turkey and the United Nations.") == {
        ("RUS", "TUR", "057"),
        ("UKR", "TUR", "057"),
        ("RUS", "IGOUNO", "057"),
        ("UKR", "IGOUNO", "057"),
    }
