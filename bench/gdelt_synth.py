"""Write seeded, format-faithful GDELT 2.0 export files for benchmarks.

Rows follow the real layout (61 tab-separated columns, no header): actors with
and without codes, known groups, types, empty actor blocks, three geography
blocks (some empty), real CAMEO codes with GDELT's quad classes and Goldstein
weights, mention and tone figures, DATEADDED and a SOURCEURL.

The source URLs follow what a real 15-minute export shows (the 2 January 2018
00:00 file: 2,414 events from 372 articles, 6.5 events an article on average, rows of
one article spread through the file; about 5% of rows name an issue-area topic in their
URL or actor names): each article is reported by several events, interleaved with
those of other recent articles, and few URLs carry a topical word. ``--unique-urls``
writes the older, harder shape instead (a new URL on every row, two-thirds of them
topical), which makes URL tagging cost the most.
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
TOPICAL = ["ukraine", "sanctions", "summit", "nato", "cyber", "syria", "trade", "diplomats",
           "arctic", "human-rights"]
PLAIN = ["police", "school", "court", "weather", "sports", "council", "fire", "market", "storm",
         "election-results", "mayor", "hospital", "festival", "road", "budget", "crash", "music",
         "business", "community", "health", "teachers", "housing", "farmers", "football"]
SITES = ["news.example.org", "www.example-herald.com", "www.daily-example.co.uk",
         "example-times.com.au", "www.examplepost.in", "local.example-tribune.com"]
# a few more actors as GDELT shows them, so that a topical name is as rare as it is there
OTHER_ACTORS = [
    ("GOV", "GOVERNMENT", "", "", "GOV"), ("BUS", "COMPANY", "", "", "BUS"),
    ("CVL", "RESIDENTS", "", "", "CVL"), ("JUD", "COURT", "", "", "JUD"),
    ("EDU", "SCHOOL", "", "", "EDU"), ("MED", "REPORTER", "", "", "MED"),
    ("IND", "INDIA", "IND", "", ""), ("AUS", "AUSTRALIA", "AUS", "", ""),
    ("CAN", "CANADA", "CAN", "", ""), ("FRA", "FRANCE", "FRA", "", ""),
]


_SPAN_DAYS = 4000


def _actor(a: tuple[str, str, str, str, str]) -> list[str]:
    code, name, country, group, type1 = a
    return [code, name, country, group, "", "", "", type1, "", ""]


def _article_url(rng: random.Random, n: int, day: int) -> str:
    words = [rng.choice(PLAIN) for _ in range(rng.randint(3, 7))]
    if rng.random() < 0.04:  # an article on a topic an issue area names
        words[rng.randrange(len(words))] = rng.choice(TOPICAL)
    return (f"https://{rng.choice(SITES)}/{rng.choice(PLAIN)}/{day // 10000}/{day // 100 % 100:02d}/"
            f"{'-'.join(words)}-{n}.html")


def write_file(path: Path, rows: int, seed: int = 20260101, *, unique_urls: bool = False,
               first_id: int = 410000000, day: int | None = None) -> Path:
    """Write ``rows`` GDELT 2.0 rows to ``path`` and return it.

    ``day`` (YYYYMMDD): every event on that day, as in one 15-minute file; otherwise
    the days run over eleven years. ``first_id``: the first GLOBALEVENTID.
    """
    rng = random.Random(seed)
    actors = ACTORS if unique_urls else ACTORS + OTHER_ACTORS * 20
    recent: list[str] = []  # the articles still being reported
    codes = [c for c in ontology.event_codes().values() if len(c.code) >= 3]
    # valid days from GDELT 2.0's start (18 Feb 2015) over about eleven years
    start = date(2015, 2, 18)
    days = [int((start + timedelta(days=k)).strftime("%Y%m%d")) for k in range(_SPAN_DAYS)]
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for i in range(rows):
            when = day if day is not None else days[(i * 7919) % _SPAN_DAYS]
            a1, a2 = rng.choice(actors), rng.choice(actors)
            c = rng.choice(codes)
            mentions = rng.randint(1, 60)
            g1, g2, g3 = rng.choice(PLACES), rng.choice(PLACES), rng.choice(PLACES)
            if unique_urls:
                url = f"https://news.example.org/{rng.choice(WORDS)}/{rng.choice(WORDS)}-{i}.html"
            else:  # a new article one row in 6.5, else one of the last few again
                if not recent or rng.random() < 1 / 6.5:
                    recent = [*recent[-7:], _article_url(rng, first_id + i, when)]
                url = rng.choice(recent)
            fields = [
                str(first_id + i), str(when), str(when // 100), str(when // 10000),
                f"{when // 10000 + ((when // 100) % 100) / 12:.4f}",
                *_actor(a1), *_actor(a2),
                rng.choice("01"), c.code, c.code[:3], c.root, str(c.quad_class), f"{c.goldstein}",
                str(mentions), str(rng.randint(1, mentions)), str(mentions), f"{rng.uniform(-10, 10):.10f}",
                *g1, *g2, *g3,
                f"{when}{rng.randint(0, 23):02d}{rng.choice(['00', '15', '30', '45'])}00", url,
            ]
            fh.write("\t".join(fields) + "\n")
    return path


def write_day(folder: Path, rows: int = 2400, day: date = date(2018, 1, 2), *,
              zipped: bool = True, seed: int = 20180102) -> list[Path]:
    """Write a day of GDELT 2.0: 96 fifteen-minute exports of ``rows`` events each, named
    as GDELT names them (``YYYYMMDDHHMMSS.export.CSV``, zipped as GDELT serves them
    unless ``zipped`` is false); return their paths in time order."""
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    stamp = int(day.strftime("%Y%m%d"))
    out = []
    for k in range(96):
        name = f"{stamp}{k // 4:02d}{k % 4 * 15:02d}00.export.CSV"
        plain = folder / name
        write_file(plain, rows, seed + k, first_id=700000000 + k * rows, day=stamp)
        if zipped:
            target = folder / (name + ".zip")
            with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.write(plain, name)
            plain.unlink()
            plain = target
        out.append(plain)
    return out


def main() -> None:
    """Write a file from the command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--unique-urls", action="store_true",
                        help="a new, mostly topical URL on every row (the costliest to tag)")
    args = parser.parse_args()
    write_file(args.out, args.rows, args.seed, unique_urls=args.unique_urls)


if __name__ == "__main__":
    main()
