"""GDELT's published file lists, and which files a date range needs.

GDELT 2.0 publishes an event export every 15 minutes and lists every file it
has published in ``masterfilelist.txt`` (one line per file: size in bytes, MD5,
address; the events, mentions and GKG files of each 15 minutes), oldest first;
``lastupdate.txt`` holds the newest three. The master list is large (well over
100 MB by now), so only its tail is read, with HTTP ``Range`` requests grown
until the tail reaches back past the start of the range.

GDELT 1.0 publishes one file per year for 1979-2005 (``1979.zip``), one per
month from January 2006 to March 2013 (``200601.zip``), both filed by event date
with 57 columns, and one per day from 1 April 2013 (``20130401.export.CSV.zip``,
58 columns); ``md5sums`` (``md5  name``) and ``filesizes`` (``size name``) list
them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

__all__ = [
    "GDELT1_URL",
    "GDELT2_URL",
    "Listing",
    "Remote",
    "expected_slots",
    "gdelt1_in_range",
    "parse_gdelt1_lists",
    "parse_master",
]

GDELT2_URL = "http://data.gdeltproject.org/gdeltv2/"
GDELT1_URL = "http://data.gdeltproject.org/events/"

_MASTER = re.compile(r"^([0-9]+) ([0-9a-fA-F]{32}) (\S+)$")
_EXPORT2 = re.compile(r"(?:^|/)([0-9]{14})\.export\.CSV\.zip$")
_GKG2 = re.compile(r"(?:^|/)([0-9]{14})\.gkg\.csv\.zip$")
_STAMP = re.compile(r"([0-9]{14})\.export\.")
_YEAR = re.compile(r"^([0-9]{4})\.zip$")
_MONTH = re.compile(r"^([0-9]{6})\.zip$")
_DAY = re.compile(r"^([0-9]{8})\.export\.CSV\.zip$")


@dataclass(frozen=True)
class Remote:
    """One published event file.

    Attributes:
        source: ``gdelt2`` or ``gdelt1``.
        name: the file's name.
        url: where to get it.
        size: bytes, as the publisher's list states (``None``: not stated).
        md5: hex MD5, as listed (``None``: not stated).
        period: what one file covers: ``15min``, ``day``, ``month`` or ``year``.
        day: the first day it covers.
        stamp: 2.0: the 15 minutes it was published for.
    """

    source: str
    name: str
    url: str
    size: int | None
    md5: str | None
    period: str
    day: date
    stamp: datetime | None = None


@dataclass
class Listing:
    """The event files a range needs, as listed, and the list's faults."""

    files: list[Remote]
    malformed: list[str]
    """Lines of the list that could not be read and may name a file of the range."""
    newest: datetime | None = None
    """The newest publication the list knows of (2.0)."""
    gkg: dict[str, Remote] = field(default_factory=dict)
    """2.0: the GKG file of each listed export's 15 minutes, by the export's name."""


def join(base: str, name: str) -> str:
    """Return ``name`` under the base address ``base``."""
    return base.rstrip("/") + "/" + name


def _stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def parse_master(text: str, base: str, start: datetime, end: datetime) -> Listing:
    """Return the 2.0 event exports published in ``[start, end)`` from master-list text.

    Every file is fetched from ``base`` under its own name (a mirror holds the
    same names). A line that is not ``size md5 address`` is malformed; it is
    reported when it names an event export of the range or names nothing legible
    (so a damaged line is never passed over in silence), and ignored when it
    plainly names another range or another kind of file.
    """
    files: dict[str, Remote] = {}
    gkg: dict[str, Remote] = {}
    malformed: list[str] = []
    newest: datetime | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = _MASTER.match(line)
        if m is None:
            loose = _STAMP.search(line)
            when = _stamp(loose.group(1)) if loose else None
            kind_other = loose is None and (".mentions." in line or ".gkg." in line
                                            or ".translation." in line)
            if not kind_other and (when is None or start <= when < end):
                malformed.append(line[:200])
            continue
        url = m.group(3)
        e = _EXPORT2.search(url)
        if e is None:
            g = _GKG2.search(url)
            when = _stamp(g.group(1)) if g else None
            if g and when is not None and start <= when < end:
                gkg[f"{g.group(1)}.export.CSV.zip"] = Remote(
                    "gdelt2-gkg", f"{g.group(1)}.gkg.csv.zip", join(base, f"{g.group(1)}.gkg.csv.zip"),
                    int(m.group(1)), m.group(2).lower(), "15min", when.date(), when)
            continue  # mentions, GKG
        when = _stamp(e.group(1))
        if when is None:
            malformed.append(line[:200])
            continue
        newest = when if newest is None or when > newest else newest
        if not start <= when < end:
            continue
        name = f"{e.group(1)}.export.CSV.zip"
        files[name] = Remote("gdelt2", name, join(base, name), int(m.group(1)),
                             m.group(2).lower(), "15min", when.date(), when)
    return Listing(sorted(files.values(), key=lambda r: r.name), malformed, newest,
                   {k: v for k, v in gkg.items() if k in files})


def earliest_stamp(text: str) -> datetime | None:
    """Return the earliest export publication time named in master-list text."""
    stamps = [s for s in (_stamp(m.group(1)) for m in _STAMP.finditer(text)) if s is not None]
    return min(stamps) if stamps else None


def newest_stamp(lastupdate: str) -> datetime | None:
    """Return the publication time of the newest export named in ``lastupdate.txt``."""
    m = _STAMP.search(lastupdate)
    return _stamp(m.group(1)) if m else None


def expected_slots(start: datetime, end: datetime) -> list[datetime]:
    """Return the 15-minute publication times in ``[start, end)``."""
    first = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    if first < start:
        first += timedelta(minutes=15)
    out = []
    t = first
    while t < end:
        out.append(t)
        t += timedelta(minutes=15)
    return out


def _covers(name: str) -> tuple[str, date, date] | None:
    """Return a 1.0 file's period and the days it covers (first, last)."""
    if m := _YEAR.match(name):
        y = int(m.group(1))
        return "year", date(y, 1, 1), date(y, 12, 31)
    if m := _MONTH.match(name):
        y, mo = int(m.group(1)[:4]), int(m.group(1)[4:])
        if not 1 <= mo <= 12:
            return None
        nxt = date(y + mo // 12, mo % 12 + 1, 1)
        return "month", date(y, mo, 1), nxt - timedelta(days=1)
    if m := _DAY.match(name):
        try:
            d = datetime.strptime(m.group(1), "%Y%m%d").date()
        except ValueError:
            return None
        return "day", d, d
    return None


def parse_gdelt1_lists(md5sums: str, filesizes: str, base: str) -> tuple[dict[str, Remote], list[str]]:
    """Return every 1.0 event file the two lists name, and their malformed lines."""
    md5: dict[str, str] = {}
    sizes: dict[str, int] = {}
    malformed: list[str] = []
    for line in md5sums.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) == 2 and re.fullmatch(r"[0-9a-fA-F]{32}", parts[0]):
            md5[parts[1].lstrip("*")] = parts[0].lower()
        elif _names_event_file(line):
            malformed.append(line.strip()[:200])
    for line in filesizes.splitlines():
        parts = line.split()
        if not parts:
            continue
        if len(parts) == 2 and parts[0].isdigit():
            sizes[parts[1]] = int(parts[0])
        elif _names_event_file(line):
            malformed.append(line.strip()[:200])
    out: dict[str, Remote] = {}
    for name in sorted(set(md5) | set(sizes)):
        cov = _covers(name)
        if cov is None:
            continue  # documentation, reduced sets, other products
        period, first, _ = cov
        out[name] = Remote("gdelt1", name, join(base, name), sizes.get(name), md5.get(name),
                           period, first)
    return out, malformed


def _names_event_file(line: str) -> bool:
    return any(_covers(tok.lstrip('*')) is not None for tok in line.split())


def gdelt1_in_range(listed: dict[str, Remote], since: date, until: date
                    ) -> tuple[list[Remote], list[tuple[str, str, date]]]:
    """Return the listed 1.0 files overlapping ``[since, until]`` and the expected ones
    not listed (``(name, period, first day)``), up to the newest day listed."""
    files = []
    for r in listed.values():
        cov = _covers(r.name)
        assert cov is not None
        if cov[1] <= until and cov[2] >= since:
            files.append(r)
    days = [r.day for r in listed.values() if r.period == "day"]
    newest = max(days) if days else None
    expected: list[tuple[str, str, date]] = []
    for y in range(max(since.year, 1979), min(until.year, 2005) + 1):
        expected.append((f"{y}.zip", "year", date(y, 1, 1)))
    d = date(max(since.year, 2006), 1, 1)
    while d <= min(until, date(2013, 3, 31)):
        if date(d.year + d.month // 12, d.month % 12 + 1, 1) > since:
            expected.append((f"{d:%Y%m}.zip", "month", d))
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    d = max(since, date(2013, 4, 1))
    while newest is not None and d <= min(until, newest):
        expected.append((f"{d:%Y%m%d}.export.CSV.zip", "day", d))
        d += timedelta(days=1)
    missing = [e for e in expected if e[0] not in listed]
    return sorted(files, key=lambda r: r.day), missing
