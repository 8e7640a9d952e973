"""Bad input: whole files that cannot be read, and bad rows inside good files."""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path

import pytest

from conftest import gdelt1_line, gdelt2_line, icews_header, icews_line, write_lines, zip_file
from detente import InputFileError, Store, UnknownFormatError, read_events

GOOD = [gdelt2_line(event_id=n) for n in range(1, 4)]


def _error(path: Path, fmt: str | None = None) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        read_events(path, fmt)
    err = info.value
    message = str(err)
    assert str(path) in message, message
    assert "\n" not in message and "\r" not in message, message
    assert err.path == str(path)
    return err


def _quarantine(result) -> list[tuple[int, str]]:
    return [(q.line, q.reason) for q in result.quarantine]


# -- whole files that cannot be read ----------------------------------------------------


def test_unrecognised_content(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "notes.txt", ["hello world", "some, comma, separated"])
    err = _error(path)
    assert isinstance(err, UnknownFormatError)
    assert "format not recognised" in str(err)
    assert "gdelt2" in str(err)  # it lists the formats it knows


def test_unknown_format_name(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", GOOD)
    with pytest.raises(UnknownFormatError) as info:
        read_events(path, fmt="gdelt3")
    message = str(info.value)
    assert "gdelt3" in message and "unknown format" in message
    assert "gdelt2" in message and "icews" in message
    assert "\n" not in message


def test_unknown_format_name_names_the_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", GOOD)
    _error(path, fmt="gdelt3")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.CSV"
    path.write_bytes(b"")
    assert str(_error(path)).endswith("file is empty")


@pytest.mark.parametrize("content", [b"\n", b"\n\n\n", b"\r\n\r\n", b"\n\r\n\n"])
def test_only_blank_lines(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.CSV"
    path.write_bytes(content)
    assert "only empty lines" in str(_error(path))


def test_only_blank_lines_gzipped(tmp_path: Path) -> None:
    path = tmp_path / "blank.CSV.gz"
    path.write_bytes(gzip.compress(b"\n\n\n"))
    assert "only empty lines" in str(_error(path))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_file(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "g16.CSV"
    text = "\n".join(GOOD) + "\n"
    data = text.encode(encoding)
    if encoding != "utf-16":  # add the byte order mark the plain codecs leave out
        data = ("\ufeff" + text).encode(encoding)
    path.write_bytes(data)
    assert "UTF-16" in str(_error(path))


def test_latin1_text_in_the_head(tmp_path: Path) -> None:
    lines = [gdelt2_line(event_id=1), gdelt2_line(event_id=2).replace("RUSSIA", "RUSSIÉ")]
    path = tmp_path / "latin1.CSV"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    err = _error(path)
    assert "not UTF-8" in str(err)
    assert "0xc9" in str(err)
    assert "line 2" in str(err)


def test_latin1_text_in_the_head_of_an_icews_file(tmp_path: Path) -> None:
    path = tmp_path / "ic.tab"
    text = "\n".join([icews_header(), icews_line(source_name="Société Générale")]) + "\n"
    path.write_bytes(text.encode("latin-1"))
    assert "not UTF-8" in str(_error(path, fmt="icews"))


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(random.Random(3).randbytes(20_000))
    _error(path)


def test_binary_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "nul.CSV"
    path.write_bytes(b"\x00\x01\x02\x03" * 5000)
    assert "binary" in str(_error(path))


def test_binary_garbage_with_format_forced(tmp_path: Path) -> None:
    path = tmp_path / "garbage.CSV"
    path.write_bytes(bytes(range(256)) * 50)
    _error(path, fmt="gdelt2")


def test_missing_path(tmp_path: Path) -> None:
    assert "no such file" in str(_error(tmp_path / "nowhere.CSV"))


def test_folder(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    assert "folder" in str(_error(folder))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "secret.CSV", GOOD)
    path.chmod(0)
    try:
        assert "not readable" in str(_error(path))
    finally:
        path.chmod(0o644)


def test_zip_with_no_data_member(tmp_path: Path) -> None:
    path = zip_file(tmp_path / "empty.zip", {})
    assert "no data member" in str(_error(path))
    path2 = zip_file(tmp_path / "hollow.zip", {"folder/": b"", "empty.CSV": b""})
    assert "no data member" in str(_error(path2))


def test_zip_with_two_members(tmp_path: Path) -> None:
    data = ("\n".join(GOOD) + "\n").encode()
    path = zip_file(tmp_path / "two.zip", {"a.export.CSV": data, "b.export.CSV": data})
    message = str(_error(path))
    assert "2 data members" in message
    assert "a.export.CSV" in message and "b.export.CSV" in message


def test_truncated_zip(tmp_path: Path) -> None:
    data = ("\n".join(GOOD * 50) + "\n").encode()
    whole = zip_file(tmp_path / "whole.zip", {"a.CSV": data}).read_bytes()
    path = tmp_path / "cut.zip"
    path.write_bytes(whole[: len(whole) // 2])
    _error(path)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(("\n".join(GOOD * 200) + "\n").encode())
    path = tmp_path / "cut.CSV.gz"
    path.write_bytes(data[: len(data) // 2])
    message = str(_error(path))
    assert "cut off" in message or "damaged" in message


def test_truncated_gzip_with_a_good_head(tmp_path: Path) -> None:
    # the cut falls far beyond the 64 KiB the head is read from
    lines = [gdelt2_line(event_id=n, url=f"http://example.com/{n}") for n in range(1, 3000)]
    data = gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=1)
    path = tmp_path / "cut.CSV.gz"
    path.write_bytes(data[: len(data) - 200])
    _error(path)


def test_gzip_with_a_damaged_body(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(("\n".join(GOOD * 200) + "\n").encode()))
    data[len(data) // 2] ^= 0xFF
    path = tmp_path / "bad.CSV.gz"
    path.write_bytes(bytes(data))
    _error(path)


# -- bad rows inside a good file ----------------------------------------------------------


def test_malformed_rows_are_quarantined_with_their_line_numbers(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        "",                                                    # 1
        "",                                                    # 2
        gdelt2_line(event_id=1),                               # 3
        gdelt2_line(event_id=2, date="20180230"),              # 4
        "",                                                    # 5
        gdelt2_line(event_id=3, code="999"),                   # 6
        gdelt2_line(event_id=4, date="2018-01-01"),            # 7
        gdelt2_line(event_id="x12"),                           # 8
        gdelt2_line(event_id=5, quad_class="7"),               # 9
        gdelt2_line(event_id=6, goldstein="-12"),              # 10
        "",                                                    # 11
        "",                                                    # 12
        gdelt2_line(event_id=7),                               # 13
        gdelt2_line(event_id=8, date_added="2018-01-01"),      # 14
        gdelt2_line(event_id=9) + "\textra",                   # 15
        gdelt2_line(event_id=10),                              # 16
        gdelt2_line(event_id=11)[:300],                        # 17: cut off, no newline
    ], trailing_newline=False)
    result = read_events(path)
    assert result.reader == "gdelt2"
    assert set(result.table.column("event_id").to_pylist()) == {"gdelt2:1", "gdelt2:7", "gdelt2:10"}
    q = _quarantine(result)
    assert q[:-1] == [
        (4, "SQLDATE is not a valid YYYYMMDD date: 20180230"),
        (6, "unknown CAMEO event code: 999"),
        (7, "SQLDATE is not a valid YYYYMMDD date: 2018-01-01"),
        (8, "GLOBALEVENTID is not a number: x12"),
        (9, "QuadClass is not 1..4: 7"),
        (10, "GoldsteinScale out of range: -12"),
        (14, "DATEADDED is malformed: 2018-01-01"),
        (15, "expected 61 tab-separated fields, found 62"),
    ]
    line, reason = q[-1]
    assert line == 17
    assert reason.startswith("cut off")
    assert reason == f"cut off: {gdelt2_line(event_id=11)[:300].count(chr(9)) + 1} of 61 " \
                     "tab-separated fields"
    raws = {q.line: q.raw for q in result.quarantine}
    assert raws[6] == gdelt2_line(event_id=3, code="999")
    assert raws[17] == gdelt2_line(event_id=11)[:300]


def test_cut_off_last_line_of_a_gdelt1_file(tmp_path: Path) -> None:
    last = gdelt1_line(event_id=3)[:120]
    path = write_lines(tmp_path / "g1.csv", [gdelt1_line(event_id=1), gdelt1_line(event_id=2),
                                             last], trailing_newline=False)
    result = read_events(path)
    assert result.reader == "gdelt1"
    assert result.table.num_rows == 2
    assert _quarantine(result) == [
        (3, f"cut off: {last.count(chr(9)) + 1} of 57 or 58 tab-separated fields")
    ]


def test_cut_off_last_line_of_an_icews_file(tmp_path: Path) -> None:
    last = icews_line(event_id=3)[:40]
    path = write_lines(tmp_path / "i.tab", [icews_header(), icews_line(event_id=1), "",
                                            last], trailing_newline=False)
    result = read_events(path)
    assert result.table.num_rows == 1
    assert _quarantine(result) == [(4, f"cut off: {last.count(chr(9)) + 1} of 20 "
                                       "tab-separated fields")]


def test_line_numbers_with_crlf_and_blank_lines(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(event_id=1), "", "", gdelt2_line(event_id=2, code="999"), "",
        gdelt2_line(event_id=3), gdelt2_line(event_id=4, date="x"),
    ], newline="\r\n")
    result = read_events(path)
    assert set(result.table.column("event_id").to_pylist()) == {"gdelt2:1", "gdelt2:3"}
    assert _quarantine(result) == [(4, "unknown CAMEO event code: 999"),
                                   (7, "SQLDATE is not a valid YYYYMMDD date: x")]


def test_whitespace_only_line_is_a_bad_row_not_a_blank_one(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [gdelt2_line(event_id=1), "   ",
                                            gdelt2_line(event_id=2)])
    result = read_events(path)
    assert result.table.num_rows == 2
    assert _quarantine(result) == [(2, "cut off: 1 of 61 tab-separated fields")]


def _big_good_prefix(n_bytes: int = 70_000) -> tuple[list[str], int]:
    lines: list[str] = []
    size = 0
    n = 0
    while size <= n_bytes:
        n += 1
        line = gdelt2_line(event_id=n, url=f"http://example.com/story/{n}")
        lines.append(line)
        size += len(line) + 1
    assert size > 64 * 1024
    return lines, n


def test_invalid_utf8_after_the_first_64_kib_is_quarantined(tmp_path: Path) -> None:
    good, n = _big_good_prefix()
    bad = gdelt2_line(event_id=n + 1, url="http://example.com/X").encode().replace(b"X", b"\xff")
    after = [gdelt2_line(event_id=n + 2), gdelt2_line(event_id=n + 3, code="999")]
    path = tmp_path / "late.CSV"
    path.write_bytes(("\n".join(good) + "\n").encode() + bad + b"\n"
                     + ("\n".join(after) + "\n").encode())
    result = read_events(path)
    assert result.reader == "gdelt2"
    assert result.table.num_rows == n + 1
    assert f"gdelt2:{n + 1}" not in result.table.column("event_id").to_pylist()
    assert _quarantine(result) == [(n + 1, "not valid UTF-8"),
                                   (n + 3, "unknown CAMEO event code: 999")]


def test_invalid_utf8_after_64_kib_with_blank_lines_before_it(tmp_path: Path) -> None:
    good, n = _big_good_prefix()
    bad = gdelt2_line(event_id=n + 1, url="http://example.com/X").encode().replace(b"X", b"\xc3(")
    path = tmp_path / "late.CSV"
    # lines 1..n good, n+1 and n+2 empty, n+3 bad bytes, n+4 empty, n+5 bad date, n+6 good
    path.write_bytes(("\n".join(good) + "\n\n\n").encode() + bad + b"\n\n"
                     + (gdelt2_line(event_id=n + 2, date="2018") + "\n").encode()
                     + (gdelt2_line(event_id=n + 3) + "\n").encode())
    result = read_events(path)
    assert result.table.num_rows == n + 1
    assert _quarantine(result) == [(n + 3, "not valid UTF-8"),
                                   (n + 5, "SQLDATE is not a valid YYYYMMDD date: 2018")]


def test_raw_text_of_a_bad_utf8_line_after_blank_lines(tmp_path: Path) -> None:
    good, n = _big_good_prefix()
    bad = gdelt2_line(event_id=n + 1, url="http://example.com/X").encode().replace(b"X", b"\xff")
    path = tmp_path / "late.CSV"
    path.write_bytes(("\n".join(good) + "\n\n\n").encode() + bad + b"\n")
    result = read_events(path)
    assert [q.line for q in result.quarantine] == [n + 3]
    assert result.quarantine[0].raw.startswith(f"{n + 1}\t")


def test_invalid_utf8_after_64_kib_in_a_gzip_file(tmp_path: Path) -> None:
    good, n = _big_good_prefix()
    bad = gdelt2_line(event_id=n + 1, url="http://example.com/X").encode().replace(b"X", b"\xfe")
    path = tmp_path / "late.CSV.gz"
    path.write_bytes(gzip.compress(("\n".join(good) + "\n").encode() + bad + b"\n"
                                   + (gdelt2_line(event_id=n + 2) + "\n").encode()))
    result = read_events(path)
    assert result.table.num_rows == n + 1
    assert _quarantine(result) == [(n + 1, "not valid UTF-8")]


def test_overlong_line_is_quarantined(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(event_id=1),
        gdelt2_line(event_id=2, url="http://example.com/" + "a" * (5 << 20)),
        gdelt2_line(event_id=3),
        gdelt2_line(event_id=4, code="999"),
    ])
    result = read_events(path)
    assert set(result.table.column("event_id").to_pylist()) == {"gdelt2:1", "gdelt2:3"}
    q = _quarantine(result)
    assert [line for line, _ in q] == [2, 4]
    assert q[1] == (4, "unknown CAMEO event code: 999")


def test_lone_carriage_return_inside_a_field(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", [
        gdelt2_line(event_id=1),
        gdelt2_line(event_id=2, url="http://example.com/a\rb"),
        gdelt2_line(event_id=3, date="2018"),
    ])
    result = read_events(path, fmt="gdelt2")
    rows = {r["event_id"]: r for r in result.table.to_pylist()}
    # either keep the row whole or quarantine it whole; never store half of it
    if "gdelt2:2" in rows:
        assert rows["gdelt2:2"]["url"] == "http://example.com/a\rb"
        assert _quarantine(result) == [(3, "SQLDATE is not a valid YYYYMMDD date: 2018")]
    else:
        assert [line for line, _ in _quarantine(result)] == [2, 3]


@pytest.mark.parametrize("packing", ["plain", "crlf", "gzip", "zip", "standin used"])
def test_lone_carriage_returns_stay_inside_their_rows(tmp_path: Path, packing: str) -> None:
    # DuckDB's line scanner would end a line at each; in a CRLF file it even lost a field
    lines = [gdelt2_line(event_id=1, url="http://example.com/\rfirst"),
             gdelt2_line(event_id=2),
             gdelt2_line(event_id=3, url="http://example.com/a\r\rb" + (
                 "\x1d" if packing == "standin used" else "")),
             gdelt2_line(event_id=4, date="2018"),
             gdelt2_line(event_id=5, url="http://example.com/last\r")]
    newline = "\r\n" if packing == "crlf" else "\n"
    data = (newline.join(lines) + newline).encode()
    path = tmp_path / "g.CSV"
    if packing == "gzip":
        path = tmp_path / "g.CSV.gz"
        path.write_bytes(gzip.compress(data))
    elif packing == "zip":
        path = zip_file(tmp_path / "g.zip", {"g.CSV": data})
    else:
        path.write_bytes(data)
    result = read_events(path, fmt="gdelt2")
    urls = dict(zip(result.table.column("event_id").to_pylist(),
                    result.table.column("url").to_pylist(), strict=True))
    assert urls["gdelt2:1"] == "http://example.com/\rfirst"
    assert urls["gdelt2:3"] == "http://example.com/a\r\rb" + (
        "\x1d" if packing == "standin used" else "")
    # a carriage return before the line feed is the line ending (CRLF), not the URL's; in a
    # CRLF file, the one before it is the URL's
    assert urls["gdelt2:5"] == "http://example.com/last" + ("\r" if packing == "crlf" else "")
    assert set(urls) == {"gdelt2:1", "gdelt2:2", "gdelt2:3", "gdelt2:5"}
    assert _quarantine(result) == [(4, "SQLDATE is not a valid YYYYMMDD date: 2018")]


def test_lone_carriage_returns_in_canonical_csv_stay_in_their_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"event_id,date,source_actor,target_actor,event_code,text,dataset\n"
                     b"t:1,2021-01-05,USAGOV,RUSGOV,042,talks\rin Geneva,x\n"
                     b't:2,2021-01-06,USAGOV,RUSGOV,042,"quoted\rtoo",x\n'
                     b"t:3,2021-01-07,USAGOV,RUSGOV,042,a\rb,x,extra\n"
                     b"t:4,2021-01-08,USAGOV,RUSGOV,042,more,x\n")
    result = read_events(path)
    texts = {r["event_id"]: r["text"] for r in result.table.to_pylist()}
    assert texts == {"t:1": "talks\rin Geneva", "t:2": "quoted\rtoo", "t:4": "more"}
    # a row with more fields than the header is quarantined whole, not stored cut short
    assert [(q.line, q.reason, q.raw) for q in result.quarantine] == [
        (4, "too many fields", "t:3,2021-01-07,USAGOV,RUSGOV,042,a\rb,x,extra")]


def test_lone_carriage_returns_with_no_free_stand_in_are_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "g.CSV"
    path.write_bytes((gdelt2_line(event_id=1, url="http://example.com/\r\x1a\x1b\x1c\x1d")
                      + "\n").encode())
    with pytest.raises(InputFileError, match=r"g\.CSV: has carriage returns inside lines"):
        read_events(path, fmt="gdelt2")


def test_a_lone_carriage_return_is_found_across_chunk_edges() -> None:
    import io

    from detente.readers import _source

    texts = [b"a\rb\n", b"a\r\nb\r", b"\r\r\n", b"x\n\ry\n", b"ab\r\n\r\n"]
    for text in texts:
        lone = _source._LONE_CR.search(text.rstrip(b"\r")) is not None
        for size in range(1, len(text) + 1):
            watch = _source._CrWatch()
            for k in range(0, len(text), size):
                watch.feed(text[k:k + size])
            assert watch.lone == lone, (text, size)
            out = Path(os.environ.get("TMPDIR", "/tmp")) / f"standin-{os.getpid()}"
            try:
                _source._CHUNK, chunk = size, _source._CHUNK
                _source._standin_copy(io.BytesIO(text), out, b"\x1d")
            finally:
                _source._CHUNK = chunk
            copied = out.read_bytes()
            out.unlink()
            assert copied.replace(b"\x1d", b"\r") == text, (text, size)
            assert _source._LONE_CR.search(copied.rstrip(b"\r")) is None, (text, size)


def test_code_lookalikes_are_unknown_cameo_codes(tmp_path: Path) -> None:
    # strings an integer cast or index lookup could mistake for a code
    bad = ["04e1", "4e1", "0_40", "19.0", "190.", "+190", "-190", " 190", "190 ", "0x10",
           "1e2", "1", "00", "0100", "9999", "12000", "", "O40"]
    path = write_lines(tmp_path / "codes.CSV", [
        gdelt2_line(event_id=n, code=code, base_code="", root_code="", quad_class="1",
                    goldstein="1")
        for n, code in enumerate(bad, start=1)
    ] + [gdelt2_line(event_id=100, code="04"), gdelt2_line(event_id=101, code="01")])
    result = read_events(path, fmt="gdelt2")
    assert _quarantine(result) == [(n, f"unknown CAMEO event code: {code}")
                                   for n, code in enumerate(bad, start=1)]
    rows = {r["event_id"]: r for r in result.table.to_pylist()}
    assert (rows["gdelt2:100"]["event_code"], rows["gdelt2:100"]["event_root"],
            rows["gdelt2:100"]["plover_type"]) == ("04", "04", "CONSULT")
    assert (rows["gdelt2:101"]["event_code"], rows["gdelt2:101"]["plover_type"]) == ("01", None)


@pytest.mark.parametrize("bad_id", ["1.5", " 7", "7 "])
def test_gdelt_event_id_must_be_digits(tmp_path: Path, bad_id: str) -> None:
    path = write_lines(tmp_path / "g.CSV", [gdelt2_line(event_id=1),
                                            gdelt2_line(event_id=bad_id)])
    result = read_events(path, fmt="gdelt2")
    assert result.table.column("event_id").to_pylist() == ["gdelt2:1"]
    assert _quarantine(result) == [(2, f"GLOBALEVENTID is not a number: {bad_id}")]


@pytest.mark.parametrize(
    ("quad", "goldstein", "reason"),
    [("x", "1.9", "QuadClass is not 1..4: x"), ("0", "1.9", "QuadClass is not 1..4: 0"),
     ("1", "abc", "GoldsteinScale is not a number: abc"),
     ("1", "10.5", "GoldsteinScale out of range: 10.5")],
)
def test_gdelt_bad_quad_or_goldstein_is_quarantined(tmp_path: Path, quad: str, goldstein: str,
                                                    reason: str) -> None:
    path = write_lines(tmp_path / "g.CSV", [gdelt2_line(event_id=1),
                                            gdelt2_line(event_id=2, quad_class=quad,
                                                        goldstein=goldstein)])
    result = read_events(path, fmt="gdelt2")
    assert result.table.column("event_id").to_pylist() == ["gdelt2:1"]
    assert _quarantine(result) == [(2, reason)]


# -- the store is unchanged when a file fails -----------------------------------------------


def _snapshot(store: Store) -> tuple[int, list[dict[str, object]], list[dict[str, object]]]:
    return store.count(), store.files().to_pylist(), store.quarantine().to_pylist()


def test_store_unchanged_when_a_file_fails(tmp_path: Path) -> None:
    good = write_lines(tmp_path / "good.CSV", [*GOOD, gdelt2_line(event_id=99, code="999")])
    cut = tmp_path / "cut.CSV.gz"
    data = gzip.compress(("\n".join(GOOD * 200) + "\n").encode())
    cut.write_bytes(data[: len(data) // 2])
    utf16 = tmp_path / "u16.CSV"
    utf16.write_bytes(("\n".join(GOOD) + "\n").encode("utf-16"))
    two = zip_file(tmp_path / "two.zip", {"a.CSV": b"x\n", "b.CSV": b"y\n"})
    unknown = write_lines(tmp_path / "unknown.txt", ["hello"])
    empty = tmp_path / "empty.CSV"
    empty.write_bytes(b"")
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as store:
        report = store.ingest_file(good)
        assert (report.read, report.stored, report.quarantined) == (4, 3, 1)
        before = _snapshot(store)
        assert before[0] == 3 and len(before[1]) == 1 and len(before[2]) == 1
        for bad, fmt in [(cut, None), (utf16, None), (two, None), (unknown, None),
                         (empty, None), (tmp_path / "missing.CSV", None), (tmp_path, None),
                         (good, "icews"), (good, "nosuchformat")]:
            with pytest.raises(InputFileError):
                store.ingest_file(bad, fmt=fmt)
            assert _snapshot(store) == before, bad
        # and the store still works afterwards
        again = store.ingest_file(write_lines(tmp_path / "more.CSV",
                                              [gdelt2_line(event_id=100)]))
        assert (again.read, again.stored) == (1, 1)
        assert store.count() == 4


def test_forced_wrong_format_names_the_file_and_reason(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "g.CSV", GOOD)
    err = _error(path, fmt="icews")
    assert "ICEWS header lacks" in str(err)


def test_a_first_line_of_only_a_byte_order_mark_is_an_empty_line(tmp_path: Path) -> None:
    path = tmp_path / "bom.CSV"
    path.write_bytes(b"\xef\xbb\xbf\n" + (gdelt2_line(event_id=1, date="2018") + "\n").encode()
                     + (gdelt2_line(event_id=2) + "\n").encode())
    result = read_events(path, fmt="gdelt2")
    assert result.table.column("event_id").to_pylist() == ["gdelt2:2"]
    assert _quarantine(result) == [(2, "SQLDATE is not a valid YYYYMMDD date: 2018")]
    tab = tmp_path / "bom.tab"  # and before a header
    tab.write_bytes(b"\xef\xbb\xbf\n\n" + (icews_header() + "\n" + icews_line() + "\n").encode())
    assert read_events(tab).table.num_rows == 1
