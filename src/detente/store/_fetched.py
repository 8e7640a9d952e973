"""What a fetch (:mod:`detente.fetch`) writes to the store: each file's events, its totals and its ledger row,
in one transaction; and the coverage ledger read back.

A fetched file is ingested like any other (the store's own ingest: provenance,
quarantine, de-duplication), and in the same transaction

* its readable events per CAMEO root are counted before any filter and kept in
  ``source_totals`` (per file, as published), and its stored events per event date
  and CAMEO root in ``source_date_totals`` (the denominators of counts per 1,000
  GDELT events, dated as the indicators count);
* events outside the country filter are removed;
* its ``fetch_ledger`` row says it was ingested.

So a file is in the ledger as ingested exactly when its events are in the store,
whatever stops the process, and a file that failed is retried by the next run.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from detente.errors import DetenteError, InputFileError

if TYPE_CHECKING:
    import pyarrow as pa

    from detente.fetch import Remote
    from detente.readers import SourceFile
    from detente.store import FileReport, Store

__all__ = ["FeedState", "Ingested", "coverage", "dedup_share", "feed_items_seen", "feed_states",
           "feeds_status", "ingest_fetched", "ingest_fetched_batch", "last_file_id",
           "ledger_state", "record", "record_feed_items", "record_feed_states", "resume_since"]

_counter = itertools.count()


def _con(st: Store) -> duckdb.DuckDBPyConnection:
    """The store's connection, with the readers' lookups installed (writes only)."""
    return st._with_lookups()


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


_UPSERT = (
    "INSERT INTO fetch_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) "
    "ON CONFLICT (source, name) DO UPDATE SET period = excluded.period, day = excluded.day, "
    "url = excluded.url, size = excluded.size, md5 = excluded.md5, status = excluded.status, "
    "detail = excluded.detail, file_id = excluded.file_id, kept = excluded.kept, "
    "filtered = excluded.filtered, attempts = fetch_ledger.attempts + "
    "CASE WHEN excluded.status = 'missing' THEN 0 ELSE 1 END, updated_at = excluded.updated_at"
)


def _row(r: Remote, status: str, detail: str | None = None, file_id: int | None = None,
         kept: int | None = None, filtered: int | None = None) -> list[object]:
    return [r.source, r.name, r.period, r.day, r.url, r.size, r.md5, status, detail, file_id,
            kept, filtered, _now()]


def ledger_state(st: Store, source: str) -> dict[str, str]:
    """Return ``name -> status`` of every file of ``source`` in the ledger."""
    rows = st._con.execute(
        "SELECT name, status FROM fetch_ledger WHERE source = ?", [source]).fetchall()
    return {str(n): str(s) for n, s in rows}


def record(st: Store, remotes: Sequence[Remote], status: str, detail: str | None = None) -> None:
    """Record ``remotes`` as ``failed`` or ``missing`` (never over an ingested file)."""
    if not remotes:
        return
    from detente.store._schema import bump_version

    con = st._con
    con.execute("BEGIN TRANSACTION")
    try:
        done = {str(r[0]) for r in con.execute(
            "SELECT name FROM fetch_ledger WHERE source = ? AND status = 'ingested'",
            [remotes[0].source]).fetchall()}
        rows = [_row(r, status, detail) for r in remotes if r.name not in done]
        if rows:
            con.executemany(_UPSERT, rows)
            bump_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


class Ingested:
    """What one fetched file gave: the store's report, what the filter left out, and
    (with GKG themes) its stored events without an issue area before and after them."""

    def __init__(self, report: FileReport, filtered: int, total: int) -> None:
        self.report = report
        self.filtered = filtered
        self.total = total  # readable events in the file, before the filter
        self.untagged_before: int | None = None
        self.untagged_after: int | None = None


GivenAreas = Callable[[set[str]], dict[str, list[str]]]
"""Issue areas per article address, for the addresses asked (GKG themes)."""


def _untagged(con: duckdb.DuckDBPyConnection, file_id: int) -> int:
    row = con.execute("SELECT count(*) FROM events WHERE _file_id = ? AND "
                      "len(coalesce(issue_areas, [])) = 0", [file_id]).fetchone()
    return int(row[0]) if row else 0


def _give_areas(con: duckdb.DuckDBPyConnection, file_id: int, given: GivenAreas, n: int) -> None:
    """Add the areas ``given`` names for each stored event's source URL to its own tags
    (``_given_areas``, which ``retag`` keeps) and to its issue areas."""
    urls = {str(r[0]) for r in con.execute(
        "SELECT DISTINCT url FROM events WHERE _file_id = ? AND url IS NOT NULL", [file_id]
    ).fetchall()}
    found = given(urls)  # asked even for none: the GKG file is read for its themes
    if not found:
        return
    import pyarrow as pa

    name = f"_fgkg{n}"
    con.register(name, pa.table({"url": list(found), "areas": list(found.values())},
                                schema=pa.schema([("url", pa.string()),
                                                  ("areas", pa.list_(pa.string()))])))
    try:
        con.execute(
            "UPDATE events SET "
            "_given_areas = list_sort(list_distinct(list_concat(coalesce(events._given_areas, []), "
            f"g.areas))), issue_areas = list_sort(list_distinct(list_concat("
            f"coalesce(events.issue_areas, []), g.areas))) FROM {name} g "
            "WHERE events._file_id = ? AND events.url = g.url", [file_id])
    finally:
        con.unregister(name)


def _filter_sql(countries: Sequence[str], any_actor: bool, alias: str = "") -> str:
    codes = ", ".join("'" + c.replace("'", "") + "'" for c in countries)
    join = " OR " if any_actor else " AND "
    return f"({alias}source_country IN ({codes}){join}{alias}target_country IN ({codes}))"


def ingest_fetched(st: Store, remote: Remote, path: Path, *, countries: Sequence[str] = (),
                   any_actor: bool = False, given: GivenAreas | None = None) -> Ingested:
    """Ingest one downloaded, checked file with its totals and ledger row, all or nothing.

    ``given``, when set, is asked for the issue areas of the stored events' source URLs
    (GKG themes); they are added to those events' tags in the same transaction.

    Raises:
        InputFileError: the file cannot be read (a damaged zip, not GDELT); the store
            is unchanged.
    """
    from detente.readers import get_reader, open_source
    from detente.store._ingest import _ingest, file_transaction

    con = _con(st)
    reader = get_reader(remote.source)
    n = next(_counter)
    with open_source(path) as src, file_transaction(con, src, reader, f"_frej{n}") as rejects:
        totals = sorted(_root_totals(src, remote.source).items())
        report = _ingest(con, src, reader, rejects, st.rules)
        _refuse_unread(src, report, reader.name)
        file_id = int(con.execute("SELECT max(file_id) FROM files").fetchone()[0])  # type: ignore[index]
        _date_totals(con, remote, file_id, countries, any_actor)
        filtered = 0
        if countries:
            before = _count(con, file_id)
            con.execute(f"DELETE FROM events WHERE _file_id = ? AND NOT coalesce("
                        f"{_filter_sql(countries, any_actor)}, false)", [file_id])
            filtered = before - _count(con, file_id)
        return _record_ingested(con, remote, report, file_id, totals, filtered, given, n)


def _refuse_unread(src: SourceFile, report: FileReport, reader: str) -> None:
    if report.read and report.quarantined == report.read:
        raise InputFileError(src.path, f"no row reads as a {reader} event "
                                       f"({report.read:,} rows; not a GDELT export?)")


def _record_ingested(con: duckdb.DuckDBPyConnection, remote: Remote, report: FileReport,
                     file_id: int, totals: list[tuple[str, int]], filtered: int,
                     given: GivenAreas | None, n: int) -> Ingested:
    """Write what goes with one fetched file's stored events (inside its transaction):
    what the filter removed, GKG areas, its totals and its ledger row."""
    untagged: tuple[int, int] | None = None
    if filtered:
        con.execute("UPDATE files SET stored = stored - ? WHERE file_id = ?", [filtered, file_id])
        report.stored -= filtered
    if given is not None:
        before = _untagged(con, file_id)
        _give_areas(con, file_id, given, n)
        untagged = (before, _untagged(con, file_id))
    if totals:
        con.executemany(
            "INSERT INTO source_totals VALUES (?, ?, ?, ?, ?, ?)",
            [(remote.source, remote.name, file_id, remote.day, root, int(k))
             for root, k in totals])
    con.execute(_UPSERT, _row(remote, "ingested", None, file_id, report.stored, filtered))
    out = Ingested(report, filtered, sum(k for _, k in totals))
    if untagged is not None:
        out.untagged_before, out.untagged_after = untagged
    return out


def _date_totals(con: duckdb.DuckDBPyConnection, remote: Remote, file_id: int,
                 countries: Sequence[str], any_actor: bool) -> None:
    """Record the file's stored events per event date and CAMEO root, before the country
    filter, with that filter: the denominators of counts per 1,000 GDELT events
    (:mod:`detente.query._volume`), on the clock the indicators count by."""
    con.execute(
        "INSERT INTO source_date_totals SELECT ?, ?, ?, date, event_root, count(*), "
        "count(*) FILTER (WHERE coalesce(is_root, true)), ?::VARCHAR[], ? FROM events "
        "WHERE _file_id = ? AND date IS NOT NULL GROUP BY date, event_root",
        [remote.source, remote.name, file_id, sorted(countries) if countries else None,
         bool(any_actor) if countries else None, file_id])


def ingest_fetched_batch(st: Store, files: Sequence[tuple[Remote, Path]], *,
                         countries: Sequence[str] = (), any_actor: bool = False,
                         given: Callable[[Remote], GivenAreas | None] | None = None,
                         ) -> list[Ingested | DetenteError]:
    """Ingest downloaded, checked files of one source as :func:`ingest_fetched` does each,
    but read by one scan and settled together (:mod:`detente.store._batch`): each file
    still stored whole, with its totals and ledger row, or not at all. A file that cannot
    be read is left out (its error in its place) and the others are stored.

    ``given``: the GKG areas of each file's events (``None`` for a file without).
    """
    from detente.store._batch import ingest_files

    if not files:
        return []
    source = files[0][0].source
    by_path = {os.fspath(p): r for r, p in files}
    done: dict[str, Ingested] = {}

    def settle(con: duckdb.DuckDBPyConnection, stored: list[tuple[SourceFile, FileReport, int]]) -> None:
        for src, report, file_id in stored:
            _refuse_unread(src, report, source)
            _date_totals(con, by_path[os.fspath(src.path)], file_id, countries, any_actor)
        filtered: dict[int, int] = {}
        if countries:
            ids = [i for _, _, i in stored]
            before = _counts(con, ids)
            con.execute(f"DELETE FROM events WHERE _file_id BETWEEN ? AND ? AND NOT coalesce("
                        f"{_filter_sql(countries, any_actor)}, false)", [min(ids), max(ids)])
            after = _counts(con, ids)
            filtered = {i: before.get(i, 0) - after.get(i, 0) for i in ids}
        for src, report, file_id in stored:
            remote = by_path[os.fspath(src.path)]
            totals = sorted(_root_totals(src, remote.source).items())
            done[os.fspath(src.path)] = _record_ingested(
                con, remote, report, file_id, totals, filtered.get(file_id, 0),
                given(remote) if given is not None else None, next(_counter))

    def keep(alias: str) -> str:
        return _filter_sql(countries, any_actor, alias)

    outcomes = ingest_files(_con(st), [p for _, p in files], fmt=source, rules=st.rules,
                            stop_on_error=False, settle=settle, keep=keep if countries else None)
    return [o if isinstance(o, DetenteError) else done[os.fspath(p)]
            for (_, p), o in zip(files, outcomes, strict=True)]


def _counts(con: duckdb.DuckDBPyConnection, ids: list[int]) -> dict[int, int]:
    """Events stored per file, for files ``ids`` (one range: a batch's ids run on)."""
    return {int(f): int(k) for f, k in con.execute(
        "SELECT _file_id, count(*) FROM events WHERE _file_id BETWEEN ? AND ? GROUP BY _file_id",
        [min(ids), max(ids)]).fetchall()}


_FIELDS = {"gdelt2": (61,), "gdelt1": (57, 58)}


def _root_totals(src: SourceFile, source: str) -> dict[str, int]:
    """Count the file's rows per CAMEO root: rows with the version's field count and a
    known CAMEO event code (what the reader can store), before any filter. Counted in
    Python over the unzipped file: cheaper for a 15-minute file than another scan."""
    from detente.ontology import event_code

    counts: dict[str, int] = {}
    known: dict[str, bool] = {}
    sizes = _FIELDS[source]
    with src.data_path.open("rb") as fh:
        for raw in fh:
            fields = raw.rstrip(b"\r\n").split(b"\t")
            if len(fields) not in sizes:
                continue
            code = fields[26].decode("ascii", "replace")
            ok = known.get(code)
            if ok is None:
                ok = known[code] = len(code) >= 2 and event_code(code) is not None
            if ok:
                counts[code[:2]] = counts.get(code[:2], 0) + 1
    return counts


def _count(con: duckdb.DuckDBPyConnection, file_id: int) -> int:
    row = con.execute("SELECT count(*) FROM events WHERE _file_id = ?", [file_id]).fetchone()
    return int(row[0]) if row else 0


def resume_since(st: Store, source: str) -> date | None:
    """The day a fetch carries on from: the oldest failed file's, else the newest ingested
    file's (``None``: never fetched)."""
    row = st._con.execute(
        "SELECT min(day) FILTER (WHERE status = 'failed'), max(day) FILTER (WHERE status = 'ingested') "
        "FROM fetch_ledger WHERE source = ?", [source]).fetchone()
    if not row or (row[0] is None and row[1] is None):
        return None
    return min(d for d in row if d is not None)  # type: ignore[no-any-return]


def _has_ledger(st: Store) -> bool:
    row = st._con.execute("SELECT count(*) FROM information_schema.tables "
                          "WHERE table_name = 'fetch_ledger'").fetchone()
    return bool(row and row[0])


def coverage(st: Store, source: str | None = None, since: date | None = None) -> pa.Table:
    """Return, per source and day, the files expected, received, missing upstream and
    failed (a 2.0 day expects 96 files, one per 15 minutes; a 1.0 day one)."""
    if not _has_ledger(st):
        import pyarrow as pa

        return pa.table({k: pa.array([], t) for k, t in (
            ("source", pa.string()), ("day", pa.date32()), ("expected", pa.int64()),
            ("received", pa.int64()), ("missing", pa.int64()), ("failed", pa.int64()))})
    where: list[str] = ["true"]
    params: list[object] = []
    if source:
        where.append("source = ?")
        params.append(source)
    if since:
        where.append("day >= ?")
        params.append(since)
    return st._con.execute(
        "SELECT source, day, count(*) AS expected, "
        "count(*) FILTER (WHERE status = 'ingested') AS received, "
        "count(*) FILTER (WHERE status = 'missing') AS missing, "
        "count(*) FILTER (WHERE status = 'failed') AS failed "
        f"FROM fetch_ledger WHERE {' AND '.join(where)} GROUP BY source, day "
        "ORDER BY source, day", params).to_arrow_table()


def dedup_share(st: Store, source: str) -> tuple[int, int]:
    """Return (events removed as repeats, events read and kept) over every fetched file."""
    if not _has_ledger(st):
        return 0, 0
    row: Any = st._con.execute(
        "SELECT coalesce(sum(f.duplicates), 0), coalesce(sum(f.duplicates + f.stored), 0) "
        "FROM fetch_ledger l JOIN files f ON f.file_id = l.file_id "
        "WHERE l.source = ? AND l.status = 'ingested'", [source]).fetchone()
    return int(row[0]), int(row[1])


# -- feeds (``detente fetch feeds``) ------------------------------------------------

_FEED_DDL = """
CREATE TABLE IF NOT EXISTS feed_items (
    feed VARCHAR,           -- the feed's name in the feeds file
    item VARCHAR,           -- the item's guid / id, else its link
    url VARCHAR,
    day DATE,               -- the item's date (the fetch's day when it has none)
    events INTEGER,         -- events coded from it
    file_id INTEGER,        -- the store's record of the feed fetch that stored them
    first_seen TIMESTAMP,
    PRIMARY KEY (feed, item)
)
"""


def feed_items_seen(st: Store, feed: str) -> set[str]:
    """Return the ids of the items of ``feed`` already coded (none in a store that never
    fetched a feed)."""
    st._con.execute(_FEED_DDL)
    rows = st._con.execute("SELECT item FROM feed_items WHERE feed = ?", [feed]).fetchall()
    return {str(r[0]) for r in rows}


def last_file_id(st: Store) -> int | None:
    """Return the id of the file ingested last (``None``: none)."""
    row = st._con.execute("SELECT max(file_id) FROM files").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def record_feed_items(st: Store, feed: str, items: Sequence[tuple[str, str | None, date | None, int]],
                      file_id: int | None, at: datetime) -> None:
    """Record items of ``feed`` as coded: ``(id, url, day, events)`` each."""
    if not items:
        return
    from detente.store._schema import bump_version

    con = st._con
    con.execute(_FEED_DDL)
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany("INSERT INTO feed_items VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                        [(feed, i, u, d, n, file_id, at) for i, u, d, n in items])
        bump_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# what the last fetch of each feed was told: its validators for a conditional GET
# (ETag, Last-Modified) and how it went
_FEED_STATE_DDL = """
CREATE TABLE IF NOT EXISTS feed_state (
    feed VARCHAR PRIMARY KEY,   -- the feed's name in the feeds file
    url VARCHAR,                -- the address fetched (validators hold for it only)
    etag VARCHAR,               -- the ETag of the last body read, sent as If-None-Match
    last_modified VARCHAR,      -- its Last-Modified, sent as If-Modified-Since
    checked_at TIMESTAMP,       -- the last fetch
    status VARCHAR,             -- read, not modified, failed
    detail VARCHAR,             -- why it failed
    read_at TIMESTAMP           -- the last fetch that got a body (not a 304)
)
"""


@dataclass(frozen=True)
class FeedState:
    """The last fetch of one feed: where, its validators, when and how it went."""

    feed: str
    url: str
    etag: str | None
    last_modified: str | None
    checked_at: datetime
    status: str
    detail: str | None = None
    read_at: datetime | None = None


def _table_exists(st: Store, name: str) -> bool:
    row = st._con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                          [name]).fetchone()
    return bool(row and row[0])


def feed_states(st: Store) -> dict[str, FeedState]:
    """Return the last fetch of every feed fetched (none in a store that never fetched one)."""
    if not _table_exists(st, "feed_state"):
        return {}
    rows = st._con.execute("SELECT feed, url, etag, last_modified, checked_at, status, detail, "
                           "read_at FROM feed_state").fetchall()
    return {str(r[0]): FeedState(*r) for r in rows}


def record_feed_states(st: Store, states: Sequence[FeedState]) -> None:
    """Record how the last fetch of each of these feeds went (replacing the one before)."""
    if not states:
        return
    from detente.store._schema import bump_version

    con = st._con
    con.execute(_FEED_STATE_DDL)
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(
            "INSERT OR REPLACE INTO feed_state VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(f.feed, f.url, f.etag, f.last_modified, f.checked_at, f.status, f.detail, f.read_at)
             for f in states])
        bump_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def feeds_status(st: Store) -> list[dict[str, Any]]:
    """Return, per feed ever fetched, its last fetch and how it went, and the items kept
    from it (coded and remembered) with the events they gave; by feed name."""
    have_items = _table_exists(st, "feed_items")
    have_state = _table_exists(st, "feed_state")
    if not have_items and not have_state:
        return []
    items = {str(r[0]): (int(r[1]), int(r[2] or 0), r[3]) for r in st._con.execute(
        "SELECT feed, count(*), sum(events), max(first_seen) FROM feed_items GROUP BY feed"
    ).fetchall()} if have_items else {}
    states = feed_states(st) if have_state else {}
    out = []
    for name in sorted(set(items) | set(states)):
        kept, events, seen = items.get(name, (0, 0, None))
        state = states.get(name)
        out.append({"feed": name, "url": state.url if state else None,
                    "last_fetched": state.checked_at if state else seen,
                    "status": state.status if state else None,
                    "detail": state.detail if state else None,
                    "items": kept, "events": events})
    return out
