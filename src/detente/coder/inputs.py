"""Read documents to code: plain text, JSON lines and RSS/Atom feeds.

Every reader yields :class:`Document` objects and counts what it had to skip
(empty, binary, too large, undecodable, no date) instead of failing: one bad
file or line never stops a run.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

__all__ = ["MAX_FILE_BYTES", "Document", "decode", "read_documents", "read_path", "sniff_format"]

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_LINE_CHARS = 2 * 1024 * 1024
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")
_DATE_LINE = re.compile(r"^\s*date\s*:\s*(\d{4}-\d{2}-\d{2})\s*$", re.I | re.M)
_TAG = re.compile(r"<[^>]{0,2000}>")


@dataclass(frozen=True, slots=True)
class Document:
    """One document: its id, date, text and (optional) address."""

    id: str
    date: dt.date | None
    text: str
    url: str | None = None


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Decode bytes as text; return (text, note) or (None, reason skipped).

    UTF-8 (with or without a byte-order mark) and UTF-16 with a mark are read
    as such; other bytes fall back to Windows-1252, noted. NUL bytes in a file
    without a UTF-16 mark mean binary.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, "undecodable UTF-16"
    if b"\x00" in data[:65536]:
        return None, "binary"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1252", errors="replace")
    if text.count("\ufffd") > max(10, len(text) // 100):
        return None, "undecodable text"
    return text, "decoded as Windows-1252"


def _parse_date(value: object) -> dt.date | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def sniff_format(text: str) -> str:
    """Return ``jsonl``, ``feed`` or ``text`` from a document's first characters."""
    head = text.lstrip()[:512]
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("<") and re.search(r"<(rss|feed|rdf:RDF)\b", text[:4096]):
        return "feed"
    return "text"


def read_path(
    path: Path, skipped: Counter[str], default_date: dt.date | None = None, fmt: str | None = None
) -> Iterator[Document]:
    """Yield the documents of one file, counting what is skipped in ``skipped``."""
    try:
        size = path.stat().st_size
    except OSError:
        skipped["file unreadable"] += 1
        return
    if size == 0:
        skipped["empty file"] += 1
        return
    if size > MAX_FILE_BYTES:
        skipped[f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"] += 1
        return
    try:
        data = path.read_bytes()
    except OSError:
        skipped["file unreadable"] += 1
        return
    yield from read_bytes(data, path.name, skipped, default_date, fmt)


def read_bytes(
    data: bytes, name: str, skipped: Counter[str], default_date: dt.date | None = None, fmt: str | None = None
) -> Iterator[Document]:
    """Yield the documents in ``data`` (a file's content named ``name``)."""
    text, note = decode(data)
    if text is None:
        skipped[f"{note} file"] += 1
        return
    if note:
        skipped[note + " (read anyway)"] += 1
    if not text.strip():
        skipped["empty file"] += 1
        return
    kind = fmt or sniff_format(text)
    if kind == "jsonl":
        yield from _jsonl(text, name, skipped, default_date)
    elif kind == "feed":
        yield from _feed(text, name, skipped, default_date)
    else:
        day = default_date
        m = _DATE_LINE.search(text[:2000])
        if m:
            day = _parse_date(m.group(1))
            text = text[: m.start()] + text[m.end() :]
        elif (n := _DATE_IN_NAME.search(name)) is not None:
            day = _parse_date(n.group(1)) or day
        yield Document(Path(name).stem or name, day, text)


def _jsonl(text: str, name: str, skipped: Counter[str], default_date: dt.date | None) -> Iterator[Document]:
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if len(line) > MAX_LINE_CHARS:
            skipped["JSON line too long"] += 1
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):  # nested too deep is not a document either
            skipped["JSON line not valid"] += 1
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            skipped["JSON line without a text"] += 1
            continue
        doc_id = str(obj.get("id") or f"{Path(name).stem}:{lineno}")
        url = obj.get("url")
        yield Document(
            doc_id, _parse_date(obj.get("date")) or default_date, obj["text"], str(url) if url else None
        )


def _plain(fragment: str | None) -> str:
    if not fragment:
        return ""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", fragment))).strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _HasDTD(Exception):
    """A document declares a DOCTYPE or an entity."""


def _has_dtd(*_: object) -> None:
    raise _HasDTD


def _refuse_dtd(text: str) -> None:
    """Parse ``text`` with expat, stopping at the start of any DOCTYPE or entity declaration.

    Raises:
        _HasDTD: the document declares a DOCTYPE or an entity, wherever it stands.
        expat.ExpatError: the document is not well-formed XML.
    """
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _has_dtd
    parser.EntityDeclHandler = _has_dtd
    parser.Parse(text, True)


def _feed(text: str, name: str, skipped: Counter[str], default_date: dt.date | None) -> Iterator[Document]:
    # the standard parser expands internal entities; a feed has no need of a DTD, so refuse one
    # wherever it stands (a first pass stops at its start, before anything is expanded)
    try:
        _refuse_dtd(text)
        root = ET.fromstring(text)
    except _HasDTD:
        skipped["feed with a DOCTYPE or ENTITY (refused)"] += 1
        return
    except (ET.ParseError, expat.ExpatError):
        skipped["feed not well-formed XML"] += 1
        return
    for n, item in enumerate(e for e in root.iter() if _local(e.tag) in ("item", "entry")):
        fields: dict[str, str] = {}
        link = None
        for child in item:
            tag = _local(child.tag)
            if tag == "link":
                link = child.get("href") or (child.text or "").strip() or link
            elif tag not in fields:
                fields[tag] = "".join(child.itertext())
        title = _plain(fields.get("title"))
        body = _plain(
            fields.get("description")
            or fields.get("summary")
            or fields.get("content")
            or fields.get("encoded")
        )
        content = ". ".join(p for p in (title.rstrip("."), body) if p)
        if not content:
            skipped["feed item without text"] += 1
            continue
        day = (
            _parse_date(
                fields.get("pubDate")
                or fields.get("published")
                or fields.get("updated")
                or fields.get("date")
            )
            or default_date
        )
        doc_id = (fields.get("guid") or fields.get("id") or link or f"{Path(name).stem}:{n + 1}").strip()
        yield Document(doc_id, day, content, link)


def read_documents(
    paths: list[Path], skipped: Counter[str], default_date: dt.date | None = None, fmt: str | None = None
) -> Iterator[Document]:
    """Yield the documents of every file in ``paths`` in order."""
    for p in paths:
        yield from read_path(p, skipped, default_date, fmt)
