"""The store's files, as the service sees them: opened read-only for one answer, and
their stamp known without opening them while they stay as they were."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from detente.errors import StoreBusyError
from detente.query import Stamp
from detente.service._model import WAIT
from detente.store import Store

__all__ = ["RACY_NS", "StoreFiles"]

RACY_NS = 1_000_000_000
"""A files' signature is trusted only if the files are older than this (nanoseconds)
when it is taken: file systems keep modification times to a tick (a second on some),
so a write within the tick of the one before could leave the signature unchanged."""

_Signature = tuple[tuple[int, int, int] | None, ...]


class _Known(NamedTuple):
    """The last stamp read, with the files' signature taken just before reading it."""

    signature: _Signature
    stamp: Stamp
    trusted: bool


class StoreFiles:
    """The store file at ``path`` (and its write-ahead log), opened for one answer at a
    time; ``wait``: seconds an opening waits for a store another process is writing to."""

    def __init__(self, path: str | Path, *, wait: float = WAIT) -> None:
        self.path = Path(path)
        self.wait = wait
        self._wal = self.path.with_name(self.path.name + ".wal")
        self._known: _Known | None = None

    def _signature(self) -> tuple[int, _Signature]:
        """Return the time now and the store file's and log's (inode, size, mtime)."""
        now = time.time_ns()
        out: list[tuple[int, int, int] | None] = []
        for p in (self.path, self._wal):
            try:
                st = os.stat(p)
            except OSError:
                out.append(None)
            else:
                out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        return now, tuple(out)

    def _remember(self, taken: int, signature: _Signature, stamp: Stamp) -> None:
        newest = max((s[2] for s in signature if s is not None), default=0)
        self._known = _Known(signature, stamp, taken - newest > RACY_NS)

    @contextmanager
    def open(self, wait: float | None = None) -> Iterator[Store]:
        """Open the store read-only for one use, and close it after.

        Args:
            wait: seconds to wait for a store another process is writing to
                (default: the service's ``wait``).

        Raises:
            StoreBusyError: the store stayed busy that long.
            StoreError: there is no store at the path, or it is not a detente store.
        """
        # the files' signature is taken before the stamp is read: a write after it
        # changes the files again, so a stale stamp is never taken for a current one
        taken, signature = self._signature()
        store = Store.open(self.path, read_only=True, wait=self.wait if wait is None else wait)
        try:
            self._remember(taken, signature, store.stamp)
            yield store
        finally:
            store.close()

    def stamp(self) -> Stamp:
        """Return the store's stamp, read from the store only when its files changed.

        While another process is writing to the store (so that it cannot be opened
        at once), the last stamp read is returned: answers kept for it are given until
        the writer releases the store.

        Raises:
            StoreBusyError: the store is busy and no stamp was read yet.
            StoreError: there is no store at the path.
        """
        known = self._known
        if known is not None and known.trusted and self._signature()[1] == known.signature:
            return known.stamp
        try:
            with self.open(wait=0) as store:
                return store.stamp
        except StoreBusyError:
            if known is None:
                raise
            return known.stamp
