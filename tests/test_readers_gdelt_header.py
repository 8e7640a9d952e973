"""GDELT exports with a header row (BigQuery, R): detection, layouts, nulls, store identity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import actor, gdelt1_fields, gdelt1_line, gdelt2_fields, geo1, write_lines
from detente import Store, read_events
from detente.errors import UnknownFormatError
from detente.readers import detect, open_source

_GEO1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
          "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
_CORE = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor1{a}" for a in _ACTOR), *(f"Actor2{a}" for a in _ACTOR),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "NumSources", "NumArticles", "AvgTone",
)
GDELT1_NAMES = (*_CORE, *(f"{g}Geo_{f}" for g in ("Actor1", "Actor2", "Action") for f in _GEO1),
                "DATEADDED", "SOURCEURL")
GDELT2_NAMES = (*_CORE, *(f"{g}Geo_{f}" for g in ("Actor1", "Actor2", "Action") for f in _GEO2),
                "DATEADDED", "SOURCEURL")
assert len(GDELT1_NAMES) == 58 and len(GDELT2_NAMES) == 61

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _cell(value: str, delim: str, na: str) -> str:
    """Write one value as R's write.csv does: numbers bare, text quoted, missing as NA."""
    if value == "":
        return na
    if _NUMBER.fullmatch(value) and not value.startswith("0"):
        return value
    if delim == "\t" and '"' not in value and "\t" not in value:
        return value
    return '"' + value.replace('"', '""') + '"'


def export(path: Path, names: tuple[str, ...], rows: list[list[str]], *, delim: str = ",",
           na: str = "NA", row_numbers: bool = False, case: str = "as-is") -> Path:
    """Write ``rows`` under a header of ``names`` the way BigQuery and R users save GDELT."""
    header = [n.lower() if case == "lower" else n.upper() if case == "upper" else n for n in names]
    lines = [delim.join(([""] if row_numbers else []) + header) if delim == "\t" else
             delim.join(f'"{h}"' for h in ([""] if row_numbers else []) + header)]
    for i, row in enumerate(rows, start=1):
        cells = [_cell(v, delim, na) for v in row]
        lines.append(delim.join(([str(i)] if row_numbers else []) + cells))
    return write_lines(path, lines)


def _v1(**kw: object) -> list[str]:
    return gdelt1_fields(**kw)  # type: ignore[arg-type]


def _v2(**kw: object) -> list[str]:
    return gdelt2_fields(**kw)  # type: ignore[arg-type]


def _apr2012_rows() -> list[list[str]]:
    """Rows shaped like the April 2012 BigQuery-style sample: some without Actor1, no URL."""
    return [
        _v1(event_id=189358180, date="20120401", actor1=actor(), code="040",
            actor2=actor("BGR", "BULGARIAN", "BGR"), is_root="0", actor1_geo=geo1(),
            date_added="20130203", url=""),
        _v1(event_id=189358190, date="20120401", code="0231", date_added="20130203", url=""),
        _v1(event_id=189358191, date="20120402", code="190", date_added="20130203", url="",
            actor1=actor("NAT", "NATO", known_group="NAT")),
        _v1(event_id=189358192, date="20120403", code="1056", date_added="20130203", url=""),
    ]


def test_apr2012_shape_is_detected_and_read(tmp_path: Path) -> None:
    f = export(tmp_path / "apr2012.csv", GDELT1_NAMES, _apr2012_rows())
    with open_source(f) as src:
        assert detect(src).name == "gdelt1-csv"
    res = read_events(f)
    assert res.reader == "gdelt1-csv"
    assert res.quarantine == []
    rows = {r["event_id"]: r for r in res.table.to_pylist()}
    assert set(rows) == {"gdelt1:189358180", "gdelt1:189358190", "gdelt1:189358191",
                         "gdelt1:189358192"}
    first = rows["gdelt1:189358180"]
    assert first["source_actor"] is None and first["source_country"] is None  # NA is missing
    assert first["target_country"] == "BGR" and first["target_name"] == "BULGARIAN"
    assert first["event_code"] == "040" and first["event_root"] == "04"
    assert first["is_root"] is False and first["url"] is None and first["dataset"] == "gdelt1"
    usa = rows["gdelt1:189358190"]
    assert (usa["source_country"], usa["source_role"], usa["target_country"]) == ("USA", "GOV", "RUS")
    assert usa["quad_class"] == 1 and usa["goldstein"] == 3.4 and usa["num_mentions"] == 4
    assert rows["gdelt1:189358191"]["source_country"] == "NAT"  # by known group
    assert rows["gdelt1:189358192"]["event_code"] == "1056"


@pytest.mark.parametrize(("delim", "na", "row_numbers", "case"), [
    (",", "NA", True, "as-is"),     # R write.csv, with its row names
    (",", "", False, "lower"),      # BigQuery CSV export, names lower-cased by a user's tool
    ("\t", "", False, "upper"),     # tab-separated
    ("\t", "NA", True, "lower"),
])
def test_variants_read_the_same_events(tmp_path: Path, delim: str, na: str, row_numbers: bool,
                                       case: str) -> None:
    plain = read_events(export(tmp_path / "plain.csv", GDELT1_NAMES, _apr2012_rows()))
    other = read_events(export(tmp_path / "other.csv", GDELT1_NAMES, _apr2012_rows(),
                               delim=delim, na=na, row_numbers=row_numbers, case=case))
    assert other.reader == "gdelt1-csv" and other.quarantine == []
    strip = ["ingested_from"]
    assert (sorted(other.table.drop(strip).to_pylist(), key=lambda r: r["event_id"])
            == sorted(plain.table.drop(strip).to_pylist(), key=lambda r: r["event_id"]))


def test_gdelt2_columns_are_detected_from_the_header(tmp_path: Path) -> None:
    rows = [_v2(event_id=719024875), _v2(event_id=719024876, code="043", url="")]
    f = export(tmp_path / "bq-v2.csv", GDELT2_NAMES, rows)
    res = read_events(f)
    assert res.reader == "gdelt2-csv" and res.quarantine == []
    got = {r["event_id"]: r for r in res.table.to_pylist()}
    assert set(got) == {"gdelt2:719024875", "gdelt2:719024876"}
    assert got["gdelt2:719024875"]["url"] == "http://www.example.com/news/story-1"
    assert got["gdelt2:719024876"]["url"] is None and got["gdelt2:719024876"]["dataset"] == "gdelt2"


def test_a_subset_of_columns_in_any_order(tmp_path: Path) -> None:
    """A BigQuery SELECT of a few columns: the layout comes from DATEADDED's form."""
    names = ("EventCode", "SQLDATE", "GLOBALEVENTID", "Actor1Code", "Actor2Code", "DATEADDED")
    f = write_lines(tmp_path / "few.csv", [
        ",".join(names),
        "042,20180101,719024875,USAGOV,RUS,20180101000000",
        "190,20180102,719024876,RUS,UKR,20180102000000",
    ])
    res = read_events(f)
    assert res.reader == "gdelt2-csv"
    got = {r["event_id"]: r for r in res.table.to_pylist()}
    assert got["gdelt2:719024875"]["source_actor"] == "USAGOV"
    assert got["gdelt2:719024875"]["source_country"] == "USA"  # derived from the actor code
    assert got["gdelt2:719024876"]["quad_class"] == 4
    assert got["gdelt2:719024876"]["goldstein"] == -10.0  # CAMEO weight when not given


def test_numbers_written_as_numbers(tmp_path: Path) -> None:
    """A code that lost its leading zero gets it back from the root code; 2.0 counts read."""
    names = ("GLOBALEVENTID", "SQLDATE", "Actor1Code", "Actor2Code", "EventCode",
             "EventRootCode", "QuadClass", "NumMentions", "IsRootEvent")
    f = write_lines(tmp_path / "numbers.csv", [
        ",".join(names),
        "189358180.0,20120401,USA,RUS,40,4,1.0,2.0,TRUE",
        "189358181,20120401,USA,RUS,100,10,3,5,FALSE",
    ])
    got = {r["event_id"]: r for r in read_events(f).table.to_pylist()}
    assert got["gdelt1:189358180"]["event_code"] == "040"
    assert got["gdelt1:189358180"]["num_mentions"] == 2 and got["gdelt1:189358180"]["is_root"] is True
    assert got["gdelt1:189358181"]["event_code"] == "100"  # a root of 10 keeps its code


def test_bad_rows_are_quarantined_with_their_lines(tmp_path: Path) -> None:
    rows = _apr2012_rows()
    rows.insert(1, _v1(event_id=189358200, date="20121350", date_added="20130203", url=""))
    rows.insert(3, _v1(event_id=189358201, code="999", date_added="20130203", url=""))
    f = export(tmp_path / "bad.csv", GDELT1_NAMES, rows)
    res = read_events(f)
    assert res.table.num_rows == 4
    assert [(q.line, q.reason) for q in res.quarantine] == [
        (3, "SQLDATE is not a valid date: 20121350"),
        (5, "unknown CAMEO event code: 999"),
    ]
    assert res.quarantine[0].raw.startswith("189358200,20121350")


def test_not_gdelt_is_not_taken(tmp_path: Path) -> None:
    f = write_lines(tmp_path / "other.csv", ["id,date,code", "1,20120401,040"])
    with open_source(f) as src, pytest.raises(UnknownFormatError):
        detect(src)


def test_same_event_from_a_header_export_and_gdelts_own_file_is_one_event(tmp_path: Path) -> None:
    own = write_lines(tmp_path / "20130415.export.CSV", [gdelt1_line(event_id=250000001)])
    bq = export(tmp_path / "bq.csv", GDELT1_NAMES, [_v1(event_id=250000001),
                                                      _v1(event_id=250000002, code="043")])
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        first = st.ingest_file(own)
        second = st.ingest_file(bq)
        assert (first.stored, second.stored, second.duplicates, second.conflicts) == (1, 1, 1, 0)
        assert st.count() == 2
