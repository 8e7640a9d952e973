"""The dashboard's answers, each kept in the query layer's one cache (see
:mod:`detente.service`)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeVar

from detente.errors import QueryError
from detente.ontology import event_label
from detente.query import CACHE, Dyad, Selection, Stamp
from detente.report import Brief, BriefOptions, build_brief, render_html, resolve_period
from detente.report._vega import dates_kept
from detente.service._copies import Copies
from detente.service._model import (
    EVENT_COLUMNS,
    IDLE,
    LIMIT,
    QUICK_SECTIONS,
    WAIT,
    QuickView,
    StillComputing,
    json_text,
    opts_key,
    view_selection,
    with_period,
)
from detente.store import Store

__all__ = ["Dashboard"]

T = TypeVar("T")


class Dashboard(Copies):
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
        super().__init__(path, wait=wait, idle=idle)
        self.limit = limit
        # answers computed beside the callers, so that a caller can stop waiting (many:
        # a slow answer must not hold up the others, most of which come from the cache)
        self._answering = ThreadPoolExecutor(max_workers=32, thread_name_prefix="detente-answer")
        self._warming: threading.Thread | None = None

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

    # -- answers -------------------------------------------------------------

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
        found, period = CACHE.get(stamp, ("web period", opts_key(opts)))
        return with_period(opts, period) if found else None

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
        sel = view_selection(opts)
        stamp = self.stamp()
        resolved = self._resolve(stamp, opts)
        if resolved is not None:
            found, value = CACHE.get(stamp, (kind, opts_key(resolved)))
            if found:
                return stamp, resolved, value
        self._refused(stamp, sel)
        with self.open() as store:
            stamp = store.stamp
            self._check(store, stamp, sel)

            def make(asked: BriefOptions) -> T:
                value, period, present = build(store, asked)
                if resolve_period("auto", present) == period:  # what auto stands for, too
                    CACHE.put(stamp, ("web period", opts_key(with_period(asked, "auto"))),
                              period)
                return value

            def resolve() -> str:
                value, period, _ = build(store, opts)
                CACHE.put(stamp, (kind, opts_key(with_period(opts, period))), value)
                return period

            if opts.period == "auto":  # resolved by the first of the threads asking
                resolved = with_period(opts, CACHE.get_or_make(
                    stamp, ("web period", opts_key(opts)), resolve))
            else:
                resolved = opts
            value = CACHE.get_or_make(stamp, (kind, opts_key(resolved)),
                                      lambda: make(resolved))
        return stamp, resolved, value

    def view(self, opts: BriefOptions) -> str:
        """Return the view of ``opts`` as JSON (a :class:`QuickView`): the glance and the
        index, quad-class and issue charts, and what each dataset holds.

        Raises:
            QueryError: a dyad, issue area or date range the store cannot hold.
        """
        return self.view_json(opts).decode()

    def view_json(self, opts: BriefOptions) -> bytes:
        """Return :meth:`view`'s JSON as UTF-8 bytes, as kept (an answer sent as it is,
        not encoded again for each request).

        Raises:
            QueryError: a dyad, issue area or date range the store cannot hold.
        """
        with self._request():
            def build(store: Store, asked: BriefOptions) -> tuple[bytes, str, list[str]]:
                # the quick view reads nothing beyond the dyad: a copy of its events,
                # once there is one (the first view of a dyad does not wait for it)
                # the charts' dates stay dates: the JSON below writes them as ISO text
                with dates_kept():
                    content = build_brief(store, asked, sections_wanted=QUICK_SECTIONS)
                datasets = content.reproducibility.datasets
                body = QuickView(title=content.title, as_of=content.as_of,
                                 period=content.period, glance=content.glance,
                                 charts=content.charts, datasets=datasets)
                return (body.__pydantic_serializer__.to_json(body), content.period,
                        [d.dataset for d in datasets])

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
            key = ("web brief json", opts_key(opts))
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
                found, page = CACHE.get(stamp, ("web brief html", opts_key(resolved),
                                                bundle_src))
                if found:
                    return str(page)
            stamp, resolved, content = self._content(opts)
            return CACHE.get_or_make(
                stamp, ("web brief html", opts_key(resolved), bundle_src),
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
                return json_text({"total": total, "limit": limit, "offset": offset, "events": rows})

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
                return json_text({"datasets": rows, "issue_areas": store.known_areas()})

            return self._answer(("web datasets",), None, make)[1]

    def warm(self, opts: BriefOptions | None = None) -> threading.Thread:
        """Compute the view of ``opts`` (the opening view by default) in the background
        (its dyad's events are then copied once requests pause, as after any view);
        return the thread doing it."""
        opening = opts or BriefOptions()

        def run() -> None:
            with suppress(Exception):  # a request for the same view meets it and answers it
                self._await_copy(opening.dyad)
                if opening.period == "auto":
                    # the period "auto" will stand for, guessed from the datasets the view
                    # holds, computed first: a request naming that period then meets this
                    # answer rather than computing its own beside it (a wrong guess only
                    # costs the time: "auto" is still resolved by its own answer below)
                    with self.open() as store:
                        present = [c.dataset for c in store.queries.coverage(view_selection(opening))]
                    self.view(with_period(opening, resolve_period("auto", present)))
                self.view(opening)

        thread = threading.Thread(target=run, name="detente-warm", daemon=True)
        self._warming = thread
        thread.start()
        return thread

    def _await_copy(self, dyad: tuple[str, str]) -> None:
        """Wait for a copy of ``dyad``'s events that another thread is making just now
        (the opening dyad's, made while the server starts): views of it then read the
        copy rather than the whole store beside it."""
        key = Dyad.of(dyad).key
        if dyad[0] != dyad[1] and CACHE.making(self.stamp(), ("scope", key)):
            with self.open() as store:
                store.queries.prepare_scope(key)  # meets the copy under way

    def close(self, timeout: float = 30.0) -> None:
        """Stop copying, waiting up to ``timeout`` seconds for a copy under way (the
        store is never kept open between answers)."""
        self._closed.set()
        self._answering.shutdown(wait=False, cancel_futures=True)
        for thread in (self._copier, self._warming):
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)
