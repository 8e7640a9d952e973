"""A large synthetic store for the benchmarks: rows made directly in DuckDB.

Rows come from a hash of the row number and the seed, into a store created by
``Store.open`` (so it holds the curated chronology too):

- ``gdelt2`` (18 Feb 2015 to 31 Dec 2025, about 75% of the rows) with mentions,
  sources, articles, tone, root flags and a URL;
- ``icews`` (1 Jan 1995 to 30 Apr 2023, the rest) with a sentence and no counts;
- about 2.5% of the events between the USA and Russia (either direction), the
  rest among twenty other countries (the USA and Russia among them);
- real CAMEO codes with their quad classes and Goldstein weights, actor roles,
  zero to two issue areas per event; rows stored in date order per dataset, as
  ingesting daily files would leave them; one ``files`` row per dataset, named
  without a date, so that its events' span is what it covers (every period
  complete, at every size).

The store is built once per (events, seed) inside a work folder and reused.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import duckdb

from detente.series._coverage import publication_window
from detente.store import Store
from detente.tagging import ISSUE_AREAS

__all__ = ["ensure_store"]

GENERATOR = "2"  # bump when the generated rows or files change, so cached stores are rebuilt
OTHERS = ["CHN", "UKR", "DEU", "GBR", "FRA", "POL", "TUR", "IRN", "ISR", "SYR", "IND", "JPN",
          "KOR", "PRK", "BLR", "GEO", "KAZ", "USA", "RUS", "EST"]
ROLES = ["", "GOV", "MIL", "GOV", "BUS", "MED", "OPP"]
# (CAMEO code, quad class, Goldstein weight)
CODES = [("010", 1, 0.0), ("020", 1, 3.0), ("036", 1, 4.0), ("042", 1, 1.9), ("043", 1, 2.8),
         ("046", 1, 7.0), ("051", 1, 3.4), ("057", 1, 8.0), ("061", 2, 6.4), ("071", 2, 7.4),
         ("081", 2, 5.0), ("111", 3, -2.0), ("112", 3, -2.0), ("120", 3, -4.0), ("130", 3, -4.4),
         ("138", 3, -7.0), ("163", 4, -8.0), ("172", 4, -5.0), ("173", 4, -5.0), ("190", 4, -10.0),
         ("193", 4, -10.0), ("195", 4, -10.0)]
USA_RUS_PERMILLE = 25
SPANS = {"gdelt2": ("2015-02-18", "2025-12-31"), "icews": ("1995-01-01", "2023-04-30")}


def _array(values: list[Any]) -> str:
    return "[" + ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values) + "]"


def _bits(h: str, shift: int, modulo: int) -> str:
    return f"(({h} >> {shift}) % {modulo})::INT"


def _pick(values: list[Any], h: str, shift: int) -> str:
    return f"{_array(values)}[1 + {_bits(h, shift, len(values))}]"


def _generate(con: duckdb.DuckDBPyConnection, events: int, seed: int) -> None:
    files = {}
    for ds in SPANS:
        # no run of eight digits in the name: the coverage rules read one as the day the
        # file was published (generator 1 named the 1M store's files "...-20260101.csv", so
        # every period of it read as partial, while the 10M store's "10000000" is no date)
        name = f"synthetic-{ds}-{events:_}-{seed:_}.csv"
        assert publication_window(name) is None, name
        sha = hashlib.sha256(f"{GENERATOR}:{name}".encode()).hexdigest()
        row = con.execute(
            "INSERT INTO files VALUES (nextval('file_ids'), ?, ?, ?, 0, ?, ?, "
            "TIMESTAMP '2026-01-01 00:00:00', 0, 0, 0, 0, 0) RETURNING file_id",
            [name, name, sha, ds, ds]).fetchone()
        assert row is not None
        files[ds] = (int(row[0]), f"{name}@sha256:{sha[:16]}")
    code = f"1 + {_bits('h1', 20, len(CODES))}"
    codes, quads, weights = (_array([c[k] for c in CODES]) for k in range(3))
    areas = (f"CASE {_bits('h2', 40, 4)} WHEN 0 THEN []::VARCHAR[] WHEN 3 THEN "
             f"list_distinct([{_pick(list(ISSUE_AREAS), 'h2', 44)}, "
             f"{_pick(list(ISSUE_AREAS), 'h2', 50)}]) "
             f"ELSE [{_pick(list(ISSUE_AREAS), 'h2', 44)}] END")
    g_first, g_last = SPANS["gdelt2"]
    i_first, i_last = SPANS["icews"]
    con.execute(f"""
        CREATE TEMP TABLE synth AS
        SELECT i, h1, h2,
               CASE WHEN {_bits('h1', 0, 100)} < 75 THEN 'gdelt2' ELSE 'icews' END AS ds,
               {_bits('h1', 8, 1000)} < {USA_RUS_PERMILLE} AS pair, ({_bits('h1', 18, 2)} = 0) AS fwd,
               {_pick(OTHERS, 'h1', 26)} AS o1, {_pick(OTHERS, 'h1', 32)} AS o2
        FROM (SELECT i, hash(i, {seed}) AS h1, hash(i, {seed}, 'b') AS h2 FROM range({events}) t(i))
    """)
    con.execute(f"""
        INSERT INTO events (event_id, date, source_actor, target_actor, source_country,
            target_country, source_role, target_role, source_name, target_name, ontology,
            event_code, event_root, plover_type, quad_class, goldstein, num_mentions, num_sources,
            num_articles, avg_tone, is_root, issue_areas, url, text, doc_id, dataset,
            ingested_from, _file_id, _dup)
        SELECT ds || ':' || i, day, sc || sr, tc || tr, sc, tc, nullif(sr, ''), nullif(tr, ''),
               sc, tc, 'cameo', {codes}[{code}], {codes}[{code}][1:2], NULL, {quads}[{code}],
               {weights}[{code}],
               CASE WHEN g THEN 1 + {_bits('h2', 0, 12)} * {_bits('h2', 4, 12)} END,
               CASE WHEN g THEN 1 + {_bits('h2', 8, 6)} END,
               CASE WHEN g THEN 1 + {_bits('h2', 12, 30)} END,
               CASE WHEN g THEN ({_bits('h2', 17, 200)} - 120) / 10.0 END,
               CASE WHEN g THEN {_bits('h2', 25, 3)} > 0 END,
               {areas},
               CASE WHEN g THEN 'https://news.example.org/' || i END,
               CASE WHEN NOT g THEN 'A synthetic sentence ' || i || '.' END,
               CASE WHEN NOT g THEN 'doc' || (i // 7) END,
               ds,
               CASE WHEN g THEN '{files["gdelt2"][1]}' ELSE '{files["icews"][1]}' END,
               CASE WHEN g THEN {files["gdelt2"][0]} ELSE {files["icews"][0]} END, false
        FROM (
            SELECT *, ds = 'gdelt2' AS g,
                   CASE WHEN ds = 'gdelt2'
                        THEN DATE '{g_first}' + {_bits('h2', 28, _days(g_first, g_last) + 1)}
                        ELSE DATE '{i_first}' + {_bits('h2', 28, _days(i_first, i_last) + 1)}
                   END AS day,
                   CASE WHEN pair THEN (CASE WHEN fwd THEN 'USA' ELSE 'RUS' END) ELSE o1 END AS sc,
                   CASE WHEN pair THEN (CASE WHEN fwd THEN 'RUS' ELSE 'USA' END) ELSE o2 END AS tc,
                   {_pick(ROLES, 'h2', 56)} AS sr, {_pick(ROLES, 'h2', 59)} AS tr
            FROM synth)
        ORDER BY ds, day, i
    """)
    for file_id, _ in files.values():
        n = con.execute("SELECT count(*) FROM events WHERE _file_id = ?", [file_id]).fetchone()
        con.execute("UPDATE files SET rows_read = ?, stored = ? WHERE file_id = ?",
                    [n[0] if n else 0, n[0] if n else 0, file_id])
    con.execute("DROP TABLE synth")


def _days(first: str, last: str) -> int:
    from datetime import date

    return (date.fromisoformat(last) - date.fromisoformat(first)).days


def ensure_store(workdir: Path, events: int, seed: int) -> tuple[Path, float | None]:
    """Return the cached store for (events, seed), building it if missing, and the build time."""
    path = workdir / f"synth-g{GENERATOR}-{events}-{seed}.duckdb"
    if path.exists():
        return path, None
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    t = time.perf_counter()
    with Store.open(partial) as store:  # a store as a user has it: with the chronology
        store._con.execute("SET enable_progress_bar = false")
        store._con.execute("BEGIN TRANSACTION")
        _generate(store._con, events, seed)
        store._con.execute("COMMIT")
        store._con.execute("CHECKPOINT")
    partial.replace(path)
    return path, time.perf_counter() - t
