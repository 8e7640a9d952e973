"""The canonical event: one row per event, whatever the source.

The column names below are the contract between readers, the store, exports and
every later stage. Each column is declared once, with its Arrow type, its DuckDB
type and a line of meaning; the Arrow schema and the store's table are both built
from this list.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

__all__ = [
    "CANONICAL_COLUMNS",
    "CANONICAL_SCHEMA",
    "DATASETS",
    "Column",
    "column_names",
]


@dataclass(frozen=True)
class Column:
    """One canonical column."""

    name: str
    arrow: pa.DataType
    sql: str
    doc: str


CANONICAL_COLUMNS: tuple[Column, ...] = (
    Column("event_id", pa.string(), "VARCHAR", "stable, source-prefixed id (gdelt2:1234, icews:ID:DATE)"),
    Column("date", pa.date32(), "DATE", "day of the event"),
    Column("source_actor", pa.string(), "VARCHAR", "CAMEO-style actor code of the source (USAGOV)"),
    Column("target_actor", pa.string(), "VARCHAR", "CAMEO-style actor code of the target"),
    Column("source_country", pa.string(), "VARCHAR", "CAMEO country code of the source (known group for IGOs)"),
    Column("target_country", pa.string(), "VARCHAR", "CAMEO country code of the target (known group for IGOs)"),
    Column("source_role", pa.string(), "VARCHAR", "role or sector of the source (GOV, MIL, ...)"),
    Column("target_role", pa.string(), "VARCHAR", "role or sector of the target"),
    Column("source_name", pa.string(), "VARCHAR", "display name of the source"),
    Column("target_name", pa.string(), "VARCHAR", "display name of the target"),
    Column("ontology", pa.string(), "VARCHAR", "cameo or plover: the scheme the source coded in"),
    Column("event_code", pa.string(), "VARCHAR", "CAMEO event code (0231); empty for PLOVER-only records"),
    Column("event_root", pa.string(), "VARCHAR", "CAMEO root (02)"),
    Column("plover_type", pa.string(), "VARCHAR", "PLOVER type, given or mapped from CAMEO"),
    Column("quad_class", pa.int8(), "TINYINT", "1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict"),
    Column("goldstein", pa.float64(), "DOUBLE", "-10..+10: the source's value, else the CAMEO weight"),
    Column("num_mentions", pa.int32(), "INTEGER", "mentions (GDELT)"),
    Column("num_sources", pa.int32(), "INTEGER", "sources (GDELT)"),
    Column("num_articles", pa.int32(), "INTEGER", "articles (GDELT)"),
    Column("avg_tone", pa.float64(), "DOUBLE", "average tone (GDELT)"),
    Column("is_root", pa.bool_(), "BOOLEAN", "GDELT's IsRootEvent"),
    Column("issue_areas", pa.list_(pa.string()), "VARCHAR[]", "issue-area tags"),
    Column("url", pa.string(), "VARCHAR", "where it was reported"),
    Column("text", pa.string(), "VARCHAR", "the sentence or description"),
    Column("doc_id", pa.string(), "VARCHAR", "id of the document it came from"),
    Column("publisher", pa.string(), "VARCHAR",
           "who published the report: ICEWS's Publisher, else the host of the report's address"),
    Column("place", pa.string(), "VARCHAR", "where the action took place, as the source names it"),
    Column("place_country", pa.string(), "VARCHAR",
           "CAMEO country code of the place (from GDELT's FIPS 10-4 code or ICEWS's country name)"),
    Column("latitude", pa.float64(), "DOUBLE", "latitude of the place, -90..90"),
    Column("longitude", pa.float64(), "DOUBLE", "longitude of the place, -180..180"),
    Column("citation_issuer", pa.string(), "VARCHAR", "curated: who issued the public record"),
    Column("citation_title", pa.string(), "VARCHAR", "curated: title of the public record"),
    Column("citation_date", pa.date32(), "DATE", "curated: date of the public record"),
    Column("citation_url", pa.string(), "VARCHAR", "curated: address of the record, where certain"),
    Column("dataset", pa.string(), "VARCHAR", "gdelt1, gdelt2, icews, polecat, plover, curated, coded, ..."),
    Column("ingested_from", pa.string(), "VARCHAR", "file name and content hash it was ingested from"),
)

CANONICAL_SCHEMA: pa.Schema = pa.schema(
    [pa.field(c.name, c.arrow, nullable=c.name != "event_id") for c in CANONICAL_COLUMNS]
)

DATASETS: tuple[str, ...] = ("gdelt1", "gdelt2", "icews", "polecat", "plover", "curated", "coded", "canonical")


def column_names() -> list[str]:
    """Return the canonical column names in order."""
    return [c.name for c in CANONICAL_COLUMNS]
