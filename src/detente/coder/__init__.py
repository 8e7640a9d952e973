"""The text coder: English news sentences into CAMEO events.

A rule coder of the project's own: an actor dictionary (countries, their
adjectives and capitals, institutions, dated leaders and ministers,
international organisations), verb patterns for all 20 CAMEO roots, and shallow
grammar for voice, joint subjects, reported speech, negation and modality.
English only: other languages are detected and skipped, counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from detente.coder._scoring import GoldEvent, GoldSentence, Scores, evaluate, load_gold, match_events, score
from detente.coder.actors import ActorDictionary, ActorMention, load_actors
from detente.coder.coder import CodedEvent, Coder, CodingReport
from detente.coder.events import DATASET, canonical_rows, ingest_events, tag_rows, write_jsonl
from detente.coder.inputs import Document, read_bytes, read_documents
from detente.coder.patterns import PatternSet, load_patterns

__all__ = [
    "DATASET",
    "GOLD_PARTS",
    "ActorDictionary",
    "ActorMention",
    "CodedEvent",
    "Coder",
    "CodingReport",
    "Document",
    "GoldEvent",
    "GoldSentence",
    "PatternSet",
    "Scores",
    "canonical_rows",
    "code_documents",
    "evaluate",
    "gold_path",
    "ingest_events",
    "load_actors",
    "load_gold",
    "load_patterns",
    "match_events",
    "read_bytes",
    "read_documents",
    "score",
    "tag_rows",
    "write_jsonl",
]

GOLD_PARTS = ("dev", "test")


def gold_path(part: str) -> Path:
    """Return the packaged hand-coded sentences of ``part`` (``dev`` or ``test``)."""
    if part not in GOLD_PARTS:
        raise ValueError(f"unknown part {part!r}; known: {', '.join(GOLD_PARTS)}")
    return Path(str(resources.files("detente").joinpath(f"data/coder/{part}.jsonl")))


def code_documents(
    docs: Iterable[Document], coder: Coder | None = None, report: CodingReport | None = None, tag: bool = True
) -> list[dict[str, object]]:
    """Code documents into canonical rows, issue areas tagged by the default rules.

    Args:
        docs: the documents.
        coder: the coder (default: the packaged rules).
        report: filled with what was read, coded and skipped.
        tag: fill ``issue_areas`` (the store tags again at ingest either way).
    """
    c = coder or Coder()
    rows = canonical_rows(c.code_documents(docs, report))
    if tag:
        tag_rows(rows)
    return rows
