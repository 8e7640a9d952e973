"""Benchmark: `detente ingest` of a GDELT 2.0 export against DuckDB's generic
`read_csv` into a table (the floor) and `pandas.read_csv`, measured in one run.

Each contender runs in its own fresh process (so peak memory is its own), in
turn, on the same file, repeated; the median is reported with ratios.
``--canonical`` measures the same rows as a canonical CSV too (detente's own
format, written from a store holding the export's events). ``--unique-urls``
writes the export with a new, mostly topical URL on every row (the costliest
shape to tag; see ``bench/gdelt_synth.py``). ``--compare SRC`` instead measures
`detente ingest` of another version of the package (the ``src`` folder of a checkout
of an earlier commit) against this one, alternating, with the CPU time of the whole
process and the load average at each run.

    python bench/ingest_gdelt.py --rows 1000000 --canonical
    git worktree add ../old <commit>
    python bench/ingest_gdelt.py --rows 1000000 --canonical --compare ../old/src

Needs only the package itself (pandas is a dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gdelt_synth import write_file  # noqa: E402

CHILD = r"""
import json, resource, sys, time
mode, data, store = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
if mode == "detente":
    from detente.store import Store
    with Store.open(store, with_chronology=False) as st:  # the store sets no progress bar
        report = st.ingest_file(data)
    rows = report.stored
elif mode == "duckdb_read_csv":
    import duckdb
    con = duckdb.connect(store)
    con.execute("SET enable_progress_bar = false")
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{data}')")
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
elif mode == "pandas_read_csv":
    import pandas as pd
    if data.endswith(".csv"):  # canonical: comma-separated with a header
        rows = len(pd.read_csv(data, dtype=str))
    else:
        rows = len(pd.read_csv(data, sep="\t", header=None, dtype=str, quoting=3))
secs = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": secs, "peak_mib": peak, "rows": rows}))
"""

MODES = ("detente", "duckdb_read_csv", "pandas_read_csv")


def run(mode: str, data: Path, workdir: Path, src: Path | None = None) -> dict[str, float]:
    """Run one contender in a fresh process; with ``src``, the package found there."""
    name = f"{mode}-{'other' if src else 'this'}"
    store = workdir / f"{name}.duckdb"
    for p in workdir.glob(f"{name}.duckdb*"):
        p.unlink()
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src.resolve())
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(data), str(store)],
                         check=True, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = wall
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def compare(jobs: list[tuple[int, Path, str]], other: Path, repeat: int, workdir: Path) -> None:
    """Ingest each file with the package in ``other`` and with this one, alternating which
    goes first, ``repeat`` pairs; print each run and the medians."""
    here = Path(__file__).resolve().parent.parent / "src"
    for rows, data, label in jobs:
        print(f"\n{label}, {rows:,} rows: the package in {other} (before) against this "
              "checkout's (now), whole process")
        runs: dict[str, list[dict[str, float]]] = {"before": [], "now": []}
        for i in range(repeat):
            order = ["before", "now"] if i % 2 == 0 else ["now", "before"]
            for who in order:
                load = os.getloadavg()[0]
                r = run("detente", data, workdir, other if who == "before" else here)
                runs[who].append(r)
                print(f"  {who:<6} wall {r['process_s']:6.2f} s   cpu {r['cpu_s']:6.2f} s   "
                      f"peak {r['peak_mib']:5.0f} MiB   load {load:.2f}   stored {r['rows']:,}",
                      flush=True)
        for who, rs in runs.items():
            print(f"  median {who:<6} wall {statistics.median(r['process_s'] for r in rs):6.2f} s   "
                  f"cpu {statistics.median(r['cpu_s'] for r in rs):6.2f} s   "
                  f"peak {max(r['peak_mib'] for r in rs):5.0f} MiB")


CANONICAL = r"""
import sys
import duckdb
from detente.schema import column_names
from detente.store import Store
export, store, out = sys.argv[1:4]
with Store.open(store, with_chronology=False) as st:
    st.ingest_file(export)
cols = [c for c in column_names() if c not in ("ingested_from", "event_root")]
sel = ", ".join(f"array_to_string({c}, ';') AS {c}" if c == "issue_areas" else c for c in cols)
con = duckdb.connect(store, read_only=True)
con.execute("SET enable_progress_bar = false")
con.execute(f"COPY (SELECT {sel} FROM events ORDER BY rowid) TO '{out}' (HEADER, DELIMITER ',')")
"""


def _canonical(export: Path, workdir: Path) -> Path:
    """Write the export's rows as a canonical CSV (from a store holding them), in a process
    of its own: a child's peak memory as measured includes its parent's (Linux keeps it
    across exec), so this one stays small."""
    out = export.with_suffix(".canonical.csv")
    if not out.exists():
        store = workdir / "canonical-source.duckdb"
        store.unlink(missing_ok=True)
        subprocess.run([sys.executable, "-c", CANONICAL, str(export), str(store), str(out)],
                       check=True)
        store.unlink()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="rows per file (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--canonical", action="store_true",
                        help="also measure the same rows as a canonical CSV")
    parser.add_argument("--unique-urls", action="store_true",
                        help="a new, mostly topical URL on every row")
    parser.add_argument("--compare", type=Path, metavar="SRC",
                        help="measure the package in SRC against this checkout's, alternating")
    args = parser.parse_args()
    sizes = args.rows or [1_000_000]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="detente-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"machine: {platform.machine()}, {platform.system()} {platform.release()}, "
          f"python {platform.python_version()}; files in {workdir}")
    modes = [m for m in MODES if not (args.skip_pandas and m.startswith("pandas"))]
    summary = []
    jobs = []
    for rows in sizes:
        shape = "-unique" if args.unique_urls else ""
        data = workdir / f"gdelt2_{rows}{shape}.export.CSV"
        if not data.exists():
            print(f"writing {rows:,} rows ...", flush=True)
            write_file(data, rows, unique_urls=args.unique_urls)
        jobs.append((rows, data, "GDELT 2.0 export"))
        if args.canonical:
            jobs.append((rows, _canonical(data, workdir), "canonical CSV"))
    if args.compare is not None:
        compare(jobs, args.compare, args.repeat, workdir)
        return
    for rows, data, label in jobs:
        results: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
        for _ in range(args.repeat):
            for mode in modes:  # interleaved, so drift hits every contender alike
                results[mode].append(run(mode, data, workdir))
        med = {m: statistics.median(r["seconds"] for r in results[m]) for m in modes}
        peak = {m: max(r["peak_mib"] for r in results[m]) for m in modes}
        size_mib = data.stat().st_size / 2**20
        print(f"\n{label}, {rows:,} rows ({size_mib:,.0f} MiB), median of {args.repeat}:")
        for m in modes:
            print(f"  {m:<16} {med[m]:7.2f} s   peak {peak[m]:7.0f} MiB   "
                  f"{rows / med[m] / 1e6:5.2f} M rows/s")
        ratio = med["detente"] / med["duckdb_read_csv"]
        print(f"  ratio detente / duckdb read_csv floor: {ratio:.2f} (target <= 1.00)")
        if "pandas_read_csv" in med:
            print(f"  ratio detente / pandas.read_csv:       {med['detente'] / med['pandas_read_csv']:.2f}")
        if label.startswith("GDELT"):
            summary.append((rows, med["detente"], peak["detente"]))
    if len(summary) > 1:
        (r0, t0, _), (r1, t1, _) = summary[0], summary[-1]
        print(f"\ngrowth: {r1 / r0:.1f}x rows took {t1 / t0:.2f}x time "
              f"(linear or better when <= {r1 / r0:.1f})")


if __name__ == "__main__":
    main()
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
