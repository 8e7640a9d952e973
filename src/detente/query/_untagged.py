"""How many events have an issue area that cannot be told (:data:`~detente.query.metrics.UNTAGGED_RULE`).

One selection at a time (:func:`untagged`, the brief's note on an empty issue), or many
at once (:func:`untagged_many`, a playbook's windows): the events any of them may count
are read first, with a test DuckDB evaluates quickly (the countries of the selections'
pairs and their span of days), and each selection's own test then runs on those rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.query._sql import bind, literal, where
from detente.query.metrics import untagged_sql

if TYPE_CHECKING:
    from detente.query._layer import Queries
    from detente.query.types import Selection

__all__ = ["untagged", "untagged_many"]

_COLUMNS = ("source_country", "target_country", "date", "issue_areas", "event_code",
            "event_root", "quad_class", "dataset", "is_root", "num_sources")
"""The columns a selection's test reads (besides text and URL)."""


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
    cols, bases = [], []
    for sel, issues in todo:
        clause, params = where(sel.narrowed(issue_areas=()))
        base = bind(clause, params)
        bases.append(f"({base})")
        if len(issues) == 1:
            cannot = untagged_sql(issues[0])
        else:
            known = ", ".join("'" + i.replace("'", "''") + "'" for i in issues)
            cannot = (f"(coalesce(len(issue_areas), 0) = 0 OR (coalesce(text, '') = '' AND "
                      f"coalesce(url, '') = '' AND NOT coalesce(list_has_any(issue_areas, "
                      f"[{known}]::VARCHAR[]), false)))")
        cols.append(f"count(*) FILTER (WHERE ({base}) AND {cannot}), "
                    f"count(*) FILTER (WHERE {base})")
    # the rows of any window first (one scan), then each window's counts over those
    rows = q._rows(f"{_candidates([s for s, _ in todo])} SELECT {', '.join(cols)} "
                   f"FROM e WHERE {' OR '.join(bases)}")
    got = rows[0] if rows else (0,) * (2 * len(todo))
    return {key: (int(got[2 * i] or 0), int(got[2 * i + 1] or 0)) for i, key in enumerate(todo)}


def _candidates(sels: list[Selection]) -> str:
    """Return a ``WITH e AS ...`` clause: the events :func:`untagged_many` may count. Text
    and URL are carried as whether they are empty only (all the untagged rule asks of them)."""
    empty = "CASE WHEN coalesce({0}, '') = '' THEN '' ELSE '.' END AS {0}"
    head = (f"WITH e AS MATERIALIZED (SELECT {', '.join(_COLUMNS)}, {empty.format('text')}, "
            f"{empty.format('url')} FROM events")
    pairs = [s.pair for s in sels]
    if any(p is None for p in pairs) or any(s.search for s in sels):
        return head + ")"
    countries = sorted({c for p in pairs if p is not None for c in p})
    listed = ", ".join(literal(c) for c in countries)
    clauses = [f"source_country IN ({listed})", f"target_country IN ({listed})"]
    if all(s.since for s in sels):
        clauses.append(f"date >= {literal(min(s.since for s in sels if s.since))}")
    if all(s.until for s in sels):
        clauses.append(f"date <= {literal(max(s.until for s in sels if s.until))}")
    return f"{head} WHERE {' AND '.join(clauses)})"
