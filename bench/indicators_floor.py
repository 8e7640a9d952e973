"""Benchmark: ``detente indicators`` against the hand-written SQL, as whole processes.

Three contenders, run in turn on the same store, one round after another, the order
turned by one each round (old, new, floor; then new, floor, old; ...):

- old: ``python -m detente indicators --dyad USA-RUS --period month --store S`` from a
  ``git archive`` of ``--old REV`` (made once under the work folder);
- new: the same command from this working tree's ``src``;
- floor: the ``python -c`` process of ``bench/query_layer.py`` (DuckDB alone, one
  hand-written query of the same monthly series, its rows printed).

Each of old and new has its own ``XDG_CACHE_HOME`` (compiled queries are kept there);
every contender runs once untimed first. The first runs' standard output of old and new
are compared byte for byte (a difference is reported, and the exit status is 1). With
``--bytecode``, Python may write and read its compiled modules (in a folder of each
contender under the work folder), as an installed package does; without it, the
environment is passed as it is (``PYTHONDONTWRITEBYTECODE`` included, if set).

Reported per size: the median and the fastest of the wall times, the median of the
per-round ratios new/old and new/floor, and the load average before and after.

    python bench/indicators_floor.py STORE [STORE ...] --repeat 9
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from query_layer import FLOOR_CODE, FLOOR_SQL  # noqa: E402

NAMES = ("old", "new", "floor")


def _tree(rev: str, work: Path) -> Path:
    """Return the ``src`` folder of ``rev`` (a ``git archive`` made once)."""
    sha = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout.strip()
    dest = work / f"tree-{sha[:12]}"
    if not (dest / "src").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", sha, "src"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def _envs(old_src: Path, work: Path, bytecode: bool) -> dict[str, dict[str, str]]:
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    base.update(COLUMNS="120", NO_COLOR="1")
    out = {}
    for name, src in (("old", old_src), ("new", ROOT / "src"), ("floor", None)):
        env = dict(base, XDG_CACHE_HOME=str(work / f"cache-{name}"))
        if src is not None:
            env["PYTHONPATH"] = str(src)
        if bytecode:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(work / f"pycache-{name}")
        out[name] = env
    return out


def _commands(store: Path) -> dict[str, list[str]]:
    detente = [sys.executable, "-m", "detente", "indicators", "--dyad", "USA-RUS", "--period",
               "month", "--store", str(store)]
    return {"old": detente, "new": detente,
            "floor": [sys.executable, "-c", FLOOR_CODE, str(store), FLOOR_SQL]}


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, bytes]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=False)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        raise SystemExit(f"{cmd[2:5]} failed: {tail[0]}")
    return took, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stores", type=Path, nargs="+", help="stores to read (not modified)")
    parser.add_argument("--old", default="main", help="the revision to compare with")
    parser.add_argument("--repeat", type=int, default=9, help="timed rounds per store")
    parser.add_argument("--bytecode", action="store_true",
                        help="let Python keep compiled modules, as an installed package does")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "detente-indicators-floor")
    args = parser.parse_args()
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    envs = _envs(_tree(args.old, work), work, args.bytecode)
    status = 0
    print(f"old: {args.old}; bytecode: {'kept' if args.bytecode else 'as the environment says'}; "
          f"{args.repeat} rounds; wall seconds")
    print(f"{'store':<40} {'old med':>8} {'new med':>8} {'floor med':>9} {'old min':>8} "
          f"{'new min':>8} {'floor min':>9} {'new/old':>8} {'new/floor':>9}  load 1-min before/after")
    for store in args.stores:
        cmds = _commands(store)
        first = {name: _run(cmds[name], envs[name])[1] for name in NAMES}  # warm, untimed
        if first["old"] != first["new"]:
            print(f"{store.name}: old and new print different output", file=sys.stderr)
            status = 1
        times: dict[str, list[float]] = {name: [] for name in NAMES}
        load_before = os.getloadavg()[0]
        for i in range(args.repeat):
            order = NAMES[i % 3:] + NAMES[:i % 3]
            for name in order:
                times[name].append(_run(cmds[name], envs[name])[0])
        load_after = os.getloadavg()[0]
        med = {n: statistics.median(t) for n, t in times.items()}
        low = {n: min(t) for n, t in times.items()}
        vs_old = statistics.median(n / o for n, o in zip(times["new"], times["old"], strict=True))
        vs_floor = statistics.median(n / f for n, f in zip(times["new"], times["floor"], strict=True))
        print(f"{store.name:<40} {med['old']:8.3f} {med['new']:8.3f} {med['floor']:9.3f} "
              f"{low['old']:8.3f} {low['new']:8.3f} {low['floor']:9.3f} {vs_old:7.2f}x "
              f"{vs_floor:8.2f}x  {load_before:.2f}/{load_after:.2f}", flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
