"""Hardening of the readers: a file name names that file only; every line ending reads;
damaged, hostile or oddly named files give one clear line, and leave nothing behind."""

from __future__ import annotations

import codecs
import gzip
import json
import os
import tempfile
from pathlib import Path

import pytest

from conftest import gdelt2_fields, gdelt2_line, icews_header, icews_line, write_lines, zip_file
from detente import InputFileError, Store, UnknownFormatError, read_events
from detente.readers import _source
from test_readers_plover import polecat_row


def _one_line_error(path: Path, fmt: str | None = None) -> str:
    with pytest.raises(InputFileError) as info:
        read_events(path, fmt)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, message
    return message


def _gdelt(path: Path, ids: range) -> Path:
    return write_lines(path, [gdelt2_line(event_id=n) for n in ids])


# -- a file name is a name, never a pattern ---------------------------------------------


@pytest.mark.parametrize("name", ["x[1].export.CSV", "x?.export.CSV", "*.export.CSV",
                                  "x{1,2}.export.CSV"])
def test_a_name_with_pattern_characters_reads_that_file_only(tmp_path: Path, name: str) -> None:
    _gdelt(tmp_path / "x1.export.CSV", range(1, 252))
    _gdelt(tmp_path / "x2.export.CSV", range(300, 320))
    own = _gdelt(tmp_path / name, range(1000, 1101))
    result = read_events(own)
    ids = result.table.column("event_id").to_pylist()
    assert ids == [f"gdelt2:{n}" for n in range(1000, 1101)]


def test_a_name_with_pattern_characters_is_stored_under_its_own_hash(tmp_path: Path) -> None:
    _gdelt(tmp_path / "x1.export.CSV", range(1, 252))
    own = _gdelt(tmp_path / "x[1].export.CSV", range(1000, 1101))
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        (report,) = st.ingest([own])
        assert (report.read, report.stored) == (101, 101)
        files = st.files().to_pylist()
        assert [(f["name"], f["stored"]) for f in files] == [("x[1].export.CSV", 101)]
        assert report.sha256 == _source._sha256(own)
        assert st.count() == 101


def test_a_name_that_is_not_utf8_is_read_and_shown_with_its_byte(tmp_path: Path) -> None:
    path = Path(os.fsdecode(bytes(tmp_path) + b"/g\xff.CSV"))
    _gdelt(path, range(1, 4))
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        report = st.ingest_file(path)
        assert report.stored == 3
        assert st.files().column("name").to_pylist() == ["g\\xff.CSV"]
    bad = Path(os.fsdecode(bytes(tmp_path) + b"/h\xfe.CSV"))
    bad.write_bytes(b"hello\n")
    message = _one_line_error(bad)
    from detente.readers import READERS

    assert message.endswith("h\\xfe.CSV: format not recognised from its content "
                            f"(known: {', '.join(READERS)}; use --format)")
    message.encode("utf-8")  # printable


# -- every line ending gives its rows ---------------------------------------------------


def test_icews_with_carriage_return_line_ends_yields_its_rows(tmp_path: Path) -> None:
    lines = [icews_header()] + [icews_line(event_id=n) for n in range(1, 11)]
    lines[4] = icews_line(event_id=4, date="2018-13-45")
    path = tmp_path / "cr.tab"
    path.write_bytes(("\r".join(lines) + "\r").encode())
    result = read_events(path)
    assert result.reader == "icews"
    assert result.table.num_rows == 9
    assert [(q.line, q.reason[:30]) for q in result.quarantine] == [
        (5, "Event Date is not a valid date")]


def test_polecat_with_carriage_return_line_ends_yields_its_rows(tmp_path: Path) -> None:
    rows = [polecat_row(Event_ID=f"2023010{n}-A_ACCUSE_1", Event_Date=f"2023-01-0{n}",
                        Event_Type="ACCUSE", Actor_Name="x", Actor_Country="USA",
                        Recipient_Name="y", Recipient_Country="RUS") for n in range(1, 6)]
    header = "\t".join(polecat_row.__defaults__[0])  # type: ignore[index]
    path = tmp_path / "p.tsv"
    path.write_bytes("\r".join([header, *rows]).encode())
    result = read_events(path)
    assert (result.reader, result.table.num_rows, result.quarantine) == ("polecat", 5, [])


def _canonical_csv(tmp_path: Path, n: int) -> bytes:
    rows = ["event_id,date,source_actor,target_actor,event_code"] + [
        f"c:{k},2020-01-{1 + k % 28:02d},USAGOV,RUSGOV,042" for k in range(n)]
    return ("\n".join(rows) + "\n").encode()


@pytest.mark.parametrize("lead", [b"\r\n", b"\r\n\r\n", b"\n\r\n"])
def test_canonical_csv_after_a_blank_crlf_line_yields_its_rows(tmp_path: Path, lead: bytes) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(lead + _canonical_csv(tmp_path, 100))
    result = read_events(path)
    assert (result.reader, result.table.num_rows, result.quarantine) == ("canonical-csv", 100, [])


def test_canonical_csv_with_mixed_line_ends_yields_every_row_with_true_lines(tmp_path: Path) -> None:
    lines = _canonical_csv(tmp_path, 20).decode().splitlines()
    lines[7] = "c:bad,2020-02-30,USAGOV,RUSGOV,042"
    text = "".join(line + ("\r\n" if k % 3 == 0 else "\n") for k, line in enumerate(lines))
    path = tmp_path / "c.csv"
    path.write_bytes(text.encode())
    result = read_events(path)
    assert result.table.num_rows == 19
    assert [(q.line, q.raw) for q in result.quarantine] == [(8, "c:bad,2020-02-30,USAGOV,RUSGOV,042")]


@pytest.mark.parametrize("lead", [b"\n", b"\r\n", codecs.BOM_UTF8 + b"\n"])
def test_polecat_header_after_a_blank_or_bom_line_is_not_a_row(tmp_path: Path, lead: bytes) -> None:
    header = "\t".join(polecat_row.__defaults__[0])  # type: ignore[index]
    row = polecat_row(Event_ID="20230101-A_ACCUSE_1", Event_Date="2023-01-01", Event_Type="ACCUSE",
                      Actor_Name="x", Actor_Country="USA", Recipient_Name="y", Recipient_Country="RUS")
    path = tmp_path / "p.tsv"
    path.write_bytes(lead + f"{header}\n{row}\n".encode())
    result = read_events(path)
    assert (result.reader, result.table.num_rows, result.quarantine) == ("polecat", 1, [])


def test_a_first_line_over_64_kib_says_so(tmp_path: Path) -> None:
    path = tmp_path / "long.CSV"
    path.write_bytes(b"x" * (70 << 10) + b"\n" + gdelt2_line().encode() + b"\n")
    message = _one_line_error(path)
    assert "first line is longer than 64 KiB" in message
    assert "only empty lines" not in message


# -- damaged and hostile compressed files -----------------------------------------------


def _corrupt(data: bytes, at: int) -> bytes:
    return data[:at] + bytes(b ^ 0xA5 for b in data[at:at + 16]) + data[at + 16:]


def test_damaged_deflate_data_is_one_line_error(tmp_path: Path) -> None:
    text = "\n".join(gdelt2_line(event_id=n) for n in range(1, 400)).encode()
    packed = gzip.compress(text)
    for at in (20, len(packed) // 3, len(packed) // 2):
        path = tmp_path / f"g{at}.CSV.gz"
        path.write_bytes(_corrupt(packed, at))
        assert "damaged gzip data" in _one_line_error(path) or "cut off" in _one_line_error(path)
    zipped = zip_file(tmp_path / "z.zip", {"z.CSV": text}).read_bytes()
    for at in (60, len(zipped) // 3, len(zipped) // 2):
        path = tmp_path / f"z{at}.zip"
        path.write_bytes(_corrupt(zipped, at))
        message = _one_line_error(path)
        assert "zip" in message or "compressed" in message, message


@pytest.fixture
def tmp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the temporary folder at a fresh one, to see what is left in it."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.mark.parametrize("rows", [50, 2000])  # found in the head, or while unzipping
def test_a_zip_with_a_bad_crc_leaves_no_temporary_folder(tmp_path: Path, tmp_root: Path,
                                                         rows: int) -> None:
    path = zip_file(tmp_path / "z.zip", {"z.CSV": "\n".join(gdelt2_line(event_id=n)
                                                             for n in range(1, rows)).encode()})
    data = bytearray(path.read_bytes())
    data[14] ^= 0xFF  # the CRC in the local header
    central = data.rfind(b"PK\x01\x02")
    data[central + 16] ^= 0xFF  # and in the central directory
    path.write_bytes(bytes(data))
    assert "Bad CRC-32 for file 'z.CSV'" in _one_line_error(path)
    assert list(tmp_root.iterdir()) == []


def test_a_zip_bomb_is_refused_before_it_is_unzipped(tmp_path: Path, tmp_root: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_source, "_RATIO_FROM", 1 << 20)
    text = (gdelt2_line(event_id=1) + "\n").encode() * 20000  # 8 MB, packs ~400:1
    path = zip_file(tmp_path / "bomb.zip", {"bomb.CSV": text})
    assert "decompression bomb" in _one_line_error(path)
    assert list(tmp_root.iterdir()) == []
    monkeypatch.setenv("DETENTE_MAX_UNZIPPED", "1000")
    small = zip_file(tmp_path / "small.zip", {"s.CSV": (gdelt2_line() + "\n").encode() * 10})
    assert "over the limit of 1,000" in _one_line_error(small)


def test_a_zip_of_one_endless_line_is_refused_before_it_is_unzipped(tmp_path: Path, tmp_root: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[int] = []
    real = _source._CrWatch.feed
    monkeypatch.setattr(_source._CrWatch, "feed", lambda self, c: (written.append(len(c)), real(self, c)))
    path = zip_file(tmp_path / "line.zip", {"a.CSV": b"a" * (4 << 20)})
    assert "first line is longer than 64 KiB" in _one_line_error(path)
    assert written == []  # nothing was unzipped to disk
    assert list(tmp_root.iterdir()) == []


# -- what sniffing meets ------------------------------------------------------------------


def test_deeply_nested_json_is_not_a_traceback(tmp_path: Path) -> None:
    deep = "[" * 30_000 + "]" * 30_000
    path = write_lines(tmp_path / "deep.jsonl", [deep])
    with pytest.raises(UnknownFormatError):
        read_events(path)
    record = {"id": "1", "date": "2020-01-01", "event": "CONSULT", "source": "USA", "target": "RUS"}
    nested = {"event_id": "x", "date": "2020-01-01", "deep": json.loads("[" * 500 + "]" * 500)}
    path = write_lines(tmp_path / "p.jsonl", [json.dumps(record), '{"a":' * 10_000 + "1" + "}" * 10_000,
                                              json.dumps(nested)])
    result = read_events(path)
    assert result.reader == "plover"
    assert result.table.num_rows == 1
    assert [q.line for q in result.quarantine] == [2, 3]


def test_a_canonical_row_cannot_claim_the_curated_dataset(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"event_id,date,event_code,dataset\nc:1,2020-01-01,042,curated\n"
                     b"c:2,2020-01-02,042,mine\nc:3,2020-01-02,042,Curated\n")
    result = read_events(path)
    assert result.table.column("dataset").to_pylist() == ["mine"]
    assert [(q.line, q.reason) for q in result.quarantine] == [
        (2, "dataset curated is reserved for the packaged chronology"),
        (4, "dataset curated is reserved for the packaged chronology")]


def test_a_gzip_bomb_of_zeros_is_refused_from_its_head(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []
    real = _source._CrWatch.feed
    monkeypatch.setattr(_source._CrWatch, "feed", lambda self, c: (read.append(len(c)), real(self, c)))
    path = tmp_path / "bomb.CSV.gz"
    path.write_bytes(gzip.compress(b"\x00" * (64 << 20), mtime=0))
    assert "binary content, not a text file" in _one_line_error(path)
    assert read == []  # the whole stream was never decompressed


_SPACES = " \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
"""Every character the readers trim from a field's ends (Unicode space separators)."""


def test_canonical_csv_fields_are_trimmed_of_every_space_and_nothing_else(tmp_path: Path) -> None:
    texts = ["plain", " lead", "trail ", "  both  ", "\u00a0nbsp", "nbsp\u00a0", "em\u2003",
             "\u3000ideo", "tab\t", "\ttab", "Ünïcödé", "кремль ", " кремль", "a\u200bzero-width",
             "x" + "".join(_SPACES), "".join(_SPACES), "!", "~", "a b", "é", "\u2003", "\"q\""]
    lines = ["event_id,date,source_actor,target_actor,event_code,text"]
    for k, text in enumerate(texts):
        quoted = '"' + text.replace('"', '""') + '"' if k % 2 else text
        lines.append(f"c:{k},2020-01-02,USAGOV,RUSGOV,042,{quoted}")
    lines.append("c:bad, 2020-02-30 ,USAGOV,RUSGOV,042, keep me ")
    path = tmp_path / "c.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_events(path)
    got = dict(zip(result.table.column("event_id").to_pylist(), result.table.column("text").to_pylist(),
                   strict=True))
    assert got == {f"c:{k}": text.strip(_SPACES) or None for k, text in enumerate(texts)}
    assert got["c:8"] == "tab\t" and got["c:19"] == "é"  # a tab is kept; a lone letter too
    # a quarantined row keeps its line as read, untrimmed
    assert [(q.line, q.reason, q.raw) for q in result.quarantine] == [
        (len(texts) + 2, "date is not a valid date: 2020-02-30",
         "c:bad, 2020-02-30 ,USAGOV,RUSGOV,042, keep me ")]


def test_gdelt2_names_place_and_url_are_trimmed_and_coordinates_kept_only_on_the_globe(
        tmp_path: Path) -> None:
    texts = ["plain", " lead", "trail ", "\u00a0nbsp", "nbsp\u00a0", "\u3000ideo", "Ünïcödé",
             "кремль ", "x" + "".join(_SPACES), "".join(_SPACES), "", "!", "é", "\u2003"]
    coords = [("55.75", "37.62"), ("90", "-180"), ("90.5", "10"), ("10", "180.01"), ("", "37"),
              ("55", ""), ("nan", "1"), ("x", "1"), (" 12.5", "3"), ("-90", "180")]
    lines = []
    for k in range(len(texts) * 2):
        text, (lat, lon) = texts[k % len(texts)], coords[k % len(coords)]
        f = gdelt2_fields(event_id=k + 1, url=" " + text if k % 2 else "http://Www.Ex.org/" + text)
        f[6], f[16], f[52], f[56], f[57] = text, texts[-1 - k % len(texts)], text, lat, lon
        lines.append("\t".join(f))
    result = read_events(write_lines(tmp_path / "t.export.CSV", lines))
    rows = result.table.to_pylist()
    assert len(rows) == len(lines) and not result.quarantine

    def trimmed(v: str) -> str | None:
        return v.strip(_SPACES) or None

    def number(v: str) -> float | None:
        try:
            return float(v)
        except ValueError:
            return None

    for k, row in enumerate(rows):
        text, (lat, lon) = texts[k % len(texts)], coords[k % len(coords)]
        url = " " + text if k % 2 else "http://Www.Ex.org/" + text
        assert row["source_name"] == trimmed(text) and row["place"] == trimmed(text)
        assert row["target_name"] == trimmed(texts[-1 - k % len(texts)])
        assert row["url"] == trimmed(url)
        assert row["publisher"] == (None if k % 2 else "ex.org")
        la, lo = number(lat), number(lon)
        on_globe = la is not None and lo is not None and -90 <= la <= 90 and -180 <= lo <= 180
        assert (row["latitude"], row["longitude"]) == ((la, lo) if on_globe else (None, None)), k


def test_canonical_csv_derives_a_country_or_name_only_where_the_row_lacks_it(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("event_id,date,source_actor,target_actor,event_code,source_name,target_country\n"
                    "a,2020-01-01,USAGOV,RUSGOV,042,Foo,\n"
                    "b,2020-01-01,USAGOV,IGOWSTNAT,042,,\n"
                    "c,2020-01-01,,RUSMIL,042,,UKR\n")
    cols = ["event_id", "source_country", "target_country", "source_name", "target_name"]
    got = [tuple(r.values()) for r in read_events(path).table.select(cols).to_pylist()]
    assert got == [  # a stated column, even empty, is kept; an absent one is derived
        ("a", "USA", None, "Foo", "Russia"),
        ("b", "USA", None, "United States", "North Atlantic Treaty Organization (NATO)"),
        ("c", None, "UKR", None, "Russia"),
    ]
