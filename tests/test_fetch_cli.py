"""`detente fetch gdelt`, `detente update` and the coverage in `detente status`: exit
statuses, messages, and a process killed in the middle of a fetch."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from _fetch_server import Server, export2, publish2, serve, store_events
from conftest import actor
from detente.cli.app import app
from detente.cli.cmd_fetch import _changes

runner = CliRunner(env={"COLUMNS": "200"})
UKR = actor("UKR", "UKRAINE", "UKR")


def run(*args: str | Path) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def _exports(n: int = 3) -> dict[str, bytes]:
    out = {}
    for i in range(n):
        stamp = f"20260301{i // 4:02d}{(i % 4) * 15:02d}00"
        name, data = export2(stamp, [{"event_id": 2000 + 2 * i, "date": "20260301"},
                                     {"event_id": 2001 + 2 * i, "date": "20260301", "actor2": UKR}])
        out[name] = data
    return out


def _gdelt(store: Path) -> dict[str, str]:
    return {k: v for k, v in store_events(store).items() if k.startswith("gdelt2:")}


@pytest.fixture
def server() -> Iterator[Server]:
    with serve() as s:
        yield s


def _fetch(server: Server, store: Path, *extra: str) -> Any:
    return run("fetch", "gdelt", "--since", "2026-03-01", "--until", "2026-03-01",
               "--base-url", server.url + "/gdeltv2/", "--timeout", "1", "--retries", "0",
               "--store", store, "-q", *extra)


def test_fetch_then_status_shows_coverage(server: Server, tmp_path: Path) -> None:
    publish2(server, _exports())
    store = tmp_path / "s.duckdb"
    res = _fetch(server, store, "--countries", "usa,rus")
    assert res.exit_code == 0, res.output
    assert ("gdelt2 2026-03-01..2026-03-01: 3 file(s) listed; 3 ingested; 0 already in the store; "
            "0 missing upstream; 3 events stored, 3 left out by the country filter") in res.stdout
    status = run("status", "--store", store)
    assert status.exit_code == 0, status.output
    assert "fetched files per day" in status.stdout
    lines = status.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "fetched files per day" in line)
    row = next(line for line in lines[at:] if "2026-03-01" in line)
    assert [c.strip() for c in re.split(r"[│┃|]", row) if c.strip()] == [
        "gdelt2", "2026-03-01", "3", "3", "0", "0"]
    assert "gdelt2: 3 of 3 expected files received, 0 missing upstream, 0 failed" in status.stdout
    again = _fetch(server, store)
    assert again.exit_code == 0 and "0 ingested; 3 already in the store" in again.stdout


def test_a_skipped_file_exits_3_and_is_listed(server: Server, tmp_path: Path) -> None:
    exports = _exports()
    publish2(server, exports)
    bad = sorted(exports)[1]
    server.files[bad] = b"<html>quota</html>"
    res = _fetch(server, tmp_path / "s.duckdb")
    assert res.exit_code == 3, res.output
    assert f"skipped {bad}: the server sent a web page, not the zip file" in res.stderr
    assert "1 file(s) skipped; the store is unchanged for them" in res.stderr


def test_unreachable_is_one_line_and_exit_1(tmp_path: Path) -> None:
    res = run("fetch", "gdelt", "--since", "2026-03-01", "--base-url", "http://127.0.0.1:9/x/",
              "--retries", "0", "--store", tmp_path / "s.duckdb", "-q")
    assert res.exit_code == 1
    assert res.stderr.strip() == ("error: http://127.0.0.1:9/x/lastupdate.txt: cannot reach the "
                                  "server (connection refused)")


def test_bad_option_values(tmp_path: Path) -> None:
    res = run("fetch", "gdelt", "--since", "March", "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 1 and "--since 'March' is not a date (YYYY-MM-DD)" in res.stderr


def test_kill_in_the_middle_leaves_a_consistent_store(server: Server, tmp_path: Path) -> None:
    exports = _exports(8)
    publish2(server, exports)
    slow = sorted(exports)[5]
    server.hang.add(slow)
    server.hang_seconds = 30
    store = tmp_path / "s.duckdb"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente", "fetch", "gdelt", "--since", "2026-03-01", "--until",
         "2026-03-01", "--base-url", server.url + "/gdeltv2/", "--jobs", "1", "--timeout", "60",
         "--store", str(store), "-q"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while server.requests(slow) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.requests(slow) == 1
    time.sleep(2.5)  # the files before it are ingested meanwhile, together
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # what is in the store is exactly what the ledger says was ingested
    from detente import Store

    with Store.open(store, read_only=True) as st:
        ledger = dict(st._con.execute(
            "SELECT name, kept FROM fetch_ledger WHERE status = 'ingested'").fetchall())
    events = _gdelt(store)
    assert 0 < len(ledger) <= 5 and slow not in ledger
    assert sum(ledger.values()) == len(events)
    assert {v.split("!")[0] for v in events.values()} == set(ledger)
    # the next run picks up the rest
    server.hang.clear()
    res = _fetch(server, store)
    assert res.exit_code == 0, res.output
    assert f"{8 - len(ledger)} ingested; {len(ledger)} already in the store" in res.stdout
    assert len(_gdelt(store)) == 16


def test_update_records_state_then_reports_changes(server: Server, tmp_path: Path) -> None:
    publish2(server, _exports())
    config = tmp_path / "update.yaml"
    config.write_text(f"sources:\n  - source: gdelt\n    version: 2\n    since: 2026-03-01\n"
                      f"    base_url: {server.url}/gdeltv2/\n    retries: 0\n    timeout: 1\n")
    store = tmp_path / "s.duckdb"
    first = run("update", "--config", config, "--store", store, "-q")
    assert first.exit_code == 0, first.output
    last = first.stdout.strip().splitlines()[-1]
    assert last.startswith("update: gdelt2 3 file(s); 0 file(s) skipped; 0 source(s) failed; "
                           "last event 2026-03-01")
    assert last.endswith("first update: state recorded")
    exports = _exports(5)
    publish2(server, exports)
    server.files[sorted(exports)[4]] = b"not a zip at all"
    second = run("update", "--config", config, "--store", store, "-q")
    assert second.exit_code == 3, second.output
    assert "update: gdelt2 1 file(s); 1 file(s) skipped;" in second.stdout


def test_update_with_a_bad_config(tmp_path: Path) -> None:
    config = tmp_path / "update.yaml"
    config.write_text("sources:\n  - source: acled\n")
    res = run("update", "--config", config, "--store", tmp_path / "s.duckdb")
    assert res.exit_code == 1 and "only `source: gdelt` and `source: feeds` are known" in res.stderr


def test_what_changed_between_two_states() -> None:
    old = {"items": {"a": "met", "b": "not_met"}, "alerts": ["gdelt2 escalation 2026-01..2026-02"],
           "change_points": []}
    new = {"items": {"a": "met", "b": "met", "c": "unknown"}, "items_title": {"b": "Talks"},
           "alerts": ["gdelt2 escalation 2026-01..2026-02", "gdelt2 spiral 2026-03..2026-03"],
           "change_points": ["gdelt2 2026-03-01 down"]}
    assert _changes(old, new) == [
        "item b (Talks): not_met -> met",
        "item c (): new -> unknown",
        "new alert: gdelt2 spiral 2026-03..2026-03",
        "new change point: gdelt2 2026-03-01 down",
    ]
    assert _changes(None, new) == []
