"""POLECAT (as published, tab-separated) and PLOVER JSON records.

Both are coded in PLOVER, not CAMEO, and stay so: ``ontology = 'plover'``, no
CAMEO event code or root (none is invented), ``plover_type`` as given (compared
case-insensitively; a type outside :func:`detente.ontology.plover_types`
quarantines the row). ``quad_class`` is the record's own quad code where it is
a valid one (``1``..``4``, or POLECAT's ``VERBAL CONFLICT`` and the like), else
the PLOVER type's. ``goldstein`` stays NULL: PLOVER records carry no Goldstein
value, and POLECAT's ``Intensity`` (``Event Intensity`` in some files) is a
different scale, for which the canonical schema has no column, so it is
dropped. So are modes and contexts, which have no canonical column either.

Actors: the country is an ISO 3166 alpha-3 code, mapped to CAMEO's where the two
differ (``ROU`` -> ``ROM`` ...); a country name is looked up as ICEWS spells it.
Only the first of several (``;``- or ``|``-separated) values, or of several
actor objects, is kept. PLOVER sector codes become CAMEO roles where CAMEO has
the code, swapping the two that mean different things (PLOVER ``MED`` health ->
``HLH``, ``JRN`` media -> ``MED``); sector names (``Government``) go through the
ICEWS sector table. ``source_actor`` is country + role (``USAGOV``), or the
non-state code (``IGO``) or role alone.

POLECAT columns are picked by name from the header. Rows with fewer cells than
the header are accepted when the header names the extra columns some files
list without filling (``Headline``, ``Event Text``, ``Feed``, ``Story ID``);
trailing tabs are accepted while the surplus cells are empty; ``None`` is a
missing value.

PLOVER JSON is read as JSON lines, or as one JSON array of records (whose
quarantine positions are element numbers, since an array has no lines; a
malformed array cannot be read at all). Keys are snake_case as the PLOVER
manual writes them; the camelCase spellings of its older gold-standard records
(``actorText``) are accepted too. ``event`` may be a list: its first type is
kept. ``doc_id`` is ``story_id`` (as the NGEC coder writes it), else
``cite_info.citation``.
"""

from __future__ import annotations

import json
from typing import ClassVar

from detente import ontology
from detente.errors import InputFileError
from detente.readers._base import Reader, line_scan, sql_str
from detente.readers._fields import named_select
from detente.readers._source import SourceFile

__all__ = ["PloverJsonReader", "PolecatReader"]

# ISO 3166 alpha-3 codes CAMEO spells its own way
_ISO_TO_CAMEO = {"ROU": "ROM", "TLS": "TMP", "MNE": "MTN", "IMN": "IMY"}
# PLOVER sector codes that mean something else in CAMEO (MED is health in PLOVER)
_SECTOR_SWAP = {"MED": "HLH", "JRN": "MED"}
# codes PLOVER puts where the country goes for non-state actors; all are CAMEO codes too
_NON_STATE = ("IGO", "NGO", "MNC", "IMG")
_QUADS = {"VERBAL COOPERATION": 1, "MATERIAL COOPERATION": 2, "VERBAL CONFLICT": 3,
          "MATERIAL CONFLICT": 4}
_POLECAT_REQUIRED = ("Event ID", "Event Date", "Event Type")
# columns some POLECAT files name in the header without giving cells for them
_POLECAT_EXTRAS = ("Headline", "Event Text", "Feed", "Story ID")


def _quad(q: str) -> str:
    """SQL: the quad class 1..4 as text from a number or a quad name, else NULL."""
    names = " ".join(f"WHEN {sql_str(name)} THEN '{n}'" for name, n in _QUADS.items())
    return (f"CASE WHEN TRY_CAST({q} AS DOUBLE) IN (1, 2, 3, 4) "
            f"THEN CAST(CAST(TRY_CAST({q} AS DOUBLE) AS INTEGER) AS VARCHAR) "
            f"ELSE CASE trim(regexp_replace(upper({q}), '[^A-Z]+', ' ', 'g')) {names} END END")


def _first_value(text: str) -> str:
    """SQL: the first of ``;``/``|``-separated values, trimmed; NULL if empty or ``None``."""
    return f"nullif(nullif(trim(regexp_extract({text}, '^[^;|]*')), ''), 'None')"


def _sql_map(pairs: dict[str, str]) -> str:
    items = ", ".join(f"{sql_str(k)}: {sql_str(v)}" for k, v in sorted(pairs.items()))
    return "MAP {" + items + "}"


def _actors(rel: str) -> str:
    """Wrap ``rel`` (with ``{s,t}_code`` and ``{s,t}_sector``) with CAMEO actor columns.

    Lookups are literals and the ``detente_*`` macros, not joins: a join may
    hand rows back out of file order, and the pipeline numbers lines by row order.
    """
    iso, swap = _sql_map(_ISO_TO_CAMEO), _sql_map(_SECTOR_SWAP)
    roles = "[" + ", ".join(sql_str(r) for r in sorted(ontology.actor_types())) + "]"
    non_state = ", ".join(sql_str(c) for c in _NON_STATE)

    def country(side: str) -> str:
        code = f"upper({side}_code)"
        return (f"CASE WHEN detente_country_name({code}) IS NOT NULL THEN {code} ELSE "
                f"coalesce({iso}[{code}], detente_icews_country({side}_code)) END AS {side}_cty")

    def role(side: str) -> str:
        sector = f"{side}_sector"
        # a six-letter code is two sectors run together (GOVMIL): the first leads
        code = (f"upper(CASE WHEN regexp_full_match({sector}, '[A-Za-z]{{6}}') "
                f"THEN left({sector}, 3) ELSE {sector} END)")
        return (f"CASE WHEN {code} IN ('MED', 'JRN') THEN {swap}[{code}] "
                f"WHEN list_contains({roles}, {code}) THEN {code} "
                f"ELSE detente_icews_role({sector}) END AS {side}_role")

    def actor(side: str) -> str:
        return (f"CASE WHEN {side}_cty IS NOT NULL THEN {side}_cty || coalesce({side}_role, '') "
                f"WHEN upper({side}_code) IN ({non_state}) THEN upper({side}_code) "
                f"ELSE {side}_role END AS {side}_actor")

    inner = f"(SELECT *, {country('s')}, {country('t')}, {role('s')}, {role('t')} FROM {rel})"
    return f"(SELECT *, {actor('s')}, {actor('t')} FROM {inner})"


# canonical field -> column of the relation _actors() and the readers build
_COMMON_FIELDS = {
    "event_id": "x_id", "date": "x_date", "plover_type": "x_type", "quad_class": "x_quad",
    "ontology": "'plover'", "url": "x_url", "text": "x_text", "doc_id": "x_doc",
    **{f"{side}_{part}": f"{side[0]}_{col}" for side in ("source", "target")
       for part, col in (("actor", "actor"), ("country", "cty"), ("role", "role"),
                         ("name", "name"))},
}


def _url(text: str) -> str:
    return f"CASE WHEN regexp_matches({text}, '^https?://') THEN {text} END"


def _polecat_header(src: SourceFile) -> list[str]:
    header = [h.strip().strip('"') for h in src.head[0].split("\t")] if src.head else []
    while header and not header[-1]:
        header.pop()
    return header


class PolecatReader(Reader):
    """POLECAT event file as published (tab-separated with a header)."""

    name: ClassVar[str] = "polecat"
    dataset: ClassVar[str] = "polecat"
    summary: ClassVar[str] = "POLECAT event file: tab-separated with a header, PLOVER-coded"

    def sniff(self, src: SourceFile) -> float:
        """Return 1 when the header names POLECAT's columns (and not ICEWS's CAMEO Code)."""
        header = set(_polecat_header(src))
        ok = (set(_POLECAT_REQUIRED) <= header and bool(header & {"Actor Name", "Recipient Name"})
              and "CAMEO Code" not in header)
        return 1.0 if ok else 0.0

    def header_lines(self, src: SourceFile) -> int:
        """Return the header's line number (after any empty lines)."""
        return src.leading_empty + 1

    def batch_key(self, src: SourceFile) -> tuple[object, ...] | None:
        """Return the header and line layout: files alike in both are read together."""
        return (self.name, tuple(_polecat_header(src)), src.leading_empty, src.scan_compression,
                src.cr_standin)

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading a POLECAT event file."""
        header = _polecat_header(src)
        missing = [c for c in _POLECAT_REQUIRED if c not in header]
        if missing:
            raise InputFileError(src.path, f"POLECAT header lacks {', '.join(missing)}")
        full = len(header)
        reduced = [h for h in header if h not in _POLECAT_EXTRAS]
        short = len(reduced) if len(reduced) < full else None

        def col(name: str) -> str:
            if name not in header:
                return "NULL::VARCHAR"
            cell = f"f[{header.index(name) + 1}]"
            if short is not None:
                alt = f"f[{reduced.index(name) + 1}]" if name in reduced else "NULL"
                cell = f"CASE WHEN n >= {full} THEN {cell} ELSE {alt} END"
            return f"nullif(nullif(trim({cell}), ''), 'None')"

        rel = f"""(SELECT _raw, _src, n, f,
            {col("Event ID")} AS x_id, {col("Event Date")} AS x_date,
            {col("Event Type")} AS x_type, {_quad(col("Quad Code"))} AS x_quad,
            upper({_first_value(col("Actor Country"))}) AS s_code,
            upper({_first_value(col("Recipient Country"))}) AS t_code,
            coalesce({_first_value(col("Primary Actor Sector"))},
                     {_first_value(col("Actor Sectors"))}) AS s_sector,
            coalesce({_first_value(col("Primary Recipient Sector"))},
                     {_first_value(col("Recipient Sectors"))}) AS t_sector,
            {col("Actor Name")} AS s_name, {col("Recipient Name")} AS t_name,
            {_url(col("Source"))} AS x_url, {col("Story ID")} AS x_doc,
            coalesce({col("Event Text")}, {col("Headline")}) AS x_text,
            detente_url_host(x_url) AS x_pub,
            coalesce({_first_value(col("Placename"))}, nullif(concat_ws(', ',
                {_first_value(col("City"))}, {_first_value(col("District"))},
                {_first_value(col("Province"))}, {_first_value(col("Country"))}), '')) AS x_place,
            upper({_first_value(col("Country"))}) AS p_code,
            CASE WHEN detente_country_name(p_code) IS NOT NULL THEN p_code
                 ELSE {_sql_map(_ISO_TO_CAMEO)}[p_code] END AS x_pc,
            detente_lat({_first_value(col("Latitude"))}, {_first_value(col("Longitude"))}) AS x_lat,
            detente_lon({_first_value(col("Latitude"))}, {_first_value(col("Longitude"))}) AS x_lon
        FROM (SELECT _raw, _src, string_split(_raw, chr(9)) AS f, len(f) AS n
              FROM {line_scan(src, rejects, skip=self.header_lines(src))}))"""
        expected = f"{short} or {full}" if short is not None else str(full)
        fits = f"n >= {full}" + (f" OR n = {short}" if short is not None else "")
        pre = f"""CASE
            WHEN NOT ({fits}) AND n < {full}
                THEN 'cut off: ' || n || ' of {expected} tab-separated fields'
            WHEN n > {full} AND len(list_filter(list_slice(f, {full + 1}, n),
                                                lambda x: trim(x) <> '')) > 0
                THEN 'expected {full} tab-separated fields, found ' || n
            WHEN x_type IS NULL THEN 'Event Type is empty'
        END"""
        fields = {**_COMMON_FIELDS, "publisher": "x_pub", "place": "x_place",
                  "place_country": "x_pc", "latitude": "x_lat", "longitude": "x_lon"}
        return named_select(src, fields, _actors(rel), dataset="polecat",
                            id_prefix="polecat", pre_error=pre, src_column="_src")


def _is_array(src: SourceFile) -> bool:
    return bool(src.head) and src.head[0].lstrip().startswith("[")


def _first_record(src: SourceFile) -> dict[str, object] | None:
    if _is_array(src):
        text = "\n".join(src.head)
        start = text.index("[") + 1
        start += len(text[start:]) - len(text[start:].lstrip())
        try:
            obj, _ = json.JSONDecoder().raw_decode(text, start)
        except (ValueError, RecursionError):
            return None
        return obj if isinstance(obj, dict) else None
    for line in src.head[:5]:
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError):
            continue  # one bad line does not make the file something else
        return obj if isinstance(obj, dict) else None
    return None


def _variants(key: str) -> list[str]:
    """Return ``key`` and its camelCase spelling (``actor_text``, ``actorText``)."""
    head, *rest = key.split("_")
    return list(dict.fromkeys((key, head + "".join(w.title() for w in rest))))


def _jstr(obj: str, *keys: str) -> str:
    """SQL: the first of ``keys`` (in either spelling) that ``obj`` holds, as text."""
    paths = [f"json_extract_string({obj}, {sql_str('$.' + v)})" for k in keys for v in _variants(k)]
    return f"coalesce({', '.join(paths)})"


def _jfirst(obj: str, key: str) -> str:
    """SQL: ``obj.key`` as text, or its first element when it is a list."""
    return "coalesce(" + ", ".join(
        f"CASE WHEN json_type({obj}, {sql_str('$.' + v)}) = 'ARRAY' "
        f"THEN json_extract_string({obj}, {sql_str('$.' + v + '[0]')}) "
        f"ELSE json_extract_string({obj}, {sql_str('$.' + v)}) END" for v in _variants(key)) + ")"


def _actor_obj(key: str) -> str:
    """SQL: the first actor object under ``key``; a bare code becomes ``{"code": ...}``."""
    def pick(path: str) -> str:
        p = sql_str(path)
        return (f"CASE json_type(j, {p}) WHEN 'OBJECT' THEN json_extract(j, {p}) "
                f"WHEN 'VARCHAR' THEN json_object('code', json_extract_string(j, {p})) END")

    return (f"CASE WHEN json_type(j, {sql_str('$.' + key)}) = 'ARRAY' "
            f"THEN {pick('$.' + key + '[0]')} ELSE {pick('$.' + key)} END")


class PloverJsonReader(Reader):
    """PLOVER JSON records, one per line (or one JSON array of records)."""

    name: ClassVar[str] = "plover"
    dataset: ClassVar[str] = "plover"
    summary: ClassVar[str] = "PLOVER JSON records (one object per line)"

    def sniff(self, src: SourceFile) -> float:
        """Return 1 for a record with ``event`` and an actor, and no canonical ``event_id``."""
        obj = _first_record(src)
        ok = (obj is not None and "event" in obj and "event_id" not in obj
              and bool({"source", "recipient", "target"} & set(obj)))
        return 1.0 if ok else 0.0

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading PLOVER JSON lines (or a JSON array)."""
        if _is_array(src):
            compression = "gzip" if src.compression == "gzip" else "uncompressed"
            scan = ("(SELECT json::VARCHAR AS _raw FROM "
                    f"read_json_objects({sql_str(str(src.data_path))}, format='array', "
                    f"compression={sql_str(compression)}, maximum_object_size=4194304))")
        else:
            scan = line_scan(src, rejects)
        # nested CASE: json_type() fails on invalid JSON, and DuckDB's AND may not short-circuit
        guarded = ("(SELECT _raw, CASE WHEN json_valid(_raw) THEN CASE WHEN "
                   f"json_type(_raw) = 'OBJECT' THEN _raw END END AS j FROM {scan})")
        objs = (f"(SELECT *, {_actor_obj('source')} AS s_obj, coalesce({_actor_obj('recipient')}, "
                f"{_actor_obj('target')}) AS t_obj FROM {guarded})")
        side = {
            p: f"""upper({_first_value(_jstr(f"{p}_obj", "code"))}) AS {p}_code,
            {_first_value(_jfirst(f"{p}_obj", "sector"))} AS {p}_sector,
            {_jstr(f"{p}_obj", "actor_text", "identifier_text")} AS {p}_name"""
            for p in ("s", "t")
        }
        rel = f"""(SELECT _raw, j,
            {_jstr("j", "id")} AS x_id, {_jstr("j", "date")} AS x_date,
            nullif(trim({_jfirst("j", "event")}), '') AS x_type,
            {_quad(_jstr("j", "quad_code"))} AS x_quad,
            {side["s"]}, {side["t"]},
            {_url(_jstr("j", "cite_info.url"))} AS x_url,
            {_jstr("j", "story_id", "cite_info.citation")} AS x_doc,
            coalesce({_jstr("j", "text")}, {_jfirst("j", "event_text")}) AS x_text
        FROM {objs})"""
        pre = ("CASE WHEN NOT json_valid(_raw) THEN 'not valid JSON' "
               "WHEN j IS NULL THEN 'not a JSON object' "
               "WHEN x_type IS NULL THEN 'event is empty' END")
        return named_select(src, _COMMON_FIELDS, _actors(rel), dataset="plover",
                            id_prefix="plover", pre_error=pre)
