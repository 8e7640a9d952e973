"""ICEWS reader: header-based columns, country names, sector lists, ids, overlaps."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from conftest import ICEWS_COLUMNS, icews_fields, icews_header, icews_line, write_lines
from detente import InputFileError, Store, UnknownFormatError, read_events
from detente.ontology import icews_country_code, icews_role


def _by_id(result):
    return {r["event_id"]: r for r in result.table.to_pylist()}


def _sorted(result):
    """Rows without provenance, in event_id order (for comparing two reads)."""
    return sorted(result.table.drop(["ingested_from"]).to_pylist(), key=lambda r: r["event_id"])


def _one(tmp_path: Path, **fields: object) -> dict[str, object]:
    path = write_lines(tmp_path / "events.tab", [icews_header(), icews_line(**fields)])
    result = read_events(path)
    assert result.reader == "icews"
    assert result.quarantine == [], result.quarantine
    assert result.table.num_rows == 1
    return result.table.to_pylist()[0]


def test_icews_full_row_values(tmp_path: Path) -> None:
    row = _one(tmp_path, event_id=32889836, date="2018-06-01",
               source_name="Foreign Affairs (Russia)",
               source_sectors="Executive,Foreign Ministry,Government",
               source_country="Russian Federation", cameo="040", intensity="1",
               target_name="High Ranking Military Personnel (United States)",
               target_sectors="Military,Government", target_country="United States",
               story_id="47400351", sentence="2")
    expected = {
        "event_id": "icews:32889836:2018-06-01",
        "date": dt.date(2018, 6, 1),
        "source_actor": "RUSGOV",
        "target_actor": "USAMIL",
        "source_country": "RUS",
        "target_country": "USA",
        "source_role": "GOV",
        "target_role": "MIL",
        "source_name": "Foreign Affairs (Russia)",
        "target_name": "High Ranking Military Personnel (United States)",
        "ontology": "cameo",
        "event_code": "040",
        "event_root": "04",
        "plover_type": "CONSULT",
        "quad_class": 1,
        "goldstein": 1.0,
        "num_mentions": None,
        "num_sources": None,
        "num_articles": None,
        "avg_tone": None,
        "is_root": None,
        "url": None,
        "doc_id": "47400351#2",
        "citation_issuer": None,
        "citation_title": None,
        "citation_date": None,
        "citation_url": None,
        "dataset": "icews",
    }
    assert {k: row[k] for k in expected} == expected
    assert str(row["ingested_from"]).startswith("events.tab@sha256:")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Russian Federation", "RUS"),
        ("United States", "USA"),
        ("Vietnam", "VNM"),
        ("Bangladesh", "BGD"),
        ("China", "CHN"),
        ("Japan", "JPN"),
    ],
)
def test_icews_country_names_map_to_cameo_codes(tmp_path: Path, name: str, code: str) -> None:
    assert icews_country_code(name) == code
    row = _one(tmp_path, source_country=name, target_country=name)
    assert row["source_country"] == code
    assert row["target_country"] == code


def test_icews_na_country_is_null(tmp_path: Path) -> None:
    row = _one(tmp_path, source_country="NA", source_sectors="Military,Government",
               target_country="", target_sectors="NA")
    assert row["source_country"] is None
    assert row["source_role"] == "MIL"
    assert row["source_actor"] == "MIL"  # the role alone: there is no country to prefix
    assert row["target_country"] is None
    assert row["target_role"] is None
    assert row["target_actor"] is None


def test_icews_unknown_country_name_is_null_not_an_error(tmp_path: Path) -> None:
    row = _one(tmp_path, source_country="Atlantis")
    assert row["source_country"] is None
    assert row["source_name"] == "Foreign Affairs (Russia)"


@pytest.mark.parametrize(
    ("sectors", "role"),
    [
        ("Military,Government", "MIL"),
        ("Government,Military", "MIL"),
        ("Executive,Foreign Ministry,Government", "GOV"),
        ("Police", "COP"),
        ("Army", "MIL"),
        ("Executive Office,Military", "GOV"),  # Executive Office outranks Military
        ("NA", None),
        ("", None),
        ("Unspecified", None),
        ("No Such Sector", None),
    ],
)
def test_icews_sector_list_gives_one_role(tmp_path: Path, sectors: str, role: str | None) -> None:
    assert icews_role(sectors) == role
    row = _one(tmp_path, source_sectors=sectors)
    assert row["source_role"] == role
    assert row["source_actor"] == "RUS" + (role or "")


def test_icews_sector_priority_ties_go_to_the_earlier_sector(tmp_path: Path) -> None:
    assert icews_role("Rebel,Insurgents") == "REB"
    row = _one(tmp_path, source_sectors="Rebel,Insurgents")
    assert row["source_role"] == "REB"


def test_icews_lookups_agree_with_the_ontology_on_letter_case(tmp_path: Path) -> None:
    assert icews_country_code("russian federation") == "RUS"
    assert icews_role("military") == "MIL"
    row = _one(tmp_path, source_country="russian federation", source_sectors="military")
    assert (row["source_country"], row["source_role"]) == ("RUS", "MIL")


def test_icews_intensity_is_kept_as_goldstein(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "events.tab", [
        icews_header(),
        icews_line(event_id=1, cameo="040", intensity="-2.5"),   # CAMEO weight 1.0
        icews_line(event_id=2, cameo="190", intensity="-9"),     # CAMEO weight -10.0
        icews_line(event_id=3, cameo="190", intensity="NA"),     # missing: CAMEO weight
        icews_line(event_id=4, cameo="042", intensity=""),       # missing: CAMEO weight
        icews_line(event_id=5, cameo="130", intensity="10"),
    ])
    rows = _by_id(read_events(path))
    got = [rows[f"icews:{n}:2018-06-01"] for n in range(1, 6)]
    assert [r["goldstein"] for r in got] == [-2.5, -9.0, -10.0, 1.9, 10.0]
    assert [r["quad_class"] for r in got] == [1, 4, 4, 1, 3]
    assert [r["plover_type"] for r in got] == [
        "CONSULT", "ASSAULT", "ASSAULT", "CONSULT", "THREATEN"]


@pytest.mark.parametrize(
    ("written", "code", "root"),
    [("40", "040", "04"), ("040", "040", "04"), ("42", "042", "04"), ("190", "190", "19"),
     ("211", "0211", "02"), ("0211", "0211", "02"), ("14", "14", "14"), ("141", "141", "14")],
)
def test_icews_cameo_code_without_leading_zero(tmp_path: Path, written: str, code: str,
                                               root: str) -> None:
    row = _one(tmp_path, cameo=written)
    assert (row["event_code"], row["event_root"]) == (code, root)


def test_icews_event_and_doc_ids(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "events.tab", [
        icews_header(),
        icews_line(event_id=32889836, date="2018-06-01", story_id="47400351", sentence="2"),
        # ICEWS ids repeat across dates; the date makes the event id unique
        icews_line(event_id=32889836, date="2018-06-02", story_id="47400351", sentence="3"),
        icews_line(event_id=32889840, story_id="47400352", sentence="NA"),
        icews_line(event_id=32889841, story_id="NA", sentence="5"),
    ])
    result = read_events(path)
    assert result.quarantine == []
    assert sorted((r["event_id"], r["doc_id"]) for r in result.table.to_pylist()) == [
        ("icews:32889836:2018-06-01", "47400351#2"),
        ("icews:32889836:2018-06-02", "47400351#3"),
        ("icews:32889840:2018-06-01", "47400352"),
        ("icews:32889841:2018-06-01", None),
    ]


def test_icews_compact_date_is_accepted(tmp_path: Path) -> None:
    row = _one(tmp_path, event_id=9, date="20180602")
    assert row["date"] == dt.date(2018, 6, 2)
    assert row["event_id"] == "icews:9:2018-06-02"


def test_icews_columns_are_found_by_header_name(tmp_path: Path) -> None:
    order = list(range(len(ICEWS_COLUMNS)))
    random.Random(7).shuffle(order)

    def shuffled(fields: list[str]) -> str:
        return "\t".join(fields[i] for i in order)

    rows = [icews_fields(event_id=1), icews_fields(event_id=2, cameo="190", intensity="-10",
                                                   source_country="United States")]
    plain = read_events(write_lines(tmp_path / "a.tab",
                                    [icews_header(), *("\t".join(f) for f in rows)]))
    moved = read_events(write_lines(tmp_path / "b.tab",
                                    [shuffled(list(ICEWS_COLUMNS)), *(shuffled(f) for f in rows)]))
    assert moved.reader == "icews"
    assert moved.quarantine == []
    assert _sorted(moved) == _sorted(plain)


def test_icews_bad_date_reason_quotes_the_date_column(tmp_path: Path) -> None:
    cols = list(ICEWS_COLUMNS)
    order = [cols.index("Event ID"), cols.index("Source Name"), cols.index("Event Date")]
    order += [i for i in range(len(cols)) if i not in order]
    fields = icews_fields(event_id=1, date="2018-02-30", source_name="Somebody")
    path = write_lines(tmp_path / "b.tab", ["\t".join(cols[i] for i in order),
                                            "\t".join(fields[i] for i in order)])
    result = read_events(path)
    assert [(q.line, q.reason) for q in result.quarantine] == [
        (2, "Event Date is not a valid date: 2018-02-30")
    ]


def test_icews_extra_column_is_ignored(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "x.tab", [
        icews_header() + "\tAdded Column",
        icews_line(event_id=1) + "\textra",
    ])
    result = read_events(path)
    assert result.quarantine == []
    assert result.table.column("event_id").to_pylist() == ["icews:1:2018-06-01"]


def test_icews_without_optional_columns(tmp_path: Path) -> None:
    keep = ["Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country",
            "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country"]
    idx = [ICEWS_COLUMNS.index(c) for c in keep]
    fields = icews_fields(event_id=3)
    path = write_lines(tmp_path / "min.tab", ["\t".join(keep), "\t".join(fields[i] for i in idx)])
    result = read_events(path)
    assert result.reader == "icews"
    row = result.table.to_pylist()[0]
    assert (row["event_id"], row["doc_id"], row["event_code"]) == (
        "icews:3:2018-06-01", None, "040")


def test_icews_header_missing_a_required_column(tmp_path: Path) -> None:
    cols = [c for c in ICEWS_COLUMNS if c != "CAMEO Code"]
    path = write_lines(tmp_path / "bad.tab", ["\t".join(cols), "\t".join(["x"] * len(cols))])
    with pytest.raises(UnknownFormatError):
        read_events(path)
    with pytest.raises(InputFileError) as info:
        read_events(path, fmt="icews")
    message = str(info.value)
    assert str(path) in message
    assert "CAMEO Code" in message
    assert "\n" not in message


def test_icews_crlf_file_reads_like_lf(tmp_path: Path) -> None:
    lines = [icews_header(), icews_line(event_id=1), icews_line(event_id=2, lon="NA")]
    lf = read_events(write_lines(tmp_path / "lf.tab", lines))
    crlf = read_events(write_lines(tmp_path / "crlf.tab", lines, newline="\r\n"))
    assert crlf.reader == "icews"
    assert crlf.quarantine == []
    assert _sorted(crlf) == _sorted(lf)


def test_icews_quarantine_counts_the_header_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "q.tab", [
        icews_header(),                                    # 1
        icews_line(event_id=1),                            # 2
        "",                                                # 3
        icews_line(event_id=2, date="2018-13-01"),         # 4
        icews_line(event_id=3, cameo="999"),               # 5
        icews_line(event_id=4, intensity="11"),            # 6
        icews_line(event_id=5, intensity="strong"),        # 7
        icews_line(event_id="NA"),                         # 8
        "",                                                # 9
        icews_line(event_id=6),                            # 10
        "\t".join(icews_fields(event_id=7)[:12]),          # 11
        icews_line(event_id=8) + "\tsurplus",              # 12
        icews_line(event_id=9, date="NA"),                 # 13
    ])
    result = read_events(path)
    assert sorted(result.table.column("event_id").to_pylist()) == [
        "icews:1:2018-06-01", "icews:6:2018-06-01"]
    assert [(q.line, q.reason) for q in result.quarantine] == [
        (4, "Event Date is not a valid date: 2018-13-01"),
        (5, "unknown CAMEO code: 999"),
        (6, "Intensity is not a number in -10..10: 11"),
        (7, "Intensity is not a number in -10..10: strong"),
        (8, "Event ID is empty"),
        (11, "cut off: 12 of 20 tab-separated fields"),
        (12, "expected 20 tab-separated fields, found 21"),
        (13, "Event Date is not a valid date: NA"),
    ]


def test_icews_blank_lines_before_the_header(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "b.tab", ["", "", icews_header(), icews_line(event_id=1),
                                            icews_line(event_id=2, cameo="999")])
    result = read_events(path)
    assert result.table.column("event_id").to_pylist() == ["icews:1:2018-06-01"]
    assert [(q.line, q.reason) for q in result.quarantine] == [(5, "unknown CAMEO code: 999")]


# -- overlapping daily files in a store ---------------------------------------------------


def test_overlapping_daily_files_store_shared_events_once(tmp_path: Path) -> None:
    day1 = write_lines(tmp_path / "events.20180601.tab", [
        icews_header(),
        icews_line(event_id=101, date="2018-06-01"),
        icews_line(event_id=102, date="2018-06-01", cameo="190", intensity="-10"),
        icews_line(event_id=103, date="2018-06-02"),
    ])
    day2 = write_lines(tmp_path / "events.20180602.tab", [
        icews_header(),
        icews_line(event_id=103, date="2018-06-02"),                                # same
        icews_line(event_id=102, date="2018-06-01", cameo="190", intensity="-10"),  # same
        icews_line(event_id=104, date="2018-06-02"),                                # new
        icews_line(event_id=101, date="2018-06-03"),             # same id, other date: new
    ])
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as store:
        first = store.ingest_file(day1)
        assert (first.reader, first.read, first.stored, first.duplicates, first.conflicts,
                first.quarantined) == ("icews", 3, 3, 0, 0, 0)
        second = store.ingest_file(day2)
        assert (second.read, second.stored, second.duplicates, second.conflicts,
                second.quarantined) == (4, 2, 2, 0, 0)
        assert store.count() == 5
        ids = store.events().column("event_id").to_pylist()
        assert sorted(ids) == sorted([
            "icews:101:2018-06-01", "icews:102:2018-06-01", "icews:103:2018-06-02",
            "icews:104:2018-06-02", "icews:101:2018-06-03",
        ])
        files = store.files().to_pylist()
        assert [(f["name"], f["rows_read"], f["stored"], f["duplicates"]) for f in files] == [
            ("events.20180601.tab", 3, 3, 0),
            ("events.20180602.tab", 4, 2, 2),
        ]


def test_overlap_with_changed_content_is_a_conflict_and_first_version_stays(
        tmp_path: Path) -> None:
    day1 = write_lines(tmp_path / "d1.tab", [icews_header(), icews_line(event_id=7,
                                                                         intensity="1")])
    day2 = write_lines(tmp_path / "d2.tab", [icews_header(), icews_line(event_id=7,
                                                                         intensity="5")])
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as store:
        store.ingest_file(day1)
        report = store.ingest_file(day2)
        assert (report.read, report.stored, report.duplicates, report.conflicts) == (1, 0, 1, 1)
        assert store.events().column("goldstein").to_pylist() == [1.0]


def test_repeated_event_inside_one_file_is_stored_once(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "d.tab", [
        icews_header(), icews_line(event_id=7), icews_line(event_id=8), icews_line(event_id=7),
    ])
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as store:
        report = store.ingest_file(path)
        assert (report.read, report.stored, report.duplicates, report.quarantined) == (3, 2, 1, 0)
        assert store.count() == 2


def test_icews_publisher_and_place(tmp_path: Path) -> None:
    row = _one(tmp_path, publisher="Interfax", city="Moscow", district="NA", province="Moskva",
               country="Russian Federation", lat="55.7522", lon="37.6156")
    assert (row["publisher"], row["place"], row["place_country"], row["latitude"],
            row["longitude"]) == ("Interfax", "Moscow, Moskva, Russian Federation", "RUS",
                                  55.7522, 37.6156)
    unknown = _one(tmp_path, city="NA", province="NA", country="Kosovo", lat="42.67",
                   lon="21.17", publisher="NA")
    assert (unknown["publisher"], unknown["place"], unknown["place_country"]) == (
        None, "Kosovo", None)
