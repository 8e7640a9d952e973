"""The store's tables, built from the canonical schema.

``events`` carries a few private columns after the canonical ones: the tags a
source gave itself (kept apart so ``retag`` can recompute the rest), the file an
event came from, and three columns used only while a file is being ingested
(``_error``, ``_raw``, ``_dup``): a file's rows are appended once, in file order,
and the rows that turn out bad or repeated are moved out before the transaction
commits, so a committed store holds them NULL / false.
"""

from __future__ import annotations

import duckdb

from detente.schema import CANONICAL_COLUMNS

__all__ = ["CONTENT_COLUMNS", "DDL", "SCHEMA_VERSION", "bump_version", "migrate"]

SCHEMA_VERSION = "2"
"""2 added the report's publisher and the action's place (``publisher``, ``place``,
``place_country``, ``latitude``, ``longitude``); a store of version 1 is upgraded in place
when opened for writing (its events keep NULL there)."""

# columns whose difference makes a re-arriving event a conflict (provenance and
# derived tags are not content)
CONTENT_COLUMNS: tuple[str, ...] = tuple(
    c.name for c in CANONICAL_COLUMNS if c.name not in ("ingested_from", "issue_areas", "event_id")
)

_event_cols = ",\n    ".join(f'"{c.name}" {c.sql}' for c in CANONICAL_COLUMNS)

DDL = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE SEQUENCE IF NOT EXISTS file_ids START 1;
CREATE TABLE IF NOT EXISTS files (
    file_id INTEGER PRIMARY KEY,
    path VARCHAR,
    name VARCHAR,
    sha256 VARCHAR,
    size BIGINT,
    reader VARCHAR,
    dataset VARCHAR,
    ingested_at TIMESTAMP,
    rows_read BIGINT,
    stored BIGINT,
    duplicates BIGINT,
    conflicts BIGINT,
    quarantined BIGINT
);
CREATE TABLE IF NOT EXISTS events (
    {_event_cols},
    _given_areas VARCHAR[],
    _file_id INTEGER,
    _error VARCHAR,
    _raw VARCHAR,
    _dup BOOLEAN
);
CREATE TABLE IF NOT EXISTS quarantine (
    file_id INTEGER,
    file VARCHAR,
    line BIGINT,
    reason VARCHAR,
    raw VARCHAR
);
CREATE TABLE IF NOT EXISTS conflicts (
    event_id VARCHAR,
    file_id INTEGER,
    columns VARCHAR[]
);
"""


def bump_version(con: duckdb.DuckDBPyConnection) -> None:
    """Advance the store's version (inside the writer's transaction): every write calls
    this, so an answer kept for an older version is never given for the new one."""
    con.execute(
        "INSERT INTO meta VALUES ('version', '1') ON CONFLICT (key) DO UPDATE SET "
        "value = CAST(CAST(meta.value AS BIGINT) + 1 AS VARCHAR)"
    )


def migrate(con: duckdb.DuckDBPyConnection, version: str | None) -> bool:
    """Upgrade a store of an earlier schema ``version`` to :data:`SCHEMA_VERSION`, in one
    transaction: add the canonical columns it lacks (NULL for the events it holds). Return
    whether anything was done; a version this code does not know is left alone."""
    if version != "1":
        return False
    have = {str(r[0]) for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'"
    ).fetchall()}
    con.execute("BEGIN TRANSACTION")
    try:
        for c in CANONICAL_COLUMNS:
            if c.name not in have:
                con.execute(f'ALTER TABLE events ADD COLUMN "{c.name}" {c.sql}')
        con.execute(f"UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema_version'")
        bump_version(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True


# -- fetching (``detente fetch``) ------------------------------------------------
# Added without a schema version change: every table here is created when absent, on
# the next writable open, so existing stores gain them unchanged. Readers of these
# tables must allow for their absence in a store opened read-only before that.
FETCH_DDL = """
CREATE TABLE IF NOT EXISTS fetch_ledger (
    source VARCHAR,         -- gdelt2, gdelt1
    name VARCHAR,           -- the published file's name
    period VARCHAR,         -- what one file covers: 15min, day, month, year
    day DATE,               -- the first day it covers
    url VARCHAR,
    size BIGINT,            -- as the publisher's list states (NULL: not listed)
    md5 VARCHAR,
    status VARCHAR,         -- ingested, failed, missing (expected, not published)
    detail VARCHAR,         -- why it failed
    file_id INTEGER,        -- the store's record of the file once ingested
    kept BIGINT,            -- events stored from it
    filtered BIGINT,        -- events left out by the country filter
    attempts INTEGER,
    updated_at TIMESTAMP,
    PRIMARY KEY (source, name)
);
CREATE TABLE IF NOT EXISTS source_totals (
    source VARCHAR,         -- gdelt2, gdelt1
    name VARCHAR,           -- the published file's name
    file_id INTEGER,
    day DATE,
    event_root VARCHAR,     -- CAMEO root
    events BIGINT           -- the file's readable events of that root, before any filter
);
CREATE TABLE IF NOT EXISTS source_date_totals (
    source VARCHAR,         -- gdelt2, gdelt1 (the dataset)
    name VARCHAR,           -- the published file's name
    file_id INTEGER,
    date DATE,              -- the events' own date (SQLDATE), as the events table has it
    event_root VARCHAR,     -- CAMEO root
    events BIGINT,          -- the file's events stored of that date and root, before the
                            -- country filter (read, de-duplicated: what the store keeps)
    root_events BIGINT,     -- of them, GDELT's root events (IsRootEvent)
    countries VARCHAR[],    -- the fetch's country filter (NULL: none)
    any_actor BOOLEAN       -- the filter kept events with either actor among them
);
"""

DDL += FETCH_DDL
