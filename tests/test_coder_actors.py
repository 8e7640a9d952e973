"""The actor dictionary: countries, institutions, dated people and titles."""

from __future__ import annotations

import datetime as dt

import pytest

from detente.coder import load_actors
from detente.coder.actors import actor_country
from detente.coder.sentences import tokenize
from detente.errors import DetenteError

ACTORS = load_actors()


def mentions(text: str, day: dt.date | None) -> list[tuple[str, str]]:
    cased = tokenize(text)
    found, _ = ACTORS.scan([t.lower() for t in cased], cased, day)
    return [(m.code, m.name) for m in found if m.code]


def test_people_resolve_by_date() -> None:
    # Putin was prime minister in 2010 and president in 2015: RUSGOV either way
    assert mentions("Putin", dt.date(2010, 1, 1)) == [("RUSGOV", "Vladimir Putin")]
    # Trump before his first term is no government actor; in it he is
    assert mentions("Trump", dt.date(2015, 6, 1)) == [("USA", "Donald Trump")]
    assert mentions("Trump", dt.date(2018, 6, 1)) == [("USAGOV", "Donald Trump")]
    # Rubio: a senator (legislature) until January 2025, then secretary of state
    assert mentions("Rubio", dt.date(2020, 1, 1)) == [("USALEG", "Marco Rubio")]
    assert mentions("Rubio", dt.date(2025, 3, 1)) == [("USAGOV", "Marco Rubio")]
    # Stoltenberg led Norway's government, then NATO
    assert mentions("Stoltenberg", dt.date(2010, 1, 1)) == [("NORGOV", "Jens Stoltenberg")]
    assert mentions("Stoltenberg", dt.date(2020, 1, 1)) == [("IGOWSTNAT", "Jens Stoltenberg")]


def test_titles_name_the_office_holder_of_the_day() -> None:
    assert mentions("the Russian president", dt.date(2010, 1, 1)) == [("RUSGOV", "Dmitry Medvedev")]
    assert mentions("the Russian president", dt.date(2015, 1, 1)) == [("RUSGOV", "Vladimir Putin")]
    assert mentions("the secretary of state", dt.date(2014, 1, 1)) == [("USAGOV", "John Kerry")]
    assert mentions("the Ukrainian defence minister", dt.date(2022, 5, 1)) == [("UKRMIL", "Oleksii Reznikov")]


def test_countries_adjectives_capitals_roles_and_organisations() -> None:
    assert mentions("Russian troops", None) == [("RUSMIL", "Russia")]
    assert mentions("the Kremlin", None) == [("RUSGOV", "Kremlin")]
    assert mentions("Kyiv", None) == [("UKRGOV", "Ukraine")]
    assert [c for c, _ in mentions("NATO and the EU and the UN and the OSCE", None)] == [
        "IGOWSTNAT",
        "IGOEUREEC",
        "IGOUNO",
        "IGOEURSCE",
    ]
    assert [c for c, _ in mentions("American, British and French forces", None)] == [
        "USAMIL",
        "GBRMIL",
        "FRAMIL",
    ]


def test_short_names_need_their_capitals_and_names_that_hide_a_country_are_none() -> None:
    assert mentions("the US", None) == [("USA", "United States")]
    assert mentions("tell us", None) == []
    assert mentions("rice prices", None) == []  # a lower-case word is not a person's name
    assert mentions("the Black Sea", None) == []
    assert mentions("the South China Sea", None) == []


def test_actor_country_of_igo_codes() -> None:
    assert actor_country("IGOWSTNAT") == "NAT"
    assert actor_country("RUSMIL") == "RUS"
    assert actor_country("IGO") == "IGO"


def test_a_malformed_dictionary_is_one_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "actors.yaml"
    bad.write_text("people:\n  - names: [x]\n    terms: [[USAGOV, not-a-date, null, president]]\n")
    with pytest.raises(DetenteError, match="not a date"):
        load_actors(bad)
    bad.write_text("- just a list")
    with pytest.raises(DetenteError, match="mapping"):
        load_actors(bad)
