"""Validation: coverage, issue areas and the headline on real ICEWS daily files.

Reads ICEWS daily files (``YYYYMMDD-icews-events.tab``, not written for this project)
and checks three things against them, keeping what was tuned and what was held back
apart: the October 2018 files (publication days 2018-10-01 … 2018-10-31) tune, the
November files are looked at only once the choices were fixed.

1. **The reporting lag.** How many days after its date an event is first published
   (the file's day minus the event's day). The default lag (7 days) is checked on
   October; November says how many of its events it would have missed.
2. **Coverage.** The periods of a store of all the files: which weeks and months are
   complete, partial or missing, and why (a missing daily file, the last days).
3. **Issue areas for data without text.** The share of USA–RUS events with no issue
   area, and the share whose issue cannot be told for ``arms_control`` (the INF
   crisis), October and November apart.
4. **The headline.** What the brief leads with, weekly and monthly.

    python validation/coverage_tags_real.py --samples DIR/icews-2018-10-11

The files are not part of the project (their licence is the data provider's); the
script reads them from wherever they are and writes nothing but its report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

DYAD_SQL = ("((\"Source Country\" = 'United States' AND \"Target Country\" = 'Russian Federation') OR "
            "(\"Source Country\" = 'Russian Federation' AND \"Target Country\" = 'United States'))")


def lags(files: list[Path]) -> list[tuple[dt.date, int, bool]]:
    """Return ``(publication day, lag in days, USA–RUS)`` of every event row of ``files``,
    at its first publication (an event repeated in later files counts once)."""
    import duckdb

    con = duckdb.connect()
    names = ", ".join("'" + str(f).replace("'", "''") + "'" for f in files)
    rows = con.execute(f"""
        SELECT min(pub) AS pub, min(pub) - TRY_CAST("Event Date" AS DATE) AS lag, any_value(dyad)
        FROM (SELECT *, strptime(regexp_extract(filename, '(\\d{{8}})-icews', 1), '%Y%m%d')::DATE
                     AS pub, {DYAD_SQL} AS dyad
              FROM read_csv([{names}], delim='\\t', header=true, all_varchar=true, quote='',
                            filename=true))
        WHERE TRY_CAST("Event Date" AS DATE) IS NOT NULL
        GROUP BY "Event ID", "Event Date"
    """).fetchall()
    return [(r[0], int(r[1]), bool(r[2])) for r in rows]


def within(values: list[tuple[dt.date, int, bool]], lag: int) -> float:
    return sum(1 for _, n, _ in values if n <= lag) / len(values)


def quantile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, required=True,
                        help="the folder of ICEWS daily files (YYYYMMDD-icews-events.tab)")
    args = parser.parse_args()
    files = sorted(args.samples.glob("*-icews-events.tab"))
    if not files:
        print(f"{args.samples}: no ICEWS daily files; nothing to validate")
        return 0
    from detente.query import Selection
    from detente.report import BriefOptions, build_brief
    from detente.series import REPORTING_LAG, IndicatorSpec, compute_indicators
    from detente.store import Store

    october = [f for f in files if f.name.startswith("201810")]
    november = [f for f in files if f.name.startswith("201811")]
    print(f"{len(files)} daily files: {files[0].name} … {files[-1].name} "
          f"({len(october)} of October, {len(november)} of November)")

    print("\n1. The reporting lag (publication day minus event day, first publication)")
    tune = lags(october)
    held = [r for r in lags(october + november) if r[0].month == 11]
    for name, rows in (("October (tune)", tune), ("November (held back)", held)):
        for label, sel in (("all events", rows), ("USA-RUS", [r for r in rows if r[2]])):
            n = [r[1] for r in sel]
            print(f"   {name:21} {label:10} {len(n):7,} events; median {quantile(n, .5)} d, "
                  f"90% {quantile(n, .9)} d, 95% {quantile(n, .95)} d, 99% {quantile(n, .99)} d; "
                  f"within {REPORTING_LAG} d: {within(sel, REPORTING_LAG):.1%}")

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store = Store.open(Path(tmp) / "icews.duckdb")
        store.ingest(files)
        print(f"\n(ingested {len(files)} files into a store with the chronology in "
              f"{time.perf_counter() - t0:.0f} s)")
        print("\n2. Coverage of the icews dataset's periods")
        for period in ("week", "month"):
            table = compute_indicators(store, IndicatorSpec(
                period=period, datasets=("icews",), since="2018-09-01"))
            for r in table.to_pylist():
                print(f"   {period:5} {r['period_start']}  {r['coverage']:8}  events "
                      f"{r['events'] if r['events'] is not None else '—':>4}")
        print("\n3. USA-RUS icews events whose issue area cannot be told")
        for label, since, until in (("October (tune)", "2018-10-01", "2018-10-31"),
                                    ("November (held back)", "2018-11-01", "2018-11-30")):
            sel = Selection(dyad=("USA", "RUS"), datasets=("icews",), since=since, until=until)
            n, total = store.queries.untagged(sel)
            m, _ = store.queries.untagged(sel, "arms_control")
            print(f"   {label:21} {total:5} events: no issue area {n / total:.1%}; "
                  f"arms_control cannot be told for {m / total:.1%}")
        print("\n4. The brief's headline")
        for period in ("week", "month"):
            brief = build_brief(store, BriefOptions(period=period, datasets=("icews",)),
                                sections_wanted=frozenset())
            print(f"   by {period}: {brief.glance.summary}")
        brief = build_brief(store, BriefOptions(period="year", datasets=("curated",)),
                            sections_wanted=frozenset())
        print(f"   chronology by year: {brief.glance.summary}")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
