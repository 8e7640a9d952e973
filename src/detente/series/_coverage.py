"""Which periods the ingested files cover: complete, partial or missing, never zero.

A file covers its publication window. Its events may be dated days or weeks
earlier (an ICEWS daily file of 2018-10-04 holds events of 2018-09-28), so a
period of event dates is **complete** only when every publication day from its
first day to its last day plus a reporting lag is covered by some file; when
only some of those days are, or the period holds events anyway, it is
**partial**; when none is and it holds no event, it is **missing** (its counts
are unknown, not 0).

The publication window of a file comes from its name where the source dates its
files: ``YYYYMMDDHHMMSS`` (GDELT 2.0's fifteen-minute files: a day is covered
when all 96 are in) or ``YYYYMMDD`` (GDELT 1.0's and ICEWS's daily files). A
file whose name carries no date (a yearly ICEWS file, a canonical export, text
coded here) is taken to be compiled after the fact: it covers the days of its
own first to last event, and the reporting lag after them.

Hand-picked (curated) data is ``curated`` throughout: its counts are what
someone chose to record, so a zero in it is not evidence of absence either.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from detente.query.metrics import CURATED_DATASETS
from detente.query.period import add_periods

if TYPE_CHECKING:
    from detente.store import Store

__all__ = ["COVERAGE_STATES", "REPORTING_LAG", "FileCoverage", "dataset_coverage",
           "period_coverage", "publication_window", "window_coverage"]

REPORTING_LAG = 7
"""Days after an event within which its report is taken to be published (the default)."""

COVERAGE_STATES: tuple[str, ...] = ("complete", "partial", "missing", "curated")
"""The values of the indicators' ``coverage`` column."""

_SLOTS_A_DAY = 96
_STAMP = re.compile(r"(?<!\d)(\d{14})(?!\d)")
_DAY = re.compile(r"(?<!\d)(\d{8})(?!\d)")


def publication_window(name: str) -> tuple[date, int] | None:
    """Return the publication day a file's name states and how many files make that day
    (96 for GDELT 2.0's fifteen-minute files, else 1); ``None`` when the name has no date.

    >>> publication_window("20181004-icews-events.tab")
    (datetime.date(2018, 10, 4), 1)
    >>> publication_window("20150218231500.export.CSV")
    (datetime.date(2015, 2, 18), 96)
    """
    base = name.rsplit("/", 1)[-1]
    m = _STAMP.search(base)
    if m:
        try:
            return datetime.strptime(m.group(1), "%Y%m%d%H%M%S").date(), _SLOTS_A_DAY
        except ValueError:
            pass
    m = _DAY.search(base)
    if m:
        try:
            day = datetime.strptime(m.group(1), "%Y%m%d").date()
        except ValueError:
            return None
        if 1900 <= day.year <= 2200:
            return day, 1
    return None


@dataclass(frozen=True)
class FileCoverage:
    """The publication days the files of one dataset cover.

    Attributes:
        dataset: the dataset's name.
        days: the covered publication days, sorted.
        curated: hand-picked data (every period reads ``curated``).
    """

    dataset: str
    days: tuple[date, ...]
    curated: bool = False

    def covered(self, first: date, last: date) -> int:
        """Return how many days from ``first`` to ``last`` (inclusive) are covered."""
        if last < first:
            return 0
        return bisect.bisect_right(self.days, last) - bisect.bisect_left(self.days, first)

    def status(self, start: date, end: date, lag: int = REPORTING_LAG) -> str:
        """Return ``complete``, ``partial``, ``none`` (no covered day) or ``curated`` for
        the event dates ``start`` … ``end`` (the period's full span, not cut by the as-of
        date): complete when every publication day to ``end`` plus ``lag`` is covered."""
        if self.curated:
            return "curated"
        last = end + timedelta(days=lag)
        n = self.covered(start, last)
        if n == (last - start).days + 1:
            return "complete"
        return "partial" if n else "none"


def dataset_coverage(store: Store, lag: int = REPORTING_LAG) -> dict[str, FileCoverage]:
    """Return every dataset's covered publication days, from the store's files.

    Args:
        store: the event store.
        lag: the reporting lag: a file without a date in its name covers the days of its
            events and this many days after the last.
    """
    return store.queries.cached(("file coverage", lag), lambda: _dataset_coverage(store, lag))


def _dataset_coverage(store: Store, lag: int) -> dict[str, FileCoverage]:
    slots: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    days: dict[str, set[date]] = defaultdict(set)
    for dataset, name, first, last in store.queries.file_spans():
        if dataset in CURATED_DATASETS:
            days.setdefault(dataset, set())  # known, even without days
            continue
        window = publication_window(name)
        if window is None:
            if first is None or last is None:
                continue
            n = (last - first).days + lag + 1
            days[dataset].update(first + timedelta(days=i) for i in range(n))
        elif window[1] == 1:
            days[dataset].add(window[0])
        else:
            slots[dataset][window[0]] += 1
    for dataset, per_day in slots.items():
        days[dataset].update(d for d, n in per_day.items() if n >= _SLOTS_A_DAY)
    return {d: FileCoverage(d, tuple(sorted(ds)), d in CURATED_DATASETS) for d, ds in days.items()}


def window_coverage(store: Store, dataset: str, first: date, last: date,
                    lag: int = REPORTING_LAG) -> str:
    """Return ``complete``, ``partial``, ``missing`` or ``curated`` for the event dates
    ``first`` … ``last`` of ``dataset`` (a condition's window): complete when the files
    cover every publication day from ``first`` to ``last`` plus ``lag``."""
    cov = dataset_coverage(store, lag).get(dataset)
    if cov is None:
        return "curated" if dataset in CURATED_DATASETS else "missing"
    state = cov.status(first, last, lag)
    return "missing" if state == "none" else state


def period_coverage(store: Store, dataset: str, start: date, period: str,
                    lag: int = REPORTING_LAG) -> str:
    """Return ``complete``, ``partial``, ``missing`` or ``curated`` for the period of
    ``dataset`` that starts on ``start`` (a ``week``, ``month``, ``quarter`` or ``year``).

    Unlike the indicators' column, a period no file covers reads ``missing`` here
    even if late reports put events in it; ask the indicators for the full reading.
    """
    return window_coverage(store, dataset, start, add_periods(start, period, 1) - timedelta(days=1),
                           lag)
