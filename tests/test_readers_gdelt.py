"""GDELT 1.0 and 2.0 readers: values, derived fields, layouts, detection, compression."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from conftest import (
    DERIVE,
    actor,
    gdelt1_line,
    gdelt2_line,
    geo1,
    geo2,
    gzip_file,
    write_lines,
    zip_file,
)
from detente import Store, read_events
from detente.ontology import event_code, plover_type_for_cameo
from detente.readers import detect, open_source
from detente.readers._base import sql_str
from detente.store._reading import install_lookups


def _rows(result):
    return result.table.to_pylist()


def _by_id(result):
    return {r["event_id"]: r for r in _rows(result)}


def _sorted(result):
    """Rows without provenance, in event_id order (for comparing two reads)."""
    return sorted(result.table.drop(["ingested_from"]).to_pylist(), key=lambda r: r["event_id"])


# -- GDELT 2.0: a small realistic file -------------------------------------------


@pytest.fixture
def gdelt2_file(tmp_path: Path) -> Path:
    """Five rows: full, no Actor1, no Actor2, no geography at all, NATO by known group."""
    return write_lines(
        tmp_path / "20180101000000.export.CSV",
        [
            gdelt2_line(event_id=719024875),
            gdelt2_line(event_id=719024876, actor1=actor(), code="043",
                        actor1_geo=geo2()),
            gdelt2_line(event_id=719024877, actor2=actor(), code="130",
                        actor2_geo=geo2(), is_root="0"),
            gdelt2_line(event_id=719024878, code="190", actor1_geo=geo2(), actor2_geo=geo2(),
                        action_geo=geo2(), url=""),
            gdelt2_line(event_id=719024879, code="0211",
                        actor1=actor("NAT", "NATO", known_group="NAT"),
                        actor2=actor("RUSMIL", "RUSSIA", "RUS", type1="MIL")),
        ],
    )


def test_gdelt2_file_reads_every_row(gdelt2_file: Path) -> None:
    result = read_events(gdelt2_file)
    assert result.reader == "gdelt2"
    assert result.quarantine == []
    assert result.table.num_rows == 5
    assert sorted(result.table.column("event_id").to_pylist()) == [
        "gdelt2:719024875",
        "gdelt2:719024876",
        "gdelt2:719024877",
        "gdelt2:719024878",
        "gdelt2:719024879",
    ]
    assert set(result.table.column("dataset").to_pylist()) == {"gdelt2"}
    assert set(result.table.column("ontology").to_pylist()) == {"cameo"}


def test_gdelt2_full_row_values(gdelt2_file: Path) -> None:
    row = _by_id(read_events(gdelt2_file))["gdelt2:719024875"]
    sha = hashlib.sha256(gdelt2_file.read_bytes()).hexdigest()
    expected = {
        "event_id": "gdelt2:719024875",
        "date": dt.date(2018, 1, 1),
        "source_actor": "USAGOV",
        "target_actor": "RUS",
        "source_country": "USA",
        "target_country": "RUS",
        "source_role": "GOV",
        "target_role": None,
        "source_name": "UNITED STATES",
        "target_name": "RUSSIA",
        "ontology": "cameo",
        "event_code": "042",
        "event_root": "04",
        "plover_type": "CONSULT",
        "quad_class": 1,
        "goldstein": 1.9,
        "num_mentions": 10,
        "num_sources": 2,
        "num_articles": 10,
        "avg_tone": pytest.approx(-2.56410256410256),
        "is_root": True,
        "url": "http://www.example.com/news/story-1",
        "text": None,
        "doc_id": None,
        "citation_issuer": None,
        "citation_title": None,
        "citation_date": None,
        "citation_url": None,
        "dataset": "gdelt2",
        "ingested_from": f"20180101000000.export.CSV@sha256:{sha[:16]}",
    }
    assert {k: row[k] for k in expected} == expected
    assert isinstance(row["issue_areas"], list)


def test_gdelt2_empty_actor_fields_are_null(gdelt2_file: Path) -> None:
    rows = _by_id(read_events(gdelt2_file))
    no_actor1 = rows["gdelt2:719024876"]
    assert no_actor1["source_actor"] is None
    assert no_actor1["source_country"] is None
    assert no_actor1["source_role"] is None
    assert no_actor1["source_name"] is None
    assert no_actor1["target_actor"] == "RUS"
    assert no_actor1["event_code"] == "043"
    no_actor2 = rows["gdelt2:719024877"]
    assert (no_actor2["target_actor"], no_actor2["target_country"], no_actor2["target_name"],
            no_actor2["target_role"]) == (None, None, None, None)
    assert no_actor2["source_actor"] == "USAGOV"
    assert no_actor2["is_root"] is False


def test_gdelt2_empty_geography_and_url(gdelt2_file: Path) -> None:
    row = _by_id(read_events(gdelt2_file))["gdelt2:719024878"]
    assert row["event_code"] == "190"
    assert row["url"] is None
    assert row["source_country"] == "USA"  # the actor's country, not its geography


def test_gdelt2_known_group_is_the_country_when_no_country_code(gdelt2_file: Path) -> None:
    row = _by_id(read_events(gdelt2_file))["gdelt2:719024879"]
    assert row["source_actor"] == "NAT"
    assert row["source_country"] == "NAT"
    assert row["source_name"] == "NATO"
    assert row["source_role"] is None
    assert row["target_actor"] == "RUSMIL"
    assert row["target_country"] == "RUS"
    assert row["target_role"] == "MIL"
    assert (row["event_code"], row["event_root"]) == ("0211", "02")


def test_gdelt2_country_code_wins_over_known_group(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(actor1=actor("USAIGONAT", "NATO", "USA", known_group="NAT", type1="IGO")),
    ])
    row = _rows(read_events(path))[0]
    assert row["source_country"] == "USA"
    assert row["source_role"] == "IGO"


# -- QuadClass and GoldsteinScale: kept from the source, derived only when empty -------


@pytest.mark.parametrize(
    ("code", "quad", "goldstein"),
    [
        ("190", "1", "3.5"),   # CAMEO says 4 and -10.0
        ("042", "4", "-7"),    # CAMEO says 1 and 1.9
        ("130", "2", "0"),     # CAMEO says 3 and -4.4
        ("0211", "3", "-10"),  # CAMEO says 1 and 3.4
    ],
)
def test_gdelt2_keeps_source_quad_class_and_goldstein(tmp_path: Path, code: str, quad: str,
                                                      goldstein: str) -> None:
    path = write_lines(tmp_path / "g.CSV", [gdelt2_line(code=code, quad_class=quad,
                                                        goldstein=goldstein)])
    row = _rows(read_events(path))[0]
    known = event_code(code)
    assert known is not None
    assert row["quad_class"] == int(quad) != known.quad_class
    assert row["goldstein"] == float(goldstein) != known.goldstein


@pytest.mark.parametrize(
    ("code", "goldstein", "quad", "root"),
    [
        ("190", -10.0, 4, "19"),
        ("042", 1.9, 1, "04"),
        ("043", 2.8, 1, "04"),
        ("130", -4.4, 3, "13"),
        ("0211", 3.4, 1, "02"),
        ("141", -6.5, 3, "14"),
        ("010", 0.0, 1, "01"),
    ],
)
def test_gdelt2_empty_goldstein_and_quad_class_are_derived(tmp_path: Path, code: str,
                                                           goldstein: float, quad: int,
                                                           root: str) -> None:
    path = write_lines(tmp_path / "g.CSV", [gdelt2_line(code=code, quad_class="", goldstein="")])
    row = _rows(read_events(path))[0]
    assert row["goldstein"] == goldstein
    assert row["quad_class"] == quad
    assert row["event_root"] == root


def test_gdelt2_only_the_empty_one_is_derived(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(event_id=1, code="190", quad_class="2", goldstein=""),
        gdelt2_line(event_id=2, code="190", quad_class="", goldstein="4.5"),
    ])
    rows = _by_id(read_events(path))
    assert (rows["gdelt2:1"]["quad_class"], rows["gdelt2:1"]["goldstein"]) == (2, -10.0)
    assert (rows["gdelt2:2"]["quad_class"], rows["gdelt2:2"]["goldstein"]) == (4, 4.5)


@pytest.mark.parametrize(
    ("code", "plover"),
    [
        ("190", "ASSAULT"),
        ("193", "ASSAULT"),
        ("042", "CONSULT"),
        ("040", "CONSULT"),
        ("130", "THREATEN"),
        ("051", "SUPPORT"),
        ("141", "PROTEST"),
        ("010", None),   # root 01: PLOVER does not code statements
        ("020", None),   # root 02: nor appeals
        ("0211", None),
    ],
)
def test_gdelt2_plover_type_is_mapped(tmp_path: Path, code: str, plover: str | None) -> None:
    assert plover_type_for_cameo(code) == plover  # the test's own expectation is the ontology's
    path = write_lines(tmp_path / "g.CSV", [gdelt2_line(code=code)])
    row = _rows(read_events(path))[0]
    assert row["plover_type"] == plover
    assert row["event_code"] == code


def test_gdelt2_counts_tone_and_is_root(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(event_id=1, mentions="18", sources="3", articles="17", tone="-9.765625",
                    is_root="0"),
        gdelt2_line(event_id=2, mentions="", sources="", articles="", tone="", is_root=""),
    ])
    rows = _by_id(read_events(path))
    one = rows["gdelt2:1"]
    assert (one["num_mentions"], one["num_sources"], one["num_articles"]) == (18, 3, 17)
    assert one["avg_tone"] == -9.765625
    assert one["is_root"] is False
    two = rows["gdelt2:2"]
    assert (two["num_mentions"], two["num_sources"], two["num_articles"], two["avg_tone"],
            two["is_root"]) == (None, None, None, None, None)


def test_gdelt2_event_date_is_sqldate_not_dateadded(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(date="20171202", date_added="20180101000000"),
    ])
    assert _rows(read_events(path))[0]["date"] == dt.date(2017, 12, 2)


def test_gdelt2_rows_come_back_in_file_order(tmp_path: Path) -> None:
    ids = [9_000_000 - 7 * i for i in range(300)]  # descending ids, varied codes
    codes = ["190", "042", "0211", "130", "051"]
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(event_id=i, code=codes[n % len(codes)]) for n, i in enumerate(ids)
    ])
    result = read_events(path)
    assert result.table.column("event_id").to_pylist() == [f"gdelt2:{i}" for i in ids]
    assert result.table.column("event_code").to_pylist() == [
        codes[n % len(codes)] for n in range(len(ids))
    ]


def test_gdelt2_reads_crlf_lines_like_lf(tmp_path: Path) -> None:
    lines = [gdelt2_line(event_id=1), gdelt2_line(event_id=2, url="http://e.com/x")]
    lf = read_events(write_lines(tmp_path / "lf.CSV", lines))
    crlf = read_events(write_lines(tmp_path / "crlf.CSV", lines, newline="\r\n"))
    assert crlf.reader == "gdelt2"
    assert crlf.quarantine == []
    assert _sorted(crlf) == _sorted(lf)
    assert {r["event_id"]: r["url"] for r in _rows(crlf)} == {
        "gdelt2:1": "http://www.example.com/news/story-1", "gdelt2:2": "http://e.com/x"
    }


def test_gdelt2_utf8_bom_does_not_spoil_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "bom.CSV"
    path.write_bytes(b"\xef\xbb\xbf" + (gdelt2_line(event_id=5) + "\n").encode())
    result = read_events(path)
    assert result.reader == "gdelt2"
    assert result.quarantine == []
    assert result.table.column("event_id").to_pylist() == ["gdelt2:5"]


def test_gdelt2_non_ascii_names_are_kept(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(actor1=actor("RUS", "МОСКВА", "RUS"),
                    url="http://example.com/ü?q=\"a\"&b='c'"),
    ])
    row = _rows(read_events(path))[0]
    assert row["source_name"] == "МОСКВА"
    assert row["url"] == "http://example.com/ü?q=\"a\"&b='c'"


# -- GDELT 1.0 ---------------------------------------------------------------------


@pytest.fixture
def gdelt1_mixed(tmp_path: Path) -> Path:
    """A user-assembled 1.0 file: 58-column daily rows and 57-column backfile rows."""
    return write_lines(
        tmp_path / "gdelt1.csv",
        [
            gdelt1_line(event_id=250000001, date="20130415", date_added="20130415"),
            gdelt1_line(event_id=150000002, date="20130301", date_added="20130302",
                        with_url=False, code="190"),
            gdelt1_line(event_id=250000003, date="20130416", date_added="20130416", code="130",
                        url="http://example.org/b", actor1_geo=geo1(), action_geo=geo1()),
            gdelt1_line(event_id=150000004, date="20121231", date_added="20130101",
                        with_url=False, quad_class="", goldstein=""),
        ],
    )


def test_gdelt1_reads_57_and_58_column_lines(gdelt1_mixed: Path) -> None:
    result = read_events(gdelt1_mixed)
    assert result.reader == "gdelt1"
    assert result.quarantine == []
    rows = _by_id(result)
    assert sorted(rows) == ["gdelt1:150000002", "gdelt1:150000004", "gdelt1:250000001",
                            "gdelt1:250000003"]
    assert rows["gdelt1:250000001"]["url"] == "http://www.example.com/news/story-1"
    assert rows["gdelt1:150000002"]["url"] is None
    assert rows["gdelt1:250000003"]["url"] == "http://example.org/b"
    assert rows["gdelt1:150000004"]["url"] is None
    assert rows["gdelt1:250000001"]["date"] == dt.date(2013, 4, 15)
    assert rows["gdelt1:150000002"]["date"] == dt.date(2013, 3, 1)
    assert rows["gdelt1:150000004"]["date"] == dt.date(2012, 12, 31)
    assert {r["dataset"] for r in rows.values()} == {"gdelt1"}


def test_gdelt1_values_match_the_shared_columns(gdelt1_mixed: Path) -> None:
    rows = _by_id(read_events(gdelt1_mixed))
    short = rows["gdelt1:150000002"]  # 57 columns: everything but the URL is there
    assert (short["source_actor"], short["source_country"], short["source_role"]) == (
        "USAGOV", "USA", "GOV")
    assert (short["event_code"], short["event_root"], short["plover_type"]) == (
        "190", "19", "ASSAULT")
    assert (short["quad_class"], short["goldstein"]) == (4, -10.0)
    assert (short["num_mentions"], short["num_sources"], short["num_articles"]) == (4, 1, 4)
    assert short["avg_tone"] == 1.25
    assert short["is_root"] is True
    derived = rows["gdelt1:150000004"]
    assert (derived["quad_class"], derived["goldstein"]) == (1, 1.9)  # 042's CAMEO values


def test_gdelt1_only_57_columns_is_gdelt1(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "backfile.csv",
                       [gdelt1_line(event_id=n, with_url=False) for n in range(1, 4)])
    result = read_events(path)
    assert result.reader == "gdelt1"
    assert result.table.column("url").to_pylist() == [None, None, None]


def test_gdelt1_rejects_a_2_0_dateadded(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g1.csv", [
        gdelt1_line(event_id=1),
        gdelt1_line(event_id=2, date_added="20130415000000"),
    ])
    result = read_events(path, fmt="gdelt1")
    assert result.table.column("event_id").to_pylist() == ["gdelt1:1"]
    assert [(q.line, q.reason) for q in result.quarantine] == [
        (2, "DATEADDED is malformed: 20130415000000")
    ]


def test_gdelt2_rejects_a_1_0_dateadded(tmp_path: Path) -> None:
    fields = gdelt2_line(event_id=2).split("\t")
    fields[59] = "20180101"
    path = write_lines(tmp_path / "g2.CSV", [gdelt2_line(event_id=1), "\t".join(fields)])
    result = read_events(path, fmt="gdelt2")
    assert [(q.line, q.reason) for q in result.quarantine] == [
        (2, "DATEADDED is malformed: 20180101")
    ]


def test_gdelt1_file_read_as_gdelt2_is_quarantined_not_misread(gdelt1_mixed: Path) -> None:
    result = read_events(gdelt1_mixed, fmt="gdelt2")
    assert result.table.num_rows == 0
    assert [(q.line, q.reason) for q in result.quarantine] == [
        (1, "cut off: 58 of 61 tab-separated fields"),
        (2, "cut off: 57 of 61 tab-separated fields"),
        (3, "cut off: 58 of 61 tab-separated fields"),
        (4, "cut off: 57 of 61 tab-separated fields"),
    ]


def test_gdelt2_file_read_as_gdelt1_is_quarantined_not_misread(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [gdelt2_line(event_id=1), gdelt2_line(event_id=2)])
    result = read_events(path, fmt="gdelt1")
    assert result.table.num_rows == 0
    assert [(q.line, q.reason) for q in result.quarantine] == [
        (1, "expected 57 or 58 tab-separated fields, found 61"),
        (2, "expected 57 or 58 tab-separated fields, found 61"),
    ]


# -- detection ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([gdelt2_line(event_id=n) for n in range(1, 4)], "gdelt2"),
        ([gdelt1_line(event_id=n) for n in range(1, 4)], "gdelt1"),
        ([gdelt1_line(event_id=n, with_url=False) for n in range(1, 4)], "gdelt1"),
        ([gdelt1_line(event_id=1), gdelt1_line(event_id=2, with_url=False)], "gdelt1"),
    ],
    ids=["2.0", "1.0-58", "1.0-57", "1.0-mixed"],
)
def test_detection(tmp_path: Path, lines: list[str], expected: str) -> None:
    path = write_lines(tmp_path / "export.CSV", lines)
    with open_source(path) as src:
        assert detect(src).name == expected
    assert read_events(path).reader == expected


def test_detection_tolerates_a_few_bad_rows(tmp_path: Path) -> None:
    lines = [gdelt2_line(event_id=n) for n in range(1, 10)] + ["garbage line"]
    path = write_lines(tmp_path / "export.CSV", lines)
    result = read_events(path)
    assert result.reader == "gdelt2"
    assert result.table.num_rows == 9
    assert [(q.line, q.reason) for q in result.quarantine] == [
        (10, "cut off: 1 of 61 tab-separated fields")
    ]


# -- compression: zip as GDELT publishes it, and gzip -----------------------------------


@pytest.fixture
def gdelt2_lines() -> list[str]:
    return [
        gdelt2_line(event_id=719024875),
        "",
        gdelt2_line(event_id=719024876, code="190", quad_class="", goldstein=""),
        gdelt2_line(event_id=719024877, date="20181399"),
        gdelt2_line(event_id=719024878, actor1=actor(), url=""),
        gdelt2_line(event_id=719024879, code="999"),
    ]


def _content(path: Path) -> tuple[list[dict[str, object]], list[tuple[int, str]]]:
    result = read_events(path)
    assert result.reader == "gdelt2"
    return _sorted(result), [(q.line, q.reason) for q in result.quarantine]


def test_zip_and_gzip_read_like_the_plain_file(tmp_path: Path, gdelt2_lines: list[str]) -> None:
    plain = write_lines(tmp_path / "20180101000000.export.CSV", gdelt2_lines)
    data = plain.read_bytes()
    zipped = zip_file(tmp_path / "20180101000000.export.CSV.zip",
                      {"20180101000000.export.CSV": data})
    gzipped = gzip_file(tmp_path / "20180101000000.export.CSV.gz", data)

    rows, quarantine = _content(plain)
    assert len(rows) == 3
    assert quarantine == [
        (4, "SQLDATE is not a valid YYYYMMDD date: 20181399"),
        (6, "unknown CAMEO event code: 999"),
    ]
    assert _content(zipped) == (rows, quarantine)
    assert _content(gzipped) == (rows, quarantine)


def test_zip_provenance_names_archive_and_member(tmp_path: Path) -> None:
    data = (gdelt2_line() + "\n").encode()
    zipped = zip_file(tmp_path / "20180101000000.export.CSV.zip",
                      {"20180101000000.export.CSV": data})
    sha = hashlib.sha256(zipped.read_bytes()).hexdigest()
    row = _rows(read_events(zipped))[0]
    assert row["ingested_from"] == (
        f"20180101000000.export.CSV.zip!20180101000000.export.CSV@sha256:{sha[:16]}"
    )
    gz = gzip_file(tmp_path / "x.CSV.gz", data)
    gz_sha = hashlib.sha256(gz.read_bytes()).hexdigest()
    assert _rows(read_events(gz))[0]["ingested_from"] == f"x.CSV.gz@sha256:{gz_sha[:16]}"


def test_zip_with_a_folder_entry_and_one_member_reads(tmp_path: Path) -> None:
    data = (gdelt2_line(event_id=7) + "\n").encode()
    zipped = zip_file(tmp_path / "z.zip", {"exports/": b"", "exports/a.CSV": data})
    result = read_events(zipped)
    assert result.table.column("event_id").to_pylist() == ["gdelt2:7"]


def test_zipped_gdelt1_is_detected(tmp_path: Path) -> None:
    data = ("\n".join([gdelt1_line(event_id=1), gdelt1_line(event_id=2, with_url=False)])
            + "\n").encode()
    zipped = zip_file(tmp_path / "20130415.export.CSV.zip", {"20130415.export.CSV": data})
    result = read_events(zipped)
    assert result.reader == "gdelt1"
    assert {r["event_id"]: r["url"] for r in _rows(result)} == {
        "gdelt1:1": "http://www.example.com/news/story-1", "gdelt1:2": None}


def test_store_ingests_a_zipped_export(tmp_path: Path, gdelt2_lines: list[str]) -> None:
    data = ("\n".join(gdelt2_lines) + "\n").encode()
    zipped = zip_file(tmp_path / "20180101000000.export.CSV.zip",
                      {"20180101000000.export.CSV": data})
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as store:
        report = store.ingest_file(zipped)
        assert (report.reader, report.dataset) == ("gdelt2", "gdelt2")
        assert (report.read, report.stored, report.duplicates, report.conflicts,
                report.quarantined) == (5, 3, 0, 0, 2)
        assert store.count() == 3
        q = store.quarantine().to_pylist()
        assert [(r["file"], r["line"], r["reason"]) for r in q] == [
            ("20180101000000.export.CSV.zip!20180101000000.export.CSV", 4,
             "SQLDATE is not a valid YYYYMMDD date: 20181399"),
            ("20180101000000.export.CSV.zip!20180101000000.export.CSV", 6,
             "unknown CAMEO event code: 999"),
        ]
        again = store.ingest_file(zipped)
        assert (again.read, again.stored, again.duplicates, again.conflicts,
                again.quarantined) == (5, 0, 3, 0, 2)
        assert store.count() == 3


def test_derive_sentinel_matches_cameo() -> None:
    # the writers' own defaults are the CAMEO values
    fields = gdelt2_line(code="190", quad_class=DERIVE, goldstein=DERIVE).split("\t")
    assert (fields[29], fields[30]) == ("4", "-10.0")
    assert len(fields) == 61
    assert len(gdelt1_line().split("\t")) == 58
    assert len(gdelt1_line(with_url=False).split("\t")) == 57


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.reuters.com/world/x", "reuters.com"),
    ("HTTPS://WWW.Example.COM:80/x", "example.com"),
    ("http://news.example.org?q=1", "news.example.org"),
    ("https://www9.b.c#frag", "b.c"),
    ("http://www1.a/", "a"),
    ("http://wwwx.com/", "wwwx.com"),
    ("http://www./x", "www."),  # nothing after "www.": the whole host stays
    ("http://www1.", "www1."),
    ("https://user@host/x", "user"),
    ("http:///path", None),
    ("ftp://www.files.example.net/a", "files.example.net"),  # other schemes, general form
    ("Svn+SSH://Repo.Example.org", "repo.example.org"),
    ("nothttp", None),
    ("www.example.com/no-scheme", None),
    ("https://пример.рф/путь", "пример.рф"),
    ("https://WWW.Пример.РФ/", "пример.рф"),
])
def test_publisher_is_the_host_as_the_general_pattern_gives_it(url: str, host: str | None) -> None:
    """The quick form for http(s) addresses agrees with the general pattern it stands in for
    (a scheme, "://", an optional "www" with a digit and a dot, then the host)."""
    import re

    con = duckdb.connect()
    install_lookups(con)
    got = con.execute(f"SELECT detente_url_host({sql_str(url)}), "
                      f"detente_url_slow_host({sql_str(url)})").fetchone()
    general = re.match(r"^[a-z][a-z0-9+.-]*://(www[0-9]?\.)?([^/:?#@]+)", url.lower())
    assert got == (host, host)
    assert (general.group(2) if general else None) == host


def test_gdelt_action_geography_and_publisher(gdelt2_file: Path, tmp_path: Path) -> None:
    rows = _by_id(read_events(gdelt2_file))
    full = rows["gdelt2:719024875"]
    assert (full["publisher"], full["place"], full["place_country"], full["latitude"],
            full["longitude"]) == ("example.com", "Moscow, Moskva, Russia", "RUS", 55.7522, 37.6156)
    bare = rows["gdelt2:719024878"]  # no action geography, no address
    assert (bare["publisher"], bare["place"], bare["place_country"], bare["latitude"],
            bare["longitude"]) == (None, None, None, None, None)
    # GDELT 1.0: the 7-field geography block; a FIPS code with no CAMEO country stays empty
    # and a coordinate off the globe is dropped with its pair, never the event
    kosovo = geo1("4", "Pristina, Kosovo", "KV", "KV00", "42.6667", "21.1667", "-1")
    off = geo1("4", "Kyiv, Ukraine", "UP", "UP12", "95.0", "30.5", "-2")
    path = write_lines(tmp_path / "gdelt1.csv", [
        gdelt1_line(event_id=1, action_geo=kosovo, url="https://WWW.Reuters.com/x"),
        gdelt1_line(event_id=2, action_geo=off, with_url=False),
    ])
    got = _by_id(read_events(path))
    one, two = got["gdelt1:1"], got["gdelt1:2"]
    assert (one["publisher"], one["place"], one["place_country"], one["latitude"]) == (
        "reuters.com", "Pristina, Kosovo", None, 42.6667)
    assert (two["publisher"], two["place_country"], two["latitude"], two["longitude"]) == (
        None, "UKR", None, None)
