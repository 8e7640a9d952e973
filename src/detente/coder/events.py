"""Coded events as canonical rows: JSON lines out, issue areas, and into the store."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyarrow as pa

from detente.coder.actors import actor_country
from detente.coder.coder import CodedEvent
from detente.coder.syntax import UNKNOWN
from detente.ontology import event_code, plover_type_for_cameo, quad_class_for_root
from detente.schema import CANONICAL_SCHEMA
from detente.tagging import RuleSet, load_rules

if TYPE_CHECKING:
    from detente.store import FileReport, Store

__all__ = ["DATASET", "canonical_rows", "ingest_events", "tag_rows", "write_jsonl"]

DATASET = "coded"


def _role(code: str) -> str | None:
    if code.startswith("IGO"):
        return "IGO"
    return code[3:6] or None


def _country(code: str) -> str | None:
    # "---": an actor whose country the coder could not tell
    return None if code.startswith(UNKNOWN) else actor_country(code)


def _goldstein(code: str) -> float | None:
    # a code with no weight of its own takes its parent's
    for k in range(len(code), 1, -1):
        ec = event_code(code[:k])
        if ec is not None:
            return ec.goldstein
    return None


def canonical_row(ev: CodedEvent) -> dict[str, Any]:
    """Return one coded event as a dict of canonical columns (issue areas empty)."""
    return {
        "event_id": ev.event_id,
        "date": ev.date,
        "source_actor": ev.source,
        "target_actor": ev.target,
        "source_country": _country(ev.source),
        "target_country": _country(ev.target),
        "source_role": _role(ev.source),
        "target_role": _role(ev.target),
        "source_name": ev.source_name or None,
        "target_name": ev.target_name or None,
        "ontology": "cameo",
        "event_code": ev.code,
        "event_root": ev.code[:2],
        "plover_type": plover_type_for_cameo(ev.code),
        "quad_class": quad_class_for_root(ev.code[:2]),
        "goldstein": _goldstein(ev.code),
        "num_mentions": None,
        "num_sources": None,
        "num_articles": None,
        "avg_tone": None,
        "is_root": None,
        "issue_areas": [],
        "url": ev.url,
        "text": ev.sentence,
        "doc_id": ev.doc_id,
        "citation_issuer": None,
        "citation_title": None,
        "citation_date": None,
        "citation_url": None,
        "dataset": DATASET,
        "ingested_from": None,
    }


def canonical_rows(events: Iterable[CodedEvent]) -> list[dict[str, Any]]:
    """Return canonical rows for ``events``."""
    return [canonical_row(e) for e in events]


def tag_rows(rows: list[dict[str, Any]], rules: RuleSet | None = None) -> None:
    """Fill each row's ``issue_areas`` with the store's issue-area rules (in place),
    tagged exactly as at ingest (see :meth:`detente.tagging.RuleSet.tag_table`)."""
    if not rows:
        return
    table = pa.Table.from_pylist(rows, schema=CANONICAL_SCHEMA)
    for row, areas in zip(rows, (rules or load_rules()).tag_table(table), strict=True):
        row["issue_areas"] = areas


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def write_jsonl(rows: Iterable[dict[str, Any]], out: IO[str]) -> int:
    """Write rows as canonical JSON lines (no empty fields); return how many."""
    n = 0
    for row in rows:
        slim = {k: v for k, v in row.items() if v is not None and k != "ingested_from"}
        out.write(json.dumps(slim, default=_json_default, ensure_ascii=False) + "\n")
        n += 1
    return n


def ingest_events(store: Store, rows: list[dict[str, Any]], name: str = "coded.jsonl") -> FileReport:
    """Store coded rows through the canonical JSON-lines reader.

    The rows are written to a file named ``name`` in a temporary folder and
    ingested like any file, so provenance, duplicate handling and issue-area
    tagging are those of every other dataset; re-coding the same text stores
    nothing twice (event ids are content hashes).
    """
    with tempfile.TemporaryDirectory(prefix="detente-coded-") as tmp:
        path = Path(tmp) / name
        with path.open("w", encoding="utf-8") as fh:
            write_jsonl(rows, fh)
        return store.ingest_file(path, fmt="canonical-jsonl")
