"""Build the canonical SELECT from named raw fields.

The project's own formats (canonical CSV and JSON lines, the curated
chronology) and the PLOVER formats all name their fields, so one builder serves
them: each reader says which SQL expression yields each raw field as text, and
this module validates, types and derives the rest the same way for all.
"""

from __future__ import annotations

import re

from detente.readers._base import sql_str
from detente.readers._source import SourceFile

__all__ = ["RAW_FIELDS", "actor_country", "actor_role", "named_select", "trimmed_sql"]

_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def trimmed_sql(value: str) -> str:
    """SQL: ``nullif(trim(value), '')`` for a VARCHAR ``value`` (a column or a cheap
    expression: it is repeated), without trim's copy where nothing needs trimming.

    trim copies every value; most need nothing: one of ASCII only (as many bytes as
    characters), starting with a printable character and not ending with a space (the
    one ASCII character trim removes) is its own trimmed self, and not empty.
    """
    return (f"CASE WHEN ascii({value}) BETWEEN 33 AND 126 AND NOT ends_with({value}, ' ') "
            f"AND strlen({value}) = length({value}) THEN {value} ELSE nullif(trim({value}), '') END")
"""A field given as a plain column (cheap to name more than once in an expression)."""

# raw fields a named format may give; anything not given is NULL
RAW_FIELDS = (
    "event_id",
    "date",
    "source_actor",
    "target_actor",
    "source_country",
    "target_country",
    "source_role",
    "target_role",
    "source_name",
    "target_name",
    "ontology",
    "event_code",
    "plover_type",
    "quad_class",
    "goldstein",
    "num_mentions",
    "num_sources",
    "num_articles",
    "avg_tone",
    "is_root",
    "issue_areas",
    "url",
    "text",
    "doc_id",
    "publisher",
    "place",
    "place_country",
    "latitude",
    "longitude",
    "citation_issuer",
    "citation_title",
    "citation_date",
    "citation_url",
    "dataset",
)


def actor_country(actor: str) -> str:
    """SQL: the country (or, for IGOs, known group) of a CAMEO-style actor code."""
    return (
        f"CASE WHEN {actor} IS NULL THEN NULL "
        f"WHEN left({actor}, 3) = 'IGO' THEN nullif(right({actor}, 3), 'IGO') "
        f"WHEN detente_country_name(left({actor}, 3)) IS NOT NULL THEN left({actor}, 3) END"
    )


def actor_role(actor: str) -> str:
    """SQL: the role segment of a CAMEO-style actor code."""
    return (
        f"CASE WHEN {actor} IS NULL THEN NULL WHEN left({actor}, 3) = 'IGO' THEN 'IGO' "
        f"ELSE nullif(substr({actor}, 4, 3), '') END"
    )


def named_select(
    src: SourceFile,
    fields: dict[str, str],
    from_sql: str,
    *,
    dataset: str,
    id_prefix: str | None = None,
    pre_error: str | None = None,
    list_sep: str = ";",
    present: dict[str, str] | None = None,
    src_column: str = "0",
    raw_text: tuple[str, list[str]] | None = None,
) -> str:
    """Return a canonical SELECT over ``from_sql`` (which yields ``_raw``).

    Args:
        src: the prepared file.
        fields: raw field name -> SQL expression yielding text (or a list for
            ``issue_areas``); fields left out are NULL.
        from_sql: the relation to read, with ``_raw`` (rows in file order).
        dataset: dataset name when the row does not carry its own.
        id_prefix: prefix for ``event_id`` (``curated``); ``None`` keeps ids as given.
        pre_error: SQL yielding an error text before any field is checked
            (e.g. "not valid JSON"), or NULL.
        list_sep: separator of ``issue_areas`` when it arrives as text.
        present: raw field name -> SQL boolean telling whether the row states
            the field at all (even as empty); a stated empty country or role
            stays empty instead of being derived from the actor code. Fields
            in ``fields`` but not here count as stated when non-empty.
        src_column: SQL over ``from_sql`` of the position of a row's file in a batch
            (``_src``; see :func:`~detente.readers._base.line_scan`).
        raw_text: for a ``from_sql`` without ``_raw``, the SQL that rebuilds a row's text from
            its columns and the names of those columns; it is evaluated only for rows
            with an error (the only rows whose text is kept), not for every row.
    """
    stated = present or {}

    def derive(name: str, derived: str) -> str:
        if name in stated:
            return f"CASE WHEN {stated[name]} THEN r_{name} ELSE {derived} END"
        return f"coalesce(r_{name}, {derived})"

    def derived(side: str) -> str:
        # an actor's country is looked up only for a row that lacks its name or country
        country = actor_country(f"r_{side}_actor")
        stated_country = stated.get(f"{side}_country")
        if stated_country is None:
            return f"CASE WHEN r_{side}_name IS NULL OR r_{side}_country IS NULL THEN {country} END"
        if stated_country == "true":
            return f"CASE WHEN r_{side}_name IS NULL THEN {country} END"
        return country

    unknown = set(fields) - set(RAW_FIELDS)
    if unknown:
        raise ValueError(f"unknown raw fields: {sorted(unknown)}")

    def raw(name: str) -> str:
        if name not in fields:
            return "NULL::VARCHAR"
        value = f"CAST(({fields[name]}) AS VARCHAR)"
        trimmed = f"nullif(trim({value}), '')"
        if not _COLUMN.fullmatch(fields[name]):
            return trimmed
        return trimmed_sql(value)

    areas = fields.get("issue_areas")
    if areas is None:
        areas_sql = "[]::VARCHAR[]"
    elif areas.startswith("LIST:"):
        areas_sql = f"coalesce(list_filter(CAST({areas[5:]} AS VARCHAR[]), lambda x: x <> ''), [])"
    else:
        areas_sql = (
            f"coalesce(list_filter(list_transform(string_split({raw('issue_areas')}, "
            f"{sql_str(list_sep)}), lambda x: lower(trim(x))), lambda x: x <> ''), [])"
        )
    eid = f"{sql_str(id_prefix + ':')} || r_id" if id_prefix else "r_id"
    # the packaged chronology's events are replaced whole when it changes: no other file's
    # row may join them
    reserved = ("" if dataset == "curated" else "WHEN lower(r_dataset) = 'curated' THEN "
                "'dataset curated is reserved for the packaged chronology'")
    # the columns that carry a row's text up to where its error is known
    carried = ", ".join(raw_text[1]) if raw_text else "_raw"
    inner_cols = ",\n        ".join(f"{raw(n)} AS r_{n if n != 'event_id' else 'id'}"
                                    for n in RAW_FIELDS if n != "issue_areas")
    body = f"""
SELECT
    {"NULL::VARCHAR AS _raw, " + ", ".join(f"p.{c}" for c in raw_text[1]) if raw_text else "p._raw"},
    p._src,
    CASE
        WHEN p.pre_error IS NOT NULL THEN p.pre_error
        WHEN r_id IS NULL THEN 'event_id is empty'
        WHEN d IS NULL THEN 'date is not a valid date: ' || coalesce(r_date, '(empty)')
        WHEN r_event_code IS NOT NULL AND code_norm IS NULL
            THEN 'unknown CAMEO event code: ' || r_event_code
        WHEN r_plover_type IS NOT NULL AND plover_quad IS NULL
            THEN 'unknown PLOVER type: ' || r_plover_type
        WHEN r_event_code IS NULL AND r_plover_type IS NULL
            THEN 'neither an event code nor a PLOVER type'
        WHEN r_quad_class IS NOT NULL AND coalesce(TRY_CAST(r_quad_class AS TINYINT), 0) NOT BETWEEN 1 AND 4
            THEN 'quad_class is not 1..4: ' || r_quad_class
        WHEN r_goldstein IS NOT NULL AND coalesce(TRY_CAST(r_goldstein AS DOUBLE), 99) NOT BETWEEN -10 AND 10
            THEN 'goldstein is not a number in -10..10: ' || r_goldstein
        WHEN r_ontology IS NOT NULL AND r_ontology NOT IN ('cameo', 'plover')
            THEN 'ontology is not cameo or plover: ' || r_ontology
        WHEN r_citation_date IS NOT NULL AND TRY_CAST(r_citation_date AS DATE) IS NULL
            THEN 'citation_date is not a valid date: ' || r_citation_date
        WHEN exists_bad_area THEN 'issue_areas holds an empty or malformed tag'
        {reserved}
        WHEN r_latitude IS NOT NULL AND coalesce(TRY_CAST(r_latitude AS DOUBLE), 99) NOT BETWEEN -90 AND 90
            THEN 'latitude is not a number in -90..90: ' || r_latitude
        WHEN r_longitude IS NOT NULL
            AND coalesce(TRY_CAST(r_longitude AS DOUBLE), 999) NOT BETWEEN -180 AND 180
            THEN 'longitude is not a number in -180..180: ' || r_longitude
        WHEN (r_latitude IS NULL) <> (r_longitude IS NULL)
            THEN 'latitude and longitude come together: one is empty'
    END AS _error,
    {eid} AS event_id,
    d AS date,
    r_source_actor AS source_actor,
    r_target_actor AS target_actor,
    {derive("source_country", "s_derived")} AS source_country,
    {derive("target_country", "t_derived")} AS target_country,
    {derive("source_role", actor_role("r_source_actor"))} AS source_role,
    {derive("target_role", actor_role("r_target_actor"))} AS target_role,
    coalesce(r_source_name, CASE WHEN left(r_source_actor, 3) = 'IGO'
        THEN detente_group_name(s_derived) ELSE detente_country_name(s_derived) END) AS source_name,
    coalesce(r_target_name, CASE WHEN left(r_target_actor, 3) = 'IGO'
        THEN detente_group_name(t_derived) ELSE detente_country_name(t_derived) END) AS target_name,
    coalesce(r_ontology, CASE WHEN r_event_code IS NOT NULL THEN 'cameo' ELSE 'plover' END) AS ontology,
    code_norm AS event_code,
    left(code_norm, 2) AS event_root,
    coalesce(CASE WHEN plover_quad IS NOT NULL THEN upper(r_plover_type) END,
             detente_cameo_plover(code_norm)) AS plover_type,
    coalesce(TRY_CAST(r_quad_class AS TINYINT), detente_cameo_quad(code_norm),
             plover_quad)::TINYINT AS quad_class,
    coalesce(TRY_CAST(r_goldstein AS DOUBLE), detente_cameo_goldstein(code_norm)) AS goldstein,
    TRY_CAST(r_num_mentions AS INTEGER) AS num_mentions,
    TRY_CAST(r_num_sources AS INTEGER) AS num_sources,
    TRY_CAST(r_num_articles AS INTEGER) AS num_articles,
    TRY_CAST(r_avg_tone AS DOUBLE) AS avg_tone,
    TRY_CAST(r_is_root AS BOOLEAN) AS is_root,
    r_url AS url,
    r_text AS text,
    r_doc_id AS doc_id,
    r_publisher AS publisher,
    r_place AS place,
    upper(r_place_country) AS place_country,
    TRY_CAST(r_latitude AS DOUBLE) AS latitude,
    TRY_CAST(r_longitude AS DOUBLE) AS longitude,
    r_citation_issuer AS citation_issuer,
    r_citation_title AS citation_title,
    TRY_CAST(r_citation_date AS DATE) AS citation_date,
    r_citation_url AS citation_url,
    coalesce(r_dataset, {sql_str(dataset)}) AS dataset,
    {sql_str(src.ingested_from)} AS ingested_from,
    areas AS _given_areas
FROM (
    SELECT {carried}, pre_error, {src_column} AS _src,
        {inner_cols},
        TRY_CAST(r_date AS DATE) AS d,
        {areas_sql} AS areas,
        len(list_filter(areas, lambda x: NOT regexp_full_match(x, '[a-z][a-z0-9_]*'))) > 0
            AS exists_bad_area,
        detente_cameo_norm(r_event_code) AS code_norm,
        detente_plover_quad(upper(r_plover_type)) AS plover_quad,
        {derived("source")} AS s_derived,
        {derived("target")} AS t_derived
    FROM (SELECT *, {pre_error or 'NULL::VARCHAR'} AS pre_error FROM {from_sql})
) p
"""
    if raw_text is None:
        return body
    # the text of a row is rebuilt only where it is kept: CASE evaluates its branch for
    # the rows whose condition holds, so a good row costs nothing here
    return (f"SELECT * EXCLUDE ({', '.join(raw_text[1])}) "
            f"REPLACE (CASE WHEN _error IS NOT NULL THEN {raw_text[0]} END AS _raw) FROM ({body})")
