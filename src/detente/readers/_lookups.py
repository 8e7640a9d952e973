"""The ontology as DuckDB macros the readers' SQL calls (installed by the store).

Lookups are scalar macros over constant lists, not joins: a hash join may
reorder rows, and readers must keep file order (a row's position is how its line
number is found and which of two repeats came first). A CAMEO code indexes its
list directly (two-, three- and four-digit codes in their own ranges, so ``010``
and ``10`` differ), which costs next to nothing per row.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from detente import ontology
from detente.tagging import icews_sector_sql

__all__ = ["lookups"]

_SIZE = 21 + 210 + 2100  # two-, three- and four-digit codes, each range packed


def _index(code: str) -> int:
    offset = {2: 0, 3: 21, 4: 231}[len(code)]
    return offset + int(code)


def _lit(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _list(values: Iterable[object], sql_type: str) -> str:
    return f"([{', '.join(_lit(v) for v in values)}]::{sql_type}[])"


def _macros() -> list[str]:
    codes = ontology.event_codes()
    quad: list[int | None] = [None] * _SIZE
    gold: list[float | None] = [None] * _SIZE
    plover: list[str | None] = [None] * _SIZE
    for c in codes.values():
        i = _index(c.code)
        quad[i], gold[i], plover[i] = c.quad_class, c.goldstein, ontology.plover_type_for_cameo(c.code)
    idx = ("(CASE WHEN NOT regexp_full_match(c, '[0-9]{2,4}') THEN NULL "
           "WHEN length(c) = 2 AND CAST(c AS INTEGER) <= 20 THEN 1 + CAST(c AS INTEGER) "
           "WHEN length(c) = 3 AND CAST(c AS INTEGER) <= 209 THEN 22 + CAST(c AS INTEGER) "
           "WHEN length(c) = 4 THEN 232 + CAST(c AS INTEGER) END)")
    ptypes = ontology.plover_types()
    icews = ontology.icews_country_table()
    fips = ontology.fips_country_table()
    countries, groups = ontology.countries(), ontology.known_groups()
    return [
        f"detente_cameo_quad(c) AS {_list(quad, 'TINYINT')}[{idx}]",
        f"detente_cameo_goldstein(c) AS {_list(gold, 'DOUBLE')}[{idx}]",
        f"detente_cameo_plover(c) AS {_list(plover, 'VARCHAR')}[{idx}]",
        "detente_cameo_norm(c) AS CASE WHEN detente_cameo_quad(c) IS NOT NULL AND length(c) >= 2 "
        "THEN c WHEN length(c) < 4 AND detente_cameo_quad('0' || c) IS NOT NULL THEN '0' || c END",
        f"detente_plover_quad(t) AS {_list(ptypes.values(), 'TINYINT')}"
        f"[list_position({_list(ptypes, 'VARCHAR')}, t)]",
        # ICEWS names and sectors are matched without regard to letter case
        f"detente_icews_country(n) AS {_list((c for _, c in icews), 'VARCHAR')}"
        f"[list_position({_list((n.lower() for n, _ in icews), 'VARCHAR')}, lower(n))]",
        f"detente_fips_country(n) AS {_list((c for _, c in fips), 'VARCHAR')}"
        f"[list_position({_list((f for f, _ in fips), 'VARCHAR')}, upper(trim(n)))]",
        # the host of a report's address, without "www.": who published it
        "detente_url_host(u) AS nullif(regexp_extract(lower(u), "
        "'^[a-z][a-z0-9+.-]*://(www[0-9]?\\.)?([^/:?#@]+)', 2), '')",
        # a latitude and longitude pair, kept only when both are numbers on the globe
        "detente_lat(a, b) AS CASE WHEN TRY_CAST(a AS DOUBLE) BETWEEN -90 AND 90 AND "
        "TRY_CAST(b AS DOUBLE) BETWEEN -180 AND 180 THEN TRY_CAST(a AS DOUBLE) END",
        "detente_lon(a, b) AS CASE WHEN TRY_CAST(a AS DOUBLE) BETWEEN -90 AND 90 AND "
        "TRY_CAST(b AS DOUBLE) BETWEEN -180 AND 180 THEN TRY_CAST(b AS DOUBLE) END",
        _icews_role(),
        # the issue areas an ICEWS event's actor sectors name (see detente.tagging)
        f"detente_icews_areas(s, t) AS {icews_sector_sql('s', 't')}",
        f"detente_country_name(c) AS {_list(countries.values(), 'VARCHAR')}"
        f"[list_position({_list(countries, 'VARCHAR')}, c)]",
        f"detente_group_name(c) AS {_list(groups.values(), 'VARCHAR')}"
        f"[list_position({_list(groups, 'VARCHAR')}, c)]",
    ]


def _icews_role() -> str:
    """The macro giving the CAMEO role of an ICEWS sector list: the lowest priority wins,
    ties go to the sector listed first.

    The sectors are cast to an ENUM (a hashed lookup, where a list scan per sector made
    this the costliest step of reading ICEWS) whose codes are laid out by priority, each
    priority taking ``width`` codes, so the priority's rank is ``code // width``. The
    smallest ``(rank, position, code)`` packed in one integer picks the sector.
    """
    groups: dict[int, list[tuple[str, str]]] = {}
    for name, role, priority in ontology.icews_sector_table():
        members = groups.setdefault(priority, [])
        if all(n != name.lower() for n, _ in members):  # the first of a name counts
            members.append((name.lower(), role))
    width = max(len(g) for g in groups.values())
    names: list[str] = []
    roles: list[str | None] = []
    for rank, priority in enumerate(sorted(groups)):
        members = groups[priority]
        for j in range(width):  # codes no sector name can take fill each rank up
            names.append(members[j][0] if j < len(members) else f"\x01{rank}.{j}")
            roles.append(members[j][1] if j < len(members) else None)
    enum = "ENUM(" + ", ".join(_lit(n) for n in names) + ")"
    key = f"(CAST(enum_code(x) AS BIGINT) // {width} * 65536 + i) * 65536 + enum_code(x)"
    return (f"detente_icews_role(s) AS {_list(roles, 'VARCHAR')}[1 + list_min(list_transform("
            f"TRY_CAST(list_transform(string_split(lower(s), ','), lambda x: trim(x)) AS {enum}[]), "
            f"lambda x, i: {key})) % 65536]")


def lookups() -> tuple[list[str], dict[str, pa.Table]]:
    """Return the ``detente_*`` macros (``CREATE TEMP MACRO`` bodies) and the small code
    tables (name to rows) the readers' SQL calls; the store installs them on the
    connection that reads (:func:`detente.store._reading.install_lookups`)."""
    cmap, gmap = ontology.countries(), ontology.known_groups()
    return _macros(), {
        "_detente_countries": pa.table({"code": list(cmap), "name": list(cmap.values())}),
        "_detente_groups": pa.table({"code": list(gmap), "name": list(gmap.values())}),
    }
