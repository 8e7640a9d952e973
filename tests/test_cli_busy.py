"""A store another process holds: the command waits, says so once, and gives up cleanly (75)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import gdelt2_line, write_lines

BUSY = 75  # EX_TEMPFAIL

# holds the store read-write (as an ingest would) until its standard input closes
HOLD = (
    "import duckdb, sys\n"
    "con = duckdb.connect(sys.argv[1])\n"
    "print('held', flush=True)\n"
    "sys.stdin.read()\n"
    "con.close()\n"
)


def detente(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "detente", *map(str, args)], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "200", **(env or {})})


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    made = detente("status", "--store", path)
    assert made.returncode == 0, made.stderr
    return path


Hold = Callable[[], "subprocess.Popen[str]"]


@pytest.fixture
def hold(store: Path) -> Iterator[Hold]:
    """Return ``hold()``: another process holds the store (once it returns) until ``release``."""
    holders: list[subprocess.Popen[str]] = []

    def start() -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-c", HOLD, str(store)], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        holders.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        return proc

    yield start
    for proc in holders:
        release(proc)


def release(holder: subprocess.Popen[str]) -> None:
    """Let the holding process close the store and end."""
    for stream in (holder.stdin, holder.stdout):
        if stream is not None and not stream.closed:
            stream.close()
    assert holder.wait(timeout=60) == 0


def _busy_line(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "busy (another detente process is using it)" in line]


def test_a_held_store_gives_up_with_one_line_and_status_75(store: Path, hold: Hold) -> None:
    hold()
    started = time.monotonic()
    result = detente("events", "--store", store, "--wait", "1")
    assert result.returncode == BUSY, result.stderr
    assert time.monotonic() - started < 60
    assert _busy_line(result.stderr) == [f"{store}: busy (another detente process is using it); "
                                         "waiting up to 1 s"]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(store) in errors[0] and "gave up after 1 s" in errors[0]
    assert "Traceback" not in result.stderr and "Could not set lock" not in result.stderr
    assert result.stdout == ""


def test_the_wait_comes_from_the_environment_too(store: Path, hold: Hold) -> None:
    hold()
    result = detente("status", "--store", store, env={"DETENTE_WAIT": "0.5"})
    assert result.returncode == BUSY
    assert _busy_line(result.stderr)[0].endswith("waiting up to 0.5 s")


def test_the_command_runs_once_the_store_is_released(store: Path, hold: Hold) -> None:
    holder = hold()
    waiting = subprocess.Popen([sys.executable, "-m", "detente", "events", "--store", str(store),
                                "--wait", "10", "--limit", "3"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "COLUMNS": "200"})
    assert waiting.stderr is not None
    said = waiting.stderr.readline()  # the command is waiting: release the store now
    assert _busy_line(said) == [f"{store}: busy (another detente process is using it); waiting up to 10 s"]
    time.sleep(1)
    release(holder)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert _busy_line(err) == []  # said once, however long it waited
    assert "events" in out and "error" not in err


def test_ingest_of_a_held_store_stores_nothing_and_exits_75(store: Path, tmp_path: Path,
                                                            hold: Hold) -> None:
    path = write_lines(tmp_path / "20180101000000.export.CSV", [gdelt2_line(event_id=1)])
    holder = hold()
    result = detente("ingest", path, "--store", store, "--wait", "0.5", "--quiet")
    assert result.returncode == BUSY, result.stderr
    assert "1 file(s) not ingested" in result.stderr
    assert "Traceback" not in result.stderr
    release(holder)
    files = detente("files", "--store", store, "--as", "csv")
    assert files.returncode == 0 and path.name not in files.stdout
