"""Property tests: readers never crash on bad text, account for every line, round-trip,
and read every well-formed line they are given (a reader refusing whole files fails them)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import (
    DERIVE,
    actor,
    gdelt1_fields,
    gdelt2_fields,
    geo2,
    icews_fields,
    icews_header,
)
from detente import InputFileError, read_events
from detente.readers import READERS, Reader, SourceFile
from detente.schema import CANONICAL_SCHEMA

# read_events costs 70-180 ms a call (mostly DuckDB binding the lookup macros), so examples are
# few but each file holds many lines
SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
ROUND_TRIP = settings(SETTINGS, max_examples=12)

_files = itertools.count()

# text without line breaks or lone carriage returns (a lone \r is a known bug, tested apart)
_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r")
_TRICKY = st.sampled_from(["\t", '"', "'", '""', "\\", ",", ";", "NA", "é", "ü", "Ж", "中",
                           "\u00a0", "\u2028", "\x85", "\x0b", "\x1e\x1e", "\x1f", "\x00",
                           "😀", "\ufeff", "-", "1e308", "99999999999999999999"])
FIELD_TEXT = st.lists(st.one_of(st.text(_CHARS, max_size=12), _TRICKY), max_size=4).map("".join)


def _path(tmp_path: Path, suffix: str) -> Path:
    return tmp_path / f"f{next(_files)}{suffix}"


def _non_empty_lines(data: bytes) -> int:
    """Count lines as a reader must: split at \\n; a line of only \\r is empty, and so is a
    first line holding only the UTF-8 byte-order mark."""
    pieces = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces = pieces[:-1]
    return sum(1 for p in pieces if p.rstrip(b"\r") != b"")


def _check_accounting(path: Path, fmt: str, header_lines: int = 0,
                      intact: Sequence[int] = ()) -> None:
    """Read ``path``; only InputFileError may escape; every data line is accounted for.

    ``intact``: numbers of the lines written well-formed. The file may then be refused as
    a whole only as binary content (a reader must not refuse a file it can partly read),
    and none of those lines may be quarantined, so each of them is read as a good row.
    """
    try:
        result = read_events(path, fmt=fmt)
    except InputFileError as exc:
        assert not intact or "binary content" in str(exc), (
            f"{fmt} refused a file holding {len(intact)} well-formed line(s): {exc}")
        return
    expected = _non_empty_lines(path.read_bytes()) - header_lines
    good = result.table.num_rows
    assert good + len(result.quarantine) == expected, (good, result.quarantine)
    wrongly = [q for q in result.quarantine if q.line in set(intact)]
    assert wrongly == [], f"{fmt} quarantined well-formed lines: {wrongly}"
    assert good >= len(intact), (good, len(intact))
    assert result.table.schema.equals(CANONICAL_SCHEMA, check_metadata=False)
    lines = [q.line for q in result.quarantine]
    assert lines == sorted(lines)
    assert len(set(lines)) == len(lines)
    n_lines = path.read_bytes().count(b"\n") + 1
    assert all(header_lines < line <= n_lines for line in lines)
    for q in result.quarantine:
        assert q.reason and "\n" not in q.reason
    assert all(e is not None for e in result.table.column("event_id").to_pylist())


# -- random text ---------------------------------------------------------------------


@SETTINGS
@given(lines=st.lists(st.one_of(FIELD_TEXT, st.just("")), min_size=1, max_size=15),
       fmt=st.sampled_from(["gdelt2", "gdelt1"]), crlf=st.booleans())
def test_random_text_lines(tmp_path: Path, lines: list[str], fmt: str, crlf: bool) -> None:
    path = _path(tmp_path, ".CSV")
    path.write_bytes(("\r\n" if crlf else "\n").join(lines).encode("utf-8"))
    _check_accounting(path, fmt)


@SETTINGS
@given(lines=st.lists(FIELD_TEXT, min_size=1, max_size=6))
def test_random_text_lines_under_an_icews_header(tmp_path: Path, lines: list[str]) -> None:
    path = _path(tmp_path, ".tab")
    path.write_bytes(("\n".join([icews_header(), *lines]) + "\n").encode("utf-8"))
    _check_accounting(path, "icews", header_lines=1)


@SETTINGS
@given(data=st.binary(min_size=1, max_size=300), fmt=st.sampled_from(["gdelt2", "icews", None]))
def test_random_bytes_raise_only_input_file_error(tmp_path: Path, data: bytes,
                                                  fmt: str | None) -> None:
    path = _path(tmp_path, ".bin")
    path.write_bytes(data)
    try:
        read_events(path, fmt=fmt)
    except InputFileError as exc:
        assert str(path) in str(exc)
        assert "\n" not in str(exc)


# -- mutated valid lines -------------------------------------------------------------


CODES = ["010", "020", "0211", "036", "040", "042", "043", "051", "057", "061", "071", "0874",
         "090", "111", "112", "120", "130", "138", "141", "163", "172", "180", "190", "193",
         "195", "200", "14", "19"]
ACTORS = [
    actor(),
    actor("USAGOV", "UNITED STATES", "USA", type1="GOV"),
    actor("RUS", "RUSSIA", "RUS"),
    actor("RUSMIL", "RUSSIAN", "RUS", type1="MIL"),
    actor("NAT", "NATO", known_group="NAT"),
    actor("IGOUNO", "UNITED NATIONS", known_group="UNO", type1="IGO"),
    actor("COP", "POLICE", type1="COP"),
    actor("CHNGOVMIL", "CHINA", "CHN", type1="GOV", type2="MIL"),
]

gdelt_dates = st.dates(min_value=dt.date(1979, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def gdelt2_row(draw: st.DrawFn) -> list[str]:
    day = draw(gdelt_dates)
    return gdelt2_fields(
        event_id=draw(st.integers(1, 2**40)),
        date=day.strftime("%Y%m%d"),
        actor1=draw(st.sampled_from(ACTORS)),
        actor2=draw(st.sampled_from(ACTORS)),
        is_root=draw(st.sampled_from(["0", "1"])),
        code=draw(st.sampled_from(CODES)),
        quad_class=draw(st.one_of(st.just(DERIVE), st.just(""), st.sampled_from("1234"))),
        goldstein=draw(st.one_of(st.just(DERIVE), st.just(""),
                                 st.floats(-10, 10).map(lambda x: repr(round(x, 1))))),
        mentions=str(draw(st.integers(0, 500))),
        sources=str(draw(st.integers(0, 50))),
        articles=str(draw(st.integers(0, 500))),
        tone=repr(draw(st.floats(-30, 30, allow_nan=False))),
        actor1_geo=draw(st.sampled_from([geo2(), geo2("1", "Russia", "RS", "RS", "", "60",
                                                      "100", "RS")])),
        date_added=day.strftime("%Y%m%d") + "000000",
        url=draw(st.one_of(st.just(""), st.text(_CHARS.filter(lambda c: c != "\t"), max_size=30)
                           .map(lambda s: "http://example.com/" + s))),
    )


@st.composite
def gdelt1_row(draw: st.DrawFn) -> list[str]:
    day = draw(gdelt_dates)
    return gdelt1_fields(
        event_id=draw(st.integers(1, 2**40)),
        date=day.strftime("%Y%m%d"),
        actor1=draw(st.sampled_from(ACTORS)),
        code=draw(st.sampled_from(CODES)),
        date_added=day.strftime("%Y%m%d"),
        with_url=draw(st.booleans()),
    )


@st.composite
def icews_row(draw: st.DrawFn) -> list[str]:
    return icews_fields(
        event_id=draw(st.integers(1, 10**9)),
        date=draw(st.dates(min_value=dt.date(1995, 1, 1),
                           max_value=dt.date(2030, 1, 1))).isoformat(),
        source_country=draw(st.sampled_from(["Russian Federation", "United States", "NA",
                                             "China", "Atlantis"])),
        source_sectors=draw(st.sampled_from(["Military,Government", "NA", "",
                                             "Executive,Foreign Ministry,Government"])),
        cameo=draw(st.sampled_from([*CODES, "40", "42", "211"])),
        intensity=draw(st.one_of(st.just("NA"), st.floats(-10, 10).map(lambda x: f"{x:.1f}"))),
        story_id=draw(st.sampled_from(["NA", "47400351"])),
    )


@st.composite
def mutated_line(draw: st.DrawFn, row: st.SearchStrategy[list[str]]) -> tuple[str, bool]:
    """Return a line made from ``row`` by up to three edits, and whether it is unchanged
    (and so well-formed: every row the strategies above make is valid)."""
    original = draw(row)
    fields = list(original)
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["drop", "duplicate", "replace", "append_tab", "truncate"]))
        i = draw(st.integers(0, len(fields) - 1))
        if op == "drop" and len(fields) > 1:
            del fields[i]
        elif op == "duplicate":
            fields.insert(i, fields[i])
        elif op == "replace":
            fields[i] = draw(FIELD_TEXT)
        elif op == "append_tab":
            fields[i] += "\t" + draw(FIELD_TEXT)
        elif op == "truncate":
            fields[i] = fields[i][: draw(st.integers(0, max(0, len(fields[i]) - 1)))]
    return "\t".join(fields), fields == original


def mutated(row: st.SearchStrategy[list[str]]) -> st.SearchStrategy[str]:
    """Lines made from ``row`` by up to three edits."""
    return mutated_line(row).map(lambda pair: pair[0])


def _mixed(row: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[tuple[str, bool]]]:
    """1-15 lines, each edited from ``row`` or empty, with whether it is well-formed."""
    return st.lists(st.one_of(mutated_line(row), st.just(("", False))), min_size=1,
                    max_size=15)


def _intact(lines: list[tuple[str, bool]], header_lines: int = 0) -> list[int]:
    """Return the line numbers of the well-formed lines."""
    return [header_lines + n for n, (_, ok) in enumerate(lines, 1) if ok]


def _write(tmp_path: Path, suffix: str, lines: list[str], crlf: bool, trailing: bool) -> Path:
    path = _path(tmp_path, suffix)
    text = ("\r\n" if crlf else "\n").join(lines)
    if trailing:
        text += "\r\n" if crlf else "\n"
    path.write_bytes(text.encode("utf-8"))
    return path


@SETTINGS
@given(lines=_mixed(gdelt2_row()), crlf=st.booleans(), trailing=st.booleans())
def test_mutated_gdelt2_lines(tmp_path: Path, lines: list[tuple[str, bool]], crlf: bool,
                              trailing: bool) -> None:
    path = _write(tmp_path, ".CSV", [text for text, _ in lines], crlf, trailing)
    _check_accounting(path, "gdelt2", intact=_intact(lines))


@SETTINGS
@given(lines=_mixed(gdelt1_row()), crlf=st.booleans(), trailing=st.booleans())
def test_mutated_gdelt1_lines(tmp_path: Path, lines: list[tuple[str, bool]], crlf: bool,
                              trailing: bool) -> None:
    path = _write(tmp_path, ".csv", [text for text, _ in lines], crlf, trailing)
    _check_accounting(path, "gdelt1", intact=_intact(lines))


@SETTINGS
@given(lines=_mixed(icews_row()), crlf=st.booleans(), trailing=st.booleans())
def test_mutated_icews_lines(tmp_path: Path, lines: list[tuple[str, bool]], crlf: bool,
                             trailing: bool) -> None:
    path = _write(tmp_path, ".tab", [icews_header(), *(text for text, _ in lines)], crlf,
                  trailing)
    _check_accounting(path, "icews", header_lines=1, intact=_intact(lines, header_lines=1))


@SETTINGS
@given(rows=st.lists(gdelt2_row(), min_size=1, max_size=6))
def test_valid_gdelt2_rows_are_all_read(tmp_path: Path, rows: list[list[str]]) -> None:
    path = _write(tmp_path, ".CSV", ["\t".join(r) for r in rows], False, True)
    result = read_events(path)
    assert result.reader == "gdelt2"
    assert result.quarantine == []
    got = zip(*(result.table.column(c).to_pylist() for c in ("event_id", "event_code", "url")),
              strict=True)
    assert sorted(got, key=repr) == sorted(
        ((f"gdelt2:{r[0]}", r[26], _trimmed(r[60]) or None) for r in rows), key=repr)


@SETTINGS
@given(rows=st.lists(gdelt1_row(), min_size=1, max_size=6))
def test_valid_gdelt1_rows_are_all_read(tmp_path: Path, rows: list[list[str]]) -> None:
    path = _write(tmp_path, ".csv", ["\t".join(r) for r in rows], False, True)
    result = read_events(path)
    assert result.reader == "gdelt1"
    assert result.quarantine == []
    got = zip(*(result.table.column(c).to_pylist() for c in ("event_id", "event_code")),
              strict=True)
    assert sorted(got) == sorted((f"gdelt1:{r[0]}", r[26]) for r in rows)


@SETTINGS
@given(rows=st.lists(icews_row(), min_size=1, max_size=6))
def test_valid_icews_rows_are_all_read(tmp_path: Path, rows: list[list[str]]) -> None:
    path = _write(tmp_path, ".tab", [icews_header(), *("\t".join(r) for r in rows)], False,
                  True)
    result = read_events(path)
    assert result.reader == "icews"
    assert result.quarantine == []
    got = zip(*(result.table.column(c).to_pylist() for c in ("event_id", "dataset")),
              strict=True)
    assert sorted(got) == sorted((f"icews:{r[0]}:{r[1]}", "icews") for r in rows)


def _trimmed(text: str) -> str:
    """``text`` without the space separators around it (Unicode class Zs, as SQL trim)."""
    spaces = "".join({c for c in text if unicodedata.category(c) == "Zs"})
    return text.strip(spaces) if spaces else text


@settings(SETTINGS)
@given(lines=st.lists(mutated(gdelt2_row()), min_size=1, max_size=5),
       where=st.integers(0, 60), at=st.integers(0, 4))
def test_lone_carriage_return_keeps_the_line_count(tmp_path: Path, lines: list[str],
                                                   where: int, at: int) -> None:
    at = at % len(lines)
    fields = lines[at].split("\t")
    fields[where % len(fields)] = "a\rb"
    lines[at] = "\t".join(fields)
    _check_accounting(_write(tmp_path, ".CSV", lines, False, True), "gdelt2")


# -- round trip through canonical JSON lines --------------------------------------------


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def _round_trip(tmp_path: Path, lines: list[str], suffix: str = ".CSV",
                header_lines: int = 0) -> tuple[list, list]:
    source = _write(tmp_path, suffix, lines, False, True)
    first = read_events(source)
    assert first.quarantine == []
    assert first.table.num_rows == len(lines) - header_lines
    out = _path(tmp_path, ".jsonl")
    out.write_text("".join(
        json.dumps({k: _jsonable(v) for k, v in row.items()}) + "\n"
        for row in first.table.to_pylist()
    ), encoding="utf-8")
    second = read_events(out)
    assert second.reader == "canonical-jsonl"
    assert second.quarantine == []
    return _canonical_rows(first), _canonical_rows(second)


def _assert_same(before: list[dict[str, object]], after: list[dict[str, object]]) -> None:
    assert len(after) == len(before)
    diffs = [(b["event_id"], c, b[c], a[c]) for b, a in zip(before, after, strict=True)
             for c in b if a[c] != b[c]]
    assert diffs == []


def _canonical_rows(result) -> list[dict[str, object]]:
    """Rows without provenance, in a fixed order (reads need not keep file order here)."""
    rows = result.table.drop(["ingested_from"]).to_pylist()
    return sorted(rows, key=lambda r: json.dumps({k: _jsonable(v) for k, v in r.items()},
                                                 sort_keys=True))


# Actors as GDELT writes them, including codes whose parts the canonical reader could
# derive differently (a religion actor with no type code; a role code with no country)
ROUND_TRIP_ACTORS = [
    *ACTORS,
    actor("CHRCTH", "THE POPE", religion1="CHR", religion2="CTH"),
    actor("tib", "TIBETAN", ethnic="tib"),
    actor("ROU", "ROMANIA"),
    actor("USA", "UNITED STATES", "USA", type1="GOV"),
    actor("IMGMOSALQUAF", "AL QAEDA", known_group="ALQ", religion1="MOS", type1="IMG"),
]


@ROUND_TRIP
@given(rows=st.lists(gdelt2_row(), min_size=1, max_size=12),
       actors=st.lists(st.sampled_from(ROUND_TRIP_ACTORS), min_size=10, max_size=10))
def test_gdelt2_round_trip_through_canonical_jsonl(tmp_path: Path, rows: list[list[str]],
                                                   actors: list[list[str]]) -> None:
    lines = []
    for n, fields in enumerate(rows):
        fields = list(fields)
        fields[5:15] = actors[(2 * n) % 10]
        fields[15:25] = actors[(2 * n + 1) % 10]
        fields[60] = fields[60].strip(" ")  # surrounding spaces: a known bug, tested apart
        lines.append("\t".join(fields))
    before, after = _round_trip(tmp_path, lines)
    _assert_same(before, after)


@ROUND_TRIP
@given(rows=st.lists(icews_row(), min_size=1, max_size=12))
def test_icews_round_trip_through_canonical_jsonl(tmp_path: Path,
                                                  rows: list[list[str]]) -> None:
    lines = [icews_header(), *("\t".join(r) for r in rows)]
    before, after = _round_trip(tmp_path, lines, ".tab", header_lines=1)
    _assert_same(before, after)


def test_round_trip_keeps_a_null_role_of_a_religion_actor(tmp_path: Path) -> None:
    line = "\t".join(gdelt2_fields(actor1=actor("CHRCTH", "THE POPE", religion1="CHR",
                                                religion2="CTH")))
    before, after = _round_trip(tmp_path, [line])
    assert before[0]["source_role"] is None
    _assert_same(before, after)


@pytest.mark.parametrize("where", ["url", "name"])
def test_spaces_around_gdelt_text_are_trimmed_as_in_every_reader(tmp_path: Path,
                                                                 where: str) -> None:
    # names and URLs are trimmed on the way in, as the canonical readers trim every field,
    # so what is stored survives export and re-import
    if where == "url":
        fields = gdelt2_fields(url="http://example.com/a ")
    else:
        fields = gdelt2_fields(actor1=actor("USA", " UNITED STATES", "USA"))
    before, after = _round_trip(tmp_path, ["\t".join(fields)])
    if where == "url":
        assert before[0]["url"] == "http://example.com/a"
    else:
        assert before[0]["source_name"] == "UNITED STATES"
    _assert_same(before, after)


# -- the checks above fail for a reader that refuses what it should read -----------------
# Each property test that is given well-formed lines runs here on one fixed example while
# a reader is broken on purpose: refusing the file, quarantining every row, or reading
# none. Before these checks, a reader refusing every file passed the mutated-line tests.


SelectSql = Callable[[Reader, SourceFile, str], str]


def _refuses(original: SelectSql) -> SelectSql:
    def select_sql(self: Reader, src: SourceFile, rejects: str) -> str:
        raise InputFileError(src.path, "refused by a deliberately broken reader")
    return select_sql


def _quarantines_all(original: SelectSql) -> SelectSql:
    def select_sql(self: Reader, src: SourceFile, rejects: str) -> str:
        return f"SELECT * REPLACE ('refused' AS _error) FROM ({original(self, src, rejects)})"
    return select_sql


def _reads_nothing(original: SelectSql) -> SelectSql:
    def select_sql(self: Reader, src: SourceFile, rejects: str) -> str:
        return f"SELECT * FROM ({original(self, src, rejects)}) WHERE false"
    return select_sql


BREAKAGES = {"refuses": _refuses, "quarantines-all": _quarantines_all,
             "reads-nothing": _reads_nothing}

_G2 = gdelt2_fields()
_G1 = gdelt1_fields()
_IC = icews_fields()

# one fixed well-formed example per property test that feeds valid lines, and the reader
# it exercises (run through the test's body, as Hypothesis would)
FIXED_EXAMPLES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "mutated-gdelt2": ("gdelt2", lambda p: test_mutated_gdelt2_lines.hypothesis.inner_test(
        p, lines=[("\t".join(_G2), True), ("", False)], crlf=False, trailing=True)),
    "mutated-gdelt1": ("gdelt1", lambda p: test_mutated_gdelt1_lines.hypothesis.inner_test(
        p, lines=[("\t".join(_G1), True)], crlf=True, trailing=False)),
    "mutated-icews": ("icews", lambda p: test_mutated_icews_lines.hypothesis.inner_test(
        p, lines=[("", False), ("\t".join(_IC), True)], crlf=False, trailing=True)),
    "valid-gdelt2": ("gdelt2", lambda p: test_valid_gdelt2_rows_are_all_read.hypothesis
                     .inner_test(p, rows=[_G2])),
    "valid-gdelt1": ("gdelt1", lambda p: test_valid_gdelt1_rows_are_all_read.hypothesis
                     .inner_test(p, rows=[_G1])),
    "valid-icews": ("icews", lambda p: test_valid_icews_rows_are_all_read.hypothesis
                    .inner_test(p, rows=[_IC])),
    "round-trip-gdelt2": ("gdelt2", lambda p: test_gdelt2_round_trip_through_canonical_jsonl
                          .hypothesis.inner_test(p, rows=[_G2], actors=[actor()] * 10)),
    "round-trip-icews": ("icews", lambda p: test_icews_round_trip_through_canonical_jsonl
                         .hypothesis.inner_test(p, rows=[_IC])),
    "round-trip-jsonl": ("canonical-jsonl", lambda p: test_gdelt2_round_trip_through_canonical_jsonl
                         .hypothesis.inner_test(p, rows=[_G2], actors=[actor()] * 10)),
}


@pytest.mark.parametrize("case", FIXED_EXAMPLES)
def test_fixed_examples_pass_with_the_real_readers(tmp_path: Path, case: str) -> None:
    FIXED_EXAMPLES[case][1](tmp_path)


@pytest.mark.parametrize("breakage", BREAKAGES)
@pytest.mark.parametrize("case", FIXED_EXAMPLES)
def test_property_checks_fail_for_a_reader_that_refuses_good_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, breakage: str) -> None:
    name, run = FIXED_EXAMPLES[case]
    cls = type(READERS[name])
    monkeypatch.setattr(cls, "select_sql", BREAKAGES[breakage](cls.select_sql))
    with pytest.raises((AssertionError, InputFileError)):
        run(tmp_path)
