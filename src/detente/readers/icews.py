"""ICEWS event files: tab-separated, one header line, one row per event.

Countries come as names ("Russian Federation") and are mapped to CAMEO country
codes; sectors come as comma-separated lists ("Military,Government") and the
highest-priority one becomes the CAMEO role, and the sectors that name a topic
(a foreign ministry, a human-rights group, see :mod:`detente.tagging`) give the
event its issue areas at once, since the lists are not kept. ICEWS's Intensity is the Goldstein
weight the dataset assigned and is kept as it is. Event ids are made unique by
pairing the ICEWS id with the event date (ICEWS ids alone are not). Daily files
overlap in date; the store's identity rule absorbs the overlap.
"""

from __future__ import annotations

from typing import ClassVar

from detente.errors import InputFileError
from detente.readers._base import Reader, line_scan, sql_str
from detente.readers._source import SourceFile

__all__ = ["IcewsReader"]

REQUIRED = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
)


def _header(src: SourceFile) -> list[str]:
    return [h.strip().strip('"') for h in src.head[0].split("\t")] if src.head else []


class IcewsReader(Reader):
    """ICEWS event file (tab-separated with a header)."""

    name: ClassVar[str] = "icews"
    dataset: ClassVar[str] = "icews"
    summary: ClassVar[str] = "ICEWS event file: tab-separated with a header, country names"

    def sniff(self, src: SourceFile) -> float:
        """Return 1 when the header names the ICEWS columns."""
        header = set(_header(src))
        return 1.0 if all(col in header for col in REQUIRED) else 0.0

    def header_lines(self, src: SourceFile) -> int:
        """Return the header's line number (after any empty lines)."""
        return src.leading_empty + 1

    def batch_key(self, src: SourceFile) -> tuple[object, ...] | None:
        """Return the header and line layout: files alike in both are read together."""
        return (self.name, tuple(_header(src)), src.leading_empty, src.scan_compression,
                src.cr_standin)

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading an ICEWS event file."""
        header = _header(src)
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise InputFileError(src.path, f"ICEWS header lacks {', '.join(missing)}")

        def col(name: str) -> str:
            return f"nullif(nullif(trim(f[{header.index(name) + 1}]), ''), 'NA')"

        optional = {
            name: (col(name) if name in header else "NULL::VARCHAR")
            for name in ("Story ID", "Sentence Number", "Event Text", "Publisher", "City",
                         "District", "Province", "Country", "Latitude", "Longitude")
        }
        place = ("nullif(concat_ws(', ', " + ", ".join(
            optional[k] for k in ("City", "District", "Province", "Country")) + "), '')")
        n = len(header)
        src_country, tgt_country = col("Source Country"), col("Target Country")
        return f"""
SELECT
    p._raw,
    p._src,
    CASE
        WHEN n < {n} THEN 'cut off: ' || n || ' of {n} tab-separated fields'
        WHEN n > {n} THEN 'expected {n} tab-separated fields, found ' || n
        WHEN eid IS NULL THEN 'Event ID is empty'
        WHEN d IS NULL THEN 'Event Date is not a valid date: '
            || coalesce(f[{header.index("Event Date") + 1}], '')
        WHEN code_norm IS NULL THEN 'unknown CAMEO code: ' || coalesce(code_raw, '')
        WHEN {col("Intensity")} IS NOT NULL AND (inten IS NULL OR inten NOT BETWEEN -10 AND 10)
            THEN 'Intensity is not a number in -10..10: ' || {col("Intensity")}
    END AS _error,
    'icews:' || eid || ':' || strftime(d, '%Y-%m-%d') AS event_id,
    d AS date,
    nullif(coalesce(sc, '') || coalesce(sr, ''), '') AS source_actor,
    nullif(coalesce(tc, '') || coalesce(tr, ''), '') AS target_actor,
    sc AS source_country,
    tc AS target_country,
    sr AS source_role,
    tr AS target_role,
    {col("Source Name")} AS source_name,
    {col("Target Name")} AS target_name,
    'cameo' AS ontology,
    code_norm AS event_code,
    left(code_norm, 2) AS event_root,
    detente_cameo_plover(code_norm) AS plover_type,
    detente_cameo_quad(code_norm) AS quad_class,
    coalesce(inten, detente_cameo_goldstein(code_norm)) AS goldstein,
    NULL::INTEGER AS num_mentions,
    NULL::INTEGER AS num_sources,
    NULL::INTEGER AS num_articles,
    NULL::DOUBLE AS avg_tone,
    NULL::BOOLEAN AS is_root,
    NULL::VARCHAR AS url,
    NULL::VARCHAR AS text,
    CASE WHEN {optional["Story ID"]} IS NOT NULL
        THEN {optional["Story ID"]} || coalesce('#' || {optional["Sentence Number"]}, '')
    END AS doc_id,
    {optional["Publisher"]} AS publisher,
    {place} AS place,
    detente_icews_country({optional["Country"]}) AS place_country,
    detente_lat({optional["Latitude"]}, {optional["Longitude"]}) AS latitude,
    detente_lon({optional["Latitude"]}, {optional["Longitude"]}) AS longitude,
    NULL::VARCHAR AS citation_issuer,
    NULL::VARCHAR AS citation_title,
    NULL::DATE AS citation_date,
    NULL::VARCHAR AS citation_url,
    'icews' AS dataset,
    {sql_str(src.ingested_from)} AS ingested_from,
    detente_icews_areas(ss, ts) AS _given_areas
FROM (
    SELECT _raw, _src, string_split(_raw, chr(9)) AS f, len(f) AS n,
        {col("Source Sectors")} AS ss,
        {col("Target Sectors")} AS ts,
        {col("Event ID")} AS eid,
        coalesce(TRY_CAST({col("Event Date")} AS DATE),
                 TRY_CAST(try_strptime({col("Event Date")}, '%Y%m%d') AS DATE)) AS d,
        {col("CAMEO Code")} AS code_raw,
        detente_cameo_norm(code_raw) AS code_norm,
        TRY_CAST({col("Intensity")} AS DOUBLE) AS inten,
        detente_icews_role({col("Source Sectors")}) AS sr,
        detente_icews_role({col("Target Sectors")}) AS tr,
        detente_icews_country({src_country}) AS sc,
        detente_icews_country({tgt_country}) AS tc
    FROM {line_scan(src, rejects, skip=self.header_lines(src))}
) p
"""
