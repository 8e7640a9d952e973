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


# holds the store the way a command does (read-only unless "write") until standard input closes
HOLD_AS_COMMAND = (
    "import sys\n"
    "from pathlib import Path\n"
    "from detente.cli._options import open_store\n"
    "with open_store(Path(sys.argv[1]), wait=0, write=sys.argv[2] == 'write') as st:\n"
    "    print('held', st.count(), flush=True)\n"
    "    sys.stdin.read()\n"
)


@pytest.fixture
def hold_as_command(store: Path) -> Iterator[Callable[[str], subprocess.Popen[str]]]:
    """Return ``hold(mode)``: a process holds the store as a command that reads ("read")
    or writes ("write") does, until ``release``."""
    holders: list[subprocess.Popen[str]] = []

    def start(mode: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen([sys.executable, "-c", HOLD_AS_COMMAND, str(store), mode],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        holders.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().startswith("held ")
        return proc

    yield start
    for proc in holders:
        release(proc)


def test_commands_that_read_run_while_another_holds_the_store_to_read(
        store: Path, tmp_path: Path, hold_as_command: Callable[[str], subprocess.Popen[str]]) -> None:
    path = write_lines(tmp_path / "20180101000000.export.CSV",
                       [gdelt2_line(event_id=1, date="20180101"), gdelt2_line(event_id=2, date="20180102")])
    assert detente("ingest", path, "--store", store, "--quiet").returncode == 0
    holder = hold_as_command("read")
    # no waiting allowed: a command that opened the store for writing would give up at once
    events = detente("events", "--dataset", "gdelt2", "--store", store, "--wait", "0", "--as", "csv")
    assert events.returncode == 0, events.stderr
    assert _busy_line(events.stderr) == []
    assert len(events.stdout.strip().splitlines()) == 1 + 2  # header and both events
    # two more readers side by side, while the first still holds the store
    both = [subprocess.Popen([sys.executable, "-m", "detente", *args, "--store", str(store), "--wait", "0"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "COLUMNS": "200"})
            for args in (["status", "--as", "csv"], ["indicators", "--dyad", "USA-RUS", "--period", "year",
                                                     "--dataset", "gdelt2", "--as", "csv"])]
    outs = [p.communicate(timeout=120) for p in both]
    assert [p.returncode for p in both] == [0, 0], [err for _, err in outs]
    assert "gdelt2" in outs[0][0] and "2018" in outs[1][0]
    assert holder.poll() is None  # the holder had the store open all along
    # a command that writes still waits for the readers, and gives up the same way
    again = write_lines(tmp_path / "20180102000000.export.CSV", [gdelt2_line(event_id=3)])
    ingest = detente("ingest", again, "--store", store, "--wait", "0.5", "--quiet")
    assert ingest.returncode == BUSY, ingest.stderr
    assert _busy_line(ingest.stderr) == [f"{store}: busy (another detente process is using it); "
                                         "waiting up to 0.5 s"]


def test_a_command_that_reads_waits_for_one_that_writes(
        store: Path, hold_as_command: Callable[[str], subprocess.Popen[str]]) -> None:
    hold_as_command("write")
    result = detente("trends", "--store", store, "--wait", "0.5")
    assert result.returncode == BUSY, result.stderr
    assert _busy_line(result.stderr) == [f"{store}: busy (another detente process is using it); "
                                         "waiting up to 0.5 s"]
    assert "Traceback" not in result.stderr and result.stdout == ""
