"""The canonical event: one row per event, whatever the source.

The column names below are the contract between readers, the store, exports and
every later stage. Each column is declared once, with its Arrow type, its DuckDB
type and a line of meaning; the Arrow schema and the store's table are both built
from this list.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CANONICAL_COLUMNS",
    "CANONICAL_SCHEMA",  # noqa: F822 (built on first use: see __getattr__)
    "DATASETS",
    "Column",
    "column_names",
]


@dataclass(frozen=True)
class Column:
    """One canonical column."""

    name: str
    arrow_name: str
    """The Arrow type's name: ``string``, ``date32``, ``int8``, ``int32``, ``float64``,
    ``bool`` or ``list<string>`` (named, so that pyarrow loads only when it is used)."""
    sql: str
    doc: str

    @property
    def arrow(self) -> pa.DataType:
        """The Arrow type."""
        import pyarrow as pa

        return {"string": pa.string(), "date32": pa.date32(), "int8": pa.int8(),
                "int32": pa.int32(), "float64": pa.float64(), "bool": pa.bool_(),
                "list<string>": pa.list_(pa.string())}[self.arrow_name]


CANONICAL_COLUMNS: tuple[Column, ...] = (
    Column("event_id", "string", "VARCHAR", "stable, source-prefixed id (gdelt2:1234, icews:ID:DATE)"),
    Column("date", "date32", "DATE", "day of the event"),
    Column("source_actor", "string", "VARCHAR", "CAMEO-style actor code of the source (USAGOV)"),
    Column("target_actor", "string", "VARCHAR", "CAMEO-style actor code of the target"),
    Column("source_country", "string", "VARCHAR", "CAMEO country code of the source (known group for IGOs)"),
    Column("target_country", "string", "VARCHAR", "CAMEO country code of the target (known group for IGOs)"),
    Column("source_role", "string", "VARCHAR", "role or sector of the source (GOV, MIL, ...)"),
    Column("target_role", "string", "VARCHAR", "role or sector of the target"),
    Column("source_name", "string", "VARCHAR", "display name of the source"),
    Column("target_name", "string", "VARCHAR", "display name of the target"),
    Column("ontology", "string", "VARCHAR", "cameo or plover: the scheme the source coded in"),
    Column("event_code", "string", "VARCHAR", "CAMEO event code (0231); empty for PLOVER-only records"),
    Column("event_root", "string", "VARCHAR", "CAMEO root (02)"),
    Column("plover_type", "string", "VARCHAR", "PLOVER type, given or mapped from CAMEO"),
    Column("quad_class", "int8", "TINYINT", "1 verbal coop, 2 material coop, 3 verbal conflict, 4 material conflict"),
    Column("goldstein", "float64", "DOUBLE", "-10..+10: the source's value, else the CAMEO weight"),
    Column("num_mentions", "int32", "INTEGER", "mentions (GDELT)"),
    Column("num_sources", "int32", "INTEGER", "sources (GDELT)"),
    Column("num_articles", "int32", "INTEGER", "articles (GDELT)"),
    Column("avg_tone", "float64", "DOUBLE", "average tone (GDELT)"),
    Column("is_root", "bool", "BOOLEAN", "GDELT's IsRootEvent"),
    Column("issue_areas", "list<string>", "VARCHAR[]", "issue-area tags"),
    Column("url", "string", "VARCHAR", "where it was reported"),
    Column("text", "string", "VARCHAR", "the sentence or description"),
    Column("doc_id", "string", "VARCHAR", "id of the document it came from"),
    Column("publisher", "string", "VARCHAR",
           "who published the report: ICEWS's Publisher, else the host of the report's address"),
    Column("place", "string", "VARCHAR", "where the action took place, as the source names it"),
    Column("place_country", "string", "VARCHAR",
           "CAMEO country code of the place (from GDELT's FIPS 10-4 code or ICEWS's country name)"),
    Column("latitude", "float64", "DOUBLE", "latitude of the place, -90..90"),
    Column("longitude", "float64", "DOUBLE", "longitude of the place, -180..180"),
    Column("citation_issuer", "string", "VARCHAR", "curated: who issued the public record"),
    Column("citation_title", "string", "VARCHAR", "curated: title of the public record"),
    Column("citation_date", "date32", "DATE", "curated: date of the public record"),
    Column("citation_url", "string", "VARCHAR", "curated: address of the record, where certain"),
    Column("dataset", "string", "VARCHAR", "gdelt1, gdelt2, icews, polecat, plover, curated, coded, ..."),
    Column("ingested_from", "string", "VARCHAR", "file name and content hash it was ingested from"),
)

@functools.cache
def _arrow_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [pa.field(c.name, c.arrow, nullable=c.name != "event_id") for c in CANONICAL_COLUMNS])


def __getattr__(name: str) -> Any:
    # CANONICAL_SCHEMA: the Arrow schema of the canonical columns, built on first use
    if name == "CANONICAL_SCHEMA":
        return _arrow_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

DATASETS: tuple[str, ...] = ("gdelt1", "gdelt2", "icews", "polecat", "plover", "curated", "coded", "canonical")


def column_names() -> list[str]:
    """Return the canonical column names in order."""
    return [c.name for c in CANONICAL_COLUMNS]
