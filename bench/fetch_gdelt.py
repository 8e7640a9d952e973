"""Benchmark: `detente fetch gdelt` from a local server against the floor, in one run.

A local HTTP server on 127.0.0.1 serves a day of generated GDELT 2.0 exports
(96 zipped 15-minute files by default) with a master file list. Contenders, run
in turn and repeated (median reported):

* ``detente``: :func:`detente.fetch.fetch_gdelt` into a fresh store (list tail,
  downloads with ``--jobs``, size and MD5 checks, ingest with totals and ledger);
* ``floor``: a plain download of the same files with the same concurrency, then
  DuckDB reading them all (unzipped, one ``read_csv`` glob) into a table.

    python bench/fetch_gdelt.py --files 96 --rows 1500 --jobs 4
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gdelt_synth import write_file  # noqa: E402

DAY = date(2026, 3, 1)


def _server(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path = folder / self.path.rsplit("/", 1)[-1]
            if not path.exists():
                self.send_error(404)
                return
            body = path.read_bytes()
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes=-"):
                start = max(0, len(body) - int(rng[7:]))
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                body = body[start:]
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/gdeltv2/"


def _publish(folder: Path, files: int, rows: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    lines, names = [], []
    t = datetime(DAY.year, DAY.month, DAY.day)
    for i in range(files):
        stamp = f"{t + timedelta(minutes=15 * i):%Y%m%d%H%M%S}"
        plain = folder / f"{stamp}.export.CSV"
        write_file(plain, rows, seed=1000 + i)
        name = f"{stamp}.export.CSV.zip"
        with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(plain, plain.name)
        plain.unlink()
        data = (folder / name).read_bytes()
        lines.append(f"{len(data)} {hashlib.md5(data, usedforsecurity=False).hexdigest()} "
                     f"http://data.gdeltproject.org/gdeltv2/{name}")
        names.append(name)
    (folder / "masterfilelist.txt").write_text("\n".join(lines) + "\n")
    (folder / "lastupdate.txt").write_text(lines[-1] + "\n")
    return names


def _detente(base: str, work: Path, jobs: int) -> float:
    from detente.fetch import FetchOptions, fetch_gdelt
    from detente.store import Store

    store = work / "fetch.duckdb"
    for p in work.glob("fetch.duckdb*"):
        p.unlink()
    t = time.perf_counter()
    res = fetch_gdelt(lambda: Store.open(store, with_chronology=False),
                      FetchOptions(since=DAY, until=DAY, base_url=base, jobs=jobs,
                                   download_dir=work / "dl"))
    secs = time.perf_counter() - t
    assert res.exit_status == 0 and res.failed == [], res.summary()
    return secs


def _floor(base: str, names: list[str], work: Path, jobs: int) -> float:
    import duckdb

    target = work / "plain"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for p in work.glob("floor.duckdb*"):
        p.unlink()

    def get(name: str) -> None:
        with urllib.request.urlopen(base + name, timeout=30) as resp, \
                (target / name).open("wb") as out:
            shutil.copyfileobj(resp, out)
        with zipfile.ZipFile(target / name) as zf:
            zf.extractall(target)

    t = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(get, names))
    con = duckdb.connect(str(work / "floor.duckdb"))
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{target}/*.export.CSV', "
                "delim='\\t', header=false)")
    con.close()
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--files", type=int, default=96)
    parser.add_argument("--rows", type=int, default=1500, help="rows per file")
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="detente-fetch-bench-"))
    served = work / "served"
    names = _publish(served, args.files, args.rows)
    size = sum((served / n).stat().st_size for n in names)
    httpd, base = _server(served)
    print(f"machine: {platform.machine()}, {platform.system()} {platform.release()}, python "
          f"{platform.python_version()}; {args.files} files of {args.rows:,} rows "
          f"({size / 2**20:.1f} MiB zipped), --jobs {args.jobs}")
    times: dict[str, list[float]] = {"detente": [], "floor": []}
    try:
        for _ in range(args.repeat):  # interleaved, so drift hits both alike
            times["detente"].append(_detente(base, work, args.jobs))
            times["floor"].append(_floor(base, names, work, args.jobs))
    finally:
        httpd.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    for k in ("detente", "floor"):
        print(f"  {k:<8} {med[k]:7.2f} s   {args.files / med[k]:6.1f} files/s   "
              f"{size / med[k] / 2**20:6.2f} MiB/s")
    print(f"  ratio detente / floor: {med['detente'] / med['floor']:.2f}")


if __name__ == "__main__":
    main()
