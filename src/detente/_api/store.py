"""Opening a store (:func:`detente.open_store`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from detente.errors import QueryError

if TYPE_CHECKING:
    from detente.store import Store


def open_store(path: str | os.PathLike[str] | None = None, *, read_only: bool = False,
               wait: float | None = None) -> Store:
    """Open (creating if needed) an event store.

    A new store starts with the curated chronology in it (the dataset ``curated``), so
    every function below works on it straight away. Open a store for one task and close
    it (use it as a context manager): DuckDB lets one process write to a file, or many
    read it, never both, so a store left open in a notebook keeps the ``detente``
    command and the dashboard waiting.

    Args:
        path: the store file; default ``$DETENTE_STORE``, else the per-user data folder's
            ``detente.duckdb`` (what the command line uses).
        read_only: open without writing (several processes may then read at once); the
            file must exist.
        wait: seconds to wait while another process holds the store; default 30, or
            ``$DETENTE_WAIT``.

    Returns:
        The open :class:`~detente.store.Store`; close it with ``close()`` or a ``with`` block.

    Raises:
        StoreBusyError: another process held the store for ``wait`` seconds.
        StoreError: the file is not a detente store, or (``read_only``) does not exist.

    Example:
        with detente.open_store("us_russia.duckdb") as st:
            print(st.summary().to_pandas())
    """
    from detente.store import Store

    if wait is not None and (isinstance(wait, bool) or not isinstance(wait, int | float) or wait < 0):
        raise QueryError(f"wait={wait!r} must be a number of seconds, 0 or more")
    return Store.open(Path(path) if path is not None else None, read_only=read_only, wait=wait)
