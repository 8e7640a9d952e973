"""Write seeded, format-faithful GDELT 2.0 export files for benchmarks.

Rows follow the real layout (61 tab-separated columns, no header): actors with
and without codes, known groups, types, empty actor blocks, three geography
blocks (some empty), real CAMEO codes with GDELT's quad classes and Goldstein
weights, mention and tone figures, DATEADDED and a SOURCEURL.
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

from detente import ontology

ACTORS = [
    ("USA", "UNITED STATES", "USA", "", ""),
    ("USAGOV", "UNITED STATES", "USA", "", "GOV"),
    ("USAMIL", "PENTAGON", "USA", "", "MIL"),
    ("RUS", "RUSSIA", "RUS", "", ""),
    ("RUSGOV", "KREMLIN", "RUS", "", "GOV"),
    ("RUSMIL", "RUSSIAN MILITARY", "RUS", "", "MIL"),
    ("UKR", "UKRAINE", "UKR", "", ""),
    ("UKRGOV", "KIEV", "UKR", "", "GOV"),
    ("CHN", "CHINA", "CHN", "", ""),
    ("DEU", "GERMANY", "DEU", "", ""),
    ("POL", "POLAND", "POL", "", ""),
    ("IGOWSTNAT", "NATO", "", "NAT", "IGO"),
    ("GBRGOV", "LONDON", "GBR", "", "GOV"),
    ("COP", "POLICE", "", "", "COP"),
    ("", "", "", "", ""),
]
PLACES = [
    ("1", "Russia", "RS", "RS", "", "60", "100", "RS"),
    ("4", "Moscow, Moskva, Russia", "RS", "RS48", "", "55.7522", "37.6156", "-2960561"),
    ("1", "United States", "US", "US", "", "39.828175", "-98.5795", "US"),
    ("4", "Kiev, Kyyiv, Misto, Ukraine", "UP", "UP12", "", "50.4333", "30.5167", "-1044367"),
    ("", "", "", "", "", "", "", ""),
]
WORDS = ["russia", "ukraine", "sanctions", "summit", "nato", "kremlin", "talks", "arms-control",
         "election", "cyber", "syria", "oil", "gas", "trade", "weather", "sports", "local-news"]


_SPAN_DAYS = 4000


def _actor(a: tuple[str, str, str, str, str]) -> list[str]:
    code, name, country, group, type1 = a
    return [code, name, country, group, "", "", "", type1, "", ""]


def write_file(path: Path, rows: int, seed: int = 20260101) -> Path:
    """Write ``rows`` GDELT 2.0 rows to ``path`` and return it."""
    rng = random.Random(seed)
    codes = [c for c in ontology.event_codes().values() if len(c.code) >= 3]
    # valid days from GDELT 2.0's start (18 Feb 2015) over about eleven years
    start = date(2015, 2, 18)
    days = [int((start + timedelta(days=k)).strftime("%Y%m%d")) for k in range(_SPAN_DAYS)]
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(rows):
            day = days[(i * 7919) % _SPAN_DAYS]
            a1, a2 = rng.choice(ACTORS), rng.choice(ACTORS)
            c = rng.choice(codes)
            mentions = rng.randint(1, 60)
            g1, g2, g3 = rng.choice(PLACES), rng.choice(PLACES), rng.choice(PLACES)
            url = f"https://news.example.org/{rng.choice(WORDS)}/{rng.choice(WORDS)}-{i}.html"
            fields = [
                str(410000000 + i), str(day), str(day // 100), str(day // 10000),
                f"{day // 10000 + ((day // 100) % 100) / 12:.4f}",
                *_actor(a1), *_actor(a2),
                rng.choice("01"), c.code, c.code[:3], c.root, str(c.quad_class), f"{c.goldstein}",
                str(mentions), str(rng.randint(1, mentions)), str(mentions), f"{rng.uniform(-10, 10):.10f}",
                *g1, *g2, *g3,
                f"{day}{rng.randint(0, 23):02d}{rng.choice(['00', '15', '30', '45'])}00", url,
            ]
            fh.write("\t".join(fields) + "\n")
    return path


def main() -> None:
    """Write a file from the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args()
    write_file(args.out, args.rows, args.seed)


if __name__ == "__main__":
    main()
