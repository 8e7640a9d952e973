"""A :class:`~detente.query.types.Selection` as SQL: the one place where a selection
becomes a ``WHERE`` clause (values bound as parameters, never pasted)."""

from __future__ import annotations

from detente.query.types import Selection

__all__ = ["DYAD_SQL", "where"]

DYAD_SQL = ("((source_country = ? AND target_country = ?) OR "
            "(source_country = ? AND target_country = ?))")
"""Both directions between two countries; parameters ``a, b, b, a``."""


def where(sel: Selection, *, skip_dyad: bool = False) -> tuple[str, list[object]]:
    """Return ``sel``'s SQL condition (``true`` when it selects everything) and its
    parameters. ``skip_dyad``: the rows read hold the dyad's events only (a copy of
    them), so its test is left out."""
    clauses: list[str] = []
    params: list[object] = []
    if sel.dyad and not skip_dyad:
        a, b = sel.dyad
        clauses.append(DYAD_SQL)
        params += [a, b, b, a]
    if sel.source:
        clauses.append("source_country = ?")
        params.append(sel.source)
    if sel.target:
        clauses.append("target_country = ?")
        params.append(sel.target)
    if sel.since:
        clauses.append("date >= ?")
        params.append(sel.since)
    if sel.until:
        clauses.append("date <= ?")
        params.append(sel.until)
    if sel.issue_areas:
        clauses.append("len(list_intersect(issue_areas, ?::VARCHAR[])) > 0")
        params.append(list(sel.issue_areas))
    if sel.codes:
        clauses.append("(" + " OR ".join("starts_with(event_code, ?)" for _ in sel.codes) + ")")
        params += list(sel.codes)
    if sel.roots:
        clauses.append("event_root IN (" + ", ".join("?" for _ in sel.roots) + ")")
        params += [r.zfill(2) for r in sel.roots]
    if sel.quad_classes:
        clauses.append("quad_class IN (" + ", ".join("?" for _ in sel.quad_classes) + ")")
        params += list(sel.quad_classes)
    if sel.datasets:
        clauses.append("dataset IN (" + ", ".join("?" for _ in sel.datasets) + ")")
        params += list(sel.datasets)
    if sel.root_only:
        clauses.append("coalesce(is_root, true)")
    if sel.min_sources is not None:
        clauses.append("coalesce(num_sources, 1) >= ?")
        params.append(sel.min_sources)
    if sel.search:
        clauses.append("contains(lower(concat_ws(' ', text, url, source_name, target_name)), ?)")
        params.append(sel.search.lower())
    return (" AND ".join(clauses) or "true"), params
