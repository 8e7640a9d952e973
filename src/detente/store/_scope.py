"""What a store keeps between queries: small remembered results and copies of one dyad's
events, both forgotten when the events change."""

from __future__ import annotations

import dataclasses
import itertools
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Self

import duckdb

from detente.errors import QueryError, StoreError
from detente.schema import column_names
from detente.store._query import EventFilter, parse_dyad

__all__ = ["ScopesMixin", "dyad_key"]

_SCOPES_KEPT = 2
"""Dyads whose events a store keeps copied for :meth:`ScopesMixin.scope`."""
_SCOPE_MAX_ROWS = 5_000_000
"""Most events of a dyad :meth:`ScopesMixin.scope` copies (a few GiB of memory at most)."""
_MEMO_SIZE = 16
"""Results a store remembers at once (see :meth:`ScopesMixin.memo`)."""

_SCOPES_DB = "_detente_scopes"
"""The in-memory database attached for the copies (it goes with the connection)."""

_State = tuple[int, int]
_DYAD_ROWS = ("WHERE (source_country = ? AND target_country = ?) "
              "OR (source_country = ? AND target_country = ?)")


def dyad_key(dyad: tuple[str, str]) -> tuple[str, str]:
    """Return ``dyad`` as a scope names it: both codes checked, in alphabetical order."""
    a, b = parse_dyad("-".join(dyad))
    return (min(a, b), max(a, b))


class ScopesMixin:
    """The store's remembered results (:meth:`memo`) and dyad scopes (:meth:`scope`).

    A result or a copy is kept with the store's state: a count of its own writes
    and the number of events, so that rows added or deleted through the raw
    connection are seen too.
    """

    con: duckdb.DuckDBPyConnection
    path: Path

    def _init_scopes(self) -> None:
        self._generation = 0
        self._memo: dict[Hashable, tuple[_State, Any]] = {}
        row = self.con.execute("SELECT current_database()").fetchone()
        self.catalog = str(row[0]) if row else "memory"
        self.all_events = '"' + self.catalog.replace('"', '""') + '".main.events'
        """The events table by its full name: every event, even inside :meth:`scope`."""
        self._scopes: OrderedDict[tuple[str, str], tuple[_State, str | None]] = OrderedDict()
        self._scopes_attached = False
        self._copying: set[tuple[str, str]] = set()  # dyads being copied apart just now
        self._serial = itertools.count(1)  # names each copy: a new one never meets an old
        self._scope_open = False
        self.scoped_to: tuple[str, str] | None = None
        """The dyad whose events alone ``events`` holds now (see :meth:`scope`), or ``None``."""

    def _state(self) -> _State:
        row = self.con.execute(f"SELECT count(*) FROM {self.all_events}").fetchone()
        return self._generation, int(row[0]) if row else 0

    def _changed(self) -> None:
        """Forget every remembered result: the events are about to change."""
        if self._scope_open:
            raise StoreError(f"{self.path}: no writes inside a scope of the store")
        self._generation += 1
        self._memo.clear()

    def memo(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """Return ``make()``, remembered under ``key`` while the events stay as they are.

        For small results that many queries share (daily totals, say).
        """
        state = self._state()
        hit = self._memo.get(key)
        if hit is not None and hit[0] == state:
            return hit[1]
        value = make()
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.pop(next(iter(self._memo)))
        self._memo[key] = (state, value)
        return value

    # -- scopes ----------------------------------------------------------

    def _copy(self, key: tuple[str, str], state: _State) -> str | None:
        """Copy the dyad's events unless a copy is kept for ``state``; return its table, or
        ``None`` for a dyad not worth copying."""
        kept = self._scopes.get(key)
        if kept is None or kept[0] != state:
            self._adopt(key, state, self._build_copy(self.con, key, state))
        self._scopes.move_to_end(key)
        return self._scopes[key][1]

    def _build_copy(self, con: duckdb.DuckDBPyConnection, key: tuple[str, str],
                    state: _State) -> str | None:
        """Copy the dyad's events into a new table of the scopes' in-memory database,
        through ``con``; return its full name, or ``None`` for a dyad not worth copying
        (see :meth:`scope`). Touches nothing the store's own connection is using."""
        a, b = key
        row = con.execute(f"SELECT count(*) FROM {self.all_events} {_DYAD_ROWS}",
                          [a, b, b, a]).fetchone()
        rows = int(row[0]) if row else 0
        if rows > _SCOPE_MAX_ROWS or 2 * rows > state[1]:
            return None
        name = f"{_SCOPES_DB}.main._scope_{a}_{b}_{next(self._serial)}"
        cols = ", ".join(f'"{c}"' for c in column_names())
        con.execute(f"CREATE TABLE {name} AS SELECT {cols} FROM {self.all_events} {_DYAD_ROWS}",
                    [a, b, b, a])
        return name

    def _adopt(self, key: tuple[str, str], state: _State, name: str | None) -> bool:
        """Keep ``name`` as the copy of ``key`` made at ``state``, unless the events have
        changed since (the copy is then dropped); drop the copies it replaces or pushes
        out. Return whether the dyad has a fresh copy now."""
        if state != self._state():
            self._drop(name)
            return False
        old = self._scopes.pop(key, None)
        if old is not None and old[1] != name:
            self._drop(old[1])
        self._scopes[key] = (state, name)
        while len(self._scopes) > _SCOPES_KEPT:
            _, (_, gone) = self._scopes.popitem(last=False)
            self._drop(gone)
        return name is not None

    def _drop(self, name: str | None) -> None:
        if name is not None:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def _scopes_db(self) -> None:
        """Attach the in-memory database the copies live in (writable, even when the
        store is opened read-only), once."""
        if not self._scopes_attached:
            self.con.execute(f"ATTACH ':memory:' AS {_SCOPES_DB} (READ_ONLY false)")
            self._scopes_attached = True

    def prepare_scope(self, dyad: tuple[str, str]) -> bool:
        """Copy the events of ``dyad`` for :meth:`scope` unless a fresh copy is kept;
        return whether the dyad has one now (see :meth:`scope` for when it does not)."""
        if self._scope_open:
            raise QueryError("a store scope cannot be prepared inside another")
        self._scopes_db()
        return self._copy(dyad_key(dyad), self._state()) is not None

    def prepare_scope_apart(self, dyad: tuple[str, str], lock: AbstractContextManager[Any]) -> bool:
        """:meth:`prepare_scope` on a connection of its own, so that the store's
        connection answers other queries while the events are copied (which takes a
        second or two on ten million events).

        ``lock`` serialises the store's users: it is held only for the short steps
        that read or change what the store keeps (the state before, the copy's
        adoption after), not while the events are copied. A copy overtaken by a
        change to the events is dropped, not kept.
        """
        key = dyad_key(dyad)
        with lock:
            if key in self._copying or not self.needs_scope(key):
                return self._kept_scope(key) is not None  # made, or being made, elsewhere
            self._scopes_db()
            state = self._state()
            con = self.con.cursor()
            self._copying.add(key)
        try:
            name = self._build_copy(con, key, state)
        finally:
            con.close()
            with lock:
                self._copying.discard(key)
        with lock:
            return self._adopt(key, state, name)

    def needs_scope(self, dyad: tuple[str, str]) -> bool:
        """Say whether :meth:`prepare_scope` has work to do for ``dyad``: no fresh copy,
        and no fresh finding that the dyad is not worth one."""
        kept = self._scopes.get(dyad_key(dyad))
        return kept is None or kept[0] != self._state()

    def _kept_scope(self, key: tuple[str, str]) -> str | None:
        kept = self._scopes.get(key)
        return kept[1] if kept is not None and kept[0] == self._state() else None

    @contextmanager
    def scope(self, dyad: tuple[str, str], *, build: bool = True) -> Iterator[Self]:
        """Make the queries of one dyad quicker within the block; yield the store.

        Within it, ``events`` holds only the events between the two sides of
        ``dyad`` (either direction; :attr:`scoped_to` says so), copied once into a
        table of an in-memory database attached to the connection (:meth:`prepare_scope`,
        or :meth:`prepare_scope_apart` beside other queries; kept for the next scope of the same
        dyad while the events stay as they are, the last :data:`_SCOPES_KEPT`
        dyads), so the many queries of a view read them rather than the whole
        store. It is a speed-up, not a filter: queries still select the dyad
        themselves (:meth:`where` then leaves the test out), and work that reads
        beyond the dyad uses :attr:`all_events`, the whole table by its full name.
        Writes are refused inside.

        With ``build=False`` a dyad without a fresh copy is not copied now: the
        block runs on the whole table (the copy can be made later, when there is
        time). A dyad with more than :data:`_SCOPE_MAX_ROWS` events, or with most
        of the store's, is never copied. Results are the same either way.
        """
        key = dyad_key(dyad)
        if self._scope_open:
            raise QueryError("a store scope cannot be opened inside another")
        state = self._state()
        kept = self._scopes.get(key)
        copy = kept[1] if kept is not None and kept[0] == state else None
        if copy is None and build:
            self._scopes_db()
            copy = self._copy(key, state)
        self._scope_open = True
        try:
            if copy is None:
                yield self
                return
            self._scopes.move_to_end(key)
            self.con.execute(f"CREATE OR REPLACE TEMP VIEW events AS SELECT * FROM {copy}")
            self.scoped_to = key
            try:
                yield self
            finally:
                self.scoped_to = None
                self.con.execute("DROP VIEW IF EXISTS temp.main.events")
        finally:
            self._scope_open = False

    def in_scope(self, dyad: tuple[str, str] | None) -> bool:
        """Say whether the current :meth:`scope` holds exactly the events of ``dyad``."""
        return dyad is not None and self.scoped_to == (min(dyad), max(dyad))

    def where(self, flt: EventFilter) -> tuple[str, list[object]]:
        """Return ``flt``'s SQL condition and parameters (:meth:`EventFilter.where`), less
        the dyad when the current :meth:`scope` holds exactly that dyad's events (the
        condition would hold for every row, and it is the costliest to test)."""
        if self.in_scope(flt.dyad):
            flt = dataclasses.replace(flt, dyad=None)
        return flt.where()
