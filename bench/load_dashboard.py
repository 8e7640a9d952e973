"""Load test of the dashboard: many clients at once against `detente serve` on 127.0.0.1.

    python bench/load_dashboard.py                       # 50 clients for 30 s, a new store
    python bench/load_dashboard.py --store my.duckdb --clients 20 --duration 10

Starts ``detente serve`` in its own process on a free port of 127.0.0.1 over the store
given (by default a new store in a temporary folder, which holds the curated chronology
``detente`` ships), waits until it answers, then runs the clients for the given time.
Each client keeps one connection open and sends, one after the other, requests drawn
(seeded) from a mix of routes: the opening view (kept in the cache), views with other
filters, pages of events, the brief as a page, the datasets. Every answer other than a
200, and every request that fails or takes over the timeout, is an error.

Prints, and writes to ``bench/results/load_dashboard.txt``, the requests, errors, median
and 99th-percentile latency (time from sending the request to having read the whole
answer) of each route and overall. The clients run in this process, on the same machine
as the server, so on a small machine they compete with it for the processor.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

# (route name, weight, the query strings it draws from)
_DIRECTIONS = ("both", "forward", "backward")
_PERIODS = ("auto", "month", "quarter", "year")
_SPANS = ((None, None), ("2014", None), ("2018-01", "2021-12-31"), (None, "2010"))
_VIEWS = [
    "&".join(f"{k}={v}" for k, v in (("direction", d), ("period", p), ("since", s), ("until", u)) if v)
    for d in _DIRECTIONS for p in _PERIODS for s, u in _SPANS
]
_EVENTS = [
    f"limit={limit}&offset={offset}&order={order}" + (f"&search={search}" if search else "")
    for limit in (20, 50) for offset in (0, 50, 200) for order in ("newest", "oldest")
    for search in ("", "summit", "sanctions")
]
ROUTES: list[tuple[str, int, str, list[str]]] = [
    ("view (opening, cached)", 30, "/api/view", [""]),
    ("view (other filters)", 25, "/api/view", _VIEWS),
    ("events", 25, "/api/events", _EVENTS),
    ("brief page", 10, "/brief", ["", "direction=forward", "period=year"]),
    ("datasets", 10, "/api/datasets", [""]),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(store: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.Popen(
        [sys.executable, "-m", "detente", "serve", "--store", str(store), "--port", str(port)],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 120.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            err = server.stderr.read().decode(errors="replace") if server.stderr else ""
            raise SystemExit(f"the server stopped (exit {server.returncode}): {err.strip()}")
        try:
            # the opening view: ready once the server's warm-up has computed it
            if httpx.get(base + "/api/view", timeout=30).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer within {timeout:.0f} s")


async def _client(n: int, base: str, until: float, seed: int, timeout: float,
                  latencies: dict[str, list[float]], errors: dict[str, list[str]]) -> None:
    rng = random.Random(seed * 1000 + n)
    names = [r[0] for r in ROUTES]
    weights = [r[1] for r in ROUTES]
    table = {r[0]: r for r in ROUTES}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        while time.perf_counter() < until:
            name = rng.choices(names, weights)[0]
            _, _, path, queries = table[name]
            query = rng.choice(queries)
            url = path + (f"?{query}" if query else "")
            started = time.perf_counter()
            try:
                response = await client.get(url)
                await response.aread()
                ok = response.status_code == 200
                problem = f"{response.status_code} {url}"
            except httpx.HTTPError as exc:
                ok, problem = False, f"{type(exc).__name__} {url}"
            latencies[name].append(time.perf_counter() - started)
            if not ok:
                errors[name].append(problem)


async def _run(base: str, clients: int, duration: float, seed: int, timeout: float
               ) -> tuple[dict[str, list[float]], dict[str, list[str]], float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    started = time.perf_counter()
    until = started + duration
    await asyncio.gather(*(_client(n, base, until, seed, timeout, latencies, errors)
                           for n in range(clients)))
    return latencies, errors, time.perf_counter() - started


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _row(name: str, lat: list[float], errs: int) -> str:
    if not lat:
        return f"{name:<24} {0:>8} {errs:>7} {'-':>10} {'-':>10}"
    return (f"{name:<24} {len(lat):>8,} {errs:>7} {statistics.median(lat) * 1000:>8.1f} ms"
            f" {_p99(lat) * 1000:>8.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="store to serve (default: a new one, "
                        "with the chronology only, in a temporary folder)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds after which a request counts as an error")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--note", default="", help="a line added to the results (e.g. the "
                        "machine was shared)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load_dashboard.txt")
    opts = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="detente-load-") as tmp:
        store = opts.store or Path(tmp) / "store.duckdb"
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = _start_server(store, port)
        try:
            ready = _wait_ready(base, server)
            latencies, errors, took = asyncio.run(
                _run(base, opts.clients, opts.duration, opts.seed, opts.timeout))
        finally:
            server.terminate()
            try:
                server.wait(15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

    every = [x for lat in latencies.values() for x in lat]
    n_errors = sum(len(e) for e in errors.values())
    lines = [
        f"dashboard load test, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        + (f"; {opts.note}" if opts.note else ""),
        f"store: {'a new store (the chronology only)' if opts.store is None else opts.store.name}; "
        f"server ready (opening view computed) after {ready:.1f} s",
        f"{opts.clients} clients, {opts.duration:.0f} s (ran {took:.1f} s), seed {opts.seed}, "
        f"each on one kept-alive connection, clients and server on this machine",
        "",
        f"{'route':<24} {'requests':>8} {'errors':>7} {'median':>11} {'p99':>11}",
        *(_row(name, latencies.get(name, []), len(errors.get(name, []))) for name, *_ in ROUTES),
        _row("all", every, n_errors),
        "",
        f"throughput: {len(every) / took:,.0f} requests/s; errors: {n_errors}",
    ]
    for name, problems in errors.items():
        lines.append(f"errors in {name}: " + ", ".join(problems[:5]))
    text = "\n".join(lines) + "\n"
    print(text, end="")
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    opts.out.write_text(text, encoding="utf-8")
    if n_errors:
        raise SystemExit(f"{n_errors} errors")


if __name__ == "__main__":
    main()
