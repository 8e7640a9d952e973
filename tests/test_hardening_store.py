"""Hardening of the store: one writer at a time per file, in one process and across
processes; the chronology loaded as one change; provenance that agrees with the events."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from conftest import gdelt2_line, read_sql, write_lines, write_sql
from detente import InputFileError, Store
from detente.store import _store


def _gdelt(path: Path, n: int) -> Path:
    return write_lines(path, [gdelt2_line(event_id=k) for k in range(1, n + 1)])


def _curated(st: Store) -> tuple[int, int, int]:
    """Return (curated events, curated files rows, events those rows claim)."""
    (events,), = read_sql(st, "SELECT count(*) FROM events WHERE dataset = 'curated'")
    (files, claimed), = read_sql(st, "SELECT count(*), coalesce(sum(stored), 0) FROM files "
                                     "WHERE dataset = 'curated'")
    return int(events), int(files), int(claimed)  # type: ignore[call-overload]


def test_two_stores_on_one_path_in_one_process_never_store_an_event_twice(tmp_path: Path) -> None:
    path = _gdelt(tmp_path / "g.CSV", 6000)
    db = tmp_path / "s.duckdb"
    Store.open(db, with_chronology=False).close()
    stores = [Store.open(db, with_chronology=False) for _ in range(2)]
    start = threading.Barrier(2)
    reports: list[object] = []

    def run(st: Store) -> None:
        start.wait()
        reports.append(st.ingest_file(path))

    threads = [threading.Thread(target=run, args=(st,)) for st in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert stores[0].count() == 6000
        assert sorted((r.stored, r.duplicates) for r in reports) == [(0, 6000), (6000, 0)]  # type: ignore[attr-defined]
        (distinct,), = read_sql(stores[0], "SELECT count(DISTINCT event_id) FROM events")
        assert distinct == 6000
    finally:
        for st in stores:
            st.close()


def test_two_threads_creating_one_store_load_the_chronology_once(tmp_path: Path) -> None:
    db = tmp_path / "new.duckdb"
    start = threading.Barrier(2)
    opened: list[Store] = []
    errors: list[BaseException] = []

    def run() -> None:
        start.wait()
        try:
            opened.append(Store.open(db))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    try:
        events, files, claimed = _curated(opened[0])
        assert files == len(_store.chronology_files())
        assert events == claimed > 0
    finally:
        for st in opened:
            st.close()


_INGEST = """
import sys
from detente import Store
with Store.open(sys.argv[1], with_chronology=False, wait=60) as st:
    r = st.ingest_file(sys.argv[2])
    print(r.stored, r.duplicates)
"""


def test_two_processes_ingesting_one_file_never_store_an_event_twice(tmp_path: Path) -> None:
    path = _gdelt(tmp_path / "g.CSV", 3000)
    db = tmp_path / "s.duckdb"
    Store.open(db, with_chronology=False).close()
    procs = [subprocess.Popen([sys.executable, "-c", _INGEST, str(db), str(path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sorted(o.split() for o, _ in outs) == [["0", "3000"], ["3000", "0"]]
    with Store.open(db, read_only=True) as st:
        assert st.count() == 3000


# -- the chronology -----------------------------------------------------------------------


def test_refreshing_the_chronology_keeps_one_files_row_per_file(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with Store.open(db) as st:
        first = _curated(st)
    for _ in range(2):
        with Store.open(db) as st:  # as if the packaged chronology had changed
            write_sql(st, "UPDATE meta SET value = 'older' WHERE key = 'chronology_sha256'")
        with Store.open(db) as st:
            assert _curated(st) == first
            (quarantined,), = read_sql(st, "SELECT count(*) FROM quarantine q JOIN files f "
                                           "USING (file_id) WHERE f.dataset = 'curated'")
            assert quarantined == 0
    assert first[1] == len(_store.chronology_files()) and first[0] == first[2] > 0


def test_a_chronology_load_that_fails_leaves_the_store_as_it_was(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    good = _store.chronology_files()
    bad = tmp_path / "z_bad.csv"
    bad.write_bytes(b"\x00\x01binary\x00" * 100)
    monkeypatch.setattr(_store, "chronology_files", lambda: [*good, bad])
    db = tmp_path / "s.duckdb"
    with pytest.raises(InputFileError, match="binary content"):
        Store.open(db)
    with Store.open(db, with_chronology=False) as st:
        assert _curated(st) == (0, 0, 0)
        assert st.meta("chronology_sha256") is None
    monkeypatch.setattr(_store, "chronology_files", lambda: good)
    with Store.open(db) as st:
        events, files, claimed = _curated(st)
        assert (files, events) == (len(good), claimed)
        version = st.version
        write_sql(st, "UPDATE meta SET value = 'older' WHERE key = 'chronology_sha256'")
    monkeypatch.setattr(_store, "chronology_files", lambda: [*good, bad])
    with pytest.raises(InputFileError):
        Store.open(db)  # a failed refresh keeps the chronology that was there
    with Store.open(db, with_chronology=False) as st:
        assert _curated(st) == (events, files, claimed)
        assert st.version == version + 1


def test_a_refresh_leaves_other_files_events_alone(tmp_path: Path) -> None:
    csv = tmp_path / "c.csv"
    csv.write_bytes(b"event_id,date,event_code,dataset\nc:1,2020-01-01,042,curated\n"
                    b"c:2,2020-01-02,042,mine\n")
    db = tmp_path / "s.duckdb"
    with Store.open(db) as st:
        report = st.ingest_file(csv)
        assert (report.stored, report.quarantined) == (1, 1)
        write_sql(st, "UPDATE meta SET value = 'older' WHERE key = 'chronology_sha256'")
    with Store.open(db) as st:
        (mine,), = read_sql(st, "SELECT count(*) FROM events WHERE event_id LIKE 'c:%'")
        (claimed,), = read_sql(st, "SELECT stored FROM files WHERE name = 'c.csv'")
        assert mine == claimed == 1


def test_a_store_whose_creation_was_cut_short_opens_as_new(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    duckdb.connect(str(db)).close()  # the file exists, with no table yet
    assert db.stat().st_size > 0
    with Store.open(db) as st:
        assert _curated(st)[0] > 0
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t (x INTEGER)")
    con.close()
    with pytest.raises(Exception, match="not a detente store"):
        Store.open(other)
