"""How many events have an issue area that cannot be told (:data:`~detente.query.metrics.UNTAGGED_RULE`).

One selection at a time (:func:`untagged`, the brief's note on an empty issue), or many
at once (:func:`untagged_many`, a playbook's windows). For many, the events any of them
may count are read once, with a test DuckDB evaluates quickly (the countries of the
selections' pairs, their datasets and their span of days, written in as constants so
that the row groups outside are skipped), and summed into groups by the columns the
selections test and the parts of the rule: whether the event has no issue area, no text
to read, and which of the issue areas asked about it carries (as bits,
:func:`~detente.query._sql.area_bits`). Each selection's counts are then sums over
those groups (a few rows per day), not a test of every event per selection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.query._sql import area_bits, area_bits_sql, bind, literal, where
from detente.query.metrics import (
    UNTAGGED_NONE,
    UNTAGGED_TEXTLESS,
    carries_sql,
    untagged_of,
    untagged_sql,
)

if TYPE_CHECKING:
    from detente.query._layer import Queries
    from detente.query.types import Selection

__all__ = ["untagged", "untagged_many"]

_KEYS = ("source_country", "target_country", "date", "dataset")
"""The columns every selection of :func:`untagged_many` may test."""

_MORE = {"codes": ("event_code",), "roots": ("event_root",), "quad_classes": ("quad_class",),
         "root_only": ("is_root",), "min_sources": ("num_sources",)}
"""The columns a selection's other conditions test, by condition."""


def untagged(q: Queries, sel: Selection, issue: str | None = None) -> tuple[int, int]:
    """Return how many of the events ``sel`` selects, whatever their issue area, cannot be
    told to belong to ``issue`` (any issue area, without one), and how many there are."""
    rel, clause, params = q._where(sel.narrowed(issue_areas=()))
    rows = q._rows(f"SELECT count(*) FILTER (WHERE {untagged_sql(issue)}), "
                   f"count(*) FROM {rel} WHERE {clause}", params)
    return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)


def untagged_many(q: Queries, asked: list[tuple[Selection, tuple[str, ...]]]
                  ) -> dict[tuple[Selection, tuple[str, ...]], tuple[int, int]]:
    """For each ``(selection, issues)``: how many of the selected events (their own issue
    areas ignored) cannot be told to belong to any of ``issues``, and how many there are;
    all in one query."""
    todo = list(dict.fromkeys(asked))
    if not todo:
        return {}
    sels = [s.narrowed(issue_areas=()) for s, _ in todo]
    bits = area_bits(i for _, issues in todo for i in issues)
    if bits is None or any(s.search for s in sels):  # each selection tests the events
        source = _candidates(sels, None)
        parts = (UNTAGGED_NONE, UNTAGGED_TEXTLESS)
        count = "count(*)"
    else:
        source = _candidates(sels, bits)
        parts = ("none", "textless")
        count = "sum(n)"
    cols, bases = [], []
    for sel, (_, issues) in zip(sels, todo, strict=True):
        clause, params = where(sel)
        base = bind(clause, params)
        bases.append(f"({base})")
        if not issues:
            carries = None
        elif bits is not None and parts[0] == "none":
            carries = f"(areas & {sum(bits[i] for i in set(issues))}) <> 0"
        else:
            carries = carries_sql(issues)
        cannot = untagged_of(*parts, carries)
        cols.append(f"{count} FILTER (WHERE ({base}) AND {cannot}), {count} FILTER (WHERE {base})")
    rows = q._rows(f"{source} SELECT {', '.join(cols)} FROM e WHERE {' OR '.join(bases)}")
    got = rows[0] if rows else (0,) * (2 * len(todo))
    return {key: (int(got[2 * i] or 0), int(got[2 * i + 1] or 0)) for i, key in enumerate(todo)}


def _candidates(sels: list[Selection], bits: dict[str, int] | None) -> str:
    """Return a ``WITH e AS ...`` clause: the events :func:`untagged_many` may count, with
    ``bits`` summed into groups (``n`` events each) by the columns the selections test,
    whether they have no issue area (``none``), no text to read (``textless``) and their
    issue areas among ``bits`` (``areas``); without ``bits``, the events themselves."""
    if bits is None:
        cols = ("source_country", "target_country", "date", "issue_areas", "event_code",
                "event_root", "quad_class", "dataset", "is_root", "num_sources", "text", "url",
                "source_name", "target_name")
        head = f"WITH e AS MATERIALIZED (SELECT {', '.join(cols)} FROM events"
    else:
        keys = list(_KEYS)
        for name, more in _MORE.items():
            if any(getattr(s, name) not in (None, (), False) for s in sels):
                keys += more
        head = (f"WITH e AS MATERIALIZED (SELECT {', '.join(keys)}, {UNTAGGED_NONE} AS none, "
                f"{UNTAGGED_TEXTLESS} AS textless, {area_bits_sql(bits)} AS areas, "
                "count(*) AS n FROM events")
    tail = ")" if bits is None else " GROUP BY ALL)"
    pairs = [s.pair for s in sels]
    clauses: list[str] = []
    if all(p is not None for p in pairs) and not any(s.search for s in sels):
        countries = sorted({c for p in pairs if p is not None for c in p})
        listed = ", ".join(literal(c) for c in countries)
        clauses += [f"source_country IN ({listed})", f"target_country IN ({listed})"]
    if all(s.datasets for s in sels):
        datasets = sorted({d for s in sels for d in s.datasets})
        clauses.append(f"dataset IN ({', '.join(literal(d) for d in datasets)})")
    if all(s.since for s in sels):
        clauses.append(f"date >= {literal(min(s.since for s in sels if s.since))}")
    if all(s.until for s in sels):
        clauses.append(f"date <= {literal(max(s.until for s in sels if s.until))}")
    return head + (f" WHERE {' AND '.join(clauses)}" if clauses else "") + tail
