"""How ``detente brief`` and ``detente playbook check`` grow from 1M to 10M events.

The issue's target: at 10M events no query command takes more than twice its time
at 1M. Two versions run as whole processes on the same synthetic stores
(``synth_store.ensure_store``): ``old`` from ``--old-src`` (a checkout of the commit
before the change) and ``new`` from this tree's ``src``. Each (command, store) is
run once per version to warm the page cache and the compiled-query cache (one cache
folder per version), then ``--repeat`` times per version, old and new alternating;
the median wall time is reported with its peak resident memory (``wait4``), and the
growth (time at 10M over time at 1M) per version.

``--store LABEL=PATH`` adds a store to measure besides the generated ones (for
instance the stores of an earlier generator, to compare with figures measured on them).

    python bench/growth.py --old-src ../old/src [--work DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from query_layer import _load, _machine, run
from synth_store import GENERATOR, ensure_store

ROOT = Path(__file__).resolve().parent.parent
SEED = 20260101


def _commit(src: Path) -> str:
    out = subprocess.run(["git", "log", "-1", "--format=%h %s"], cwd=src, capture_output=True,
                         text=True)
    return out.stdout.strip()[:90] if out.returncode == 0 else "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old-src", type=Path, required=True,
                        help="the src folder of the version to compare against")
    parser.add_argument("--work", type=Path, default=Path("/tmp/detente-bench-stores"),
                        help="where the stores are built (once) and the caches kept")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--store", action="append", default=[], metavar="LABEL=PATH",
                        help="another store to measure (repeatable)")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)

    stores: list[tuple[str, Path]] = []
    for events, label in ((1_000_000, "1M"), (10_000_000, "10M")):
        path, _ = ensure_store(args.work, events, SEED)
        stores.append((f"{label} (generator {GENERATOR})", path))
    for spec in args.store:
        label, _, path = spec.partition("=")
        stores.append((label, Path(path)))

    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    base.update(COLUMNS="120", NO_COLOR="1", PYTHONUNBUFFERED="1")
    envs = {"old": dict(base, PYTHONPATH=str(args.old_src.resolve()),
                        XDG_CACHE_HOME=str(args.work / "cache-old")),
            "new": dict(base, PYTHONPATH=str(ROOT / "src"), XDG_CACHE_HOME=str(args.work / "cache-new"))}
    print(f"growth benchmark, {time.strftime('%Y-%m-%dT%H:%M:%S')}")
    print(_machine())
    print(f"old: {args.old_src} ({_commit(args.old_src)})")
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    print(f"new: src ({_commit(ROOT)}; uncommitted changes: {'yes' if dirty else 'none'})")
    print(f"repeat {args.repeat}, median reported, old and new alternating; {_load()} at start")
    print("the machine has 2 cores and was shared with other work while this ran")

    commands = {
        "brief": lambda store, who: [sys.executable, "-m", "detente", "brief", "--store", str(store),
                                     "-o", str(args.work / f"brief-{who}.html")],
        "playbook check": lambda store, who: [sys.executable, "-m", "detente", "playbook", "check",
                                              "--store", str(store)],
    }
    results: dict[tuple[str, str, str], tuple[float, float]] = {}
    for label, store in stores:
        for name, make in commands.items():
            times: dict[str, list[float]] = {"old": [], "new": []}
            peaks: dict[str, list[float]] = {"old": [], "new": []}
            for who in ("old", "new"):  # warm-up, not counted
                r = run(make(store, who), envs[who], args.timeout)
                if not r.ok:
                    sys.exit(f"{who} {name} on {store.name}: {r.failure()}")
            for i in range(args.repeat):
                for who in (("old", "new") if i % 2 == 0 else ("new", "old")):
                    r = run(make(store, who), envs[who], args.timeout)
                    if not r.ok:
                        sys.exit(f"{who} {name} on {store.name}: {r.failure()}")
                    times[who].append(r.seconds)
                    peaks[who].append(r.peak_mib)
            for who in ("old", "new"):
                results[(label, name, who)] = (statistics.median(times[who]), max(peaks[who]))
            print(f"  measured {name} on {label}: {store.name}; "
                  f"old {' '.join(f'{t:.2f}' for t in times['old'])}, "
                  f"new {' '.join(f'{t:.2f}' for t in times['new'])}; {_load()}", flush=True)

    print()
    print("whole processes, seconds (median), peak MiB")
    print(f"  {'command':15} {'store':26} {'old s':>6} {'new s':>6} {'new/old':>7} {'peak MiB old/new':>17}")
    for label, _ in stores:
        for name in commands:
            (to, po), (tn, pn) = results[(label, name, "old")], results[(label, name, "new")]
            print(f"  {name:15} {label:26} {to:6.2f} {tn:6.2f} {tn / to:6.2f}x {po:8.0f}/{pn:.0f}")
    print()
    print("growth, time at 10M over time at 1M (target: at most 2x)")
    pairs = [(stores[0][0], stores[1][0])]
    labels = [label for label, _ in stores[2:]]
    if len(labels) == 2:
        pairs.append((labels[0], labels[1]))
    for small, large in pairs:
        for name in commands:
            parts = []
            for who in ("old", "new"):
                g = results[(large, name, who)][0] / results[(small, name, who)][0]
                parts.append(f"{who} {g:.2f}x ({'met' if g <= 2 else 'NOT met'})")
            print(f"  {name:15} {large} / {small}: {', '.join(parts)}")
    print(f"{_load()} at the end")


if __name__ == "__main__":
    main()
