"""`detente serve` and the command line on one store at once: everything succeeds.

DuckDB lets one process write to a file or many read it, never both at once. The
dashboard opens the store for one request and closes it, so while it runs (and is
being asked) an ingest, queries, indicators and a brief on the same store succeed,
and the dashboard reports the ingested events without a restart.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

HEADER = "event_id,date,source_actor,target_actor,event_code,goldstein,num_mentions,text,dataset\n"


def _wire(rows: int) -> str:
    """Return a canonical CSV of ``rows`` USA-RUS events of the dataset ``testwire``."""
    lines = [HEADER]
    for i in range(rows):
        a, b = ("USAGOV", "RUSGOV") if i % 2 else ("RUSGOV", "USAGOV")
        lines.append(f"t:{i},2024-{1 + i % 12:02d}-{1 + i % 27:02d},{a},{b},04{i % 6},1.0,"
                     f"{1 + i % 9},consultations round {i},testwire\n")
    return "".join(lines)


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DETENTE_STORE"}
    env.update(XDG_CACHE_HOME=str(tmp / "cache"), DETENTE_WAIT="30", PYTHONUNBUFFERED="1")
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """Run `detente serve` on a new store (the curated chronology); yield the store and URL."""
    store = tmp_path / "s.duckdb"
    port = _free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "detente", "serve", "--store", str(store), "--port", str(port)],
        env=_env(tmp_path), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/api/datasets", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the server did not start: " + (tmp_path / "serve.log").read_text())
            time.sleep(0.1)
        yield store, url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_serve_ingest_and_queries_on_one_store_at_once(served: tuple[Path, str],
                                                       tmp_path: Path) -> None:
    store, url = served
    (tmp_path / "wire.csv").write_text(_wire(60), encoding="utf-8")
    detente = [sys.executable, "-m", "detente"]
    commands = {
        "ingest": [*detente, "ingest", "--quiet", "--store", str(store), str(tmp_path / "wire.csv")],
        "events": [*detente, "events", "--store", str(store), "--limit", "5"],
        "indicators": [*detente, "indicators", "--store", str(store), "--dyad", "USA-RUS",
                       "--period", "year"],
        "brief": [*detente, "brief", "--store", str(store), "-o", str(tmp_path / "b.html"),
                  "--format", "html"],
    }
    results: dict[str, subprocess.CompletedProcess[str]] = {}
    answers: list[tuple[str, int]] = []
    stop = threading.Event()

    def run(name: str) -> None:
        results[name] = subprocess.run(commands[name], env=_env(tmp_path), capture_output=True,
                                       text=True, timeout=120)

    def ask() -> None:  # the dashboard is being used all along
        with httpx.Client(base_url=url, timeout=60) as client:
            views = [{}, {"period": "month"}, {"since": "2014-01-01"}, {"dyad": "USA-CHN"}]
            i = 0
            while not stop.is_set():
                r = client.get("/api/view", params=views[i % len(views)])
                answers.append(("view", r.status_code))
                r = client.get("/api/events", params={"limit": 5, "offset": i % 3})
                answers.append(("events", r.status_code))
                i += 1
                time.sleep(0.05)

    asker = threading.Thread(target=ask)
    asker.start()
    workers = [threading.Thread(target=run, args=(name,)) for name in commands]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    asker.join()

    for name, done in results.items():
        assert done.returncode == 0, f"{name}: {done.returncode}\n{done.stderr}"
        assert "Could not set lock" not in done.stderr, name
    assert (tmp_path / "b.html").stat().st_size > 10_000
    assert answers and {s for _, s in answers} <= {200, 503}, answers
    assert sum(s == 200 for _, s in answers) >= len(answers) // 2

    # the server, never restarted, reports the ingested events
    deadline = time.monotonic() + 10
    while True:
        held = {d["dataset"]: d["events"] for d in
                httpx.get(url + "/api/datasets", timeout=30).json()["datasets"]}
        if held.get("testwire") == 60 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert held.get("testwire") == 60, held
    page = httpx.get(url + "/api/events", params={"dataset": "testwire", "limit": 1},
                     timeout=30).json()
    assert page["total"] == 60 and page["events"][0]["dataset"] == "testwire"
    view = httpx.get(url + "/api/view", params={"dataset": "testwire"}, timeout=60).json()
    last = max(line.split(",")[1] for line in _wire(60).splitlines()[1:])
    assert view["as_of"] == last and view["datasets"][0]["events"] == 60
