"""Many files at once: the batch path gives the store file by file would, exactly."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import detente.store._batch as batch_mod
from conftest import RUSSIA, USA_GOV, gdelt2_fields, gdelt2_line, icews_header, icews_line, write_lines
from detente import InputFileError, Store
from detente.errors import DetenteError
from detente.schema import column_names
from detente.store import expand_paths


def _icews(path: Path, rows: list[dict[str, object]], *, tail: bytes = b"") -> Path:
    write_lines(path, [icews_header(), *(icews_line(**r) for r in rows)])
    if tail:
        with path.open("ab") as fh:
            fh.write(tail)
    return path


def _folder(root: Path) -> tuple[Path, Path]:
    """A folder of daily files: repeats inside a file and across files (one with other
    content), a bad row, a line that is not UTF-8 far down a file, a name that reads as a
    pattern beside the file it would match, a GDELT file between ICEWS ones, and a file
    (returned) that will vanish once opened, among others alike."""
    d = root / "daily"
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    _icews(d / "01.tab", [{"event_id": 1}, {"event_id": 2, "cameo": "163"},
                          {"event_id": 1}, {"event_id": 3, "date": "2018-06-02"}])
    _icews(d / "02.tab", [{"event_id": 3, "date": "2018-06-02", "intensity": "-4"},
                          {"event_id": 4, "source_sectors": "Military,Government"},
                          {"event_id": 5, "target_country": "Atlantis"}])
    _icews(d / "03.tab", [{"event_id": 6}, {"event_id": 7, "date": "2018-13-45"},
                          {"event_id": 4, "source_sectors": "Military,Government"}])
    _icews(d / "05[1].tab", [{"event_id": 8}, {"event_id": 9, "cameo": "0871"}])
    _icews(d / "051.tab", [{"event_id": 10}, {"event_id": 8}])
    write_lines(d / "06.export.CSV", [gdelt2_line(event_id=11, actor1=USA_GOV, actor2=RUSSIA),
                                      gdelt2_line(event_id=12, actor1=RUSSIA, actor2=USA_GOV)])
    many = [{"event_id": 100 + i, "event_text": "x" * 200} for i in range(400)]
    _icews(d / "07.tab", many, tail=b"1000\t2018-06-01\tbad \xff byte\n")
    _icews(d / "08.tab", [{"event_id": 6}, {"event_id": 11, "target_sectors": "Foreign Ministry"}])
    _icews(d / "09.tab", [])
    write_lines(d / "10.export.CSV", [gdelt2_line(event_id=11, actor1=USA_GOV, actor2=RUSSIA)])
    _icews(d / "11.tab", [{"event_id": 12}, {"event_id": 100}])
    gone = _icews(d / "12.tab", [{"event_id": 40}])
    _icews(d / "13.tab", [{"event_id": 13}, {"event_id": 12}])
    return d, gone


def _contents(st: Store) -> dict[str, Any]:
    con = st._con
    cols = ", ".join(f'"{c}"' for c in column_names())
    return {
        "events": con.execute(f"SELECT {cols}, _given_areas, _file_id FROM events "
                              "ORDER BY event_id").fetchall(),
        "files": con.execute("SELECT file_id, path, name, sha256, size, reader, dataset, rows_read, "
                             "stored, duplicates, conflicts, quarantined FROM files "
                             "ORDER BY file_id").fetchall(),
        "quarantine": con.execute("SELECT * FROM quarantine ORDER BY file_id, line").fetchall(),
        "conflicts": con.execute("SELECT * FROM conflicts ORDER BY file_id, event_id").fetchall(),
        "leftover": con.execute("SELECT count(*) FROM events WHERE _error IS NOT NULL OR _dup "
                                "OR _raw IS NOT NULL").fetchone(),
    }


def _vanish(gone: Path) -> Any:
    def chosen(src: Any, reader: Any) -> None:
        if src.path == gone:
            gone.unlink()
    return chosen


def test_batches_give_exactly_what_file_by_file_gives(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    one_by_one: list[Any] = []
    with Store.open(tmp_path / "single.duckdb", with_chronology=False) as st:
        st.ingest_file(_icews(tmp_path / "before.tab", [{"event_id": 2, "cameo": "163"}]))
        d, gone = _folder(tmp_path)
        for p in expand_paths([d]):
            try:
                one_by_one.append(st.ingest_file(p, on_reader=_vanish(gone)))
            except InputFileError as exc:
                one_by_one.append(exc)
        expected = _contents(st)

    alone: list[str] = []
    real_one = batch_mod._ingest_one

    def spy(con: Any, src: Any, *args: Any, **kwargs: Any) -> Any:
        alone.append(src.path.name)
        return real_one(con, src, *args, **kwargs)

    monkeypatch.setattr(batch_mod, "_ingest_one", spy)
    with Store.open(tmp_path / "batch.duckdb", with_chronology=False) as st:
        st.ingest_file(_icews(tmp_path / "before.tab", [{"event_id": 2, "cameo": "163"}]))
        d, gone = _folder(tmp_path)  # the same paths again
        batched = st.ingest_files(expand_paths([d]), on_reader=_vanish(gone), stop_on_error=False)
        got = _contents(st)

    # a file with a bad row, or a line not UTF-8, is read alone, the files around it in
    # batches; a batch whose scan fails (a file vanished) goes file by file, which finds it
    assert alone == ["03.tab", "06.export.CSV", "07.tab", "10.export.CSV", "11.tab", "12.tab",
                     "13.tab"]
    assert isinstance(batched[11], InputFileError) and "12.tab" in str(batched[11])
    assert [type(r) for r in batched] == [type(r) for r in one_by_one]
    reports = [r for r in batched if not isinstance(r, DetenteError)]
    assert reports == [r for r in one_by_one if not isinstance(r, DetenteError)]
    assert got == expected
    assert got["leftover"] == (0,)
    # what the folder holds, checked on its own (not only against file by file)
    counts = [(f[2], f[7], f[8], f[9], f[10], f[11]) for f in got["files"]]
    assert counts == [
        ("before.tab", 1, 1, 0, 0, 0),
        ("01.tab", 4, 2, 2, 0, 0),   # 2 was stored before, 1 repeats inside the file
        ("02.tab", 3, 2, 1, 1, 0),   # 3 again with another intensity: a conflict
        ("03.tab", 3, 1, 1, 0, 1),   # a bad date quarantined, 4 again
        ("051.tab", 2, 2, 0, 0, 0),
        ("05[1].tab", 2, 1, 1, 0, 0),  # itself, not the file its name would match as a pattern
        ("06.export.CSV", 2, 2, 0, 0, 0),
        ("07.tab", 401, 400, 0, 0, 1),
        ("08.tab", 2, 1, 1, 0, 0),
        ("09.tab", 0, 0, 0, 0, 0),
        ("10.export.CSV", 1, 0, 1, 0, 0),
        ("11.tab", 2, 1, 1, 0, 0),
        ("13.tab", 2, 1, 1, 0, 0),
    ]
    assert [(q[1], q[2]) for q in got["quarantine"]] == [("03.tab", 3), ("07.tab", 402)]
    assert [c[0] for c in got["conflicts"]] == ["icews:3:2018-06-02"]


def test_a_folder_is_read_in_few_scans_and_stops_at_an_unreadable_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "d"
    d.mkdir()
    for i in range(6):
        _icews(d / f"{i:02d}.tab", [{"event_id": 10 * i + k} for k in range(3)])
    (d / "03.tab").write_bytes(b"\xff\xfe not text at all")
    scans: list[int] = []
    real = batch_mod._try_batch

    def spy(con: Any, batch: list[Any], *args: Any) -> Any:
        scans.append(len(batch))
        return real(con, batch, *args)

    monkeypatch.setattr(batch_mod, "_try_batch", spy)
    with Store.open(tmp_path / "s.duckdb", with_chronology=False) as st:
        with pytest.raises(InputFileError, match=r"03\.tab"):
            st.ingest([d])
        assert scans == [3]  # the three before it, together; none after it
        assert [f["name"] for f in st.files().to_pylist()] == ["00.tab", "01.tab", "02.tab"]
        assert st.count() == 9
        scans.clear()
        (d / "03.tab").unlink()
        reports = st.ingest([d])
        assert scans == [5]
        assert [(r.read, r.stored, r.duplicates) for r in reports] == [(3, 0, 3)] * 3 + [(3, 3, 0)] * 2
        assert st.count() == 15


def test_canonical_csv_files_alike_are_read_together_as_file_by_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    head = "event_id,date,source_actor,target_actor,event_code,text,issue_areas\n"
    d = tmp_path / "csv"
    d.mkdir()
    (d / "a.csv").write_text(head + "a1,2020-01-02,USA,RUS,043,talks on arms control,\n"
                             "a2,2020-01-03,RUS,USA,163,\"sanctions, again\",sanctions\n")
    (d / "b.csv").write_text(head + "b1,2020-02-01,USA,RUS,190,,\na1,2020-01-02,USA,RUS,043,changed,\n")
    (d / "c.csv").write_text(head + "c1,2020-03-01,USA,RUS,999,bad code,\n")  # quarantined alone
    (d / "d.csv").write_text(head.replace(",text", "") .replace("text,", "")
                             + "d1,2020-04-01,USA,RUS,043,\n")  # another header: its own scan
    (d / "e.csv").write_text(head + "e1,2020-05-01,RUS,USA,0311,,energy_economy\n")
    scans: list[int] = []
    real = batch_mod._try_batch

    def spy(con: Any, batch: list[Any], *args: Any) -> Any:
        scans.append(len(batch))
        return real(con, batch, *args)

    monkeypatch.setattr(batch_mod, "_try_batch", spy)
    got = []
    for label in ("together", "alone"):
        with Store.open(tmp_path / f"{label}.duckdb", with_chronology=False) as st:
            if label == "together":
                st.ingest([d])
            else:
                for f in sorted(d.iterdir()):
                    st.ingest_file(f)
            got.append(_contents(st))
    assert scans == [3, 2]  # a, b and c tried together; c has a row to quarantine: a and b again
    assert got[0] == got[1]
    assert got[0]["quarantine"] and got[0]["conflicts"]


@pytest.mark.parametrize("kind", ["polecat", "gdelt2-csv"])
def test_polecat_and_header_exports_alike_are_read_together_as_file_by_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    from test_readers_gdelt_header import GDELT2_NAMES, export
    from test_readers_plover import POLECAT_COLUMNS, polecat_row

    d = tmp_path / kind
    d.mkdir()
    for i in range(4):
        ids = [f"{i}{k}" for k in range(3)] + ["00"]  # the first file's first event again
        if kind == "polecat":
            write_lines(d / f"week{i}.tsv", ["\t".join(POLECAT_COLUMNS), *(
                polecat_row(Event_ID=e, Event_Date=f"2023-01-0{i + 1}", Event_Type="SANCTION",
                            Actor_Country="USA", Recipient_Country="RUS", Quad_Code="MATERIAL CONFLICT",
                            Source=f"https://example.org/{e}") for e in ids)])
        else:
            export(d / f"bq{i}.csv", GDELT2_NAMES, [
                gdelt2_fields(event_id=int(e) + 1, actor1=USA_GOV, actor2=RUSSIA) for e in ids])
    scans: list[int] = []
    real = batch_mod._try_batch

    def spy(con: Any, batch: list[Any], *args: Any) -> Any:
        scans.append(len(batch))
        return real(con, batch, *args)

    monkeypatch.setattr(batch_mod, "_try_batch", spy)
    got = []
    for label in ("together", "alone"):
        with Store.open(tmp_path / f"{label}.duckdb", with_chronology=False) as st:
            if label == "together":
                st.ingest([d])
            else:
                for f in sorted(d.iterdir()):
                    st.ingest_file(f)
            got.append(_contents(st))
    assert scans == [4]
    assert got[0] == got[1]
    assert len(got[0]["events"]) == 12 and [f[9] for f in got[0]["files"]] == [1, 1, 1, 1]
