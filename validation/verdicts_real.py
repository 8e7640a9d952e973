"""Validation: the verdicts on real machine-coded data (ICEWS daily files around the INF crisis).

Runs the commands an analyst would run, as whole processes, on stores built from real
ICEWS daily files (not written for this project), and writes what they say, so that
``docs/validation.md`` can discuss each verdict: right or not, and why.

Two stores, so that what was tuned and what was held back stay apart:

- *tune*: the embedded chronology plus the October 2018 files (publication days
  2018-10-01 … 2018-10-31);
- *held*: the same plus the November 2018 files, looked at only once the rules were
  fixed on *tune*.

For each store: ``status``, ``trends`` (weekly and daily series of the icews dataset, and
the yearly and monthly relationship index of the chronology), ``playbook check``,
``channels`` and ``treaties`` as of the last event, each as JSON under ``--out``, plus
a plain summary printed to the terminal.

    python validation/verdicts_real.py --samples DIR/icews-2018-10-11 --out validation/out

The ICEWS files are not part of the project (their licence is the data provider's); the
script reads them from wherever they are.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DYAD = "USA-RUS"


def detente(*args: str, store: Path | None, env: dict[str, str]) -> tuple[int, str, str]:
    """Run ``detente ARGS --store STORE``; return its status, stdout and stderr."""
    cmd = [sys.executable, "-m", "detente", *args, *(["--store", str(store)] if store else [])]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    return done.returncode, done.stdout, done.stderr


def as_json(text: str) -> Any:
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def files_of(folder: Path, months: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in folder.glob("*-icews-events.tab") if p.name[:6] in months)


RUNS: list[tuple[str, list[str]]] = [
    ("status", ["status"]),
    ("trends-icews-week", ["trends", "--dyad", DYAD, "--dataset", "icews", "--period", "week",
                           "--as", "json"]),
    ("trends-icews-week-count", ["trends", "--dyad", DYAD, "--dataset", "icews", "--period",
                                 "week", "--indicator", "events", "--as", "json"]),
    ("trends-curated-year", ["trends", "--dyad", DYAD, "--dataset", "curated", "--period",
                             "year", "--as", "json"]),
    ("trends-curated-month", ["trends", "--dyad", DYAD, "--dataset", "curated", "--period",
                              "month", "--as", "json"]),
    ("indicators-icews-arms", ["indicators", "--dyad", DYAD, "--dataset", "icews", "--period",
                               "week", "--issue", "arms_control", "--as", "json"]),
    ("playbook", ["playbook", "check", "--as", "json"]),
    ("channels", ["channels", "--as", "json"]),
    ("treaties", ["treaties", "--as", "json"]),
]
NO_STORE = {"treaties"}
"""Commands that read the registry only (no ``--store``)."""


def run_store(name: str, files: list[Path], out: Path, env: dict[str, str]) -> dict[str, Any]:
    store = out / f"{name}.duckdb"
    if store.exists():
        store.unlink()
    t0 = time.perf_counter()
    code, _, err = detente("ingest", *map(str, files), "-q", store=store, env=env)
    if code not in (0, 3):  # -q may not exist in older versions: retry without it
        code, _, err = detente("ingest", *map(str, files), store=store, env=env)
    if code != 0:
        raise SystemExit(f"ingest into {store.name} failed ({code}): {err.strip()[:300]}")
    print(f"[{name}] ingested {len(files)} files in {time.perf_counter() - t0:.1f} s")
    found: dict[str, Any] = {}
    for label, args in RUNS:
        code, stdout, stderr = detente(*args, store=None if label in NO_STORE else store,
                                       env=env)
        if code != 0:
            doc: Any = {"error": stderr.strip().splitlines()[-1:]}
        elif label == "status":
            doc = stdout.splitlines()
        else:
            doc = as_json(stdout)
        found[label] = doc
        (out / f"{name}-{label}.json").write_text(json.dumps(doc, indent=1, default=str) + "\n")
        print(f"[{name}] {label}: exit {code}")
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=Path, required=True,
                    help="folder of ICEWS daily files (YYYYMMDD-icews-events.tab)")
    ap.add_argument("--out", type=Path, default=Path("validation/out"))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="detente-validation-cache-"))
    tune = files_of(args.samples, ("201810",))
    held = files_of(args.samples, ("201810", "201811"))
    if not tune:
        raise SystemExit(f"{args.samples}: no ICEWS daily files of October 2018 there")
    run_store("tune", tune, args.out, env)
    run_store("held", held, args.out, env)
    print(f"results in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
