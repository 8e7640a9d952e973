"""POLECAT and PLOVER JSON readers: PLOVER stays PLOVER, quirks of the real files."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from detente import InputFileError, Store, read_events
from detente.readers import READERS, open_source

# the 40 columns of a POLECAT weekly file, in file order (docs/formats.md)
POLECAT_COLUMNS = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors",
    "Actor Title", "Actor Name Raw", "Wikipedia Actor ID", "Recipient Name", "Recipient Country",
    "Recipient COW", "Primary Recipient Sector", "Recipient Sectors", "Recipient Title",
    "Recipient Name Raw", "Wikipedia Recipient ID", "Placename", "City", "District", "Province",
    "Country", "Latitude", "Longitude", "GeoNames ID", "Raw Placename", "Feature Type", "Source",
    "Publication Date", "Story People", "Story Organizations", "Story Locations", "Language",
    "Version",
)
ICEWS_COLUMNS = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
    "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country", "Story ID",
    "Sentence Number", "Publisher", "City", "District", "Province", "Country", "Latitude",
    "Longitude",
)


def polecat_row(columns: tuple[str, ...] = POLECAT_COLUMNS, **cells: str) -> str:
    """One POLECAT line: cells by column name (spaces as underscores), ``None`` elsewhere."""
    given = {k.replace("_", " "): v for k, v in cells.items()}
    unknown = set(given) - set(columns)
    assert not unknown, unknown
    return "\t".join(given.get(c, "None") for c in columns)


def write(path: Path, lines: list[str], *, final_newline: bool = True) -> Path:
    path.write_bytes(("\n".join(lines) + ("\n" if final_newline else "")).encode("utf-8"))
    return path


def by_id(table_rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["event_id"]: r for r in table_rows}


def quarantine(result: Any) -> list[tuple[int, str]]:
    return [(q.line, q.reason) for q in result.quarantine]


# -- POLECAT ------------------------------------------------------------------


@pytest.fixture
def polecat_file(tmp_path: Path) -> Path:
    return write(tmp_path / "ngecEvents_week603", [
        "\t".join(POLECAT_COLUMNS),
        polecat_row(Event_ID="20230103-A_ACCUSE_1", Event_Date="2023-01-03", Event_Type="ACCUSE",
                    Event_Mode="None", Intensity="-3.5", Quad_Code="VERBAL CONFLICT",
                    Actor_Name="Klaus Iohannis", Actor_Country="ROU", Actor_COW="360",
                    Primary_Actor_Sector="GOV", Actor_Sectors="GOV;ELI",
                    Recipient_Name="The Washington Post", Recipient_Country="USA; CAN",
                    Primary_Recipient_Sector="JRN", Source="https://example.org/story/1",
                    Language="en"),
        # lower-case type, no quad code, no recipient at all, an IGO as actor
        polecat_row(Event_ID="20230103-B_CONSULT_1", Event_Date="2023-01-03",
                    Event_Type="consult", Actor_Name="United Nations", Actor_Country="IGO",
                    Primary_Actor_Sector="IGO", Source="translateme2-pt"),
        # the coder's own quad (MATERIAL CONFLICT) wins over PROTEST's (3); a country
        # and a sector given by name; PLOVER's MED is health
        polecat_row(Event_ID="20230104-C_PROTEST_2", Event_Date="2023-01-04",
                    Event_Type="PROTEST", Quad_Code="MATERIAL CONFLICT",
                    Actor_Name="Nurses", Actor_Country="Russian Federation",
                    Primary_Actor_Sector="MED", Recipient_Name="Russian Army",
                    Recipient_Country="RUS", Primary_Recipient_Sector="Military"),
        polecat_row(Event_ID="20230104-D_X_1", Event_Date="2023-01-04", Event_Type="CELEBRATE"),
        polecat_row(Event_ID="20230104-E_X_1", Event_Date="2023-01-04", Event_Type="None"),
        polecat_row(Event_ID="20230104-F_X_1", Event_Date="2023-02-30", Event_Type="AGREE"),
        # cut off mid-row at the end of the file
        "\t".join(polecat_row(Event_ID="20230105-G_AGREE_1", Event_Date="2023-01-05",
                              Event_Type="AGREE").split("\t")[:9]),
    ], final_newline=False)


def test_polecat_detected_by_content_and_kept_in_plover(polecat_file: Path) -> None:
    result = read_events(polecat_file)
    assert result.reader == "polecat"
    rows = by_id(result.table.to_pylist())
    assert sorted(rows) == ["polecat:20230103-A_ACCUSE_1", "polecat:20230103-B_CONSULT_1",
                            "polecat:20230104-C_PROTEST_2"]
    for row in rows.values():
        assert row["ontology"] == "plover"
        assert row["event_code"] is None and row["event_root"] is None
        assert row["goldstein"] is None  # Intensity is another scale: dropped
        assert row["dataset"] == "polecat"

    accuse = rows["polecat:20230103-A_ACCUSE_1"]
    assert {k: accuse[k] for k in (
        "date", "plover_type", "quad_class", "source_actor", "source_country", "source_role",
        "source_name", "target_actor", "target_country", "target_role", "target_name", "url",
    )} == {
        "date": dt.date(2023, 1, 3), "plover_type": "ACCUSE", "quad_class": 3,
        "source_actor": "ROMGOV", "source_country": "ROM", "source_role": "GOV",
        "source_name": "Klaus Iohannis",
        # first of "USA; CAN"; PLOVER JRN (journalists) is CAMEO MED
        "target_actor": "USAMED", "target_country": "USA", "target_role": "MED",
        "target_name": "The Washington Post", "url": "https://example.org/story/1",
    }

    consult = rows["polecat:20230103-B_CONSULT_1"]
    assert (consult["plover_type"], consult["quad_class"]) == ("CONSULT", 1)
    assert (consult["source_actor"], consult["source_country"], consult["source_role"],
            consult["source_name"]) == ("IGO", None, "IGO", "United Nations")
    assert (consult["target_actor"], consult["target_country"], consult["target_role"],
            consult["target_name"]) == (None, None, None, None)
    assert consult["url"] is None  # a publisher name, not an address

    protest = rows["polecat:20230104-C_PROTEST_2"]
    assert (protest["plover_type"], protest["quad_class"]) == ("PROTEST", 4)
    assert (protest["source_actor"], protest["source_country"], protest["source_role"]) == (
        "RUSHLH", "RUS", "HLH")
    assert (protest["target_actor"], protest["target_role"]) == ("RUSMIL", "MIL")


def test_polecat_bad_rows_are_quarantined_with_line_and_reason(polecat_file: Path) -> None:
    result = read_events(polecat_file)
    assert quarantine(result) == [
        (5, "unknown PLOVER type: CELEBRATE"),
        (6, "Event Type is empty"),
        (7, "date is not a valid date: 2023-02-30"),
        (8, "cut off: 9 of 40 tab-separated fields"),
    ]
    assert result.quarantine[0].raw.startswith("20230104-D_X_1\t2023-01-04\tCELEBRATE\t")


def test_polecat_header_variants_read_by_name(tmp_path: Path) -> None:
    # Event Intensity for Intensity; the extra columns named and filled; trailing tabs
    columns = (*POLECAT_COLUMNS[:4], "Event Intensity", *POLECAT_COLUMNS[5:],
               "Headline", "Event Text", "Story ID")
    path = write(tmp_path / "ngecEventsDV-2022", [
        "\t".join(columns) + "\t",
        polecat_row(columns, Event_ID="a1", Event_Date="2022-05-01", Event_Type="AID",
                    Event_Intensity="4", Actor_Country="DEU", Recipient_Country="UKR",
                    Primary_Recipient_Sector="GOVMIL", Headline="Aid arrives",
                    Event_Text="Germany sent aid to Ukraine.", Story_ID="s-77") + "\t\t",
        polecat_row(columns, Event_ID="a2", Event_Date="2022-05-01", Event_Type="AID",
                    Headline="Aid again") + "\t\tstray",
    ])
    result = read_events(path)
    assert result.reader == "polecat"
    [row] = result.table.to_pylist()
    assert (row["event_id"], row["plover_type"], row["quad_class"], row["goldstein"]) == (
        "polecat:a1", "AID", 2, None)
    assert (row["source_actor"], row["target_actor"], row["target_role"]) == (
        "DEU", "UKRGOV", "GOV")
    assert (row["text"], row["doc_id"]) == ("Germany sent aid to Ukraine.", "s-77")
    assert quarantine(result) == [(3, "expected 43 tab-separated fields, found 45")]


def test_polecat_header_naming_columns_the_rows_lack(tmp_path: Path) -> None:
    # some files list Headline etc. in the header but give only the 40 standard cells
    header = (*POLECAT_COLUMNS, "Headline", "Event Text", "Feed", "Story ID")
    path = write(tmp_path / "ngecEvents.20230103111842.Release603.DV", [
        "\t".join(header),
        polecat_row(Event_ID="b1", Event_Date="2023-01-02", Event_Type="ASSAULT",
                    Actor_Country="SDN", Primary_Actor_Sector="REB", Version="1.0"),
        polecat_row(header, Event_ID="b2", Event_Date="2023-01-02", Event_Type="SANCTION",
                    Headline="Sanctions", Story_ID="st-2"),
        "b3\t2023-01-02\tASSAULT",
    ])
    result = read_events(path)
    rows = by_id(result.table.to_pylist())
    assert sorted(rows) == ["polecat:b1", "polecat:b2"]
    assert (rows["polecat:b1"]["source_actor"], rows["polecat:b1"]["quad_class"],
            rows["polecat:b1"]["doc_id"]) == ("SDNREB", 4, None)
    assert (rows["polecat:b2"]["text"], rows["polecat:b2"]["doc_id"]) == ("Sanctions", "st-2")
    assert quarantine(result) == [(4, "cut off: 3 of 40 or 44 tab-separated fields")]


def test_polecat_yearly_zip_with_crlf_lines(tmp_path: Path) -> None:
    lines = ["\t".join(POLECAT_COLUMNS),
             polecat_row(Event_ID="z1", Event_Date="2022-12-31", Event_Type="MOBILIZE",
                         Actor_Country="TLS", Primary_Actor_Sector="MIL"),
             polecat_row(Event_ID="z2", Event_Date="2022-12-31", Event_Type="REQUEST",
                         Quad_Code="2", Actor_Country="None", Primary_Actor_Sector="GOV")]
    path = tmp_path / "ngecEventsDV-2022"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ngecEventsDV-2022.txt", "\r\n".join(lines) + "\r\n")
    result = read_events(path)
    assert result.reader == "polecat"
    assert result.quarantine == []
    rows = by_id(result.table.to_pylist())
    assert (rows["polecat:z1"]["source_actor"], rows["polecat:z1"]["quad_class"]) == (
        "TMPMIL", 4)  # ISO TLS is CAMEO TMP
    assert (rows["polecat:z2"]["source_actor"], rows["polecat:z2"]["source_country"],
            rows["polecat:z2"]["quad_class"]) == ("GOV", None, 2)  # numeric quad code


def test_icews_file_is_not_taken_for_polecat(tmp_path: Path) -> None:
    path = write(tmp_path / "events.2018", [
        "\t".join(ICEWS_COLUMNS),
        "\t".join(["1", "2018-06-01", "Russia", "NA", "Russian Federation", "Consult", "040",
                   "1", "China", "NA", "China", "9", "1", "P", "NA", "NA", "NA", "Russia",
                   "55.7", "37.6"]),
    ])
    with open_source(path) as src:
        assert READERS["polecat"].sniff(src) == 0.0
        assert READERS["plover"].sniff(src) == 0.0
    assert read_events(path).reader == "icews"


def test_polecat_without_event_type_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "x", ["Event ID\tEvent Date\tActor Name", "1\t2023-01-01\tA"])
    with pytest.raises(InputFileError, match="POLECAT header lacks Event Type"):
        read_events(path, fmt="polecat")


# -- PLOVER JSON ----------------------------------------------------------------

FULL_RECORD = {
    "id": "p1", "date": "2016-07-24", "event": ["AGREE", "CONSULT"], "mode": "",
    "context": ["economic"], "quad_code": 2,
    "source": [{"code": "USA", "sector": "GOV", "actor_text": "US government"},
               {"code": "MEX"}],
    "recipient": [{"code": "CAN", "actor_text": "Canada"}],
    "text": "The United States agreed to talks with Canada.",
    "cite_info": {"url": "https://example.org/p1", "citation": "AP 2016-07-24"},
}


@pytest.fixture
def plover_file(tmp_path: Path) -> Path:
    return write(tmp_path / "coded_batch_7", [
        json.dumps(FULL_RECORD),
        # older draft: target, camelCase keys, numeric id, a bare string event, bad quad
        json.dumps({"id": 7, "date": "2016-07-25", "event": "assault", "quad_code": 9,
                    "source": [{"code": "ROU", "sector": "MIL", "actorText": "Romanian army"}],
                    "target": [{"code": "Ukraine", "actorText": "Ukraine"}],
                    "eventText": "shelled"}),
        # no recipient; an IGO; the event text stands in for the missing text
        json.dumps({"id": "p3", "date": "2016-07-26", "event": "SUPPORT",
                    "source": [{"code": "IGO", "actor_text": "United Nations"}],
                    "event_text": ["praised", "the deal"], "quad_code": "VERBAL COOPERATION"}),
        json.dumps({"id": "p4", "date": "2016-07-26", "event": "CELEBRATE",
                    "source": [{"code": "FRA"}]}),
        '{"id": "p5", "date": "2016-07-26", "event": ',
        "[1, 2]",
        "",
        json.dumps({"id": "p8", "date": "2016-07-27", "event": "coerce",
                    "source": {"code": "CHN", "sector": "COP"}, "recipient": "HKG"}),
        '{"id": "p9", "date": "2016-07-2',
    ], final_newline=False)


def test_plover_json_detected_and_read(plover_file: Path) -> None:
    result = read_events(plover_file)
    assert result.reader == "plover"
    rows = by_id(result.table.to_pylist())
    assert sorted(rows) == ["plover:7", "plover:p1", "plover:p3", "plover:p8"]
    for row in rows.values():
        assert (row["ontology"], row["event_code"], row["event_root"], row["goldstein"],
                row["dataset"]) == ("plover", None, None, None, "plover")

    p1 = rows["plover:p1"]
    assert {k: p1[k] for k in (
        "date", "plover_type", "quad_class", "source_actor", "source_country", "source_role",
        "source_name", "target_actor", "target_country", "target_name", "text", "url", "doc_id",
    )} == {
        "date": dt.date(2016, 7, 24), "plover_type": "AGREE",
        "quad_class": 2,  # the record's own quad code, not AGREE's 1
        "source_actor": "USAGOV", "source_country": "USA", "source_role": "GOV",
        "source_name": "US government", "target_actor": "CAN", "target_country": "CAN",
        "target_name": "Canada", "text": "The United States agreed to talks with Canada.",
        "url": "https://example.org/p1", "doc_id": "AP 2016-07-24",
    }

    p7 = rows["plover:7"]
    assert (p7["plover_type"], p7["quad_class"]) == ("ASSAULT", 4)  # quad 9 ignored
    assert (p7["source_actor"], p7["source_country"], p7["source_name"]) == (
        "ROMMIL", "ROM", "Romanian army")
    assert (p7["target_actor"], p7["target_country"], p7["target_name"]) == (
        "UKR", "UKR", "Ukraine")
    assert p7["text"] == "shelled"

    p3 = rows["plover:p3"]
    assert (p3["plover_type"], p3["quad_class"], p3["text"]) == ("SUPPORT", 1, "praised")
    assert (p3["source_actor"], p3["source_country"], p3["source_role"]) == ("IGO", None, "IGO")
    assert (p3["target_actor"], p3["target_country"], p3["target_name"]) == (None, None, None)

    p8 = rows["plover:p8"]
    assert (p8["plover_type"], p8["quad_class"], p8["source_actor"], p8["target_actor"]) == (
        "COERCE", 4, "CHNCOP", "HKG")


def test_plover_json_bad_lines_are_quarantined(plover_file: Path) -> None:
    result = read_events(plover_file)
    assert quarantine(result) == [
        (4, "unknown PLOVER type: CELEBRATE"),
        (5, "not valid JSON"),
        (6, "not a JSON object"),
        (9, "not valid JSON"),
    ]
    assert result.quarantine[-1].raw == '{"id": "p9", "date": "2016-07-2'


def test_plover_json_array_file(tmp_path: Path) -> None:
    records = [FULL_RECORD, {"id": "p2", "date": "2016-07-25", "event": "THREATEN",
                             "source": [{"code": "PRK"}], "recipient": [{"code": "KOR"}]}, 5]
    path = tmp_path / "records"
    path.write_text(json.dumps(records, indent=2), encoding="utf-8")
    result = read_events(path)
    assert result.reader == "plover"
    rows = by_id(result.table.to_pylist())
    assert sorted(rows) == ["plover:p1", "plover:p2"]
    assert (rows["plover:p2"]["plover_type"], rows["plover:p2"]["quad_class"],
            rows["plover:p2"]["target_actor"]) == ("THREATEN", 3, "KOR")
    assert [q.reason for q in result.quarantine] == ["not a JSON object"]


def test_plover_json_broken_array_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "records"
    path.write_text(json.dumps([FULL_RECORD, FULL_RECORD], indent=2)[:-40], encoding="utf-8")
    with pytest.raises(InputFileError, match="cannot be read as plover"):
        read_events(path)


def test_canonical_jsonl_is_not_taken_for_plover(tmp_path: Path) -> None:
    path = write(tmp_path / "export", [json.dumps(
        {"event_id": "x:1", "date": "2020-01-01", "plover_type": "AGREE", "event": "AGREE",
         "source": "USA"})])
    assert read_events(path).reader == "canonical-jsonl"


# -- into the store -----------------------------------------------------------


@pytest.mark.parametrize(("fixture", "reader", "counts"), [
    ("polecat_file", "polecat", (7, 3, 0, 4)),
    ("plover_file", "plover", (8, 4, 0, 4)),
])
def test_ingest_into_store_once(request: pytest.FixtureRequest, tmp_path: Path, fixture: str,
                                reader: str, counts: tuple[int, int, int, int]) -> None:
    path: Path = request.getfixturevalue(fixture)
    read, stored, _, quarantined = counts
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as store:
        first = store.ingest_file(path)
        assert (first.reader, first.dataset) == (reader, reader)
        assert (first.read, first.stored, first.duplicates, first.conflicts,
                first.quarantined) == (read, stored, 0, 0, quarantined)
        again = store.ingest_file(path)
        assert (again.read, again.stored, again.duplicates, again.conflicts,
                again.quarantined) == (read, 0, stored, 0, quarantined)
        assert store.count() == stored
        events = store.events().to_pylist()
        assert {e["ontology"] for e in events} == {"plover"}
        assert {e["event_code"] for e in events} == {None}


def test_polecat_place_and_publisher(tmp_path: Path) -> None:
    path = write(tmp_path / "ngecEvents_geo", [
        "\t".join(POLECAT_COLUMNS),
        polecat_row(Event_ID="g1", Event_Date="2023-01-03", Event_Type="ACCUSE",
                    Actor_Country="ROU", Recipient_Country="USA", Placename="Bucharest",
                    City="Bucharest", Country="ROU", Latitude="44.4323", Longitude="26.1063",
                    Source="https://www.example.org/story/1"),
        # no place name: the city, province and country joined; a coordinate off the globe
        # is dropped with its pair, not the event
        polecat_row(Event_ID="g2", Event_Date="2023-01-03", Event_Type="CONSULT",
                    Actor_Country="RUS", City="Kazan", Province="Tatarstan", Country="RUS",
                    Latitude="95", Longitude="49.1", Source="translateme2-pt"),
    ])
    rows = by_id(read_events(path).table.to_pylist())
    one, two = rows["polecat:g1"], rows["polecat:g2"]
    assert (one["place"], one["place_country"], one["latitude"], one["longitude"],
            one["publisher"]) == ("Bucharest", "ROM", 44.4323, 26.1063, "example.org")
    assert (two["place"], two["place_country"], two["latitude"], two["publisher"]) == (
        "Kazan, Tatarstan, RUS", "RUS", None, None)
