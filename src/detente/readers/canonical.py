"""The project's own formats: canonical CSV, canonical JSON lines, and the
curated chronology CSV.

Canonical files carry the canonical columns under their canonical names (any
subset with at least ``event_id``, ``date`` and an event code or PLOVER type);
``issue_areas`` is ``;``-separated in CSV and a list in JSON. What ``detente
export`` writes, these readers read back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from typing import ClassVar

from detente.errors import InputFileError
from detente.readers._base import BATCH_DIGITS, Reader, line_scan, sql_str
from detente.readers._fields import RAW_FIELDS, named_select
from detente.readers._source import SourceFile

__all__ = ["CanonicalCsvReader", "CanonicalJsonlReader", "ChronologyReader"]

# fields a canonical file may state as empty on purpose (else derived from the actor code)
_DERIVABLE = ("source_country", "target_country", "source_role", "target_role")

CHRONOLOGY_COLUMNS = (
    "id",
    "date",
    "source_actor",
    "target_actor",
    "event_code",
    "issue_areas",
    "description",
    "citation_issuer",
    "citation_title",
    "citation_date",
    "citation_url",
)


def _csv_header(src: SourceFile) -> list[str]:
    if not src.head:
        return []
    try:
        return [h.strip() for h in next(csv.reader(io.StringIO(src.head[0])))]
    except (csv.Error, StopIteration):
        return []


def _csv_scan(src: SourceFile, header: list[str], rejects: str) -> str:
    columns = "{" + ", ".join(f"{sql_str(f'c{i}')}: 'VARCHAR'" for i in range(len(header))) + "}"
    # a lone carriage return is read from the copy where a stand-in replaces it (see
    # _source), and turned back into one here
    cols = ", ".join(f"replace(c{i}, {sql_str(src.cr_standin)}, chr(13)) AS c{i}"
                     for i in range(len(header))) if src.cr_standin else "* EXCLUDE (filename)"
    # the file: one, or for a batch (SourceFile.batch) the links to several alike, each
    # row with the position of its own (_src)
    if src.batch:
        files = "[" + ", ".join(sql_str(str(p)) for p in src.batch) + "]"
        origin = f"CAST(right(filename, {BATCH_DIGITS}) AS INTEGER)"
    else:
        files, origin = sql_str(str(src.scan_path)), "0"
    return (
        f"(SELECT {cols}, {origin} AS _src FROM read_csv("
        f"{files}, filename=true, columns={columns}, delim=',', quote='\"', escape='\"', "
        f"header=false, skip={src.leading_empty + 1}, auto_detect=false, strict_mode=true, "
        "null_padding=false, "
        f"ignore_errors=true, store_rejects=true, rejects_table={sql_str(rejects)}, "
        f"rejects_scan={sql_str(rejects + '_scan')}, compression={sql_str(src.scan_compression)}))"
    )


def _raw_row(header: list[str]) -> tuple[str, list[str]]:
    """Return the SQL rebuilding a row's line from its columns, and those columns."""
    cols = [f"c{i}" for i in range(len(header))]
    return "concat_ws(',', " + ", ".join(f"coalesce({c}, '')" for c in cols) + ")", cols


class CanonicalCsvReader(Reader):
    """Canonical CSV: a header of canonical column names."""

    name: ClassVar[str] = "canonical-csv"
    dataset: ClassVar[str] = "canonical"
    summary: ClassVar[str] = "detente canonical CSV (header of canonical column names)"

    def sniff(self, src: SourceFile) -> float:
        """Return 1 for a CSV header with event_id and date."""
        header = set(_csv_header(src))
        return 1.0 if {"event_id", "date"} <= header and len(header) > 2 else 0.0

    def header_lines(self, src: SourceFile) -> int:
        """Return the header's line number (after any empty lines)."""
        return src.leading_empty + 1

    def batch_key(self, src: SourceFile) -> tuple[object, ...] | None:
        """Return the header and line layout: files alike in both are read together."""
        return (self.name, tuple(_csv_header(src)), src.leading_empty, src.scan_compression,
                src.cr_standin)

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading a canonical CSV file."""
        header = _csv_header(src)
        fields = {h: f"c{i}" for i, h in enumerate(header) if h in RAW_FIELDS}
        # a column the file has is authoritative, even where it is empty
        present = {h: "true" for h in _DERIVABLE if h in fields}
        return named_select(src, fields, _csv_scan(src, header, rejects), dataset="canonical",
                            present=present, src_column="_src", raw_text=_raw_row(header))


class ChronologyReader(Reader):
    """The curated chronology's CSV (one cited, hand-checked event per row)."""

    name: ClassVar[str] = "chronology"
    dataset: ClassVar[str] = "curated"
    summary: ClassVar[str] = "curated chronology CSV (id, date, actors, code, citation)"

    def sniff(self, src: SourceFile) -> float:
        """Return 1 for the chronology's header."""
        return 1.0 if tuple(_csv_header(src)) == CHRONOLOGY_COLUMNS else 0.0

    def header_lines(self, src: SourceFile) -> int:
        """Return the header's line number (after any empty lines)."""
        return src.leading_empty + 1

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading a chronology CSV file."""
        header = _csv_header(src)
        if tuple(header) != CHRONOLOGY_COLUMNS:
            raise InputFileError(src.path, "chronology header must be: " + ",".join(CHRONOLOGY_COLUMNS))
        pos = {h: f"c{i}" for i, h in enumerate(header)}
        fields = {
            "event_id": pos["id"],
            "date": pos["date"],
            "source_actor": pos["source_actor"],
            "target_actor": pos["target_actor"],
            "event_code": pos["event_code"],
            "issue_areas": pos["issue_areas"],
            "text": pos["description"],
            "citation_issuer": pos["citation_issuer"],
            "citation_title": pos["citation_title"],
            "citation_date": pos["citation_date"],
            "citation_url": pos["citation_url"],
        }
        return named_select(src, fields, _csv_scan(src, header, rejects), dataset="curated",
                            id_prefix="curated", raw_text=_raw_row(header))


def _first_json(src: SourceFile) -> dict[str, object] | None:
    for line in src.head[:5]:
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):  # deep nesting is not a record either
            return None
        if isinstance(obj, dict):
            return obj
    return None


class CanonicalJsonlReader(Reader):
    """Canonical JSON lines: one object per line with canonical keys."""

    name: ClassVar[str] = "canonical-jsonl"
    dataset: ClassVar[str] = "canonical"
    summary: ClassVar[str] = "detente canonical JSON lines (objects with canonical keys)"

    def sniff(self, src: SourceFile) -> float:
        """Return 1 for JSON objects with event_id and date."""
        obj = _first_json(src)
        return 1.0 if obj is not None and {"event_id", "date"} <= set(obj) else 0.0

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading canonical JSON lines."""
        fields = {
            name: f"CASE WHEN json_valid(_raw) THEN json_extract_string(_raw, {sql_str('$.' + name)}) END"
            for name in RAW_FIELDS
            if name != "issue_areas"
        }
        fields["issue_areas"] = "LIST:CASE WHEN json_valid(_raw) THEN " \
            "json_extract_string(_raw, '$.issue_areas[*]') END"
        present = {
            name: f"(json_valid(_raw) AND json_exists(_raw, {sql_str('$.' + name)}))"
            for name in _DERIVABLE
        }
        pre = ("CASE WHEN NOT json_valid(_raw) THEN 'not valid JSON' "
               "WHEN json_type(_raw) <> 'OBJECT' THEN 'not a JSON object' END")
        return named_select(src, fields, line_scan(src, rejects), dataset="canonical",
                            pre_error=pre, present=present)
