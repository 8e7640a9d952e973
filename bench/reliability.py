"""Long runs of the hardening tests: many fuzz examples and many kill points, with the
figures the README's "Reliability" section quotes.

    python bench/reliability.py --fuzz-scale 20 --kill-points 50

Runs ``tests/test_hardening_fuzz.py`` with ``DETENTE_FUZZ_SCALE`` times CI's examples
(new ones each run, not CI's fixed set) and the long crash test with
``DETENTE_CRASH_POINTS`` kill points during an ingest and as many during the creation of
a store; prints, and writes to ``bench/results/reliability.txt``, how many examples
each fuzz target ran and how many kill points left the before and the after state.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pytest(args: list[str], env: dict[str, str]) -> str:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    done = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz-scale", type=float, default=20.0)
    parser.add_argument("--kill-points", type=int, default=50)
    opts = parser.parse_args()
    lines = [f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"]

    started = time.perf_counter()
    out = _pytest(["tests/test_hardening_fuzz.py", "--hypothesis-show-statistics"],
                  {"DETENTE_FUZZ_SCALE": str(opts.fuzz_scale), "HYPOTHESIS_PROFILE": "default"})
    total = 0
    for name, block in re.findall(r"tests/test_hardening_fuzz\.py::(\w+):\n(.*?)(?=\n\S|\Z)", out, re.S):
        passing = sum(int(n) for n in re.findall(r"(\d+) passing", block))
        failing = sum(int(n) for n in re.findall(r"(\d+) failing", block))
        total += passing
        lines.append(f"fuzz {name}: {passing:,} examples passed, {failing} failed")
    lines.append(f"fuzz total: {total:,} examples in {time.perf_counter() - started:,.0f} s")

    started = time.perf_counter()
    out = _pytest(["tests/test_hardening_crash.py", "-k", "many", "-s"],
                  {"DETENTE_CRASH_POINTS": str(opts.kill_points)})
    found = re.search(r"kill points: ingest (\{.*?\}), creation (\{.*?\})", out)
    lines.append(f"kill points (SIGKILL): ingest {found.group(1) if found else '?'}, "
                 f"creation {found.group(2) if found else '?'}; every one left a store that opens "
                 f"with the before or the after state and passes `detente check` "
                 f"({time.perf_counter() - started:,.0f} s)")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "reliability.txt").write_text(text, "utf-8")


if __name__ == "__main__":
    main()
