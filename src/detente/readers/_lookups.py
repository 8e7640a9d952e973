"""Load the ontology into temporary DuckDB tables the readers' SQL joins on."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from detente import ontology

__all__ = ["install_lookups"]


def install_lookups(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) the ``_detente_*`` lookup tables on ``con``."""
    codes = ontology.event_codes()
    cameo = pa.table(
        {
            "code": [c.code for c in codes.values()],
            "root": [c.root for c in codes.values()],
            "quad_class": pa.array([c.quad_class for c in codes.values()], pa.int8()),
            "goldstein": pa.array([c.goldstein for c in codes.values()], pa.float64()),
            "plover_type": [ontology.plover_type_for_cameo(c.code) for c in codes.values()],
        }
    )
    plover = ontology.plover_types()
    plover_t = pa.table(
        {
            "type": list(plover),
            "quad_class": pa.array(list(plover.values()), pa.int8()),
        }
    )
    icews = ontology.icews_country_table()
    icews_t = pa.table({"name": [n for n, _ in icews], "code": [c for _, c in icews]})
    sectors = ontology.icews_sector_table()
    sectors_t = pa.table(
        {
            "sector": [s for s, _, _ in sectors],
            "role": [r for _, r, _ in sectors],
            "priority": pa.array([p for _, _, p in sectors], pa.int32()),
        }
    )
    cmap, gmap = ontology.countries(), ontology.known_groups()
    countries = pa.table({"code": list(cmap), "name": list(cmap.values())})
    groups = pa.table({"code": list(gmap), "name": list(gmap.values())})
    roles = pa.table({"code": list(ontology.actor_types())})
    for name, table in (
        ("_detente_cameo", cameo),
        ("_detente_plover", plover_t),
        ("_detente_icews_country", icews_t),
        ("_detente_icews_sector", sectors_t),
        ("_detente_countries", countries),
        ("_detente_groups", groups),
        ("_detente_roles", roles),
    ):
        con.register("_detente_arrow_tmp", table)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _detente_arrow_tmp")
        con.unregister("_detente_arrow_tmp")
