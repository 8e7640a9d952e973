"""Fetch GDELT event files for a date range: list, download, check, ingest, record.

Downloads run in a few threads (``jobs``); the store is written by this thread
only. Checked downloads are ingested together, up to a day of 15-minute files at
a time, read by one scan (:func:`~detente.store._fetched.ingest_fetched_batch`),
each file still whole or not at all with its totals and ledger row, so an
interrupted run leaves every file either wholly in the store and in the ledger,
or in neither, and a file that cannot be read is reported without the others
being lost. A download is written to a ``.partial`` file and renamed
only when complete, then checked against the listed size and MD5 before it is
read; a checked file left over by an interrupted run is used without fetching it
again.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from detente.errors import DetenteError, InputFileError
from detente.fetch._gkg import GkgScan, ThemeTable, load_theme_table, scan_gkg
from detente.fetch._http import Http, HttpFailure
from detente.fetch._lists import (
    GDELT1_URL,
    GDELT2_URL,
    Listing,
    Remote,
    earliest_stamp,
    expected_slots,
    gdelt1_in_range,
    join,
    newest_stamp,
    parse_gdelt1_lists,
    parse_master,
)
from detente.store._fetched import GivenAreas, Ingested, ingest_fetched_batch, ledger_state, record

if TYPE_CHECKING:
    from detente.store import Store

__all__ = ["BATCH", "PATIENCE", "FetchOptions", "FetchProgress", "FetchResult", "GkgReport", "fetch_gdelt"]

BATCH = 96
"""Most downloaded files ingested together (a day of GDELT 2.0's 15-minute files)."""
PATIENCE = 0.25
"""Seconds downloaded files wait for the next download to be ingested with them; then
they are ingested without it (a slow or hanging server holds back nothing finished)."""

_COUNTRY = re.compile(r"[A-Z]{3}")


class FetchError(DetenteError):
    """A fetch could not start (bad options, the file lists unavailable)."""


class _FileFailed(Exception):
    pass


@dataclass
class FetchOptions:
    """What to fetch and how.

    Attributes:
        since: first day (UTC) of the range.
        until: last day of the range (default: today, UTC).
        version: GDELT 2 (15-minute files) or 1 (yearly, monthly, daily files).
        countries: CAMEO country codes; when given, only events whose two actors are
            both among them are kept (either, with ``any_actor``).
        base_url: where the files and their lists are (default: GDELT's own address).
        jobs: downloads at once.
        timeout: seconds a connection or read may stall.
        retries: further attempts after a 429, a 5xx, a timeout or a dropped connection.
        backoff: seconds before the first retry (doubled each time).
        download_dir: where downloads wait to be ingested (default: the user cache).
        keep: keep the downloaded files after ingesting them.
        gkg: 2.0: also download each 15 minutes' GKG 2.1 file and give the kept events
            the issue areas of their articles' themes (see :mod:`._gkg`).
        gkg_themes: the theme table (default: the package's).
    """

    since: date
    until: date | None = None
    version: int = 2
    countries: tuple[str, ...] = ()
    any_actor: bool = False
    base_url: str | None = None
    jobs: int = 4
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 2.0
    download_dir: Path | None = None
    keep: bool = False
    gkg: bool = False
    gkg_themes: Path | None = None


@dataclass
class FetchResult:
    """What a fetch did."""

    source: str
    since: date
    until: date
    listed: int = 0
    already: int = 0
    ingested: list[tuple[Remote, Ingested]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    bytes: int = 0
    gkg: GkgReport | None = None

    @property
    def skipped(self) -> int:
        """Files of the range not ingested through a fault (failed, or a list line unreadable)."""
        return len(self.failed) + len(self.malformed)

    @property
    def exit_status(self) -> int:
        """0 when everything listed is in the store, 3 when something was skipped."""
        return 3 if self.skipped else 0

    @property
    def kept(self) -> int:
        """Events stored by this run."""
        return sum(i.report.stored for _, i in self.ingested)

    @property
    def filtered(self) -> int:
        """Events the country filter left out."""
        return sum(i.filtered for _, i in self.ingested)

    @property
    def duplicates(self) -> int:
        """Events already in the store (GDELT re-emits events across files)."""
        return sum(i.report.duplicates for _, i in self.ingested)

    @property
    def quarantined(self) -> int:
        """Rows that could not be read."""
        return sum(i.report.quarantined for _, i in self.ingested)

    def summary(self) -> str:
        """One line: files and events, faults included."""
        parts = [f"{self.source} {self.since}..{self.until}: {self.listed:,} file(s) listed",
                 f"{len(self.ingested):,} ingested", f"{self.already:,} already in the store"]
        if self.failed:
            parts.append(f"{len(self.failed):,} failed")
        if self.malformed:
            parts.append(f"{len(self.malformed):,} unreadable list line(s)")
        parts.append(f"{len(self.missing):,} missing upstream")
        line = "; ".join(parts)
        line += f"; {self.kept:,} events stored"
        if self.filtered:
            line += f", {self.filtered:,} left out by the country filter"
        seen = self.duplicates + self.kept
        if seen:
            line += (f"; de-duplication removed {self.duplicates:,} "
                     f"({100.0 * self.duplicates / seen:.1f}%)")
        return line


@dataclass
class GkgReport:
    """What ``--gkg`` did: GKG files read, themes of the table found, events tagged."""

    table: ThemeTable
    planned: int = 0
    planned_bytes: int = 0
    unlisted: list[str] = field(default_factory=list)
    """Exports of the run whose 15 minutes have no GKG file in the master list."""
    read: int = 0
    records: int = 0
    matched: int = 0
    seen: set[str] = field(default_factory=set)
    events: int = 0
    untagged_before: int = 0
    untagged_after: int = 0

    def plan(self) -> str:
        """One line, before the downloads: what ``--gkg`` adds to them."""
        line = (f"--gkg: {self.planned:,} GKG file(s) to download, "
                f"{_size(self.planned_bytes)} (sizes from the master list)")
        if self.unlisted:
            line += f"; {len(self.unlisted):,} export(s) have no GKG file listed"
        return line

    @property
    def unmatched(self) -> list[str]:
        """Themes of the table that no article of the files read carried."""
        return sorted(set(self.table.areas) - self.seen) if self.read else []

    def summary(self) -> str:
        """One line: GKG files read, articles matched, untagged share before and after."""
        line = (f"GKG themes: {self.read:,} file(s) read, {self.records:,} articles, "
                f"{self.matched:,} of them the source of a stored event")
        if self.events:
            b, a = self.untagged_before, self.untagged_after
            line += (f"; events without an issue area: {b:,} of {self.events:,} "
                     f"({100.0 * b / self.events:.1f}%) before the themes, {a:,} "
                     f"({100.0 * a / self.events:.1f}%) after")
        return line


def _size(n: int) -> str:
    for unit, k in (("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10)):
        if n >= k:
            return f"{n / k:.1f} {unit}"
    return f"{n} bytes"


class FetchProgress(Protocol):
    """Told about a fetch as it goes (a progress bar)."""

    def planned(self, files: int, size: int) -> None:
        """Called once: the files and bytes to fetch."""

    def advanced(self, size: int) -> None:
        """Called as bytes arrive."""

    def finished(self, name: str, ok: bool) -> None:
        """Called when one file is ingested or given up on."""


def _default_dir(source: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "detente" / "fetch" / source


def _check_options(opts: FetchOptions) -> tuple[str, date, str]:
    if opts.version not in (1, 2):
        raise FetchError(f"--version must be 1 or 2, not {opts.version}")
    until = opts.until or datetime.now(UTC).date()
    if until < opts.since:
        raise FetchError(f"--until {until} is before --since {opts.since}")
    first = date(2015, 2, 18) if opts.version == 2 else date(1979, 1, 1)
    if until < first:
        raise FetchError(f"GDELT {opts.version}.0 starts on {first}; nothing before it to fetch")
    bad = [c for c in opts.countries if not _COUNTRY.fullmatch(c)]
    if bad:
        raise FetchError(f"--countries takes three-letter CAMEO country codes (USA,RUS), not "
                         f"{', '.join(bad)}")
    if opts.jobs < 1:
        raise FetchError("--jobs must be at least 1")
    if opts.gkg and opts.version != 2:
        raise FetchError("--gkg needs GDELT 2.0 (--version 2): the GKG's V2Themes begin in "
                         "February 2015")
    base = opts.base_url or (GDELT2_URL if opts.version == 2 else GDELT1_URL)
    if not base.startswith(("http://", "https://")):
        raise FetchError(f"--base-url must be an http:// or https:// address, not {base!r}")
    return f"gdelt{opts.version}", until, base


def _list_gdelt2(http: Http, base: str, since: date, until: date) -> tuple[Listing, list[Remote]]:
    start = datetime.combine(since, time())
    end = datetime.combine(until + timedelta(days=1), time())
    newest = newest_stamp(http.get(join(base, "lastupdate.txt")).decode("utf-8", "replace"))
    days = ((newest or end) - start).days + 2
    want = max(256 << 10, days * (48 << 10))
    master = join(base, "masterfilelist.txt")
    while True:
        body, whole = http.get_range(master, want)
        text = body.decode("utf-8", "replace")
        if not whole:
            text = text.split("\n", 1)[1] if "\n" in text else ""
        first = earliest_stamp(text)
        if whole or (first is not None and first < start):
            break
        want *= 4
    listing = parse_master(text, base, start, end)
    newest = max(s for s in (newest, listing.newest) if s is not None) if (newest or listing.newest) else None
    horizon = min(end, newest + timedelta(minutes=15)) if newest else start
    have = {f.name for f in listing.files}
    missing = []
    for slot in expected_slots(start, horizon):
        name = f"{slot:%Y%m%d%H%M%S}.export.CSV.zip"
        if name not in have:
            missing.append(Remote("gdelt2", name, join(base, name), None, None, "15min",
                                  slot.date(), slot))
    return listing, missing


def _list_gdelt1(http: Http, base: str, since: date, until: date) -> tuple[Listing, list[Remote]]:
    md5sums = http.get(join(base, "md5sums")).decode("utf-8", "replace")
    sizes = http.get(join(base, "filesizes")).decode("utf-8", "replace")
    listed, malformed = parse_gdelt1_lists(md5sums, sizes, base)
    files, expected_missing = gdelt1_in_range(listed, since, until)
    missing = [Remote("gdelt1", n, join(base, n), None, None, p, d) for n, p, d in expected_missing]
    return Listing(files, malformed), missing


def _verify(remote: Remote, path: Path, size: int, md5: str) -> None:
    with path.open("rb") as fh:
        head = fh.read(512)
    if not head.startswith(b"PK"):
        low = head.lower()
        if b"<html" in low or b"<!doctype" in low or head.lstrip().startswith(b"<"):
            raise _FileFailed("the server sent a web page, not the zip file")
    if remote.size is not None and size != remote.size:
        raise _FileFailed(f"size {size:,} bytes, the list says {remote.size:,} "
                          "(cut off or changed)")
    if remote.md5 is not None and md5 != remote.md5:
        raise _FileFailed(f"MD5 {md5} does not match the list's {remote.md5}")


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _download(http: Http, remote: Remote, folder: Path, progress: FetchProgress | None) -> Path:
    target = folder / remote.name
    if target.exists():  # left by an interrupted run: used when it checks out
        try:
            _verify(remote, target, target.stat().st_size, _md5(target))
            return target
        except _FileFailed:
            target.unlink(missing_ok=True)
    size, md5 = http.download(remote.url, target, progress.advanced if progress else None)
    try:
        _verify(remote, target, size, md5)
    except _FileFailed:
        target.unlink(missing_ok=True)
        raise
    return target


def _download_with_gkg(http: Http, remote: Remote, gkg: Remote | None, folder: Path,
                       progress: FetchProgress | None) -> tuple[Path, Path | None]:
    path = _download(http, remote, folder, progress)
    if gkg is None:
        return path, None
    try:
        return path, _download(http, gkg, folder, progress)
    except (_FileFailed, HttpFailure) as exc:
        path.unlink(missing_ok=True)
        raise _FileFailed(f"its GKG file {gkg.name}: {_reason(exc, gkg)}") from None


def _reason(exc: Exception, remote: Remote) -> str:
    reason = str(exc)
    if isinstance(exc, HttpFailure) and reason.startswith(remote.url + ": "):
        reason = reason[len(remote.url) + 2:]
    return reason


def fetch_gdelt(
    open_store: Callable[[], AbstractContextManager[Store]],
    opts: FetchOptions,
    *,
    progress: FetchProgress | None = None,
    http: Http | None = None,
    announce: Callable[[str], None] | None = None,
) -> FetchResult:
    """Fetch the GDELT event files of a date range into the store.

    Args:
        open_store: opens the store for writing; called whenever downloaded files
            are ready, and the store is closed again while the run waits on the
            network, so other processes get it between files.
        opts: what to fetch.
        progress: told of the plan, the bytes and each file.
        http: the HTTP client (default: one from ``opts``' timeout and retries).
        announce: told, before the downloads start, what ``--gkg`` will download.

    Raises:
        FetchError: the options are not valid (or the GKG theme table is not).
        HttpFailure: the file lists could not be had (``Unreachable``: not the server
            at all); nothing was written.
    """
    source, until, base = _check_options(opts)
    table = _theme_table(opts)
    http = http or Http(timeout=opts.timeout, retries=opts.retries, backoff=opts.backoff)
    lister = _list_gdelt2 if opts.version == 2 else _list_gdelt1
    listing, missing = lister(http, base, opts.since, until)
    result = FetchResult(source, opts.since, until, listed=len(listing.files),
                         malformed=listing.malformed, missing=[m.name for m in missing])
    with open_store() as st:
        if table is not None:
            table.check_areas(set(st.rules.areas))
        state = ledger_state(st, source)
        record(st, missing, "missing")
    todo = [f for f in listing.files if state.get(f.name) != "ingested"]
    result.already = len(listing.files) - len(todo)
    folder = opts.download_dir or _default_dir(source)
    folder.mkdir(parents=True, exist_ok=True)
    gkg_of: dict[str, Remote] = {}
    if table is not None:
        gkg_of = {f.name: listing.gkg[f.name] for f in todo if f.name in listing.gkg}
        result.gkg = GkgReport(table, len(gkg_of), sum(g.size or 0 for g in gkg_of.values()),
                               [f.name for f in todo if f.name not in gkg_of])
        if announce is not None:
            announce(result.gkg.plan())
    if progress is not None:
        progress.planned(len(todo), sum(f.size or 0 for f in todo)
                         + sum(g.size or 0 for g in gkg_of.values()))
    countries = tuple(opts.countries)
    pool = ThreadPoolExecutor(max_workers=opts.jobs, thread_name_prefix="detente-fetch")
    pending: dict[Future[tuple[Path, Path | None]], Remote] = {}
    queue = list(reversed(todo))
    held = _Held(open_store)
    ready: list[_Ready] = []
    try:
        while queue or pending:
            while queue and len(pending) < opts.jobs * 2:  # a short queue: stop fast
                r = queue.pop()
                pending[pool.submit(_download_with_gkg, http, r, gkg_of.get(r.name), folder,
                                    progress)] = r
            done, _ = wait(pending, timeout=0)
            if not done and ready:  # downloads to ingest: together with the next few, unless
                done, _ = wait(pending, timeout=PATIENCE)  # those are slow in coming
                if not done:
                    _ingest_ready(held, ready, result, countries, opts, progress)
            if not done:  # nothing to write: let other processes have the store meanwhile
                held.release()
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                remote = pending.pop(fut)
                got = _downloaded(held, fut, remote, result, opts, progress)
                if got is not None:
                    ready.append(got)
            if len(ready) >= BATCH:
                _ingest_ready(held, ready, result, countries, opts, progress)
        _ingest_ready(held, ready, result, countries, opts, progress)
    finally:
        held.release()
        pool.shutdown(wait=True, cancel_futures=True)
        for item in ready:  # left by an error: not ingested, fetched again next time
            _discard(item, opts)
    return result


@dataclass
class _Ready:
    """A checked download waiting to be ingested."""

    remote: Remote
    path: Path
    gkg_path: Path | None


class _Held:
    """The store, opened when there is something to write and released while waiting."""

    def __init__(self, opener: Callable[[], AbstractContextManager[Store]]) -> None:
        self._opener = opener
        self._cm: AbstractContextManager[Store] | None = None
        self._store: Store | None = None

    def get(self) -> Store:
        if self._store is None:
            self._cm = self._opener()
            self._store = self._cm.__enter__()
        return self._store

    def release(self) -> None:
        if self._cm is not None:
            cm, self._cm, self._store = self._cm, None, None
            cm.__exit__(None, None, None)


def _downloaded(held: _Held, fut: Future[tuple[Path, Path | None]], remote: Remote,
                result: FetchResult, opts: FetchOptions,
                progress: FetchProgress | None) -> _Ready | None:
    """Return a finished download ready to ingest, or record why it failed."""
    try:
        path, gkg_path = fut.result()
    except (_FileFailed, HttpFailure, InputFileError) as exc:
        reason = exc.problem if isinstance(exc, InputFileError) else _reason(exc, remote)
        result.failed.append((remote.name, reason))
        record(held.get(), [remote], "failed", reason)
        if progress is not None:
            progress.finished(remote.name, False)
        return None
    result.bytes += path.stat().st_size + (gkg_path.stat().st_size if gkg_path else 0)
    return _Ready(remote, path, gkg_path)


def _discard(item: _Ready, opts: FetchOptions) -> None:
    for p in (item.path, item.gkg_path):
        if p is not None and not opts.keep:
            p.unlink(missing_ok=True)


def _ingest_ready(held: _Held, ready: list[_Ready], result: FetchResult,
                  countries: Sequence[str], opts: FetchOptions,
                  progress: FetchProgress | None) -> None:
    """Ingest the ready downloads together (each file whole or not at all) and record
    each one's outcome; a file that cannot be read is recorded as failed alone."""
    if not ready:
        return
    items = sorted(ready, key=lambda i: i.remote.name)  # in time order, as the names go
    ready.clear()
    scans: dict[str, list[GkgScan]] = {i.remote.name: [] for i in items}
    gkg_of = {i.remote.name: i.gkg_path for i in items}
    gkg = result.gkg

    def given(remote: Remote) -> GivenAreas | None:
        if gkg is None:
            return None
        table, where, mine = gkg.table, gkg_of[remote.name], scans[remote.name]
        mine.clear()  # a file tried again after its batch was refused: its last scan counts

        def areas(urls: set[str]) -> dict[str, list[str]]:
            if where is None:  # a file without a GKG file counts too, as it is
                return {}
            try:
                mine.append(scan_gkg(where, urls, table))
            except InputFileError as exc:
                raise InputFileError(exc.path, f"its GKG file {where.name}: {exc.problem}"
                                     ) from None
            return mine[-1].areas

        return areas

    try:
        outcomes = ingest_fetched_batch(held.get(), [(i.remote, i.path) for i in items],
                                        countries=countries, any_actor=opts.any_actor,
                                        given=given if gkg is not None else None)
        for item, done in zip(items, outcomes, strict=True):
            remote = item.remote
            if isinstance(done, Ingested):
                result.ingested.append((remote, done))
                _count_gkg(result.gkg, done, scans[remote.name])
            else:
                reason = done.problem if isinstance(done, InputFileError) else str(done)
                result.failed.append((remote.name, reason))
                record(held.get(), [remote], "failed", reason)
            if progress is not None:
                progress.finished(remote.name, isinstance(done, Ingested))
    finally:
        for item in items:
            _discard(item, opts)


def _theme_table(opts: FetchOptions) -> ThemeTable | None:
    if not opts.gkg:
        if opts.gkg_themes is not None:
            raise FetchError("--gkg-themes needs --gkg")
        return None
    try:
        return load_theme_table(opts.gkg_themes)
    except DetenteError as exc:
        raise FetchError(str(exc)) from None


def _count_gkg(report: GkgReport | None, done: Ingested, scans: list[GkgScan]) -> None:
    """Add one ingested file's GKG scan to the run's report (events of files without a
    GKG file count as they are: untagged before and after)."""
    if report is None:
        return
    stored = done.report.stored
    before = done.untagged_before
    after = done.untagged_after
    report.events += stored
    report.untagged_before += before if before is not None else 0
    report.untagged_after += after if after is not None else 0
    for scan in scans:
        report.read += 1
        report.records += scan.records
        report.matched += scan.matched
        report.seen |= scan.seen
