"""A :class:`~detente.query.types.Selection` as SQL: the one place where a selection
becomes a ``WHERE`` clause (values bound as parameters, never pasted)."""

from __future__ import annotations

from detente.query.types import Selection

__all__ = ["DYAD_SQL", "MAX_AREA_BITS", "area_bits", "area_bits_sql", "where"]

DYAD_SQL = ("((source_country = ? AND target_country = ?) OR "
            "(source_country = ? AND target_country = ?))")
"""Both directions between two countries; parameters ``a, b, b, a``."""


MAX_AREA_BITS = 62
"""Most issue areas one query tests as bits (:func:`area_bits`): a BIGINT holds them."""


def area_bits(areas: object) -> dict[str, int] | None:
    """Return each of ``areas`` (an iterable of issue areas) with a bit of its own, by
    name; ``None`` when there are more than :data:`MAX_AREA_BITS`."""
    names = sorted(set(areas))  # type: ignore[call-overload]
    return {a: 1 << i for i, a in enumerate(names)} if len(names) <= MAX_AREA_BITS else None


def area_bits_sql(bits: dict[str, int]) -> str:
    """Return the DuckDB expression of an event's issue areas among ``bits`` as one
    BIGINT: the bits of those it carries (0 for none of them)."""
    if not bits:
        return "0::BIGINT"
    return "(" + " + ".join(f"CASE WHEN list_contains(issue_areas, {literal(a)}) THEN {b} ELSE 0 END"
                            for a, b in bits.items()) + ")::BIGINT"


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


def literal(value: object) -> str:
    """Return ``value`` as a DuckDB SQL literal: strings quoted (quotes doubled; no escape
    sequence exists in a standard string), dates as ``DATE '…'``, numbers as numbers, lists
    as typed lists. Values of any other type are refused, so nothing but data gets in.

    Raises:
        QueryError: a value of another type, or a string holding a NUL character.
    """
    from datetime import date, datetime

    from detente.errors import QueryError

    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return f"'{value}'::DOUBLE"
        return repr(float(value))
    if isinstance(value, datetime):
        raise QueryError(f"a time {value!r} where a date is expected")
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        if "\x00" in value:
            raise QueryError("a value holds a NUL character")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | tuple):
        items = list(value)
        if all(isinstance(v, str) for v in items):
            return "[" + ", ".join(literal(v) for v in items) + "]::VARCHAR[]"
        if all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            return "[" + ", ".join(literal(v) for v in items) + "]::BIGINT[]"
        if all(isinstance(v, date) for v in items):
            return "[" + ", ".join(literal(v) for v in items) + "]::DATE[]"
    raise QueryError(f"cannot use {type(value).__name__} {value!r} in a query")


def bind(sql: str, params: list[object] | tuple[object, ...] | dict[str, object] | None) -> str:
    """Return ``sql`` with its parameters (``?`` in order, or ``$name``) written in as
    :func:`literal` values. Placeholders inside quoted strings or names are left alone.

    The store's queries are bound here rather than by the DuckDB client, whose binding of
    any Python value imports pandas (half a second for a short command) and plans the
    query before knowing the values.
    """
    if not params:
        return sql
    out: list[str] = []
    positional = iter(params) if not isinstance(params, dict) else None
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1])
            i = j + 1
            continue
        if ch == "?" and positional is not None:
            try:
                out.append(literal(next(positional)))
            except StopIteration:
                raise ValueError("fewer parameters than placeholders") from None
            i += 1
            continue
        if ch == "$" and isinstance(params, dict):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            name = sql[i + 1:j]
            if name in params:
                out.append(literal(params[name]))
                i = j
                continue
        out.append(ch)
        i += 1
    if positional is not None and next(positional, _END) is not _END:
        raise ValueError("more parameters than placeholders")
    return "".join(out)


_END = object()
