"""Benchmark: ingesting a folder of many daily ICEWS files, against DuckDB's glob floor.

Contenders, each in a fresh process, in turn, repeated (median reported):

* ``detente``: ``Store.ingest(folder)``: every file whole or not at all, with its
  provenance (what `detente ingest FOLDER` does);
* ``one_file``: the same rows concatenated into one file, ingested by detente
  (what the per-file cost adds is the difference);
* ``floor``: DuckDB's own ``read_csv`` of the folder's files with one glob into a
  table.

Folders: the real daily files given (e.g. 57 ICEWS files of October-November
2018) and a folder of ``--generated`` files made from them (each real file again
under later dates and new event ids, so none is a duplicate).

A day of GDELT 2.0 (``--gdelt-day ROWS``, default 2,400 rows a file, about a real
15-minute export's): 96 generated exports (``bench/gdelt_synth.py``), against the
same floor over the same files, unzipped. Contenders there:

* ``detente``: ``Store.ingest(folder)`` of the 96 unzipped files;
* ``fetched``: what `detente fetch gdelt` does with a day it has downloaded and
  checked: the 96 zipped files through ``ingest_fetched_batch`` (unzipping, one
  scan, each file with its per-root totals and ledger row);
* ``fetched_each``: the same, file by file (``ingest_fetched``), as a fetch did before;
* ``floor``: DuckDB's ``read_csv`` of the 96 unzipped files with one glob.

    python bench/ingest_many.py ICEWS_FOLDER --generated 167 --gdelt-day 2400
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
mode, data, store = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
if mode in ("detente", "one_file"):
    from detente.store import Store
    with Store.open(store, with_chronology=False) as st:
        rows = sum(r.stored for r in st.ingest([data]))
elif mode in ("fetched", "fetched_each"):
    from datetime import date, datetime
    from pathlib import Path
    from detente.fetch import Remote
    from detente.store import Store
    from detente.store._fetched import ingest_fetched, ingest_fetched_batch
    files = sorted(Path(data).iterdir())
    remotes = [(Remote("gdelt2", f.name, "http://127.0.0.1/" + f.name, f.stat().st_size, None,
                       "15min", date(2018, 1, 2), datetime.strptime(f.name[:14], "%Y%m%d%H%M%S")), f)
               for f in files]
    with Store.open(store, with_chronology=False) as st:
        if mode == "fetched":
            done = ingest_fetched_batch(st, remotes)
        else:  # as a fetch did before: each file in a transaction of its own
            done = [ingest_fetched(st, r, f) for r, f in remotes]
    rows = sum(d.report.stored for d in done)
else:
    import duckdb
    con = duckdb.connect(store)
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{data}/*', union_by_name=true)")
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
secs = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": secs, "peak_mib": peak, "rows": rows}))
"""


def _generate(real: list[Path], target: Path, count: int) -> None:
    """Write ``count`` daily files from the real ones: round k shifts dates by k*60 days
    and prefixes ids with k, so every event is new."""
    target.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        src = real[i % len(real)]
        k = i // len(real) + 1
        lines = src.read_text(encoding="utf-8").splitlines()
        header = lines[0].split("\t")
        at_id, at_date = header.index("Event ID"), header.index("Event Date")
        out = [lines[0]]
        for line in lines[1:]:
            f = line.split("\t")
            if len(f) == len(header):
                f[at_id] = f"{k}{f[at_id]}"
                with contextlib.suppress(ValueError):  # a malformed date stays as it is
                    f[at_date] = (date.fromisoformat(f[at_date]) + timedelta(days=60 * k)).isoformat()
            out.append("\t".join(f))
        (target / f"{k:02d}-{src.name}").write_text("\n".join(out) + "\n", encoding="utf-8")


def _concatenate(folder: Path, target: Path) -> Path:
    files = sorted(folder.iterdir())
    with target.open("w", encoding="utf-8") as out:
        for i, f in enumerate(files):
            lines = f.read_text(encoding="utf-8").splitlines()
            out.write("\n".join(lines if i == 0 else lines[1:]) + "\n")
    return target


def _run(mode: str, data: Path, work: Path) -> dict[str, float]:
    store = work / f"{mode}.duckdb"
    for p in work.glob(f"{mode}.duckdb*"):
        p.unlink()
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(data), str(store)],
                         check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("folder", type=Path, help="folder of real daily ICEWS files")
    parser.add_argument("--generated", type=int, default=167)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--gdelt-day", type=int, default=2400, metavar="ROWS",
                        help="rows in each of a GDELT 2.0 day's 96 files (0: no GDELT day)")
    args = parser.parse_args()
    real = sorted(p for p in args.folder.iterdir() if p.is_file())
    work = Path(tempfile.mkdtemp(prefix="detente-many-"))
    folders = {f"{len(real)} real files": work / "real"}
    shutil.copytree(args.folder, folders[f"{len(real)} real files"])
    if args.generated:
        folders[f"{args.generated} generated files"] = work / "generated"
        _generate(real, work / "generated", args.generated)
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"machine: {platform.machine()}, {platform.system()} {platform.release()}, python "
          f"{platform.python_version()}")
    try:
        for label, folder in folders.items():
            single = _concatenate(folder, work / f"{folder.name}-all.tab")
            times: dict[str, list[float]] = {"detente": [], "one_file": [], "floor": []}
            rows: dict[str, float] = {}
            for _ in range(args.repeat):  # interleaved, so drift hits all alike
                for mode in times:
                    r = _run(mode, single if mode == "one_file" else folder, work)
                    times[mode].append(r["seconds"])
                    rows[mode] = r["rows"]
            med = {m: statistics.median(v) for m, v in times.items()}
            print(f"\n{label}, median of {args.repeat}:")
            for m in times:
                print(f"  {m:<9} {med[m]:7.2f} s   {rows[m]:>9,.0f} rows")
            print(f"  ratio detente / floor: {med['detente'] / med['floor']:.2f} (target <= 2)"
                  f"   one file / floor: {med['one_file'] / med['floor']:.2f}")
        if args.gdelt_day:
            _gdelt_day(work, args.gdelt_day, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _gdelt_day(work: Path, rows: int, repeat: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from gdelt_synth import write_day

    zipped, plain = work / "gdelt-day-zipped", work / "gdelt-day"
    write_day(zipped, rows)
    plain.mkdir()
    for z in sorted(zipped.iterdir()):
        with zipfile.ZipFile(z) as zf:
            zf.extractall(plain)
    times: dict[str, list[float]] = {"detente": [], "fetched": [], "fetched_each": [], "floor": []}
    counts: dict[str, float] = {}
    for _ in range(repeat):
        for mode in times:
            r = _run(mode, zipped if mode.startswith("fetched") else plain, work)
            times[mode].append(r["seconds"])
            counts[mode] = r["rows"]
    med = {m: statistics.median(v) for m, v in times.items()}
    print(f"\na day of GDELT 2.0: 96 generated files of {rows:,} rows, median of {repeat}:")
    for m in times:
        print(f"  {m:<12} {med[m]:7.2f} s   {counts[m]:>9,.0f} rows")
    print(f"  ratio detente / floor: {med['detente'] / med['floor']:.2f} (target <= 2)"
          f"   fetched (zipped, with totals and ledger) / floor: {med['fetched'] / med['floor']:.2f}")


if __name__ == "__main__":
    main()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
