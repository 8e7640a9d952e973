"""The one cache of query results: what a store answered, kept while it stays as it was.

Every entry is keyed by the store's :class:`Stamp` (its identity and its version,
which every write advances and which lives in the store file itself) and by what
was asked. A write through any process gives a new version, so no answer made
before it is ever returned after it: nothing is invalidated, old stamps simply
stop being asked for and age out.

Entries are kept least recently used first out, at most :data:`KEPT` of them, and
at most :data:`KEPT_PER_KIND` of a kind whose entries are large (copies of a dyad's
events). Two threads asking for the same missing entry make it once: the second
waits for the first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any, NamedTuple, TypeVar

__all__ = ["CACHE", "KEPT", "QueryCache", "Stamp"]

T = TypeVar("T")

KEPT = 128
"""Entries kept at most (each a small table or a finished answer)."""
KEPT_PER_KIND: dict[str, int] = {"scope": 2}
"""Entries kept at most of the kinds that are large: ``scope`` entries are copies of one
dyad's events (up to a few hundred MB each on a large store)."""


class Stamp(NamedTuple):
    """A store's state: which store (``store_id``, made when it was created) and which
    version of it (advanced by every write)."""

    store_id: str
    version: int


class QueryCache:
    """Answers keyed by ``(stamp, key)``; ``key[0]`` (a string) names the kind of answer."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Stamp, Hashable], Any] = OrderedDict()
        self._making: dict[tuple[Stamp, Hashable], Future[Any]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, stamp: Stamp, key: Hashable) -> tuple[bool, Any]:
        """Return ``(True, answer)`` if kept, else ``(False, None)``."""
        full = (stamp, key)
        with self._lock:
            if full in self._entries:
                self._entries.move_to_end(full)
                self.hits += 1
                return True, self._entries[full]
        return False, None

    def put(self, stamp: Stamp, key: Hashable, value: Any) -> None:
        """Keep ``value`` as the answer to ``key`` at ``stamp``."""
        with self._lock:
            self._put(stamp, key, value)

    def _put(self, stamp: Stamp, key: Hashable, value: Any) -> None:
        full = (stamp, key)
        self._entries[full] = value
        self._entries.move_to_end(full)
        kind = _kind(key)
        cap = KEPT_PER_KIND.get(kind)
        if cap is not None:
            same = [k for k in self._entries if _kind(k[1]) == kind]
            for old in same[:-cap]:
                del self._entries[old]
        while len(self._entries) > self.kept:
            self._entries.popitem(last=False)

    def get_or_make(self, stamp: Stamp, key: Hashable, make: Callable[[], T]) -> T:
        """Return the answer kept for ``key`` at ``stamp``, else ``make()`` (kept).

        An exception from ``make`` is raised to every caller waiting for it and
        nothing is kept.
        """
        full = (stamp, key)
        with self._lock:
            if full in self._entries:
                self._entries.move_to_end(full)
                self.hits += 1
                return self._entries[full]  # type: ignore[no-any-return]
            pending = self._making.get(full)
            if pending is None:
                mine: Future[Any] = Future()
                self._making[full] = mine
                self.misses += 1
        if pending is not None:
            return pending.result()  # type: ignore[no-any-return]
        try:
            value = make()
        except BaseException as exc:
            with self._lock:
                del self._making[full]
            mine.set_exception(exc)
            raise
        with self._lock:
            del self._making[full]
            self._put(stamp, key, value)
        mine.set_result(value)
        return value

    def making(self, stamp: Stamp, key: Hashable) -> bool:
        """Say whether some thread is making ``key``'s answer at ``stamp`` just now."""
        with self._lock:
            return (stamp, key) in self._making

    def clear(self) -> None:
        """Forget everything (for tests and benchmarks)."""
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


def _kind(key: Hashable) -> str:
    return key[0] if isinstance(key, tuple) and key and isinstance(key[0], str) else ""


CACHE = QueryCache()
"""The process's one cache of query results."""
