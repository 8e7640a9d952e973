"""Tests for detente.ontology: the CAMEO, PLOVER and ICEWS package data."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

import detente.ontology as ontology
from detente.ontology import (
    EventCode,
    actor_types,
    countries,
    event_code,
    event_codes,
    icews_country_code,
    icews_country_table,
    icews_role,
    icews_sector_table,
    known_groups,
    normalize_event_code,
    plover_type_for_cameo,
    plover_types,
    quad_class_for_root,
)

ROOTS = [f"{n:02d}" for n in range(1, 21)]

# The only CAMEO codes whose CAMEO2PLOVER type sits in another quad class than
# the CAMEO root: Schrodt's table sends INVESTIGATE (09x, material cooperation
# in GDELT's quad classes) to ACCUSE (verbal conflict).
QUAD_EXCEPTIONS = frozenset({"09", "090", "091", "092", "093", "094"})

PLOVER_QUADS = {
    "AGREE": 1,
    "CONSULT": 1,
    "SUPPORT": 1,
    "REQUEST": 1,
    "COOPERATE": 2,
    "AID": 2,
    "CONCEDE": 2,
    "RETREAT": 2,
    "ACCUSE": 3,
    "REJECT": 3,
    "DEMAND": 3,
    "DISAPPROVE": 3,
    "THREATEN": 3,
    "PROTEST": 3,
    "SANCTION": 4,
    "MOBILIZE": 4,
    "COERCE": 4,
    "ASSAULT": 4,
}

# Every country name and sector of the real ICEWS sample
# (reference/samples/events.2018.sample.tab, columns Source/Target Country,
# Country, Source/Target Sectors), copied here so tests do not read ../shared.
ICEWS_SAMPLE_COUNTRIES = (
    "Afghanistan",
    "Algeria",
    "Andorra",
    "Argentina",
    "Armenia",
    "Australia",
    "Austria",
    "Azerbaijan",
    "Bangladesh",
    "Belarus",
    "Belgium",
    "Benin",
    "Bolivia",
    "Bosnia and Herzegovina",
    "Botswana",
    "Brazil",
    "Bulgaria",
    "Burkina Faso",
    "Burundi",
    "Cambodia",
    "Cameroon",
    "Canada",
    "Central African Republic",
    "Chad",
    "Chile",
    "China",
    "Colombia",
    "Comoros",
    "Congo",
    "Costa Rica",
    "Cote d'Ivoire",
    "Croatia",
    "Cuba",
    "Czech Republic",
    "Democratic Republic of Congo",
    "Egypt",
    "Equatorial Guinea",
    "Estonia",
    "Ethiopia",
    "Finland",
    "France",
    "Gambia",
    "Georgia",
    "Germany",
    "Ghana",
    "Greece",
    "Guatemala",
    "Guinea",
    "Guinea-Bissau",
    "Haiti",
    "Holy See",
    "Honduras",
    "Hong Kong",
    "Hungary",
    "India",
    "Indonesia",
    "Iran",
    "Iraq",
    "Ireland",
    "Israel",
    "Italy",
    "Japan",
    "Jordan",
    "Kazakhstan",
    "Kenya",
    "Kuwait",
    "Kyrgyzstan",
    "Laos",
    "Latvia",
    "Lebanon",
    "Liberia",
    "Libya",
    "Lithuania",
    "Luxembourg",
    "Madagascar",
    "Malawi",
    "Malaysia",
    "Maldives",
    "Mali",
    "Marshall Islands",
    "Mauritania",
    "Mexico",
    "Moldova, Republic of",
    "Monaco",
    "Montenegro",
    "Morocco",
    "Mozambique",
    "Myanmar",
    "Namibia",
    "Nepal",
    "Netherlands",
    "New Zealand",
    "Nicaragua",
    "Niger",
    "Nigeria",
    "North Korea",
    "Norway",
    "Occupied Palestinian Territory",
    "Oman",
    "Pakistan",
    "Panama",
    "Papua New Guinea",
    "Philippines",
    "Poland",
    "Portugal",
    "Qatar",
    "Romania",
    "Russian Federation",
    "Rwanda",
    "Saudi Arabia",
    "Senegal",
    "Serbia",
    "Seychelles",
    "Sierra Leone",
    "Singapore",
    "Slovakia",
    "Slovenia",
    "Somalia",
    "South Africa",
    "South Korea",
    "South Sudan",
    "Spain",
    "Sri Lanka",
    "Sudan",
    "Swaziland",
    "Sweden",
    "Switzerland",
    "Syria",
    "Taiwan",
    "Tajikistan",
    "Tanzania",
    "Thailand",
    "Timor-Leste",
    "Togo",
    "Tunisia",
    "Turkey",
    "Turkmenistan",
    "Uganda",
    "Ukraine",
    "United Arab Emirates",
    "United Kingdom",
    "United States",
    "Uruguay",
    "Uzbekistan",
    "Venezuela",
    "Vietnam",
    "Western Sahara",
    "Yemen",
    "Zambia",
    "Zimbabwe",
    "the former Yugoslav Republic of Macedonia",
)

ICEWS_SAMPLE_SECTORS = (
    "(National) Major Party",
    "(National) Minor Party",
    "Agricultural",
    "Agriculture / Fishing / Forestry Ministry",
    "Air Force",
    "Army",
    "Army Special Forces",
    "Buddhist",
    "Business",
    "Business NGOs",
    "Cabinet",
    "Catholic",
    "Center Left",
    "Center Right",
    "Centrist",
    "Christian",
    "Communist",
    "Consulting / Financial Services Business",
    "Consumer Goods Business",
    "Criminals / Gangs",
    "Defense / Security Ministry",
    "Dissident",
    "Drugs Ministry",
    "Durable Goods Business",
    "Education",
    "Education Ministry",
    "Education NGOs",
    "Elections Ministry",
    "Elite",
    "Energy Ministry",
    "Entertainment",
    "Environment Ministry",
    "Ethnic NGOs",
    "Executive",
    "Executive Office",
    "Far Left",
    "Far Right",
    "Finance / Economy / Commerce / Trade Ministry",
    "Foreign Ministry",
    "Fulani / Fulbe",
    "Fundamentalist",
    "General Population / Civilian / Social",
    "Global",
    "Global Defense / Security IGOs",
    "Global Development IGOs",
    "Global Diplomatic IGOs",
    "Global Economic/Financial/Trade IGOs",
    "Global Health IGOs",
    "Global Information / Communication / Transparency IGOs",
    "Global Law / Justice / Judicial IGOs",
    "Government",
    "Government Major Party (In Government)",
    "Government Religious",
    "Gypsy",
    "Health Ministry",
    "Hindu",
    "Human Rights IGOs",
    "Human Rights Ministry",
    "Human Rights NGOs",
    "Ideological",
    "Igbo",
    "Industrial / Textiles / Mining Ministry",
    "Information / Communication / Transparency Ministry",
    "Insurgents",
    "Intelligence Ministry",
    "Interior / Home Ministry",
    "International Dissident",
    "International Ethnic",
    "International Government Organization",
    "International Insurgents",
    "International Radicals / Extremists / Fundamentalists",
    "International Religious",
    "Jewish",
    "Jews",
    "Judicial",
    "Justice / Law Ministry",
    "Kanuri-Saharan",
    "Kashmiri",
    "Kurd (Ethnic Group)",
    "Labor",
    "Labor Ministry",
    "Labor NGOs",
    "Legal",
    "Legislative / Parliamentary",
    "Local",
    "Lower House",
    "Management / Budget / Planning / Organization Ministry",
    "Marines",
    "Media",
    "Medical / Health",
    "Medical / Health NGOs",
    "Military",
    "Military Intelligence",
    "Multinational Corporation",
    "Municipal",
    "Municipal Divisions",
    "Municipal Party",
    "Muslim",
    "National / Border Divisions",
    "National Ethnic",
    "National Ethnic Majority",
    "National Ethnic Minority",
    "National Religious",
    "Nationalist",
    "Navy",
    "News",
    "Nongovernmental Organization (International)",
    "Nongovernmental Organizations / Activists",
    "Opposition Major Party (Out Of Government)",
    "Organized Violent",
    "Oromo",
    "Orthodox",
    "Parties",
    "Police",
    "Print News",
    "Protestant",
    "Protestors / Popular Opposition / Mobs",
    "Provincial",
    "Provincial Party",
    "Radicals / Extremists / Fundamentalists",
    "Rebel",
    "Refugees / Displaced",
    "Regional",
    "Regional Defense / Security IGOs",
    "Regional Diplomatic IGOs",
    "Regional Economic/Financial/Trade IGOs",
    "Religious Minority",
    "Science / Tech / Knowledge / Innovation Business",
    "Science / Tech / Knowledge / Innovation Ministry",
    "Secular",
    "Separatists",
    "Shia",
    "Shinto",
    "Sikh",
    "Social",
    "State Media",
    "State Owned Enterprises",
    "State-Owned Consulting / Financial Services",
    "State-Owned Heavy Industrial / Chemical",
    "Sunni",
    "Tamil",
    "Television Entertainment",
    "Television News",
    "Tourism Ministry",
    "Transportation Business",
    "Transportation Ministry",
    "Unicameral",
    "Unidentified Forces",
    "Upper House",
    "Women / Children / Social / Welfare / Development / Religion Ministry",
)


# --------------------------------------------------------------------- CAMEO


def test_every_code_has_name_root_quad_and_weight() -> None:
    codes = event_codes()
    assert len(codes) == 312
    for code, ev in codes.items():
        assert ev.code == code
        assert code.isdigit() and len(code) in (2, 3, 4)
        assert ev.name and ev.name == ev.name.strip() and "  " not in ev.name
        assert ev.root == code[:2] and ev.root in ROOTS
        assert ev.quad_class == quad_class_for_root(ev.root)
        assert -10.0 <= ev.goldstein <= 10.0


def test_every_code_has_its_parents() -> None:
    codes = event_codes()
    assert set(ROOTS) <= set(codes)
    for code in codes:
        assert code[:2] in codes
        if len(code) == 4:
            assert code[:3] in codes


def test_known_weights() -> None:
    expected = {
        "01": 0.0,
        "011": -0.1,
        "057": 8.0,
        "0874": 10.0,
        "1823": -10.0,
        "163": -8.0,
        "190": -10.0,
        "20": -10.0,
    }
    for code, weight in expected.items():
        found = event_code(code)
        assert found is not None
        assert found.goldstein == weight


def test_1213_takes_parent_weight() -> None:
    ev = event_code("1213")
    parent = event_code("121")
    assert ev is not None and parent is not None
    assert ev.name == "Reject judicial cooperation"
    assert ev.goldstein == parent.goldstein == -4.0


def test_names_follow_cameo_manual() -> None:
    expected = {
        "044": "Meet at a third location",
        "101": "Demand material cooperation, not specified below",
        "105": "Demand that target yields, not specified below",
        "106": "Demand meeting, negotiation",
        "107": "Demand settling of disputes",
        "108": "Demand mediation",
        "1056": "Demand de-escalation of military engagement",
        "033": "Express intent to provide material aid, not specified below",
        "2041": "Use chemical, biological, or radiological weapons",
        "19": "FIGHT",
    }
    for code, name in expected.items():
        found = event_code(code)
        assert found is not None
        assert found.name == name
    assert all(ev.name.isascii() for ev in event_codes().values())


def test_event_code_is_frozen_dataclass() -> None:
    ev = event_code("040")
    assert isinstance(ev, EventCode)
    assert ev == EventCode("040", "Consult, not specified below", "04", 1, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.name = "x"  # type: ignore[misc]


def test_event_code_unknown() -> None:
    assert event_code("40") is None
    assert event_code("999") is None
    assert event_code("") is None


def test_event_codes_returns_fresh_dict() -> None:
    first = event_codes()
    first.clear()
    assert len(event_codes()) == 312


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("40", "040"),
        ("040", "040"),
        ("211", "0211"),
        ("43", "043"),
        (" 190 ", "190"),
        ("10", "10"),
        ("1", "01"),
        ("411", None),
        ("999", None),
        ("", None),
        ("---", None),
    ],
)
def test_normalize_event_code(raw: str, expected: str | None) -> None:
    assert normalize_event_code(raw) == expected


@given(st.sampled_from(sorted(event_codes())))
def test_normalize_repairs_lost_leading_zero(code: str) -> None:
    assert normalize_event_code(code) == code
    if code.startswith("0") and event_code(code[1:]) is None:
        assert normalize_event_code(code[1:]) == code


@given(st.text(max_size=6))
def test_normalize_returns_valid_code_or_none(raw: str) -> None:
    result = normalize_event_code(raw)
    assert result is None or event_code(result) is not None


def test_quad_class_for_root() -> None:
    expected = {1: 1, 5: 1, 6: 2, 9: 2, 10: 3, 14: 3, 15: 4, 20: 4}
    for number, quad in expected.items():
        assert quad_class_for_root(f"{number:02d}") == quad
    assert quad_class_for_root("4") == 1
    for bad in ("00", "21", "", "x1", "100"):
        with pytest.raises(ValueError, match="root"):
            quad_class_for_root(bad)


def test_countries() -> None:
    table = countries()
    assert table["ROM"] == "Romania"
    assert table["TMP"] == "East Timor"
    assert table["RUS"] == "Russia"
    assert table["USA"] == "United States"
    assert table["COL"] == "Colombia"
    assert "0" not in table
    assert all(len(code) == 3 and code.isupper() for code in table)
    assert len(table) == 262


def test_known_groups() -> None:
    table = known_groups()
    assert "NATO" in table["NAT"]
    assert table["UNO"] == "United Nations"
    assert "0" not in table
    assert all("?" not in name for name in table.values())


def test_actor_types() -> None:
    table = actor_types()
    for role in ("GOV", "MIL", "COP", "JUD", "LEG", "OPP", "REB", "BUS", "MED", "IGO", "NGO"):
        assert role in table
    assert table["MIL"] == "Military"
    assert "0" not in table


# --------------------------------------------------------------------- PLOVER


def test_plover_types_and_quads() -> None:
    assert plover_types() == PLOVER_QUADS


def test_cameo2plover_skips_roots_01_and_02() -> None:
    for code in event_codes():
        if code[:2] in ("01", "02"):
            assert plover_type_for_cameo(code) is None


def test_cameo2plover_maps_every_code_of_roots_03_to_20() -> None:
    types = plover_types()
    for code in event_codes():
        if code[:2] not in ("01", "02"):
            ptype = plover_type_for_cameo(code)
            assert ptype in types, code


def test_cameo2plover_quad_agrees_with_root_except_listed() -> None:
    types = plover_types()
    mismatched = set()
    for code, ev in event_codes().items():
        ptype = plover_type_for_cameo(code)
        if ptype is not None and types[ptype] != ev.quad_class:
            mismatched.add(code)
    assert mismatched == QUAD_EXCEPTIONS


@pytest.mark.parametrize(
    ("code", "ptype"),
    [
        ("03", "AGREE"),
        ("036", "AGREE"),
        ("042", "CONSULT"),
        ("057", "SUPPORT"),
        ("062", "COOPERATE"),
        ("073", "AID"),
        ("08", "CONCEDE"),
        ("0811", "CONCEDE"),
        ("0813", "RETREAT"),
        ("0841", "RETREAT"),
        ("0874", "RETREAT"),
        ("091", "ACCUSE"),
        ("106", "DEMAND"),
        ("112", "ACCUSE"),
        ("1213", "REJECT"),
        ("1385", "THREATEN"),
        ("145", "PROTEST"),
        ("154", "MOBILIZE"),
        ("161", "SANCTION"),
        ("163", "COERCE"),
        ("173", "COERCE"),
        ("1712", "ASSAULT"),
        ("175", "ASSAULT"),
        ("190", "ASSAULT"),
        ("191", "COERCE"),
        ("192", "COERCE"),
        ("201", "ASSAULT"),
        ("2042", "ASSAULT"),
        ("40", "CONSULT"),
    ],
)
def test_cameo2plover_known_rows(code: str, ptype: str) -> None:
    assert plover_type_for_cameo(code) == ptype


def test_cameo2plover_unknown() -> None:
    assert plover_type_for_cameo("999") is None
    assert plover_type_for_cameo("") is None


# --------------------------------------------------------------------- ICEWS


def test_icews_country_examples() -> None:
    expected = {
        "Russian Federation": "RUS",
        "United States": "USA",
        "Ukraine": "UKR",
        "United Kingdom": "GBR",
        "Iran": "IRN",
        "South Korea": "KOR",
        "North Korea": "PRK",
        "Occupied Palestinian Territory": "PSE",
        "Congo, Democratic Republic of": "COD",
        "Democratic Republic of Congo": "COD",
        "Congo": "COG",
        "Taiwan": "TWN",
        "Czech Republic": "CZE",
        "Romania": "ROM",
        "Timor-Leste": "TMP",
        "Holy See": "VAT",
        "Montenegro": "MTN",
        "the former Yugoslav Republic of Macedonia": "MKD",
        " russian federation ": "RUS",
    }
    for name, code in expected.items():
        assert icews_country_code(name) == code, name


def test_icews_country_missing_values() -> None:
    for name in ("NA", "", "Atlantis"):
        assert icews_country_code(name) is None


def test_icews_sample_countries_all_map() -> None:
    for name in ICEWS_SAMPLE_COUNTRIES:
        assert icews_country_code(name) is not None, name


def test_icews_country_table_codes_are_cameo() -> None:
    table = icews_country_table()
    known = countries()
    names = [name for name, _ in table]
    assert len(names) == len(set(names))
    assert all(code in known for _, code in table)
    assert len({code for _, code in table}) >= 230


def test_icews_role_examples() -> None:
    assert icews_role("Military,Government") == "MIL"
    assert icews_role("Government,Military") == "MIL"
    assert icews_role("Executive,Government") == "GOV"
    assert icews_role("Executive,Foreign Ministry,Government") == "GOV"
    assert icews_role("Government,Police") == "COP"
    assert icews_role("Judicial,Government") == "JUD"
    assert icews_role("Government,Legislative / Parliamentary") == "LEG"
    assert icews_role("Military Intelligence,Government,Military") == "SPY"
    assert icews_role("Executive Office,Military,Government") == "GOV"
    assert icews_role("Dissident,Rebel") == "REB"
    assert icews_role("General Population / Civilian / Social,Social") == "CVL"
    assert icews_role("Media,Social") == "MED"
    assert (
        icews_role("International Government Organization,Global,Global Diplomatic IGOs") == "IGO"
    )
    assert icews_role("Parties,Opposition Major Party (Out Of Government)") == "OPP"
    assert icews_role(" military , government ") == "MIL"


def test_icews_role_unknown() -> None:
    for cell in ("", "NA", "Unspecified", "Unknown Sector"):
        assert icews_role(cell) is None


def test_icews_sample_sectors_all_covered() -> None:
    table = {sector: role for sector, role, _ in icews_sector_table()}
    for sector in ICEWS_SAMPLE_SECTORS:
        assert sector in table, sector
        assert icews_role(sector) == table[sector]


def test_icews_sector_roles_are_cameo_actor_types() -> None:
    roles = actor_types()
    rows = icews_sector_table()
    assert len(rows) == len({sector for sector, _, _ in rows})
    for sector, role, priority in rows:
        assert sector and role in roles
        assert isinstance(priority, int) and priority > 0


def test_public_names() -> None:
    assert sorted(ontology.__all__) == sorted(
        [
            "EventCode",
            "event_codes",
            "event_code",
            "event_label",
            "fips_country_code",
            "fips_country_table",
            "normalize_event_code",
            "quad_class_for_root",
            "countries",
            "known_groups",
            "actor_types",
            "plover_types",
            "plover_type_for_cameo",
            "icews_country_code",
            "icews_country_table",
            "icews_role",
            "icews_sector_table",
        ]
    )


def test_fips_countries_map_to_cameo_countries() -> None:
    table = ontology.fips_country_table()
    codes = ontology.countries()
    assert len(table) == len({f for f, _ in table}) > 230
    assert all(code in codes for _, code in table)
    # FIPS differs from ISO where it matters most, and CAMEO keeps its own codes
    assert ontology.fips_country_code("RS") == "RUS"
    assert ontology.fips_country_code("UP") == "UKR"
    assert ontology.fips_country_code("us") == "USA"
    assert ontology.fips_country_code("GM") == "DEU"
    assert ontology.fips_country_code("RO") == "ROM"
    assert ontology.fips_country_code("SF") == "ZAF"
    assert ontology.fips_country_code("KV") is None  # Kosovo: no CAMEO code
    assert ontology.fips_country_code("") is None


def test_event_labels_read_cleanly() -> None:
    assert ontology.event_label("163") == "Impose embargo, boycott, or sanctions"
    assert ontology.event_label("044") == "Meet at a third location"
    assert ontology.event_label("19") == "Fight"
    assert ontology.event_label("999") is None and ontology.event_label(None) is None
    for code in ontology.event_codes():
        label = ontology.event_label(code) or ""
        # GDELT's own table has a broken character in 044 and a few run-together words
        assert label and label.isprintable() and "?" not in label and "\ufffd" not in label, code
        assert "  " not in label and label == label.strip(), code
