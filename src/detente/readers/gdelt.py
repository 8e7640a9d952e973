"""GDELT event exports, 1.0 and 2.0: tab-separated, unquoted, no header.

Both share their first 35 columns (id, dates, two actors of ten fields each,
IsRootEvent, the three CAMEO codes, QuadClass, GoldsteinScale, NumMentions,
NumSources, NumArticles, AvgTone). They differ after that:

* 1.0 has three geography blocks of 7 fields, then DATEADDED (YYYYMMDD): 57
  columns in the historical files to March 2013, 58 with SOURCEURL from April
  2013. Files users assemble can mix both, so the layout is decided per line.
* 2.0 adds ADM2Code to each geography block (8 fields), then DATEADDED
  (YYYYMMDDHHMMSS) and SOURCEURL: 61 columns.

The source's own QuadClass and GoldsteinScale are kept; only a missing value is
derived from the CAMEO code.
"""

from __future__ import annotations

import re
from typing import ClassVar

from detente.readers._base import Reader, line_scan, sql_str
from detente.readers._fields import trimmed_sql
from detente.readers._source import SourceFile

__all__ = ["Gdelt1Reader", "Gdelt2Reader"]

_ID = re.compile(r"^[0-9]+$")
_DAY = re.compile(r"^(19|20)[0-9]{6}$")


def _select(src: SourceFile, rejects: str, *, prefix: str, version: int) -> str:
    if version == 1:
        count_ok = "n IN (57, 58)"
        expected = "57 or 58"
        added = "f[57]"
        added_ok = "regexp_full_match(f[57], '[0-9]{8}')"
        url = f"CASE WHEN n = 58 THEN {trimmed_sql('f[58]')} END"
        geo = 50  # ActionGeo_Type; then FullName, CountryCode, ADM1Code, Lat, Long
        lat = geo + 4
    else:
        count_ok = "n = 61"
        expected = "61"
        added = "f[60]"
        added_ok = "regexp_full_match(f[60], '[0-9]{14}')"
        url = trimmed_sql("f[61]")
        geo = 52  # ActionGeo_Type; then FullName, CountryCode, ADM1Code, ADM2Code, Lat, Long
        lat = geo + 5
    return f"""
SELECT
    p._raw,
    p._src,
    CASE
        WHEN NOT ({count_ok}) AND n < {expected.split()[0]}
            THEN 'cut off: ' || n || ' of {expected} tab-separated fields'
        WHEN NOT ({count_ok}) THEN 'expected {expected} tab-separated fields, found ' || n
        WHEN NOT regexp_full_match(f[1], '[0-9]{{1,19}}') THEN 'GLOBALEVENTID is not a number: ' || f[1]
        WHEN d IS NULL THEN 'SQLDATE is not a valid YYYYMMDD date: ' || f[2]
        WHEN NOT {added_ok} THEN 'DATEADDED is malformed: ' || {added}
        WHEN k_quad IS NULL THEN 'unknown CAMEO event code: ' || f[27]
        WHEN f[30] <> '' AND coalesce(qc, 0) NOT BETWEEN 1 AND 4 THEN 'QuadClass is not 1..4: ' || f[30]
        WHEN f[31] <> '' AND gs IS NULL THEN 'GoldsteinScale is not a number: ' || f[31]
        WHEN gs IS NOT NULL AND (gs < -10 OR gs > 10) THEN 'GoldsteinScale out of range: ' || f[31]
    END AS _error,
    {sql_str(prefix + ":")} || f[1] AS event_id,
    d AS date,
    nullif(f[6], '') AS source_actor,
    nullif(f[16], '') AS target_actor,
    coalesce(nullif(f[8], ''), nullif(f[9], '')) AS source_country,
    coalesce(nullif(f[18], ''), nullif(f[19], '')) AS target_country,
    nullif(f[13], '') AS source_role,
    nullif(f[23], '') AS target_role,
    {trimmed_sql("f[7]")} AS source_name,
    {trimmed_sql("f[17]")} AS target_name,
    'cameo' AS ontology,
    CASE WHEN k_quad IS NOT NULL THEN f[27] END AS event_code,
    CASE WHEN k_quad IS NOT NULL THEN left(f[27], 2) END AS event_root,
    detente_cameo_plover(f[27]) AS plover_type,
    coalesce(qc, k_quad)::TINYINT AS quad_class,
    coalesce(gs, detente_cameo_goldstein(f[27])) AS goldstein,
    TRY_CAST(f[32] AS INTEGER) AS num_mentions,
    TRY_CAST(f[33] AS INTEGER) AS num_sources,
    TRY_CAST(f[34] AS INTEGER) AS num_articles,
    TRY_CAST(f[35] AS DOUBLE) AS avg_tone,
    CASE f[26] WHEN '1' THEN true WHEN '0' THEN false END AS is_root,
    u AS url,
    NULL::VARCHAR AS text,
    NULL::VARCHAR AS doc_id,
    detente_url_host(u) AS publisher,
    {trimmed_sql(f"f[{geo + 1}]")} AS place,
    detente_fips_country(f[{geo + 2}]) AS place_country,
    CASE WHEN on_globe THEN la END AS latitude,
    CASE WHEN on_globe THEN lo END AS longitude,
    NULL::VARCHAR AS citation_issuer,
    NULL::VARCHAR AS citation_title,
    NULL::DATE AS citation_date,
    NULL::VARCHAR AS citation_url,
    {sql_str(prefix)} AS dataset,
    {sql_str(src.ingested_from)} AS ingested_from,
    []::VARCHAR[] AS _given_areas
FROM (
    SELECT _raw, _src, string_split(_raw, chr(9)) AS f, len(f) AS n,
        TRY_CAST(try_strptime(f[2], '%Y%m%d') AS DATE) AS d,
        TRY_CAST(f[30] AS TINYINT) AS qc,
        TRY_CAST(f[31] AS DOUBLE) AS gs,
        CASE WHEN length(f[27]) >= 2 THEN detente_cameo_quad(f[27]) END AS k_quad,
        {url} AS u,
        TRY_CAST(f[{lat}] AS DOUBLE) AS la, TRY_CAST(f[{lat + 1}] AS DOUBLE) AS lo,
        coalesce(la BETWEEN -90 AND 90 AND lo BETWEEN -180 AND 180, false) AS on_globe
    FROM {line_scan(src, rejects)}
) p
"""


def _fields(line: str) -> list[str]:
    return line.split("\t")


def _looks_gdelt(lines: list[str], counts: set[int], added_at: int, added_len: int) -> float:
    sample = lines[:50]
    if not sample:
        return 0.0
    good = 0
    for line in sample:
        f = _fields(line)
        if (
            len(f) in counts
            and _ID.match(f[0])
            and _DAY.match(f[1])
            and len(f[added_at]) == added_len
            and f[added_at].isdigit()
        ):
            good += 1
    return good / len(sample)


class Gdelt1Reader(Reader):
    """GDELT 1.0 event export (57 or 58 columns, decided per line)."""

    name: ClassVar[str] = "gdelt1"
    dataset: ClassVar[str] = "gdelt1"
    summary: ClassVar[str] = "GDELT 1.0 export: 57 (to March 2013) or 58 tab-separated columns"

    def sniff(self, src: SourceFile) -> float:
        """Return the share of head lines shaped like GDELT 1.0 rows."""
        return _looks_gdelt(src.head, {57, 58}, 56, 8)

    def batch_key(self, src: SourceFile) -> tuple[object, ...] | None:
        """Return how the file is scanned: exports alike in that are read together."""
        return (self.name, src.scan_compression, src.cr_standin)

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading a GDELT 1.0 export."""
        return _select(src, rejects, prefix="gdelt1", version=1)


class Gdelt2Reader(Reader):
    """GDELT 2.0 event export (61 columns)."""

    name: ClassVar[str] = "gdelt2"
    dataset: ClassVar[str] = "gdelt2"
    summary: ClassVar[str] = "GDELT 2.0 export: 61 tab-separated columns, plain or zipped"

    def sniff(self, src: SourceFile) -> float:
        """Return the share of head lines shaped like GDELT 2.0 rows."""
        return _looks_gdelt(src.head, {61}, 59, 14)

    def batch_key(self, src: SourceFile) -> tuple[object, ...] | None:
        """Return how the file is scanned: exports alike in that are read together."""
        return (self.name, src.scan_compression, src.cr_standin)

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading a GDELT 2.0 export."""
        return _select(src, rejects, prefix="gdelt2", version=2)
