"""Check the reader of GDELT exports with a header on a real file, against a plain parse.

Reads the file with detente (format detected) and with Python's csv module, and
compares: rows, ids, counts per CAMEO root, actors with a country, URLs, days.

    python bench/validate_gdelt_header.py PATH/TO/gdelt-export-with-header.csv

Exits 0 when every count agrees, 1 otherwise; says so and exits 0 when the file
is absent (it is not part of the project).
"""

from __future__ import annotations

import collections
import csv
import sys
from pathlib import Path


def _na(value: str | None) -> str | None:
    v = (value or "").strip()
    return None if v in ("", "NA") else v


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    path = Path(sys.argv[1])
    if not path.exists():
        print(f"{path}: absent, nothing to check")
        return 0
    from detente import read_events

    res = read_events(path)
    got = res.table.to_pylist()
    delim = "\t" if path.read_text(encoding="utf-8").split("\n", 1)[0].count("\t") else ","
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [{k.lower(): v for k, v in r.items() if k is not None}
                for r in csv.DictReader(fh, delimiter=delim)]

    def country(r: dict[str, str], k: int) -> str | None:
        return _na(r.get(f"actor{k}countrycode")) or _na(r.get(f"actor{k}knowngroupcode"))

    checks = {
        "rows": (len(rows), len(got) + len(res.quarantine)),
        "stored": (len(rows), len(got)),
        "distinct ids": (len({r["globaleventid"] for r in rows}), len({e["event_id"] for e in got})),
        "per root": (collections.Counter((_na(r.get("eventcode")) or "")[:2] for r in rows),
                     collections.Counter(e["event_root"] for e in got)),
        "source with country": (sum(1 for r in rows if country(r, 1)),
                                sum(1 for e in got if e["source_country"])),
        "target with country": (sum(1 for r in rows if country(r, 2)),
                                sum(1 for e in got if e["target_country"])),
        "with URL": (sum(1 for r in rows if _na(r.get("sourceurl"))), sum(1 for e in got if e["url"])),
        "per day": (collections.Counter(r["sqldate"] for r in rows),
                    collections.Counter(e["date"].strftime("%Y%m%d") for e in got)),
    }
    print(f"{path.name}: read as {res.reader}, {len(got):,} stored, {len(res.quarantine):,} quarantined")
    ok = True
    for name, (want, have) in checks.items():
        same = want == have
        ok &= same
        shown = f"{want:,}" if isinstance(want, int) else f"{len(want)} groups"
        print(f"  {name:<20} {'agrees' if same else 'DIFFERS'}  ({shown})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
