"""The ontology as DuckDB macros the readers' SQL calls (installed by the store).

Lookups are scalar macros over constant lists, not joins: a hash join may
reorder rows, and readers must keep file order (a row's position is how its line
number is found and which of two repeats came first). A key (a CAMEO code as
written, so ``010`` and ``10`` differ; a country code or name) is cast to an ENUM
of the known keys, a hashed lookup, and its position picks the value from the list.
"""

from __future__ import annotations

from collections.abc import Iterable

from detente import ontology
from detente.tagging import icews_sector_sql

__all__ = ["enum_lookup", "lookups"]

def _lit(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _list(values: Iterable[object], sql_type: str) -> str:
    return f"([{', '.join(_lit(v) for v in values)}]::{sql_type}[])"


def enum_lookup(keys: Iterable[str], values: Iterable[object], sql_type: str, arg: str) -> str:
    """SQL: the value of key ``arg`` (``NULL`` for one not among ``keys``; the first of a
    repeated key counts), found by a cast to an ENUM of the keys, a hashed lookup (a list
    search per row cost more than the rest of reading a row)."""
    firsts: dict[str, object] = {}
    for k, v in zip(keys, values, strict=True):
        firsts.setdefault(k, v)
    enum = "ENUM(" + ", ".join(_lit(k) for k in firsts) + ")"
    return f"{_list(firsts.values(), sql_type)}[enum_code(TRY_CAST({arg} AS {enum})) + 1]"


_HTTP_HOST = "lower(regexp_extract(u, '^[hH][tT][tT][pP][sS]?://([^/:?#@]+)', 1))"
"""The host of an http(s) address (empty for any other); DuckDB computes it once a row."""


def _macros() -> list[str]:
    codes = [c for c in ontology.event_codes().values() if 2 <= len(c.code) <= 4]
    keys = [c.code for c in codes]
    ptypes = ontology.plover_types()
    icews = ontology.icews_country_table()
    fips = ontology.fips_country_table()
    countries, groups = ontology.countries(), ontology.known_groups()
    return [
        f"detente_cameo_quad(c) AS {enum_lookup(keys, (c.quad_class for c in codes), 'TINYINT', 'c')}",
        f"detente_cameo_goldstein(c) AS {enum_lookup(keys, (c.goldstein for c in codes), 'DOUBLE', 'c')}",
        "detente_cameo_plover(c) AS "
        f"{enum_lookup(keys, (ontology.plover_type_for_cameo(c.code) for c in codes), 'VARCHAR', 'c')}",
        "detente_cameo_norm(c) AS CASE WHEN detente_cameo_quad(c) IS NOT NULL AND length(c) >= 2 "
        "THEN c WHEN length(c) < 4 AND detente_cameo_quad('0' || c) IS NOT NULL THEN '0' || c END",
        f"detente_plover_quad(t) AS {enum_lookup(ptypes, ptypes.values(), 'TINYINT', 't')}",
        # ICEWS names and sectors are matched without regard to letter case
        "detente_icews_country(n) AS "
        f"{enum_lookup((n.lower() for n, _ in icews), (c for _, c in icews), 'VARCHAR', 'lower(n)')}",
        "detente_fips_country(n) AS "
        f"{enum_lookup((f for f, _ in fips), (c for _, c in fips), 'VARCHAR', 'upper(trim(n))')}",
        # the host of a report's address, without "www.": who published it. The general
        # form's capture groups cost; addresses with http(s) (nearly all) take a simpler
        # pattern, and "www." is cut off as the general form would (not when nothing follows)
        "detente_url_slow_host(u) AS nullif(regexp_extract(lower(u), "
        "'^[a-z][a-z0-9+.-]*://(www[0-9]?\\.)?([^/:?#@]+)', 2), '')",
        "detente_url_www(h) AS CASE WHEN NOT starts_with(h, 'www') THEN h "
        "WHEN substr(h, 4, 1) = '.' AND strlen(h) > 4 THEN substr(h, 5) "
        "WHEN substr(h, 4, 1) BETWEEN '0' AND '9' AND substr(h, 5, 1) = '.' AND strlen(h) > 5 "
        "THEN substr(h, 6) ELSE h END",
        f"detente_url_host(u) AS CASE WHEN {_HTTP_HOST} <> '' THEN detente_url_www({_HTTP_HOST}) "
        "ELSE detente_url_slow_host(u) END",
        # a latitude and longitude pair, kept only when both are numbers on the globe
        "detente_lat(a, b) AS CASE WHEN TRY_CAST(a AS DOUBLE) BETWEEN -90 AND 90 AND "
        "TRY_CAST(b AS DOUBLE) BETWEEN -180 AND 180 THEN TRY_CAST(a AS DOUBLE) END",
        "detente_lon(a, b) AS CASE WHEN TRY_CAST(a AS DOUBLE) BETWEEN -90 AND 90 AND "
        "TRY_CAST(b AS DOUBLE) BETWEEN -180 AND 180 THEN TRY_CAST(b AS DOUBLE) END",
        _icews_role(),
        # the issue areas an ICEWS event's actor sectors name (see detente.tagging)
        f"detente_icews_areas(s, t) AS {icews_sector_sql('s', 't')}",
        f"detente_country_name(c) AS {enum_lookup(countries, countries.values(), 'VARCHAR', 'c')}",
        f"detente_group_name(c) AS {enum_lookup(groups, groups.values(), 'VARCHAR', 'c')}",
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


def lookups() -> tuple[list[str], dict[str, dict[str, str]]]:
    """Return the ``detente_*`` macros (``CREATE TEMP MACRO`` bodies) and the small code
    tables (name to ``{code: name}``) the readers' SQL calls; the store installs them on
    the connection that reads (:func:`detente.store._reading.install_lookups`)."""
    return _macros(), {
        "_detente_countries": dict(ontology.countries()),
        "_detente_groups": dict(ontology.known_groups()),
    }
