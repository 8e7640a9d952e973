"""Change points on real ICEWS daily files: October to set expectations, November held back.

Ingests the ICEWS daily event files of a folder (as published: ``YYYYMMDD-icews-events.tab``)
into two temporary stores, one with the October files only and one with all, and prints,
for the USA-RUS weekly series, the breaks of the relationship index (events model) and of
the event counts (negative binomial), with the count breaks a Poisson cost would report
for comparison. Nothing is tuned here: the penalty is the one calibrated on simulated
series (``changepoint_calibration.py``).

Run: ``python validation/icews_changepoints.py FOLDER [--month 201810]``.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

from detente.analysis import AnalysisError
from detente.analysis import changepoints as cp
from detente.analysis._store import _covered, indicator_table
from detente.store import Store


def _store(files: list[Path], path: Path) -> None:
    with Store.open(path) as st:
        for f in files:
            st.ingest_file(f)


def _report(path: Path, label: str, period: str) -> None:
    with Store.open(path, read_only=True) as st:
        table = indicator_table(st, dyad=("USA", "RUS"), period=period, datasets=("icews",))
    rows = _covered(table)
    print(f"\n### {label}: {len(rows)} {period}s, {int(rows['events'].sum())} events\n")
    print("| period | events | relationship index |")
    print("|---|---|---|")
    for start, n, v in zip(rows["period_start"], rows["events"], rows["relationship_index"], strict=True):
        print(f"| {start} | {int(n)} | {v:.2f} |")
    try:
        index = cp.change_points(rows, "relationship_index")
        counts = cp.change_points(rows, "events")
    except AnalysisError as exc:
        print(f"\n- no change points: {exc}")
        return
    y = rows["events"].to_numpy(dtype=float)
    poisson = cp._pelt(cp._NegBinCost(y, math.inf), len(y), 2, (cp.PENALTY_K - 1) * math.log(len(y)))[0][:-1]
    print(f"\nnegative-binomial size of the counts: {cp.nb_size_ml(y):.2f} "
          f"(variance {np.var(y):.0f} against a mean of {np.mean(y):.0f})")
    for name, found in (("index", index), ("counts", counts)):
        text = "; ".join(f"{c.period_start} {c.before:.2f} -> {c.after:.2f} "
                         f"(holds x{c.holds_from}-x{c.holds_to}, {c.stability})" for c in found)
        print(f"- {name} breaks: {text or 'none'}")
    print(f"- count breaks a Poisson cost would report: "
          f"{', '.join(str(rows['period_start'].iloc[i]) for i in poisson) or 'none'}")


def main() -> None:
    """Ingest and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--month", default="201810", help="Files of this month form the first set.")
    parser.add_argument("--period", default="week")
    args = parser.parse_args()
    files = sorted(args.folder.glob("*-icews-events.tab"))
    if not files:
        sys.exit(f"{args.folder}: no ICEWS daily files (*-icews-events.tab)")
    first = [f for f in files if f.name.startswith(args.month)]
    with tempfile.TemporaryDirectory() as tmp:
        _store(first, Path(tmp) / "first.duckdb")
        _store(files, Path(tmp) / "all.duckdb")
        print(f"{len(first)} files of {args.month}; {len(files)} files in all")
        _report(Path(tmp) / "first.duckdb", f"files of {args.month}", args.period)
        _report(Path(tmp) / "all.duckdb", "all files (the later ones held back above)", args.period)


if __name__ == "__main__":
    main()
