"""What a store keeps between queries: small remembered results and copies of one dyad's
events, both forgotten when the events change."""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
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
            a, b = key
            row = self.con.execute(f"SELECT count(*) FROM {self.all_events} {_DYAD_ROWS}",
                                   [a, b, b, a]).fetchone()
            rows = int(row[0]) if row else 0
            name: str | None = None
            if rows <= _SCOPE_MAX_ROWS and 2 * rows <= state[1]:
                name = f"_detente_scope_{a}_{b}"
                cols = ", ".join(f'"{c}"' for c in column_names())
                self.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT {cols} "
                                 f"FROM {self.all_events} {_DYAD_ROWS}", [a, b, b, a])
            self._scopes[key] = kept = (state, name)
            while len(self._scopes) > _SCOPES_KEPT:
                _, (_, old) = self._scopes.popitem(last=False)
                if old is not None:
                    self.con.execute(f"DROP TABLE IF EXISTS temp.main.{old}")
        self._scopes.move_to_end(key)
        return kept[1]

    def prepare_scope(self, dyad: tuple[str, str]) -> bool:
        """Copy the events of ``dyad`` for :meth:`scope` unless a fresh copy is kept;
        return whether the dyad has one now (see :meth:`scope` for when it does not)."""
        if self._scope_open:
            raise QueryError("a store scope cannot be prepared inside another")
        return self._copy(dyad_key(dyad), self._state()) is not None

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
        temporary table (:meth:`prepare_scope`; kept for the next scope of the same
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
