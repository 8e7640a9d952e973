"""Feeds of official statements: RSS and Atom documents coded into the store.

A feeds file lists the feeds (a name, the address, optionally the country whose
statements they are). :func:`fetch_feeds` downloads every feed with the polite
HTTP client (a few at once, timeouts, retries), keeps the items it has not seen
before, codes each new item's title and summary with the text coder
(:mod:`detente.coder`) and stores the events as the dataset ``feeds``, one
ingested file per feed fetch (its provenance), then remembers the items in the
store's ``feed_items`` table, so the next run codes only what is new. A feed that
cannot be had or read is reported in one line and the others carry on.

Each fetch is conditional: the ``ETag`` and ``Last-Modified`` a feed's server sent
with the last body read are sent back (``If-None-Match``, ``If-Modified-Since``),
and a ``304 Not Modified`` answer means no new items, with nothing downloaded or
coded. The validators, and when and how each feed was last fetched, are kept in
the store's ``feed_state`` table (``detente status`` shows them); they are replaced
only once the items of the body they came with are recorded, so a fetch whose
events could not be stored asks for the whole feed again next time.

The country hint names whose statements a feed carries: a bare title in its
items ("The President held talks with ...") is read as that country's (without
it, as a government of unknown country).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.errors import DetenteError, InputFileError
from detente.fetch._http import Http, HttpFailure

if TYPE_CHECKING:
    from detente.coder import Coder, Document
    from detente.store import Store
    from detente.store._fetched import FeedState

__all__ = ["DATASET", "Feed", "FeedResult", "FeedsResult", "fetch_feeds", "load_feeds"]

DATASET = "feeds"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_COUNTRY = re.compile(r"^[A-Z]{3}$")
_KEYS = {"name", "url", "country"}
_BROKEN = ("feed not well-formed XML", "feed with a DOCTYPE or ENTITY (refused)")


@dataclass(frozen=True)
class Feed:
    """One feed: its name (used in provenance and in the record of seen items), address
    and, optionally, the CAMEO country whose statements it carries."""

    name: str
    url: str
    country: str | None = None


@dataclass
class FeedResult:
    """What one feed gave: items listed, new, coded; or why it was skipped."""

    feed: Feed
    items: int = 0
    new: int = 0
    events: int = 0
    stored: int = 0
    file: str | None = None
    error: str | None = None
    skipped: Counter[str] = field(default_factory=Counter)
    not_modified: bool = False
    """The server answered 304 Not Modified to the conditional GET: no new items."""


@dataclass
class FeedsResult:
    """What a feeds fetch did, per feed."""

    feeds: list[FeedResult] = field(default_factory=list)

    @property
    def failed(self) -> list[FeedResult]:
        """The feeds skipped (unreachable, not a feed)."""
        return [f for f in self.feeds if f.error is not None]

    @property
    def exit_status(self) -> int:
        """0 when every feed was read, 3 when one was skipped."""
        return 3 if self.failed else 0

    def summary(self) -> str:
        """One line: feeds read and skipped, new items, events coded and stored."""
        ok = [f for f in self.feeds if f.error is None]
        same = sum(1 for f in ok if f.not_modified)
        unchanged = f" ({same} not modified)" if same else ""
        return (f"feeds: {len(ok)} of {len(self.feeds)} read{unchanged}, {len(self.failed)} skipped; "
                f"{sum(f.items for f in ok):,} item(s) listed, {sum(f.new for f in ok):,} new; "
                f"{sum(f.events for f in ok):,} event(s) coded, {sum(f.stored for f in ok):,} stored "
                f"(dataset {DATASET})")


def load_feeds(path: Path) -> list[Feed]:
    """Read a feeds file: a YAML list (or a mapping with a ``feeds`` list) of entries with
    ``name``, ``url`` and optionally ``country`` (a CAMEO country code).

    Raises:
        DetenteError: the file is missing or not such a list (the message names it).
    """
    from detente._yaml import load_named

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DetenteError(f"{path}: cannot read the feeds file ({exc.strerror or exc})") from None
    doc = load_named(text, path)
    entries = doc.get("feeds") if isinstance(doc, dict) else doc
    if not isinstance(entries, list) or not entries:
        raise DetenteError(f"{path}: expected a list of feeds (name, url, optional country)")
    feeds: list[Feed] = []
    names: set[str] = set()
    for i, e in enumerate(entries, start=1):
        where = f"{path}: feed {i}"
        if not isinstance(e, dict):
            raise DetenteError(f"{where}: expected a mapping with name and url")
        unknown = set(e) - _KEYS
        if unknown:
            raise DetenteError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                               f"known: {', '.join(sorted(_KEYS))}")
        name, url, country = e.get("name"), e.get("url"), e.get("country")
        if not isinstance(name, str) or not _NAME.match(name):
            raise DetenteError(f"{where}: name must be letters, digits, '.', '_' or '-' "
                               f"(up to 64), not {name!r}")
        if name in names:
            raise DetenteError(f"{where}: the name {name!r} is used twice")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise DetenteError(f"{where} ({name}): url must be an http:// or https:// address")
        if country is not None and (not isinstance(country, str)
                                    or not _COUNTRY.match(country.upper())):
            raise DetenteError(f"{where} ({name}): country must be a three-letter CAMEO code "
                               f"(RUS, USA), not {country!r}")
        names.add(name)
        feeds.append(Feed(name, url, country.upper() if isinstance(country, str) else None))
    return feeds


def _documents(feed: Feed, body: bytes, today: dt.date, skipped: Counter[str]) -> list[Document]:
    """The items of a downloaded feed, or raise ValueError saying why it is no feed."""
    from detente.coder.inputs import MAX_FILE_BYTES, decode, read_bytes, sniff_format

    if len(body) > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // (1 << 20)} MB; not read")
    text, _ = decode(body)
    if text is None or sniff_format(text) != "feed":
        head = (text or "").lstrip()[:200].lower()
        what = "a web page" if "<html" in head or "<!doctype html" in head else "something else"
        raise ValueError(f"not an RSS or Atom document ({what})")
    docs = list(read_bytes(body, f"{feed.name}.xml", skipped, today, "feed"))
    broken = [k for k in _BROKEN if skipped.get(k)]
    if broken:
        raise ValueError(broken[0])
    return docs



@dataclass
class _Got:
    """One feed's answer: its body (``None``: 304 Not Modified) and validators."""

    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None


def _get(http: Http, feed: Feed, known: FeedState | None) -> _Got | str:
    """GET ``feed``, conditionally when ``known`` holds validators for its address;
    return the answer, or why it failed."""
    import urllib.error

    headers: dict[str, str] = {}
    if known is not None and known.url == feed.url:
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
    got = _Got(None)

    def work() -> bytes | int:
        try:
            with http._open(feed.url, headers) as resp:
                got.etag, got.last_modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
                return bytes(resp.read())
        except urllib.error.HTTPError as exc:
            if exc.code != 304 or not headers:
                raise
            got.etag = exc.headers.get("ETag") if exc.headers else None
            got.last_modified = exc.headers.get("Last-Modified") if exc.headers else None
            return 304

    try:
        out = http._attempts(feed.url, work)
    except HttpFailure as exc:
        why = str(exc)
        return why[len(feed.url) + 2:] if why.startswith(feed.url + ": ") else why
    got.body = out if isinstance(out, bytes) else None
    return got


def _state(res: FeedResult, got: _Got | None, known: FeedState | None, now: dt.datetime,
           stored: bool) -> FeedState:
    """What to remember of this fetch of ``res.feed``: new validators once the body they
    came with is recorded (``stored``), else those known before (a 304 keeps them, with
    any the server sent again)."""
    same = known if known is not None and known.url == res.feed.url else None
    etag = same.etag if same else None
    modified = same.last_modified if same else None
    read_at = same.read_at if same else None
    if got is not None and (stored or got.body is None):
        etag = got.etag or (etag if got.body is None else None)
        modified = got.last_modified or (modified if got.body is None else None)
        if got.body is not None:
            read_at = now
    from detente.store._fetched import FeedState

    status = "failed" if res.error is not None else "not modified" if res.not_modified else "read"
    return FeedState(res.feed.name, res.feed.url, etag, modified, now, status, res.error, read_at)


def _rows(feed: Feed, events: list[Any], fetched: dt.datetime) -> list[dict[str, Any]]:
    from detente.coder import canonical_rows

    rows = canonical_rows(events)
    for row, ev in zip(rows, events, strict=True):
        row["event_id"] = DATASET + ":" + ev.event_id.split(":", 1)[1]
        row["dataset"] = DATASET
        row["citation_issuer"] = feed.name
        row["citation_url"] = ev.url
        row["citation_date"] = ev.date
    return rows


def fetch_feeds(
    open_store: Callable[[], AbstractContextManager[Store]],
    feeds: list[Feed],
    *,
    http: Http | None = None,
    jobs: int = 4,
    coder: Coder | None = None,
    today: dt.date | None = None,
) -> FeedsResult:
    """Fetch every feed, code its new items and store their events (dataset ``feeds``).

    Each feed's new events go into the store as one ingested file named after the
    feed and the time of the fetch; its items are then recorded as seen (an item
    that gave no event too). A feed that cannot be had or is not RSS or Atom is
    reported in its :class:`FeedResult` and the others carry on.

    Args:
        open_store: opens the store for writing.
        feeds: the feeds (see :func:`load_feeds`).
        http: the HTTP client (default: 30 s timeouts, 4 retries).
        jobs: feeds downloaded at once.
        coder: the text coder (default: the packaged rules).
        today: the date given to items without one (default: today, UTC).
    """
    from detente.coder import Coder, ingest_events
    from detente.store._fetched import (
        feed_items_seen,
        feed_states,
        last_file_id,
        record_feed_items,
        record_feed_states,
    )

    http = http or Http()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    day = today or now.date()
    result = FeedsResult([FeedResult(f) for f in feeds])
    with open_store() as st:
        known = feed_states(st)

    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="detente-feed") as pool:
        answers = list(pool.map(lambda f: _get(http, f, known.get(f.name)), feeds))
    parsed: list[tuple[FeedResult, list[Document]]] = []
    got_of: dict[str, _Got] = {}
    for res, got in zip(result.feeds, answers, strict=True):
        if isinstance(got, str):
            res.error = got
            continue
        got_of[res.feed.name] = got
        if got.body is None:
            res.not_modified = True
            continue
        try:
            parsed.append((res, _documents(res.feed, got.body, day, res.skipped)))
        except ValueError as exc:
            res.error = str(exc)
    coder = coder or Coder() if parsed else None
    stored: set[str] = set()

    with open_store() as st:
        for res, docs in parsed:
            assert coder is not None
            res.items = len(docs)
            seen = feed_items_seen(st, res.feed.name)
            new: dict[str, Document] = {}
            for d in docs:
                if d.id not in seen:
                    new.setdefault(d.id, d)
            res.new = len(new)
            if not new:
                stored.add(res.feed.name)
                continue
            country = (res.feed.country,) if res.feed.country else ()
            events = list(coder.code_documents(new.values(), context=country))
            res.events = len(events)
            file_id = None
            if events:
                name = f"{res.feed.name}.{now:%Y%m%dT%H%M%S}.feed.jsonl"
                try:
                    report = ingest_events(st, _rows(res.feed, events, now), name=name)
                except InputFileError as exc:
                    res.error = f"its events could not be stored: {exc.problem}"
                    continue
                res.stored = report.stored
                res.file = name
                file_id = last_file_id(st)
            per_item = Counter(ev.doc_id for ev in events)
            record_feed_items(st, res.feed.name, [
                (d.id, d.url, d.date, per_item.get(d.id, 0)) for d in new.values()], file_id, now)
            stored.add(res.feed.name)
        record_feed_states(st, [
            _state(res, got_of.get(res.feed.name), known.get(res.feed.name), now,
                   res.feed.name in stored) for res in result.feeds])
    return result
