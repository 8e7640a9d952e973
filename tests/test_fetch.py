"""`fetch_gdelt` against a local server: lists, checks, filter, totals, ledger, faults."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from _fetch_server import (
    Server,
    export1,
    export2,
    md5,
    publish2,
    serve,
    store_events,
    zipped,
)
from conftest import actor
from detente import Store
from detente.fetch import (
    FetchError,
    FetchOptions,
    FetchResult,
    Unreachable,
    coverage,
    fetch_gdelt,
)

UKR = actor("UKR", "UKRAINE", "UKR")
RUS = actor("RUS", "RUSSIA", "RUS")
USA = actor("USAGOV", "UNITED STATES", "USA", type1="GOV")
DAY = date(2026, 3, 1)


def _day_exports() -> dict[str, bytes]:
    """Three 15-minute files of 2026-03-01 (00:00, 00:15, 00:45: 00:30 never published)."""
    out = {}
    for stamp, rows in (
        ("20260301000000", [{"event_id": 1001}, {"event_id": 1002, "actor2": UKR, "code": "190"},
                            {"event_id": 1003, "code": "043"}]),
        ("20260301001500", [{"event_id": 1004, "actor1": RUS, "actor2": USA, "code": "0231"},
                            {"event_id": 1005, "actor1": UKR, "actor2": RUS, "code": "190"}]),
        ("20260301004500", [{"event_id": 1001}, {"event_id": 1006, "code": "130"}]),
    ):
        name, data = export2(stamp, rows)
        out[name] = data
    return out


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as s:
        yield s


def _run(server: Server, store: Path, tmp: Path, **kw: object) -> FetchResult:
    settings: dict[str, object] = {"timeout": 1.0, "jobs": 2, **kw}
    opts = FetchOptions(since=DAY, until=DAY, base_url=server.url + "/gdeltv2/",
                        retries=1, backoff=0.01, download_dir=tmp / "downloads",
                        **settings)  # type: ignore[arg-type]
    return fetch_gdelt(lambda: Store.open(store, with_chronology=False), opts)


def _ledger(store: Path) -> dict[str, tuple[str, str | None]]:
    with Store.open(store, read_only=True) as st:
        rows = st._con.execute("SELECT name, status, detail FROM fetch_ledger").fetchall()
    return {n: (s, d) for n, s, d in rows}


def test_fetch_filters_records_totals_and_ledger(server: Server, tmp_path: Path) -> None:
    publish2(server, _day_exports(), old_days=3)
    store = tmp_path / "s.duckdb"
    res = _run(server, store, tmp_path, countries=("USA", "RUS"))
    assert res.exit_status == 0 and res.failed == [] and res.malformed == []
    assert (res.listed, len(res.ingested), res.already) == (3, 3, 0)
    # 00:30 was never published; the list's newest is 00:45, so nothing later is expected
    assert res.missing == ["20260301003000.export.CSV.zip"]
    events = store_events(store)
    assert sorted(events) == ["gdelt2:1001", "gdelt2:1003", "gdelt2:1004", "gdelt2:1006"]
    assert events["gdelt2:1004"].startswith("20260301001500.export.CSV.zip!")
    # 1001 again at 00:45: one duplicate among the five kept events read
    assert (res.kept, res.filtered, res.duplicates) == (4, 2, 1)
    assert "de-duplication removed 1 (20.0%)" in res.summary()
    with Store.open(store, read_only=True) as st:
        totals = dict(st._con.execute(
            "SELECT name || '/' || event_root, events FROM source_totals").fetchall())
        cov = coverage(st).to_pylist()
    # totals are per file and root, before the country filter
    assert totals == {"20260301000000.export.CSV.zip/04": 2, "20260301000000.export.CSV.zip/19": 1,
                      "20260301001500.export.CSV.zip/02": 1, "20260301001500.export.CSV.zip/19": 1,
                      "20260301004500.export.CSV.zip/04": 1, "20260301004500.export.CSV.zip/13": 1}
    assert cov == [{"source": "gdelt2", "day": DAY, "expected": 4, "received": 3, "missing": 1,
                    "failed": 0}]
    assert not list((tmp_path / "downloads").iterdir())  # nothing left behind


def test_second_run_fetches_only_what_is_new(server: Server, tmp_path: Path) -> None:
    exports = _day_exports()
    first = dict(list(exports.items())[:2])
    publish2(server, first)
    store = tmp_path / "s.duckdb"
    assert len(_run(server, store, tmp_path).ingested) == 2
    publish2(server, exports)
    zips_before = [n for n, _ in server.log if n.endswith(".zip")]
    res = _run(server, store, tmp_path)
    zips = [n for n, _ in server.log if n.endswith(".zip")][len(zips_before):]
    assert zips == ["20260301004500.export.CSV.zip"]
    assert (res.already, len(res.ingested), res.exit_status) == (2, 1, 0)
    assert len(store_events(store)) == 6


def test_master_list_is_read_from_its_tail(server: Server, tmp_path: Path) -> None:
    publish2(server, _day_exports(), old_days=60)
    size = len(server.files["masterfilelist.txt"])
    res = _run(server, tmp_path / "s.duckdb", tmp_path)
    assert res.listed == 3 and res.exit_status == 0
    ranges = [r for n, r in server.log if n == "masterfilelist.txt"]
    assert ranges and all(r is not None and r.startswith("bytes=-") for r in ranges)
    assert int(ranges[-1][len("bytes=-"):]) < size  # never the whole list


def _fault(server: Server, tmp_path: Path, name: str, **kw: object) -> tuple[FetchResult, Path]:
    store = tmp_path / "s.duckdb"
    res = _run(server, store, tmp_path, **kw)
    assert res.exit_status == 3
    assert [n for n, _ in res.failed] == [name]
    assert name in _ledger(store) and _ledger(store)[name][0] == "failed"
    ids = store_events(store)
    assert not any(v.startswith(name) for v in ids.values())  # nothing of the file stored
    return res, store


def _retried_next_run(server: Server, tmp_path: Path, store: Path, name: str,
                      good: bytes) -> None:
    server.files[name] = good
    server.hang.clear()
    server.fail_first.clear()
    res = _run(server, store, tmp_path)
    assert res.exit_status == 0 and [r.name for r, _ in res.ingested] == [name]
    assert _ledger(store)[name] == ("ingested", None)
    assert len(store_events(store)) == 6


BAD = "20260301001500.export.CSV.zip"


def test_checksum_mismatch(server: Server, tmp_path: Path) -> None:
    exports = _day_exports()
    publish2(server, exports)
    good = exports[BAD]
    server.files[BAD] = good[:-4] + b"XXXX"  # same size, other bytes
    res, store = _fault(server, tmp_path, BAD)
    assert "MD5" in res.failed[0][1] and md5(good) in res.failed[0][1]
    _retried_next_run(server, tmp_path, store, BAD, good)


def test_size_mismatch_of_a_cut_off_download(server: Server, tmp_path: Path) -> None:
    exports = _day_exports()
    publish2(server, exports)
    server.files[BAD] = exports[BAD][:100]
    res, store = _fault(server, tmp_path, BAD)
    assert res.failed[0][1].startswith(f"size 100 bytes, the list says {len(exports[BAD]):,}")
    _retried_next_run(server, tmp_path, store, BAD, exports[BAD])


def test_truncated_zip_listed_as_published(server: Server, tmp_path: Path) -> None:
    """The list's size and MD5 are those of a damaged zip: the checks pass, reading fails."""
    exports = _day_exports()
    exports[BAD] = exports[BAD][: len(exports[BAD]) // 2]
    publish2(server, exports)
    res, store = _fault(server, tmp_path, BAD)
    assert "zip" in res.failed[0][1]
    assert len(store_events(store)) == 4


def test_html_page_instead_of_zip(server: Server, tmp_path: Path) -> None:
    exports = _day_exports()
    publish2(server, exports)
    server.files[BAD] = b"<html><body>Rate limit exceeded</body></html>\n"
    res, store = _fault(server, tmp_path, BAD)
    assert res.failed[0][1] == "the server sent a web page, not the zip file"
    _retried_next_run(server, tmp_path, store, BAD, exports[BAD])


def test_malformed_master_list_lines(server: Server, tmp_path: Path) -> None:
    publish2(server, _day_exports(), extra_lines=[
        "garbage without fields",
        "12 nothex http://data.gdeltproject.org/gdeltv2/20260301010000.export.CSV.zip",
        "15 d41d8cd98f00b204e9800998ecf8427e",
        "12 nothex http://data.gdeltproject.org/gdeltv2/20190101000000.export.CSV.zip",  # other range
    ])
    res = _run(server, tmp_path / "s.duckdb", tmp_path)
    assert res.exit_status == 3 and len(res.ingested) == 3
    assert res.malformed == [
        "garbage without fields",
        "12 nothex http://data.gdeltproject.org/gdeltv2/20260301010000.export.CSV.zip",
        "15 d41d8cd98f00b204e9800998ecf8427e",
    ]


def test_hanging_server_times_out(server: Server, tmp_path: Path) -> None:
    exports = _day_exports()
    publish2(server, exports)
    server.hang.add(BAD)
    server.hang_seconds = 0.8
    res, store = _fault(server, tmp_path, BAD, timeout=0.25)
    assert res.failed[0][1] == "no answer within 0.25 s (tried 2 times)"
    assert server.requests(BAD) == 2
    _retried_next_run(server, tmp_path, store, BAD, exports[BAD])


def test_503_then_success_is_retried(server: Server, tmp_path: Path) -> None:
    publish2(server, _day_exports())
    server.fail_first[BAD] = (503, 1)
    res = _run(server, tmp_path / "s.duckdb", tmp_path)
    assert res.exit_status == 0 and len(res.ingested) == 3
    assert server.requests(BAD) == 2


def test_429_until_retries_run_out(server: Server, tmp_path: Path) -> None:
    exports = _day_exports()
    publish2(server, exports)
    server.fail_first[BAD] = (429, 5)
    res, store = _fault(server, tmp_path, BAD)
    assert res.failed[0][1] == "HTTP 429 Too Many Requests (tried 2 times)"
    _retried_next_run(server, tmp_path, store, BAD, exports[BAD])


def test_unreachable_server_is_one_clear_error(server: Server, tmp_path: Path) -> None:
    opts = FetchOptions(since=DAY, until=DAY, base_url="http://127.0.0.1:9/gdeltv2/",
                        retries=0, timeout=1.0)
    store = tmp_path / "s.duckdb"
    with pytest.raises(Unreachable, match=r"127\.0\.0\.1:9/gdeltv2/lastupdate\.txt: cannot reach "
                                          r"the server \(connection refused\)"):
        fetch_gdelt(lambda: Store.open(store, with_chronology=False), opts)
    assert not store.exists()


def test_options_are_checked() -> None:
    def go(**kw: object) -> None:
        fetch_gdelt(lambda: Store.open(":memory:"),  # never opened
                    FetchOptions(**{"since": DAY, "until": DAY, **kw}))  # type: ignore[arg-type]

    with pytest.raises(FetchError, match="before --since"):
        go(until=date(2026, 2, 1))
    with pytest.raises(FetchError, match="three-letter CAMEO"):
        go(countries=("usa",))
    with pytest.raises(FetchError, match="starts on 2015-02-18"):
        go(since=date(2014, 1, 1), until=date(2014, 2, 1))


def test_gdelt1_monthly_and_daily_files(server: Server, tmp_path: Path) -> None:
    monthly = export1("201303.zip", [{"event_id": 5001, "date": "20130310", "date_added": "20130310"}])
    day1 = export1("20130401.export.CSV.zip", [{"event_id": 5002, "date": "20130401"},
                                               {"event_id": 5003, "date": "20130401",
                                                "actor2": UKR}])
    day3 = export1("20130403.export.CSV.zip", [{"event_id": 5004, "date": "20130403"}])
    files = {"201303.zip": monthly, "20130401.export.CSV.zip": day1,
             "20130403.export.CSV.zip": day3}
    server.files.update(files)
    server.files["md5sums"] = "".join(f"{md5(d)}  {n}\n" for n, d in files.items()).encode() + \
        b"0123456789abcdef0123456789abcdef  GDELT.MASTERREDUCEDV2.1979-2013.zip\n"
    server.files["filesizes"] = "".join(f"{len(d)} {n}\n" for n, d in files.items()).encode()
    store = tmp_path / "s.duckdb"
    opts = FetchOptions(since=date(2013, 3, 20), until=date(2013, 4, 5), version=1,
                        base_url=server.url + "/events/", countries=("USA", "RUS"),
                        download_dir=tmp_path / "dl", timeout=1.0, retries=0)
    res = fetch_gdelt(lambda: Store.open(store, with_chronology=False), opts)
    assert res.exit_status == 0 and res.listed == 3
    assert res.missing == ["20130402.export.CSV.zip"]  # up to the newest day listed
    assert sorted(store_events(store)) == ["gdelt1:5001", "gdelt1:5002", "gdelt1:5004"]
    with Store.open(store, read_only=True) as st:
        cov = {(r["day"], r["received"], r["missing"]) for r in coverage(st).to_pylist()}
    assert cov == {(date(2013, 3, 1), 1, 0), (date(2013, 4, 1), 1, 0), (date(2013, 4, 2), 0, 1),
                   (date(2013, 4, 3), 1, 0)}


def test_zip_with_the_wrong_content_is_not_stored(server: Server, tmp_path: Path) -> None:
    exports = _day_exports()
    exports[BAD] = zipped("x.csv", "this is not a GDELT file\n")
    publish2(server, exports)
    res, store = _fault(server, tmp_path, BAD)
    assert res.failed[0][1].startswith("no row reads as a gdelt2 event (1 rows")
    assert len(store_events(store)) == 4


def _many_exports() -> dict[str, bytes]:
    """Twelve 15-minute files: repeats across files, one row to quarantine, one file that
    is not GDELT at all."""
    out = {}
    for k in range(12):
        stamp = f"20260301{k // 4:02d}{k % 4 * 15:02d}00"
        rows: list[dict[str, object]] = [
            {"event_id": 2000 + 10 * k + j, "actor1": (RUS, UKR, USA)[j % 3],
             "actor2": (USA, RUS, UKR)[(j + k) % 3], "code": ("190", "043", "0231")[j % 3]}
            for j in range(5)]
        rows.append({"event_id": 2000 + 10 * (k - 1)} if k else {"event_id": 1999})
        if k == 4:
            rows.append({"event_id": 2999, "code": "999"})  # not a CAMEO code: quarantined
        name, data = export2(stamp, rows)
        out[name] = data
    out["20260301013000.export.CSV.zip"] = zipped("x.csv", "this is not a GDELT file\n")
    return out


def test_a_day_is_ingested_together_as_file_by_file_would(server: Server, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import detente.fetch._gdelt as gdelt

    publish2(server, _many_exports())
    got = {}
    # one by one: one download at a time, so each is ingested in time order, alone
    for label, batch, patience, jobs in (("together", 96, 5.0, 2), ("one by one", 1, 0.0, 1)):
        monkeypatch.setattr(gdelt, "BATCH", batch)
        monkeypatch.setattr(gdelt, "PATIENCE", patience)
        store = tmp_path / f"{label}.duckdb"
        res = _run(server, store, tmp_path / label, countries=("USA", "RUS"), jobs=jobs)
        assert res.failed == [("20260301013000.export.CSV.zip",
                               "no row reads as a gdelt2 event (1 rows; not a GDELT export?)")]
        assert len(res.ingested) == 11 and res.exit_status == 3
        with Store.open(store, read_only=True) as st:
            con = st._con
            got[label] = (
                store_events(store),
                sorted(con.execute("SELECT name, status, kept, filtered FROM fetch_ledger").fetchall()),
                sorted(con.execute("SELECT name, event_root, events FROM source_totals").fetchall()),
                sorted(con.execute("SELECT name, rows_read, stored, duplicates, quarantined "
                                   "FROM files").fetchall()),
                con.execute("SELECT file, line, reason FROM quarantine").fetchall(),
                st.version)
    together, alone = got["together"], got["one by one"]
    for a, b in zip(together[:5], alone[:5], strict=True):
        assert a == b, (set(a) ^ set(b)) if isinstance(a, dict) else None
    events, ledger, totals, files, quarantine, version = together
    assert quarantine == [("20260301010000.export.CSV.zip!20260301010000.export.CSV", 7,
                           "unknown CAMEO event code: 999")]
    # RUS-USA and USA-RUS pairs kept, UKR ones filtered; each file's repeat of the one before
    assert len(events) == sum(r[2] for r in ledger if r[1] == "ingested") > 0
    assert sum(r[3] for r in ledger if r[1] == "ingested") > 0
    assert sum(r[3] for r in files) > 0  # repeats of the file before's events
    assert {r[0] for r in totals} == {r[0] for r in ledger if r[1] == "ingested"}
    # together: far fewer changes of the store than one a file
    assert version < alone[5] - 5
