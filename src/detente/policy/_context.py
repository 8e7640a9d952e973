"""What a condition is evaluated against (:class:`EvalContext`), and how it asks the
store: the windows and channels of many conditions collected first, then fetched in
one batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from detente.errors import QueryError
from detente.policy.registry import Registry
from detente.query import ChannelRequest, MetricRequest, MetricResult, Selection
from detente.query.metrics import UNTAGGED_LIMIT
from detente.store import Store


@dataclass
class EvalContext:
    """What a condition is evaluated against."""

    store: Store
    registry: Registry
    as_of: date
    dataset: str
    params: dict[str, float] = field(default_factory=dict)
    dyad: tuple[str, str] = ("USA", "RUS")
    min_events: int = 5
    max_event_ids: int = 10
    #: the datasets channels read (every dataset of the selection; ``dataset`` alone when empty)
    channel_datasets: tuple[str, ...] = ()
    #: above this share of events whose issue area cannot be told, a window on issue areas
    #: cannot show that something did not happen (``not_met`` becomes insufficient)
    untagged_limit: float = UNTAGGED_LIMIT
    _results: dict[MetricRequest, MetricResult] = field(default_factory=dict)
    _contacts: dict[ChannelRequest, tuple[date | None, str | None]] = field(default_factory=dict)
    _untagged: dict[MetricRequest, tuple[int, int]] = field(default_factory=dict)
    _wanted: tuple[set[MetricRequest], set[ChannelRequest], set[MetricRequest]] | None = None

    def coverage(self, dataset: str) -> tuple[date, date] | None:
        """Return the first and last event dates of ``dataset`` (None if it is empty)."""
        return self.store.queries.span(dataset)

    def file_coverage(self, dataset: str, first: date, last: date) -> str:
        """Return whether ``dataset``'s files cover the days ``first`` … ``last``:
        ``complete``, ``partial`` or ``missing`` (``curated`` for the chronology); see
        :func:`detente.series.window_coverage` (the reporting lag after ``last`` is not
        waited for: a condition is read as of its last day)."""
        from detente.series import window_coverage

        return window_coverage(self.store, dataset, first, last, lag=0)

    @property
    def collecting(self) -> bool:
        """Whether the conditions are being walked only to collect what they ask for."""
        return self._wanted is not None

    @contextmanager
    def _collect(self) -> Iterator[None]:
        self._wanted = (set(), set(), set())
        try:
            yield
        finally:
            wanted, self._wanted = self._wanted, None
            metrics = [r for r in wanted[0] if r not in self._results]
            contacts = [r for r in wanted[1] if r not in self._contacts]
            q = self.store.queries
            self._results.update(q.measure(metrics, self.max_event_ids))
            self._contacts.update(q.last_contacts(contacts))
            self._fetch_untagged([r for r in wanted[2] if r not in self._untagged])

    def _fetch_untagged(self, requests: list[MetricRequest]) -> None:
        if not requests:
            return
        keys = {r: (_untagged_selection(r), r.issue_areas) for r in requests}
        got = self.store.queries.untagged_many(list(keys.values()))
        self._untagged.update({r: got[k] for r, k in keys.items()})

    def untagged(self, request: MetricRequest) -> tuple[int, int] | None:
        """Return how many of ``request``'s window's events (whatever their issue area)
        cannot be told to belong to its issue areas, and how many there are; ``None``
        while collecting."""
        if self._wanted is not None:
            self._wanted[2].add(request)
            return None
        if request not in self._untagged:
            self._fetch_untagged([request])
        return self._untagged[request]

    def prefetch(self, run: Callable[[], object]) -> None:
        """Call ``run`` (which evaluates conditions) once to collect the windows and
        channels its conditions ask for, then fetch them all in one batch; the
        evaluations that follow read the answers. An error in the collecting pass is
        left for the real one to raise."""
        with self._collect(), suppress(QueryError):
            run()

    def measure(self, request: MetricRequest) -> MetricResult | None:
        """Return the answer to ``request`` (fetched now unless prefetched); ``None``
        while collecting."""
        if self._wanted is not None:
            self._wanted[0].add(request)
            return None
        if request not in self._results:
            self._results.update(self.store.queries.measure([request], self.max_event_ids))
        return self._results[request]

    def last_contact(self, request: ChannelRequest) -> tuple[date | None, str | None] | None:
        """Return a channel's latest event ``(date, id)``; ``None`` while collecting."""
        if self._wanted is not None:
            self._wanted[1].add(request)
            return None
        if request not in self._contacts:
            self._contacts.update(self.store.queries.last_contacts([request]))
        return self._contacts[request]


def _untagged_selection(r: MetricRequest) -> Selection:
    """The events of ``r``'s window whatever their issue area."""
    return Selection(dyad=(r.source, r.target) if r.pooled else None,
                     source=None if r.pooled else r.source, target=None if r.pooled else r.target,
                     since=r.since, until=r.until, codes=r.codes, roots=r.roots,
                     datasets=(r.dataset,))


def channel_datasets(ctx: EvalContext) -> tuple[str, ...]:
    """Return the datasets a channel's contacts are read from: every dataset of the
    selection (curated events count), else the context's dataset."""
    return ctx.channel_datasets or (ctx.dataset,)


def last_contact(ctx: EvalContext, channel: Any) -> tuple[date | None, str | None] | None:
    """Return the date and id of a channel's latest contact in the events (or ``None, None``);
    ``None`` while the context is collecting what conditions ask for.

    Contacts are read from every dataset of the selection (:func:`channel_datasets`):
    whether two sides talked is a fact any source can show, so, unlike counts and
    shares, the datasets are pooled here."""
    sel = channel.select
    if sel is None:
        return None, None
    a, b = ctx.dyad
    return ctx.last_contact(ChannelRequest(
        a, b, channel_datasets(ctx), ctx.as_of, roles=tuple(sel.roles or ()),
        issue_areas=tuple(sel.issue_areas or ()), roots=tuple(sel.roots or ()),
        codes=tuple(sel.codes or ()), search=tuple(sel.search or ())))
