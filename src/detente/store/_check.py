"""Integrity checks of a store, for users: do the counts agree with the provenance?

Every ingest writes a ``files`` row in the same transaction as the events, the
quarantined rows and the conflicts it reports, so in a sound store each row's
counts equal what the tables hold, no event is left from an unfinished ingest,
no event id is stored twice, and the curated chronology is the packaged one.
:func:`check_store` says which of these hold and, for each that does not, what is
wrong and how to repair it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.store._store import Store

__all__ = ["Finding", "check_store"]


@dataclass(frozen=True)
class Finding:
    """One check: its name, whether it holds, what was found and how to repair it."""

    check: str
    ok: bool
    detail: str
    repair: str = ""


def _rows(store: Store, sql: str) -> list[tuple[Any, ...]]:
    return store._con.execute(sql).fetchall()


def check_store(store: Store) -> list[Finding]:
    """Run every integrity check on ``store`` (read-only)."""
    from detente.store._schema import SCHEMA_VERSION
    from detente.store._store import _chronology_hash, chronology_files

    out: list[Finding] = []
    meta = dict(_rows(store, "SELECT key, value FROM meta"))
    missing = [k for k in ("schema_version", "store_id", "version") if k not in meta]
    out.append(Finding(
        "identity", not missing and meta.get("schema_version") == SCHEMA_VERSION,
        f"schema {meta.get('schema_version')}, version {meta.get('version')}"
        + (f"; missing {', '.join(missing)}" if missing else ""),
        "open the store once for writing (any `detente ingest`) to set what is missing"))

    (events, files_n), = _rows(store, "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM files)")
    bad_counts = _rows(store, """
        SELECT f.name, f.stored, coalesce(e.n, 0), f.quarantined, coalesce(q.n, 0),
               f.conflicts, coalesce(c.n, 0), f.rows_read, f.duplicates
        FROM files f
        LEFT JOIN (SELECT _file_id AS file_id, count(*) AS n FROM events GROUP BY ALL) e USING (file_id)
        LEFT JOIN (SELECT file_id, count(*) AS n FROM quarantine GROUP BY ALL) q USING (file_id)
        LEFT JOIN (SELECT file_id, count(*) AS n FROM conflicts GROUP BY ALL) c USING (file_id)
        WHERE f.stored <> coalesce(e.n, 0) OR f.quarantined <> coalesce(q.n, 0)
           OR f.conflicts <> coalesce(c.n, 0)
           OR f.rows_read <> f.stored + f.duplicates + f.quarantined
        ORDER BY f.file_id""")
    detail = f"{files_n:,} file(s), {events:,} event(s): each file's counts match the tables"
    if bad_counts:
        parts = []
        for name, stored, held, quar, qheld, conf, cheld, read, dups in bad_counts[:5]:
            what = []
            if stored != held:
                what.append(f"{stored:,} stored, {held:,} held")
            if quar != qheld:
                what.append(f"{quar:,} quarantined, {qheld:,} held")
            if conf != cheld:
                what.append(f"{conf:,} conflicts, {cheld:,} held")
            if read != stored + dups + quar:
                what.append(f"read {read:,} is not stored + duplicates + quarantined")
            parts.append(f"{name}: {', '.join(what)}")
        more = f" (and {len(bad_counts) - 5} more)" if len(bad_counts) > 5 else ""
        detail = f"{len(bad_counts)} file(s) disagree with the tables: {'; '.join(parts)}{more}"
    out.append(Finding(
        "provenance", not bad_counts, detail,
        "the store was changed outside detente: rebuild it from its source files "
        "(`detente files` lists them) into a new store"))

    (orphans,), = _rows(store, "SELECT count(*) FROM events WHERE _file_id IS NULL OR "
                               "_file_id NOT IN (SELECT file_id FROM files)")
    out.append(Finding(
        "orphans", orphans == 0,
        f"{orphans:,} event(s) belong to no ingested file" if orphans else "every event has its file",
        "rebuild the store from its source files into a new store"))

    (leftover,), = _rows(store, "SELECT count(*) FROM events WHERE _error IS NOT NULL OR _dup")
    out.append(Finding(
        "unfinished", leftover == 0,
        f"{leftover:,} row(s) left from an unfinished ingest" if leftover
        else "no row left from an unfinished ingest",
        "`detente check --repair` removes them"))

    (twice,), = _rows(store, "SELECT count(*) FROM (SELECT event_id FROM events GROUP BY event_id "
                             "HAVING count(*) > 1)")
    out.append(Finding(
        "unique", twice == 0,
        f"{twice:,} event id(s) stored more than once" if twice else "no event id stored twice",
        "rebuild the store from its source files into a new store"))

    packaged = chronology_files()
    digest = _chronology_hash(packaged)
    (curated, claimed, cfiles), = _rows(store, """
        SELECT (SELECT count(*) FROM events WHERE dataset = 'curated'),
               (SELECT coalesce(sum(stored), 0) FROM files WHERE dataset = 'curated'),
               (SELECT count(*) FROM files WHERE dataset = 'curated')""")
    current = meta.get("chronology_sha256") == digest
    chron_ok = current and curated == claimed and cfiles == len(packaged)
    if chron_ok:
        detail = f"the packaged chronology ({curated:,} events in {cfiles} file(s))"
    elif not current:
        detail = ("an older chronology than the packaged one" if meta.get("chronology_sha256")
                  else "no chronology loaded")
    else:
        detail = (f"{curated:,} curated events, {claimed:,} claimed by {cfiles} file row(s) "
                  f"(the packaged chronology has {len(packaged)} file(s))")
    out.append(Finding("chronology", chron_ok, detail, "`detente check --repair` reloads it"))
    return out


def repair_store(store: Store) -> list[str]:
    """Repair what can be repaired in place: leftover rows of an unfinished ingest,
    and the chronology (reloaded whole). Return what was done."""
    from detente.store._schema import bump_version

    done: list[str] = []
    with store._lock:
        con = store._con
        con.execute("BEGIN TRANSACTION")
        try:
            (n,), = con.execute("SELECT count(*) FROM events WHERE _error IS NOT NULL OR _dup").fetchall()
            if n:
                con.execute("DELETE FROM events WHERE _error IS NOT NULL OR _dup")
                bump_version(con)
                done.append(f"removed {n:,} row(s) left from an unfinished ingest")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        reports = store.sync_chronology(force=True)
        done.append(f"reloaded the chronology ({sum(r.stored for r in reports):,} events)")
    return done
