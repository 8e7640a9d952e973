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
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from detente.errors import DetenteError, QueryError, StoreBusyError
from detente.ontology import event_label
from detente.query import CACHE, Dyad, Selection, Stamp
from detente.report import Brief, BriefOptions, build_brief, render_html, resolve_period
from detente.report.model import Chart, DatasetRecord, Glance
from detente.store import Store

__all__ = ["EVENT_COLUMNS", "IDLE", "LIMIT", "QUICK_SECTIONS", "WAIT", "Dashboard", "QuickView",
           "StillComputing"]

T = TypeVar("T")

QUICK_SECTIONS = frozenset({"issues"})
"""What a view computes beyond the glance and the index and quad-class charts."""
EVENT_COLUMNS = ("event_id", "date", "source_actor", "target_actor", "source_name",
                 "target_name", "event_code", "quad_class", "goldstein", "issue_areas",
                 "dataset", "text", "url", "publisher", "place", "place_country",
                 "citation_issuer", "citation_title", "citation_date")
"""The columns of each event in :meth:`Dashboard.events` (each event also carries its
code's label, ``event_label``)."""
WAIT = 10.0
"""Seconds an answer waits for a store another process is writing to (then
:class:`~detente.errors.StoreBusyError`)."""
IDLE = 1.0
"""Seconds without a request before the latest dyad's events are copied."""
LIMIT = 10.0
"""Seconds a caller of :meth:`Dashboard.within_limit` waits for an answer being computed
(then :class:`StillComputing`; the answer is finished and kept for the next time)."""


class StillComputing(DetenteError):
    """An answer is taking longer than the service's limit: it is being finished in the
    background and kept, so the same question asked again shortly is answered at once."""
RACY_NS = 1_000_000_000
"""A files' signature is trusted only if the files are older than this (nanoseconds)
when it is taken: file systems keep modification times to a tick (a second on some),
so a write within the tick of the one before could leave the signature unchanged."""

_Signature = tuple[tuple[int, int, int] | None, ...]


class QuickView(BaseModel):
    """A view: the brief's title, glance and charts, and what each dataset holds."""

    title: str
    as_of: dt.date | None
    period: str
    glance: Glance
    charts: list[Chart]
    datasets: list[DatasetRecord]


class _Known(NamedTuple):
    """The last stamp read, with the files' signature taken just before reading it."""

    signature: _Signature
    stamp: Stamp
    trusted: bool


def _opts_key(opts: BriefOptions) -> tuple[Any, ...]:
    """Return ``opts`` as a plain tuple of its field values (a cache key)."""
    return tuple(getattr(opts, name) for name in BriefOptions.model_fields)


def _with_period(opts: BriefOptions, period: str) -> BriefOptions:
    return opts.model_copy(update={"period": period})


def _view_selection(opts: BriefOptions) -> Selection:
    """Return what the store must know for ``opts`` (its dyad, dates and issue area).

    Raises:
        QueryError: values no selection can have (since after until, a bad code).
    """
    return Selection(dyad=opts.dyad, since=opts.since, until=opts.until,
                     issue_areas=(opts.issue,) if opts.issue else (), datasets=opts.datasets)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json(value: Any) -> str:
    return json.dumps(value, default=_plain, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))


class Dashboard:
    """The dashboard's answers over the store at ``path``, each kept in the one cache.

    Each method looks its answer up in :data:`detente.query.CACHE` under the store's
    current stamp (found without opening the store while its files are unchanged);
    only on a miss does it open the store read-only, compute the answer, keep it and
    close the store. Answers are JSON text (HTML for :meth:`brief_html`). A view
    asked with ``period="auto"`` and the same view asked with the period ``auto``
    stands for share one entry.

    After a view of a dyad (or a page of its events), its events are copied into
    memory for the next views (:meth:`~detente.query.Queries.prepare_scope`) once
    requests pause for ``idle`` seconds; only the latest dyad asked is copied, by a
    thread that opens the store for the copy alone.

    Every answering method raises :class:`~detente.errors.StoreBusyError` when the
    store stayed busy for ``wait`` seconds (try again later), and
    :class:`~detente.errors.StoreError` when there is no store at ``path`` any more.

    Args:
        path: the store file.
        wait: seconds an answer waits for a store another process is writing to.
        idle: seconds without a request before a dyad's events are copied.

    Example:
        >>> service = Dashboard("detente.duckdb")            # doctest: +SKIP
        >>> service.view(BriefOptions(dyad=("USA", "CHN")))  # doctest: +SKIP
        '{"title":"USA-CHN: the relationship as of …'
    """

    def __init__(self, path: str | Path, *, wait: float = WAIT, idle: float = IDLE,
                 limit: float | None = LIMIT) -> None:
        self.path = Path(path)
        self.wait = wait
        self.idle = idle
        self.limit = limit
        # answers computed beside the callers, so that a caller can stop waiting (many:
        # a slow answer must not hold up the others, most of which come from the cache)
        self._answering = ThreadPoolExecutor(max_workers=32, thread_name_prefix="detente-answer")
        self._wal = self.path.with_name(self.path.name + ".wal")
        self._known: _Known | None = None
        self._lock = threading.Lock()  # the copier's state only; never held while computing
        self._activity = 0  # requests seen: the copier waits for a pause in them
        self._running = 0  # requests being answered now
        self._wanted: tuple[str, str] | None = None
        self._copier: threading.Thread | None = None
        self._warming: threading.Thread | None = None
        self._closed = threading.Event()

    def within_limit(self, answer: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Return ``answer(*args, **kwargs)`` (one of this service's methods) if it comes
        within :attr:`limit` seconds.

        Raises:
            StillComputing: it did not; it goes on and is kept, so asking again shortly
                is answered from the cache.
        """
        if self.limit is None:
            return answer(*args, **kwargs)
        future = self._answering.submit(answer, *args, **kwargs)
        try:
            return future.result(timeout=self.limit)
        except FutureTimeout:
            raise StillComputing(
                f"this answer takes longer than {self.limit:g} s; it is being finished and "
                "kept: ask again in a moment") from None

    # -- the store's state ---------------------------------------------------

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

    # -- answers -------------------------------------------------------------

    @contextmanager
    def _request(self) -> Iterator[None]:
        self._activity += 1
        self._running += 1
        try:
            yield
        finally:
            self._running -= 1
            self._activity += 1

    @staticmethod
    def _refused(stamp: Stamp, sel: Selection) -> None:
        """Raise the refusal kept for ``sel`` at ``stamp``, if one is."""
        found, message = CACHE.get(stamp, ("web check", sel))
        if found and message:
            raise QueryError(message)

    @staticmethod
    def _check(store: Store, stamp: Stamp, sel: Selection) -> None:
        """Raise :class:`QueryError` for values of ``sel`` the store cannot know (the
        outcome kept in the cache)."""

        def make() -> str | None:
            try:
                store.validate(sel)
            except QueryError as exc:
                return str(exc)
            return None

        message = CACHE.get_or_make(stamp, ("web check", sel), make)
        if message:
            raise QueryError(message)

    def _answer(self, key: Hashable, sel: Selection | None, make: Callable[[Store], T]
                ) -> tuple[Stamp, T]:
        """Return the stamp and the answer kept for ``key``, else open the store, check
        ``sel`` and ``make`` the answer (kept)."""
        stamp = self.stamp()
        found, value = CACHE.get(stamp, key)
        if found:
            return stamp, value
        if sel is not None:
            self._refused(stamp, sel)
        with self.open() as store:
            stamp = store.stamp
            if sel is not None:
                self._check(store, stamp, sel)
            return stamp, CACHE.get_or_make(stamp, key, lambda: make(store))

    @staticmethod
    def _resolve(stamp: Stamp, opts: BriefOptions) -> BriefOptions | None:
        """Return ``opts`` with the period ``auto`` stands for at ``stamp`` (``None``:
        not known yet)."""
        if opts.period != "auto":
            return opts
        found, period = CACHE.get(stamp, ("web period", _opts_key(opts)))
        return _with_period(opts, period) if found else None

    def _by_period(self, kind: str, opts: BriefOptions,
                   build: Callable[[Store, BriefOptions], tuple[T, str, list[str]]]
                   ) -> tuple[Stamp, BriefOptions, T]:
        """Return the stamp, ``opts`` with its period resolved, and the answer of
        ``kind`` for ``opts``, kept under the resolved options only.

        ``period="auto"`` and the period it resolves to share one entry: the cache keeps
        which period ``auto`` stands for (``("web period", opts)``), learned from any
        answer of either. ``build(store, opts)`` returns the answer, the period it used
        and the datasets it found (which decide what ``auto`` stands for).
        """
        sel = _view_selection(opts)
        stamp = self.stamp()
        resolved = self._resolve(stamp, opts)
        if resolved is not None:
            found, value = CACHE.get(stamp, (kind, _opts_key(resolved)))
            if found:
                return stamp, resolved, value
        self._refused(stamp, sel)
        with self.open() as store:
            stamp = store.stamp
            self._check(store, stamp, sel)

            def make(asked: BriefOptions) -> T:
                value, period, present = build(store, asked)
                if resolve_period("auto", present) == period:  # what auto stands for, too
                    CACHE.put(stamp, ("web period", _opts_key(_with_period(asked, "auto"))),
                              period)
                return value

            def resolve() -> str:
                value, period, _ = build(store, opts)
                CACHE.put(stamp, (kind, _opts_key(_with_period(opts, period))), value)
                return period

            if opts.period == "auto":  # resolved by the first of the threads asking
                resolved = _with_period(opts, CACHE.get_or_make(
                    stamp, ("web period", _opts_key(opts)), resolve))
            else:
                resolved = opts
            value = CACHE.get_or_make(stamp, (kind, _opts_key(resolved)),
                                      lambda: make(resolved))
        return stamp, resolved, value

    def view(self, opts: BriefOptions) -> str:
        """Return the view of ``opts`` as JSON (a :class:`QuickView`): the glance and the
        index, quad-class and issue charts, and what each dataset holds.

        Raises:
            QueryError: a dyad, issue area or date range the store cannot hold.
        """
        with self._request():
            def build(store: Store, asked: BriefOptions) -> tuple[str, str, list[str]]:
                # the quick view reads nothing beyond the dyad: a copy of its events,
                # once there is one (the first view of a dyad does not wait for it)
                content = build_brief(store, asked, sections_wanted=QUICK_SECTIONS)
                datasets = content.reproducibility.datasets
                body = QuickView(title=content.title, as_of=content.as_of,
                                 period=content.period, glance=content.glance,
                                 charts=content.charts, datasets=datasets).model_dump_json()
                return body, content.period, [d.dataset for d in datasets]

            stamp, _, body = self._by_period("web view", opts, build)
            self._copy_later(stamp, opts.dyad)
            return body

    def _content(self, opts: BriefOptions) -> tuple[Stamp, BriefOptions, Brief]:
        def build(store: Store, asked: BriefOptions) -> tuple[Brief, str, list[str]]:
            content = build_brief(store, asked)
            return content, content.period, [d.dataset for d in
                                             content.reproducibility.datasets]

        return self._by_period("web brief", opts, build)

    def brief_content(self, opts: BriefOptions) -> Brief:
        """Return the whole brief of ``opts`` (every section), as the library builds it.

        Raises:
            QueryError: a dyad, issue area or date range the store cannot hold.
        """
        with self._request():
            _, _, content = self._content(opts)
            return content.model_copy(update={"options": opts})

    def brief(self, opts: BriefOptions) -> str:
        """Return the whole brief of ``opts`` as JSON (its content, every section).

        Raises:
            QueryError: a dyad, issue area or date range the store cannot hold.
        """
        with self._request():
            key = ("web brief json", _opts_key(opts))
            found, body = CACHE.get(self.stamp(), key)
            if found:
                return str(body)
            stamp, _, content = self._content(opts)
            return CACHE.get_or_make(stamp, key, lambda: content.model_copy(
                update={"options": opts}).model_dump_json())

    def brief_html(self, opts: BriefOptions, *, bundle_src: str | None = None) -> str:
        """Return the whole brief of ``opts`` as an HTML page.

        Args:
            bundle_src: where the page loads the chart library from (inlined when
                ``None``, as in a brief file).

        Raises:
            QueryError: a dyad, issue area or date range the store cannot hold.
        """
        with self._request():
            stamp = self.stamp()
            resolved = self._resolve(stamp, opts)
            if resolved is not None:
                found, page = CACHE.get(stamp, ("web brief html", _opts_key(resolved),
                                                bundle_src))
                if found:
                    return str(page)
            stamp, resolved, content = self._content(opts)
            return CACHE.get_or_make(
                stamp, ("web brief html", _opts_key(resolved), bundle_src),
                lambda: render_html(content.model_copy(update={"options": resolved}),
                                    bundle_src=bundle_src))

    def events(self, sel: Selection, *, limit: int = 50, offset: int = 0,
               newest_first: bool = True) -> str:
        """Return a page of the events ``sel`` selects, as JSON: ``total``, ``limit``,
        ``offset`` and ``events`` (each with :data:`EVENT_COLUMNS`), by date, newest
        first unless not ``newest_first``, then event id.

        Raises:
            QueryError: a country code or issue area the store does not know.
        """
        with self._request():
            check = Selection(dyad=sel.dyad, source=sel.source, target=sel.target,
                              issue_areas=sel.issue_areas, datasets=sel.datasets)

            def make(store: Store) -> str:
                total = store.count(sel)
                table = store.events(sel, limit=limit, offset=offset, newest_first=newest_first)
                rows = [{**r, "event_label": event_label(r["event_code"])}
                        for r in table.select(list(EVENT_COLUMNS)).to_pylist()]
                return _json({"total": total, "limit": limit, "offset": offset, "events": rows})

            stamp, body = self._answer(("web events", sel, limit, offset, newest_first),
                                       check, make)
            if sel.pair is not None:
                self._copy_later(stamp, sel.pair)
            return body

    def datasets(self) -> str:
        """Return what each dataset in the store holds (events, first and last day,
        files) and the issue areas known, as JSON: ``datasets`` and ``issue_areas``."""
        with self._request():
            def make(store: Store) -> str:
                rows = store.summary().to_pylist()
                return _json({"datasets": rows, "issue_areas": store.known_areas()})

            return self._answer(("web datasets",), None, make)[1]

    # -- copies of a dyad's events -------------------------------------------

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

    def warm(self, opts: BriefOptions | None = None) -> threading.Thread:
        """Compute the view of ``opts`` (the opening view by default) in the background
        (its dyad's events are then copied once requests pause, as after any view);
        return the thread doing it."""
        opening = opts or BriefOptions()

        def run() -> None:
            with suppress(Exception):  # a request for the same view meets it and answers it
                self.view(opening)

        thread = threading.Thread(target=run, name="detente-warm", daemon=True)
        self._warming = thread
        thread.start()
        return thread

    def close(self, timeout: float = 30.0) -> None:
        """Stop copying, waiting up to ``timeout`` seconds for a copy under way (the
        store is never kept open between answers)."""
        self._closed.set()
        self._answering.shutdown(wait=False, cancel_futures=True)
        for thread in (self._copier, self._warming):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
