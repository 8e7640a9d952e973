"""GDELT event tables exported with a header row (BigQuery, R, pandas).

Users who query GDELT's public BigQuery tables (``gdelt-bq.full.events`` for
1.0, ``gdelt-bq.gdeltv2.events`` for 2.0) or load the files in R save them as
comma- or tab-separated text with a header of GDELT's own column names. These
files differ from GDELT's published exports in ways that defeat a positional
reader:

* a header row, with the names in any case and often quoted;
* ``NA`` (R) or an empty field for a missing value;
* sometimes a leading column of row numbers (R's ``write.csv`` writes one with
  an empty name; pandas writes ``Unnamed: 0``) and sometimes only a subset of
  the columns, in any order;
* numbers written as numbers: ``EventCode`` may have lost its leading zero
  (``40`` for ``040``), and counts may read ``2.0``.

Columns are therefore found by name, anything not named is ignored, and the
layout (1.0 or 2.0) is decided from the header: 2.0 names an ``ADM2Code`` in its
geography blocks, 1.0 does not. When the header names no geography at all, a
14-digit ``DATEADDED`` marks 2.0. Events keep GDELT's ids under the dataset's
prefix (``gdelt1:``, ``gdelt2:``), so a row read here and the same row read from
GDELT's own export are one event in the store.
"""

from __future__ import annotations

import csv
import io
from typing import ClassVar

from detente.errors import InputFileError
from detente.readers._base import BATCH_DIGITS, Reader, sql_str
from detente.readers._fields import actor_country, actor_role
from detente.readers._source import SourceFile
from detente.schema import CANONICAL_COLUMNS

__all__ = ["GdeltHeader1Reader", "GdeltHeader2Reader", "header_layout"]

REQUIRED = ("globaleventid", "sqldate", "eventcode")
"""Columns (lower case) a headered GDELT export must have."""

_ROW_NUMBER_NAMES = {"", "x", "...1", "unnamed: 0", "row", "rownames", "index"}


def _parse_header(line: str) -> tuple[str, list[str]] | None:
    """Return the delimiter and the lower-cased column names of a header line."""
    delim = "\t" if line.count("\t") > line.count(",") else ","
    try:
        names = next(csv.reader(io.StringIO(line), delimiter=delim))
    except (csv.Error, StopIteration):
        return None
    return delim, [n.strip().strip('"').lower() for n in names]


def header_layout(src: SourceFile) -> tuple[str, list[str], int] | None:
    """Return ``(delimiter, column names, GDELT version)`` when ``src``'s header names
    GDELT's event columns, else ``None``."""
    if not src.head:
        return None
    parsed = _parse_header(src.head[0])
    if parsed is None:
        return None
    delim, names = parsed
    if not all(c in names for c in REQUIRED):
        return None
    if any(n.endswith("geo_adm2code") for n in names):
        return delim, names, 2
    if any(n.endswith("geo_adm1code") for n in names) or "dateadded" not in names:
        return delim, names, 1
    # no geography to tell by: the form of DATEADDED does (YYYYMMDDHHMMSS in 2.0)
    at = names.index("dateadded")
    for line in src.head[1:20]:
        try:
            row = next(csv.reader(io.StringIO(line), delimiter=delim))
        except (csv.Error, StopIteration):
            continue
        if len(row) == len(names) and row[at].strip().isdigit():
            return delim, names, 2 if len(row[at].strip()) == 14 else 1
    return delim, names, 1


def _select(src: SourceFile, rejects: str, version: int) -> str:
    layout = header_layout(src)
    if layout is None:
        raise InputFileError(src.path, "header does not name GDELT's GLOBALEVENTID, SQLDATE "
                                       "and EventCode columns")
    delim, names, _ = layout
    prefix = f"gdelt{version}"

    def col(name: str) -> str:
        if name not in names:
            return "NULL::VARCHAR"
        i = names.index(name)
        return f"nullif(nullif(trim(c{i}), ''), 'NA')"

    def whole(name: str, typ: str) -> str:  # counts written as 2 or 2.0
        return f"TRY_CAST(TRY_CAST({col(name)} AS DOUBLE) AS {typ})"

    def country(k: int) -> str:  # GDELT's own fields; from the actor code when not exported
        if f"actor{k}countrycode" in names or f"actor{k}knowngroupcode" in names:
            return f"coalesce({col(f'actor{k}countrycode')}, {col(f'actor{k}knowngroupcode')})"
        return actor_country(col(f"actor{k}code"))

    def role(k: int) -> str:
        if f"actor{k}type1code" in names:
            return col(f"actor{k}type1code")
        return actor_role(col(f"actor{k}code"))

    n = len(names)
    columns = "{" + ", ".join(f"{sql_str(f'c{i}')}: 'VARCHAR'" for i in range(n)) + "}"
    restore = (", ".join(f"replace(c{i}, {sql_str(src.cr_standin)}, chr(13)) AS c{i}"
                         for i in range(n)) if src.cr_standin else "* EXCLUDE (filename)")
    # the file: one, or for a batch (SourceFile.batch) the links to several alike, each
    # row with the position of its own (_src)
    if src.batch:
        files = "[" + ", ".join(sql_str(str(p)) for p in src.batch) + "]"
        origin = f"CAST(right(filename, {BATCH_DIGITS}) AS INTEGER)"
    else:
        files, origin = sql_str(str(src.scan_path)), "0"
    scan = (
        f"(SELECT {restore}, {origin} AS _src FROM read_csv({files}, filename=true, "
        f"columns={columns}, "
        f"delim={sql_str(delim)}, quote='\"', escape='\"', header=false, "
        f"skip={src.leading_empty + 1}, auto_detect=false, strict_mode=false, "
        "null_padding=false, ignore_errors=true, store_rejects=true, "
        f"rejects_table={sql_str(rejects)}, rejects_scan={sql_str(rejects + '_scan')}, "
        f"compression={sql_str(src.scan_compression)}, max_line_size=4194304))"
    )
    raw = f"concat_ws({sql_str(delim)}, " + ", ".join(f"coalesce(c{i}, '')" for i in range(n)) + ")"
    known = {
        "event_id": f"{sql_str(prefix + ':')} || eid",
        "date": "d",
        "source_actor": col("actor1code"),
        "target_actor": col("actor2code"),
        "source_country": country(1),
        "target_country": country(2),
        "source_role": role(1),
        "target_role": role(2),
        "source_name": col("actor1name"),
        "target_name": col("actor2name"),
        "ontology": "'cameo'",
        "event_code": "CASE WHEN k_quad IS NOT NULL THEN code END",
        "event_root": "CASE WHEN k_quad IS NOT NULL THEN left(code, 2) END",
        "plover_type": "detente_cameo_plover(code)",
        "quad_class": "coalesce(qc, k_quad)::TINYINT",
        "goldstein": "coalesce(gs, detente_cameo_goldstein(code))",
        "num_mentions": whole("nummentions", "INTEGER"),
        "num_sources": whole("numsources", "INTEGER"),
        "num_articles": whole("numarticles", "INTEGER"),
        "avg_tone": f"TRY_CAST({col('avgtone')} AS DOUBLE)",
        "is_root": f"TRY_CAST({col('isrootevent')} AS BOOLEAN)",
        "url": col("sourceurl"),
        # where it happened and who published it, as GDELT's own files give them
        "publisher": f"detente_url_host({col('sourceurl')})",
        "place": col("actiongeo_fullname"),
        "place_country": f"detente_fips_country({col('actiongeo_countrycode')})",
        "latitude": f"detente_lat({col('actiongeo_lat')}, {col('actiongeo_long')})",
        "longitude": f"detente_lon({col('actiongeo_lat')}, {col('actiongeo_long')})",
        "dataset": sql_str(prefix),
        "ingested_from": sql_str(src.ingested_from),
    }
    # every canonical column, in order; those GDELT has no field for are NULL
    selected = ",\n    ".join(f"{known.get(c.name, f'NULL::{c.sql}')} AS \"{c.name}\""
                              for c in CANONICAL_COLUMNS if c.name != "issue_areas")
    quad_raw, gs_raw = col("quadclass"), col("goldsteinscale")
    code_raw, root_raw = col("eventcode"), col("eventrootcode")
    return f"""
SELECT
    p._raw,
    p._src,
    CASE
        WHEN eid IS NULL THEN 'GLOBALEVENTID is empty'
        WHEN NOT regexp_full_match(eid, '[0-9]{{1,19}}') THEN 'GLOBALEVENTID is not a number: ' || eid
        WHEN d IS NULL THEN 'SQLDATE is not a valid date: ' || coalesce({col("sqldate")}, '(empty)')
        WHEN k_quad IS NULL THEN 'unknown CAMEO event code: ' || coalesce({code_raw}, '(empty)')
        WHEN {quad_raw} IS NOT NULL AND qc IS NULL THEN 'QuadClass is not 1..4: ' || {quad_raw}
        WHEN {gs_raw} IS NOT NULL AND gs IS NULL THEN 'GoldsteinScale is not a number: ' || {gs_raw}
        WHEN gs < -10 OR gs > 10 THEN 'GoldsteinScale out of range: ' || {gs_raw}
    END AS _error,
    {selected},
    []::VARCHAR[] AS _given_areas
FROM (
    SELECT *,
        CASE WHEN length(code) >= 2 THEN detente_cameo_quad(code) END AS k_quad
    FROM (
        SELECT *, {raw} AS _raw,
            regexp_replace({col("globaleventid")}, '\\.0+$', '') AS eid,
            coalesce(TRY_CAST(try_strptime({col("sqldate")}, '%Y%m%d') AS DATE),
                     TRY_CAST({col("sqldate")} AS DATE)) AS d,
            -- a code written as a number loses its leading zero (40 for 040); the root
            -- code, when given, tells it back
            CASE WHEN regexp_full_match({code_raw}, '[1-9][0-9]{{1,2}}')
                      AND regexp_full_match({root_raw}, '0?[1-9](\\.0+)?')
                 THEN '0' || {code_raw} ELSE {code_raw} END AS code,
            CASE WHEN regexp_full_match({quad_raw}, '[1-4](\\.0+)?')
                 THEN TRY_CAST(TRY_CAST({quad_raw} AS DOUBLE) AS TINYINT) END AS qc,
            TRY_CAST({gs_raw} AS DOUBLE) AS gs
        FROM {scan}
    )
) p
"""


class _HeaderReader(Reader):
    version: ClassVar[int]

    def sniff(self, src: SourceFile) -> float:
        """Return 1 when the header names GDELT's columns in this reader's layout."""
        layout = header_layout(src)
        return 1.0 if layout is not None and layout[2] == self.version else 0.0

    def header_lines(self, src: SourceFile) -> int:
        """Return the header's line number (after any empty lines)."""
        return src.leading_empty + 1

    def batch_key(self, src: SourceFile) -> tuple[object, ...] | None:
        """Return the header and line layout: exports alike in both are read together."""
        layout = header_layout(src)
        if layout is None:
            return None
        return (self.name, layout[0], tuple(layout[1]), src.leading_empty, src.scan_compression,
                src.cr_standin)

    def select_sql(self, src: SourceFile, rejects: str) -> str:
        """Return the SELECT reading the export."""
        return _select(src, rejects, self.version)


class GdeltHeader1Reader(_HeaderReader):
    """GDELT 1.0 events with a header row (``gdelt-bq.full.events``, R exports)."""

    name: ClassVar[str] = "gdelt1-csv"
    dataset: ClassVar[str] = "gdelt1"
    summary: ClassVar[str] = ("GDELT 1.0 events with a header (BigQuery, R): comma or tab, "
                              "NA for missing")
    version: ClassVar[int] = 1


class GdeltHeader2Reader(_HeaderReader):
    """GDELT 2.0 events with a header row (``gdelt-bq.gdeltv2.events``)."""

    name: ClassVar[str] = "gdelt2-csv"
    dataset: ClassVar[str] = "gdelt2"
    summary: ClassVar[str] = ("GDELT 2.0 events with a header (BigQuery, R): comma or tab, "
                              "NA for missing")
    version: ClassVar[int] = 2
