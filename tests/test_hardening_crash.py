"""Crash safety: a process killed (SIGKILL) at a random point while it ingests a file, or
while it creates a store, leaves a store that opens and holds exactly the state before or
the state after, with ``files`` agreeing with the events.

The kill points are drawn from a seeded generator over the time the same work takes
when it is not killed. CI tries a handful; the long run (``bench/reliability.py``, or
``DETENTE_CRASH_POINTS=50 pytest tests/test_hardening_crash.py``) tries that many of each.
Children are forked from a server that has imported detente already, so a kill point
costs the work, not an interpreter start.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import gdelt2_line, write_lines
from detente import Store
from detente.errors import StoreError

CI_POINTS = 3
SLOW_POINTS = int(os.environ.get("DETENTE_CRASH_POINTS", "0"))
ROWS = 5_000


def _ingest_child(db: str, path: str, ready: Any) -> None:
    with Store.open(db, with_chronology=False) as st:
        ready.set()
        st.ingest_file(path)


def _ingest_folder_child(db: str, path: str, ready: Any) -> None:
    with Store.open(db, with_chronology=False) as st:
        ready.set()
        st.ingest([path])  # its files in one scan, as one change


def _create_child(db: str, ready: Any) -> None:
    ready.set()
    Store.open(db).close()


def _context() -> Any:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["detente.store", "detente.readers", "detente.tagging", __name__])
    return ctx


def _run(target: Callable[..., None], args: tuple[Any, ...], kill_after: float | None) -> float:
    """Run ``target`` in a child; kill it ``kill_after`` s after it is ready (None: let it
    finish). Return the seconds from ready to the end."""
    ctx = _context()
    ready = ctx.Event()
    child = ctx.Process(target=target, args=(*args, ready))
    child.start()
    assert ready.wait(60), "the child never got ready"
    started = time.perf_counter()
    if kill_after is None:
        child.join(120)
        assert child.exitcode == 0
    else:
        child.join(kill_after)
        if child.is_alive():
            child.kill()
        child.join(30)
    return time.perf_counter() - started


def _counts(st: Store) -> tuple[int, int, list[tuple[str, int]]]:
    files = [(r["name"], r["stored"]) for r in st.files().to_pylist()]
    return st.count(), len(files), files


def _assert_sound(st: Store, chronology: bool = True) -> None:
    bad = [f for f in st.check() if not f.ok and (chronology or f.check != "chronology")]
    assert bad == [], bad


def _copy_store(src: Path, dst: Path) -> Path:
    for suffix in ("", ".wal"):
        if Path(str(src) + suffix).exists():
            shutil.copy(str(src) + suffix, str(dst) + suffix)
    return dst


def _kill_during_ingest(tmp_path: Path, points: int, seed: int, *, files: int = 0) -> dict[str, int]:
    base = tmp_path / "base.duckdb"
    Store.open(base, with_chronology=False).close()
    child: Callable[..., None] = _ingest_child
    if files:  # a folder of files of one format: the batch path
        data = tmp_path / "folder"
        data.mkdir()
        per = ROWS // files
        for i in range(files):
            write_lines(data / f"{i:02d}.CSV",
                        [gdelt2_line(event_id=n) for n in range(1 + i * per, 1 + (i + 1) * per)])
        child = _ingest_folder_child
    else:
        data = write_lines(tmp_path / "g.CSV", [gdelt2_line(event_id=n) for n in range(1, ROWS + 1)])
    with Store.open(base, with_chronology=False, read_only=True) as st:
        before = _counts(st)
    done = _copy_store(base, tmp_path / "done.duckdb")
    span = _run(child, (str(done), str(data)), None)
    with Store.open(done, with_chronology=False, read_only=True) as st:
        after = _counts(st)
    assert after[0] == before[0] + ROWS
    rng = random.Random(seed)
    seen = {"before": 0, "after": 0}
    for k in range(points):
        db = _copy_store(base, tmp_path / f"k{k}.duckdb")
        _run(child, (str(db), str(data)), rng.uniform(0, span * 1.1))
        with Store.open(db, with_chronology=False) as st:
            state = _counts(st)
            assert state in (before, after), (k, state)
            _assert_sound(st, chronology=False)
        seen["before" if state == before else "after"] += 1
        for f in tmp_path.glob(f"k{k}.duckdb*"):
            f.unlink()
    return seen


def _kill_during_creation(tmp_path: Path, points: int, seed: int) -> dict[str, int]:
    done = tmp_path / "done.duckdb"
    span = _run(_create_child, (str(done),), None)
    with Store.open(done, read_only=True) as st:
        after = _counts(st)
        _assert_sound(st)
    rng = random.Random(seed)
    seen = {"before": 0, "after": 0}
    for k in range(points):
        db = tmp_path / f"c{k}.duckdb"
        _run(_create_child, (str(db),), rng.uniform(0, span * 1.1))
        try:
            with Store.open(db, read_only=True) as st:
                state = _counts(st)
                assert state == after, (k, state)
                _assert_sound(st)
            seen["after"] += 1
        except StoreError as exc:  # before: no store yet, and the next open creates it whole
            assert "no store here yet" in str(exc), exc
            seen["before"] += 1
            if seen["before"] == 1:
                with Store.open(db) as st:
                    assert _counts(st) == after
                    _assert_sound(st)
        for f in tmp_path.glob(f"c{k}.duckdb*"):
            f.unlink()
    return seen


def test_killed_during_an_ingest_the_store_holds_before_or_after(tmp_path: Path) -> None:
    seen = _kill_during_ingest(tmp_path, CI_POINTS, seed=18)
    assert sum(seen.values()) == CI_POINTS


def test_killed_during_an_ingest_of_a_folder_the_store_holds_before_or_after(tmp_path: Path) -> None:
    seen = _kill_during_ingest(tmp_path, CI_POINTS, seed=19, files=5)
    assert sum(seen.values()) == CI_POINTS


def test_killed_while_creating_a_store_it_is_absent_or_whole(tmp_path: Path) -> None:
    seen = _kill_during_creation(tmp_path, 2, seed=18)
    assert sum(seen.values()) == 2


@pytest.mark.slow
@pytest.mark.skipif(SLOW_POINTS == 0, reason="the long run: set DETENTE_CRASH_POINTS (bench/reliability.py)")
def test_many_kill_points_during_ingest_and_creation(tmp_path: Path) -> None:
    ingest = _kill_during_ingest(tmp_path / "i", SLOW_POINTS, seed=1818) if (
        (tmp_path / "i").mkdir() is None) else {}
    create = _kill_during_creation(tmp_path / "c", SLOW_POINTS, seed=1818) if (
        (tmp_path / "c").mkdir() is None) else {}
    print(f"\nkill points: ingest {ingest}, creation {create}")
    assert sum(ingest.values()) == sum(create.values()) == SLOW_POINTS
