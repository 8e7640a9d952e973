"""The reader contract and the SQL pieces readers share.

A reader turns one input format into canonical rows. It does so as a single
DuckDB ``SELECT`` over the file, so that parsing runs in DuckDB's vectorised CSV
scanner, streams, and can be inserted straight into the store in the same
transaction. Every reader's ``SELECT`` yields the canonical columns (without
``issue_areas``, which the tagger adds) plus three private columns, in file order
(DuckDB preserves insertion order, so a row's position in the table it is
inserted into is its ordinal, and from that its line number):

``_raw``
    the row as read, kept for quarantine;
``_error``
    ``NULL`` for a good row, else why the row cannot be stored;
``_given_areas``
    issue areas the source itself assigns (curated and canonical files).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from detente.readers._source import SourceFile

__all__ = ["BATCH_DIGITS", "Reader", "line_scan", "sql_str"]

BATCH_DIGITS = 6
"""Digits of the names of a batch's links (its files' positions)."""


class Reader(ABC):
    """One input format.

    Attributes:
        name: the format's name, as given to ``--format``.
        dataset: the dataset its events belong to.
        summary: one line for ``detente formats``.
    """

    name: ClassVar[str]
    dataset: ClassVar[str]
    summary: ClassVar[str]

    @abstractmethod
    def sniff(self, src: SourceFile) -> float:
        """Return how sure (0..1) this reader is that it can read ``src``."""

    @abstractmethod
    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the ``SELECT`` that reads ``src`` into canonical rows.

        Args:
            src: the prepared file.
            rejects: name of the table in which DuckDB's scanner records lines
                it cannot read at all (bad encoding, stray delimiters).
        """

    def header_lines(self, src: SourceFile) -> int:
        """Return how many leading lines are a header, not data."""
        return 0

    def batch_key(self, src: SourceFile) -> tuple[object, ...] | None:
        """Return what files must share to be read by one scan, ``None`` if never.

        A reader that can read a batch passes ``_src`` (see :func:`line_scan`) through
        to its ``SELECT``; files with equal keys give the same SQL but for the paths.
        """
        return None


def sql_str(value: str) -> str:
    """Quote ``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def line_scan(src: SourceFile, rejects: str, *, skip: int = 0) -> str:
    """Return a subquery yielding ``_raw``: one row per non-empty line, in order.

    The file is read as a single text column (a delimiter that never occurs in
    text, no quoting), so DuckDB's parallel CSV scanner does the line splitting
    while every field split stays in SQL, where each line's field count can be
    checked on its own. A file with lone carriage returns is scanned from its copy
    in which a control character stands in for each (see :mod:`._source`).

    It also yields ``_src``: 0, or for a batch (:attr:`SourceFile.batch`, several files
    of one shape read by one scan, in order) the position of the row's file in it.
    """
    raw = f"replace(raw, {sql_str(src.cr_standin)}, chr(13))" if src.cr_standin else "raw"
    if src.batch:  # several files alike, each through a link named by its position
        files = "[" + ", ".join(sql_str(str(p)) for p in src.batch) + "]"
        origin, named = f"CAST(right(filename, {BATCH_DIGITS}) AS INTEGER)", "filename=true, "
    else:
        files, origin, named = sql_str(str(src.scan_path)), "0", ""
    return (
        f"(SELECT {raw} AS _raw, {origin} AS _src FROM read_csv("
        f"{files}, {named}columns={{'raw': 'VARCHAR'}}, delim='\\x1f', "
        "quote='', escape='', header=false, auto_detect=false, nullstr='\\x1e\\x1e', "
        f"strict_mode=false, ignore_errors=true, store_rejects=true, skip={skip}, "
        f"rejects_table={sql_str(rejects)}, rejects_scan={sql_str(rejects + '_scan')}, "
        f"compression={sql_str(src.scan_compression)}, max_line_size=4194304))"
    )
