"""Copies of the latest dyad's events, made once requests pause (see
:meth:`detente.query.Queries.prepare_scope`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from detente.query import CACHE, Dyad, Stamp
from detente.service._files import StoreFiles
from detente.service._model import IDLE, WAIT

__all__ = ["Copies"]


class Copies(StoreFiles):
    """The store's files, and the copy of the latest dyad asked for, made by a thread of
    its own once no request has come for ``idle`` seconds."""

    def __init__(self, path: str | Path, *, wait: float = WAIT, idle: float = IDLE) -> None:
        super().__init__(path, wait=wait)
        self.idle = idle
        self._lock = threading.Lock()  # the copier's state only; never held while computing
        self._activity = 0  # requests seen: the copier waits for a pause in them
        self._running = 0  # requests being answered now
        self._wanted: tuple[str, str] | None = None
        self._copier: threading.Thread | None = None
        self._closed = threading.Event()

    @contextmanager
    def _request(self) -> Iterator[None]:
        """Count one request while it is answered (copies wait for a pause)."""
        self._activity += 1
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1
            self._activity += 1

    def _copy_later(self, stamp: Stamp, dyad: tuple[str, str]) -> None:
        """Have ``dyad``'s events copied for its next views once requests pause (a
        dyad passed on the way to another is not copied)."""
        if dyad[0] == dyad[1] or self._closed.is_set():
            return
        key = Dyad.of(dyad).key
        if CACHE.get(stamp, ("scope", key))[0]:
            return  # copied, or found not worth a copy, at this version
        with self._lock:
            self._wanted = key
            if self._copier is None:
                self._copier = threading.Thread(target=self._copy_when_idle,
                                                 name="detente-copy", daemon=True)
                self._copier.start()

    def _copy_when_idle(self) -> None:
        while True:
            seen = self._activity
            if self._closed.wait(self.idle):
                with self._lock:
                    self._copier = None
                return
            with self._lock:
                if self._activity != seen or self._running:
                    continue
                key, self._wanted = self._wanted, None
                if key is None:
                    self._copier = None
                    return
            # the store is open for the copy alone; a dyad asked meanwhile is copied next
            with suppress(Exception), self.open() as store:  # no copy: views read the table
                store.queries.prepare_scope(key)

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until no copy is pending or being made; return whether none is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._copier is None:
                    return True
            time.sleep(0.02)
        return False
