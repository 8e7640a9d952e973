"""Validation: a brief over real ICEWS event files reads as an analyst needs it.

    python validation/icews_brief.py FOLDER_OF_ICEWS_FILES [OUTDIR]

Ingests every file of the folder into a new store in a temporary folder (or OUTDIR),
writes the USA-RUS brief of the ICEWS events by week (HTML and Markdown) and checks, on
data nobody here wrote, that:

- the publisher, the place and its CAMEO country arrive for (almost) every event, and
  the places with no CAMEO country are few and counted;
- every event of the brief's evidence names both actors, carries the label of its
  CAMEO code, a publisher and a place;
- the map has circles, the index chart the chronology's key events.

Prints what it found and exits 1 when a check fails. Not part of the test suite: it
needs files that are not in the repository.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from detente.query import Selection
from detente.report import BriefOptions, build_brief, render
from detente.store import Store


def main(argv: list[str]) -> int:
    if not argv or not Path(argv[0]).is_dir():
        print(__doc__)
        return 2
    folder = Path(argv[0])
    out = Path(argv[1]) if len(argv) > 1 else Path(tempfile.mkdtemp(prefix="icews-brief-"))
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".tab", ".tsv"))
    failures: list[str] = []
    with Store.open(out / "store.duckdb") as st:
        start = time.perf_counter()
        reports = [st.ingest_file(f) for f in files]
        took = time.perf_counter() - start
        stored = sum(r.stored for r in reports)
        unmapped = sum(r.places_unmapped for r in reports)
        print(f"ingested {len(files)} files in {took:.1f} s: {stored:,} events stored, "
              f"{unmapped:,} with a place of no CAMEO country")
        t = st.events(Selection(datasets=("icews",)))
        n = t.num_rows
        for col in ("publisher", "place", "place_country", "latitude"):
            have = n - t.column(col).null_count
            print(f"  {col}: {have:,} of {n:,} ({100 * have / max(n, 1):.2f}%)")
            if have < 0.99 * n:
                failures.append(f"{col} given for only {have} of {n} events")
        if unmapped > 0.01 * n:
            failures.append(f"{unmapped} places with no CAMEO country")
        start = time.perf_counter()
        brief = build_brief(st, BriefOptions(datasets=("icews",), period="week"))
        print(f"brief built in {time.perf_counter() - start:.1f} s: {brief.title}")
    (out / "brief.html").write_text(render(brief, "html"), encoding="utf-8")
    (out / "brief.md").write_text(render(brief, "markdown"), encoding="utf-8")
    shown = [e for g in brief.evidence for e in g.events]
    print(f"evidence: {len(shown)} events in {len(brief.evidence)} groups")
    for e in shown[:8]:
        print(f"  {e.date} | {e.actors} | {e.code_label} | {e.place} | {e.publisher}")
    for e in shown:
        if not (e.source_name and e.target_name and e.event_label and e.publisher and e.place):
            failures.append(f"{e.event_id}: evidence lacks a name, label, publisher or place")
    chart = brief.chart("map")
    if chart is None or chart.spec is None:
        failures.append("no map")
    else:
        places = chart.spec["datasets"]["rows_0"]
        print(f"map: {len(places)} places; busiest: " + "; ".join(
            f"{p['place']} ({p['events']})" for p in places[:5]))
    index = brief.chart("index")
    keys = [v for rows in ((index.spec or {}).get("datasets", {}) if index else {}).values()
            for v in rows if "event_id" in v and "text" in v]
    print(f"key events on the index chart: {[k['label'] for k in keys]}")
    print(f"written: {out / 'brief.html'}, {out / 'brief.md'}")
    for f in failures[:20]:
        print(f"FAIL: {f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
