"""The dashboard's answers as a library service: views, briefs, events, datasets.

:class:`Dashboard` answers what ``detente serve`` is asked, over the store at a path,
the way the command line answers its commands: it opens the store read-only for one
answer and closes it right after, so that other processes (an ingest, another
command) can use the store between requests. DuckDB lets one process write to a file
or many read it, never both at once: a process that kept the store open would keep
every writer waiting.

Every answer is kept in the query layer's one cache (:data:`detente.query.CACHE`)
under the store's :class:`~detente.query.Stamp`, which lives in the store file and
which every write, by any process, advances. A repeated question is answered from
the cache without opening the store: the service remembers the last stamp it read
together with the store file's (and its write-ahead log's) ``os.stat`` signature,
and as long as that signature is unchanged the stamp is too (another process can
only change the store by writing those files). No lock is held while an answer is
computed, so a slow question never keeps a cached one waiting.

Importable without FastAPI (the ``serve`` extra): :mod:`detente.web.app` only turns
HTTP requests into calls of this service.

The service is split by concern: :mod:`detente.service._model` (the answers' shapes,
limits and keys), :mod:`detente.service._files` (the store's files: opening it for one
answer, its stamp without opening it), :mod:`detente.service._copies` (copying the
latest dyad's events once requests pause) and :mod:`detente.service._dashboard` (the
answers).
"""

from __future__ import annotations

from detente.service._dashboard import Dashboard
from detente.service._model import (
    EVENT_COLUMNS,
    IDLE,
    LIMIT,
    QUICK_SECTIONS,
    WAIT,
    QuickView,
    StillComputing,
)

__all__ = ["EVENT_COLUMNS", "IDLE", "LIMIT", "QUICK_SECTIONS", "WAIT", "Dashboard", "QuickView",
           "StillComputing"]
