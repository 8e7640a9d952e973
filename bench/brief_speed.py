"""Benchmark: ``detente brief`` and the dashboard's JSON API over a large synthetic store.

The bounds (sanity bounds on a 2-core machine): the brief on the embedded default
under 5 s and on a store of 10,000,000 events under 30 s; the API answering a
one-dyad monthly view over 10M events in under 300 ms at the median.

    python bench/brief_speed.py WORKDIR                    # 10M events
    python bench/brief_speed.py WORKDIR --events 1000000
    python bench/brief_speed.py WORKDIR --skip-brief --requests 100 --distinct 20

The store is generated once per (events, seed) inside WORKDIR and reused by later
runs (see ``synth_store.py``).

Then, each as a user meets it:

1. ``detente brief`` as a subprocess on the large store (``--repeat`` times) and on a
   fresh store holding the embedded default only (first run creates the store);
2. ``detente serve`` as a subprocess on 127.0.0.1; one warm-up request, then at most
   ``--requests`` sequential ``GET /api/view?dyad=USA-RUS&period=month`` within
   ``--max-seconds`` (the server may answer these from its cache), then at most
   ``--distinct`` with a different ``since`` each before the first event (never
   cached; the whole history), then at most ``--distinct`` with a ``since`` inside
   the data (every series cut, so rows and analyses differ each time), then the first
   view of three other dyads one after another (their events not copied yet); the
   server is stopped afterwards;
3. baselines, after the server stops: the same view computed in-process by
   ``build_brief`` (no HTTP, a new ``since`` each time), over the whole store, and one
   hand-written DuckDB query of the monthly counts by dataset and quad class (the
   floor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import httpx
from synth_store import ensure_store

from detente.report import build_brief
from detente.report.model import BriefOptions
from detente.store import Store

VIEW = "/api/view"
VIEW_PARAMS = {"dyad": "USA-RUS", "period": "month"}


def _cli() -> list[str]:
    exe = shutil.which("detente", path=str(Path(sys.executable).parent)) or shutil.which("detente")
    return [exe] if exe else [sys.executable, "-m", "detente"]


def time_brief(store: Path, out: Path) -> float:
    """Run ``detente brief`` on ``store`` as a user would; return the wall time."""
    t = time.perf_counter()
    proc = subprocess.run([*_cli(), "brief", "--store", str(store), "-o", str(out)],
                          capture_output=True, text=True, check=False)
    took = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"detente brief failed ({proc.returncode}): {proc.stderr.strip()}")
    return took


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_api(store: Path, requests: int, max_seconds: float, distinct: int) -> dict[str, Any]:
    """Serve ``store`` on 127.0.0.1 and time sequential one-dyad monthly views.

    First ``requests`` with the same parameters (after the first, answers the server
    may have kept), then ``distinct`` with parameters not asked before (none kept).
    """
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    server = subprocess.Popen([*_cli(), "serve", "--store", str(store), "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=base, timeout=60.0, trust_env=False) as client:
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"detente serve exited: {server.stderr.read() if server.stderr else ''}")
                try:
                    if client.get("/api/datasets").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.perf_counter() - t0 > 120:
                    raise SystemExit("detente serve did not answer within 120 s")
                time.sleep(0.1)
            ready = time.perf_counter() - t0
            t = time.perf_counter()
            first = client.get(VIEW, params=VIEW_PARAMS)
            warm = time.perf_counter() - t
            if first.status_code != 200:
                raise SystemExit(f"{VIEW} answered {first.status_code}: {first.text[:300]}")
            times: list[float] = []
            started = time.perf_counter()
            while len(times) < requests and time.perf_counter() - started < max_seconds:
                t = time.perf_counter()
                r = client.get(VIEW, params=VIEW_PARAMS)
                times.append(time.perf_counter() - t)
                if r.status_code != 200:
                    raise SystemExit(f"{VIEW} answered {r.status_code}: {r.text[:300]}")
            body = first.json()
            # Each request a cache miss: a different ``since`` before the first event
            # (1963-08-05), so the data and the work are those of the view above.
            misses: list[float] = []
            started = time.perf_counter()
            while len(misses) < distinct and time.perf_counter() - started < max_seconds:
                since = dt.date(1963, 1, 1) + dt.timedelta(days=len(misses))
                t = time.perf_counter()
                r = client.get(VIEW, params={**VIEW_PARAMS, "since": since.isoformat()})
                misses.append(time.perf_counter() - t)
                if r.status_code != 200:
                    raise SystemExit(f"{VIEW} answered {r.status_code}: {r.text[:300]}")
            # Each a cache miss that cuts every series: a different ``since`` inside the
            # data (from January 2016, when all three datasets run), so the rows, the
            # change points and the forecasts differ from request to request.
            inside: list[float] = []
            started = time.perf_counter()
            while len(inside) < distinct and time.perf_counter() - started < max_seconds:
                since = dt.date(2016, 1, 1) + dt.timedelta(days=41 * len(inside))
                t = time.perf_counter()
                r = client.get(VIEW, params={**VIEW_PARAMS, "since": since.isoformat()})
                inside.append(time.perf_counter() - t)
                if r.status_code != 200:
                    raise SystemExit(f"{VIEW} answered {r.status_code}: {r.text[:300]}")
            # The first view of dyads not asked before, one after another: each reads the
            # whole store (a dyad's events are copied only once requests pause).
            others: list[float] = []
            for pair in ("USA-CHN", "RUS-UKR", "DEU-FRA"):
                t = time.perf_counter()
                r = client.get(VIEW, params={**VIEW_PARAMS, "dyad": pair})
                others.append(time.perf_counter() - t)
                if r.status_code != 200:
                    raise SystemExit(f"{VIEW} answered {r.status_code}: {r.text[:300]}")
            # A view asked while the last of those dyads is being copied (the copy starts
            # once requests pause for a second and takes about as long again at 10M): it
            # is answered beside the copy, not after it.
            time.sleep(1.3)
            t = time.perf_counter()
            r = client.get(VIEW, params={**VIEW_PARAMS, "since": "2019-06-01"})
            during_copy = time.perf_counter() - t
            if r.status_code != 200:
                raise SystemExit(f"{VIEW} answered {r.status_code}: {r.text[:300]}")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    months = max((len(c.get("data") or []) for c in body.get("charts", [])
                  if isinstance(c, dict)), default=0)
    return {"ready": ready, "warm": warm, "times": times, "misses": misses, "inside": inside,
            "others": others, "during_copy": during_copy,
            "bytes": len(first.content),
            "as_of": body.get("as_of"), "period": body.get("period"), "chart_rows": months}


FLOOR_SQL = """
SELECT dataset, date_trunc('month', date) AS month, count(*) AS events,
       count(*) FILTER (WHERE quad_class = 1) AS q1, count(*) FILTER (WHERE quad_class = 2) AS q2,
       count(*) FILTER (WHERE quad_class = 3) AS q3, count(*) FILTER (WHERE quad_class = 4) AS q4,
       avg(goldstein) AS goldstein_mean
FROM events
WHERE (source_country = 'USA' AND target_country = 'RUS')
   OR (source_country = 'RUS' AND target_country = 'USA')
GROUP BY ALL ORDER BY dataset, month
"""


def _median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def baselines(store: Path, repeat: int) -> dict[str, float]:
    """Time the view in-process (no HTTP) and the hand-written monthly counts (the floor)."""
    quick = frozenset({"issues"})
    days = iter(range(10_000))

    def view() -> BriefOptions:  # a new since= each time, before the first event
        since = dt.date(1962, 1, 1) + dt.timedelta(days=next(days))
        return BriefOptions(dyad=("USA", "RUS"), period="month", since=since)

    with Store.open(store, read_only=True) as st:
        build_brief(st, view(), sections_wanted=quick)  # compiled queries, daily totals
        in_process = _median_time(lambda: build_brief(st, view(), sections_wanted=quick), repeat)
        floor = _median_time(lambda: st._con.execute(FLOOR_SQL).fetchall(), repeat)
    return {"in_process": in_process, "floor": floor}


def _machine() -> str:
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return (f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), memory {mem}, "
            f"{platform.system()} {platform.machine()}, python {platform.python_version()}, "
            f"duckdb {duckdb.__version__}; {_load()}")


def _load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def _ms(s: float) -> str:
    return f"{s * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workdir", type=Path, help="folder for the cached stores and briefs")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--repeat", type=int, default=3, help="brief runs on the large store")
    parser.add_argument("--requests", type=int, default=50, help="API requests (at most)")
    parser.add_argument("--distinct", type=int, default=15,
                        help="API requests with parameters not asked before (at most)")
    parser.add_argument("--max-seconds", type=float, default=120.0,
                        help="stop sending API requests after this long")
    parser.add_argument("--skip-brief", action="store_true")
    parser.add_argument("--skip-api", action="store_true")
    args = parser.parse_args()
    if args.events < 1 or args.requests < 1 or args.repeat < 1:
        parser.error("--events, --requests and --repeat must be positive")
    args.workdir.mkdir(parents=True, exist_ok=True)

    print(_machine())
    store, built = ensure_store(args.workdir, args.events, args.seed)
    with Store.open(store, read_only=True) as st:
        total = st.count()
        summary = st.summary().to_pylist()
        pair = st._con.execute(
            "SELECT count(*) FROM events WHERE (source_country = 'USA' AND target_country = 'RUS') "
            "OR (source_country = 'RUS' AND target_country = 'USA')").fetchone()
    size = store.stat().st_size / 2**20
    print(f"store: {total:,} events ({size:,.0f} MiB), USA-RUS {pair[0] if pair else 0:,}; "
          + ("reused from the work dir" if built is None else f"generated in {built:.1f} s"))
    for r in summary:
        print(f"  {r['dataset']:<8} {r['events']:>12,}  {r['first']} .. {r['last']}")

    if not args.skip_brief:
        fresh = args.workdir / "embedded-default.duckdb"
        fresh.unlink(missing_ok=True)
        t_create = time_brief(fresh, args.workdir / "brief-default.html")
        t_default = statistics.median(
            [time_brief(fresh, args.workdir / "brief-default.html") for _ in range(args.repeat)])
        runs = [time_brief(store, args.workdir / f"brief-{args.events}.html")
                for _ in range(args.repeat)]
        med = statistics.median(runs)
        print(f"detente brief, embedded default: {t_create:.2f} s creating the store, "
              f"{t_default:.2f} s median on it (bound 5 s)")
        print(f"detente brief, {total:,} events: {med:.2f} s median of {len(runs)} "
              f"({', '.join(f'{r:.2f}' for r in runs)} s; bound 30 s) = "
              f"{med / t_default:.1f}x the embedded default")

    if not args.skip_api:
        api = load_api(store, args.requests, args.max_seconds, args.distinct)
        times = sorted(api["times"])
        med = statistics.median(times)
        p90 = times[min(len(times) - 1, round(0.9 * (len(times) - 1)))]
        print(f"API {VIEW}?dyad=USA-RUS&period=month: server ready in {api['ready']:.1f} s, first "
              f"request {_ms(api['warm'])}; {len(times)} sequential requests: median {_ms(med)}, "
              f"p90 {_ms(p90)}, max {_ms(times[-1])} (bound: median 300 ms); "
              f"{api['bytes']:,} bytes, period {api['period']}, as of {api['as_of']}")
        if api["misses"]:
            misses = sorted(api["misses"])
            print(f"  {len(misses)} sequential requests, each with a new since= before the first "
                  f"event (no kept answer; the whole history): median "
                  f"{_ms(statistics.median(misses))}, max {_ms(misses[-1])}")
        if api["inside"]:
            inside = sorted(api["inside"])
            print(f"  {len(inside)} sequential requests, each with a new since= inside the data "
                  f"(no kept answer; every series cut, every analysis new): median "
                  f"{_ms(statistics.median(inside))}, max {_ms(inside[-1])}")
        print(f"  first view of another dyad, one after another (no copy yet): "
              f"{', '.join(_ms(x) for x in api['others'])} (USA-CHN, RUS-UKR, DEU-FRA); "
              f"a new USA-RUS view asked while DEU-FRA was being copied: "
              f"{_ms(api['during_copy'])}")
        new = statistics.median(api["misses"]) if api["misses"] else med
        cut = statistics.median(api["inside"]) if api["inside"] else new
        base = baselines(store, repeat=5)
        print(f"  same view in-process (build_brief, no HTTP, a new since= each): "
              f"{_ms(base['in_process'])} median over the whole store")
        print(f"  hand-written DuckDB monthly counts by dataset and quad class (the floor): "
              f"{_ms(base['floor'])} median")
        print(f"  ratios of a new view over the API: {new / base['in_process']:.2f}x the "
              f"whole-store in-process view, "
              f"{new / base['floor']:.1f}x the floor; a new view inside the data: "
              f"{cut / base['floor']:.1f}x the floor; a kept answer: {med / base['floor']:.2f}x "
              f"the floor")
    print(f"done; {_load()}")


if __name__ == "__main__":
    main()
