"""The event ontologies detente normalises to: CAMEO, PLOVER and ICEWS lookups.

All tables are package data under ``detente/ontology/data`` (see the README
there for provenance); they are read on first use and cached.
"""

from __future__ import annotations

from detente.ontology._cameo import (
    EventCode,
    actor_types,
    countries,
    event_code,
    event_codes,
    event_label,
    known_groups,
    normalize_event_code,
    quad_class_for_root,
)
from detente.ontology._icews import (
    fips_country_code,
    fips_country_table,
    icews_country_code,
    icews_country_table,
    icews_role,
    icews_sector_table,
)
from detente.ontology._plover import plover_type_for_cameo, plover_types

__all__ = [
    "EventCode",
    "actor_types",
    "countries",
    "event_code",
    "event_codes",
    "event_label",
    "fips_country_code",
    "fips_country_table",
    "icews_country_code",
    "icews_country_table",
    "icews_role",
    "icews_sector_table",
    "known_groups",
    "normalize_event_code",
    "plover_type_for_cameo",
    "plover_types",
    "quad_class_for_root",
]
