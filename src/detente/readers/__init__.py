"""Readers: one per input format, found by name or detected from content.

Use :func:`detect` to pick a reader for a prepared file, :func:`get_reader` to
force one by name, and :func:`read_events` to turn a file into canonical Arrow
record batches without a store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from detente.errors import UnknownFormatError
from detente.readers._base import Reader
from detente.readers._source import SourceFile, open_source
from detente.readers.canonical import CanonicalCsvReader, CanonicalJsonlReader, ChronologyReader
from detente.readers.gdelt import Gdelt1Reader, Gdelt2Reader
from detente.readers.gdelt_header import GdeltHeader1Reader, GdeltHeader2Reader
from detente.readers.icews import IcewsReader
from detente.readers.plover import PloverJsonReader, PolecatReader
from detente.tagging import RuleSet

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "READERS",
    "QuarantinedRow",
    "ReadResult",
    "Reader",
    "SourceFile",
    "detect",
    "get_reader",
    "open_source",
    "read_events",
    "staged_sql",
]

READERS: dict[str, Reader] = {
    r.name: r
    for r in (
        Gdelt2Reader(),
        Gdelt1Reader(),
        GdeltHeader2Reader(),
        GdeltHeader1Reader(),
        IcewsReader(),
        PolecatReader(),
        PloverJsonReader(),
        ChronologyReader(),
        CanonicalCsvReader(),
        CanonicalJsonlReader(),
    )
}

def get_reader(name: str, path: str | Path | None = None) -> Reader:
    """Return the reader called ``name`` (``path``: the file it was asked for).

    Raises:
        UnknownFormatError: no reader has that name.
    """
    try:
        return READERS[name]
    except KeyError:
        known = ", ".join(READERS)
        raise UnknownFormatError(
            path if path is not None else "--format", f"unknown format {name!r}; known formats: {known}"
        ) from None


def detect(src: SourceFile) -> Reader:
    """Return the reader that recognises ``src``'s content best.

    Raises:
        UnknownFormatError: no reader recognises it.
    """
    scored = sorted(((r.sniff(src), i, r) for i, r in enumerate(READERS.values())),
                    key=lambda t: (-t[0], t[1]))
    score, _, best = scored[0]
    if score < 0.5:
        known = ", ".join(READERS)
        raise UnknownFormatError(
            src.path, f"format not recognised from its content (known: {known}; use --format)"
        )
    return best


@dataclass
class QuarantinedRow:
    """A row that could not be stored, and why."""

    line: int
    reason: str
    raw: str


@dataclass
class ReadResult:
    """What :func:`read_events` found in one file."""

    reader: str
    table: pa.Table
    quarantine: list[QuarantinedRow] = field(default_factory=list)


def staged_sql(reader: Reader, src: SourceFile, rejects: str, rules: RuleSet) -> str:
    """Return the reader's SELECT with ``issue_areas`` computed by ``rules``."""
    # keep the raw text only for rows that go to quarantine: good rows need none
    inner = (f"(SELECT * REPLACE (CASE WHEN _error IS NOT NULL THEN _raw END AS _raw) "
             f"FROM ({reader.select_sql(src, rejects)}))")
    return rules.tag_select(inner)


def line_number_sql(src: SourceFile, reader: Reader, skipped_table: str, ordinal: str) -> str:
    """SQL turning a row's ``ordinal`` (1-based, among rows read) into its line number."""
    return (
        f"({ordinal} + {reader.header_lines(src)} + "
        f"(SELECT count(*) FROM {skipped_table} s WHERE s.c < {ordinal}))"
    )


def read_events(path: str | Path, fmt: str | None = None) -> ReadResult:
    """Read a whole file into a canonical Arrow table (for small files and tests).

    Stores nothing; the file is read by the store's scanner on a connection of its own
    (:func:`detente.store.read_file`). For large files use
    :meth:`detente.store.Store.ingest_file`, which streams inside DuckDB.
    """
    from detente.store._reading import read_file

    return read_file(path, fmt)
