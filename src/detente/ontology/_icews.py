"""ICEWS country names and sectors mapped to CAMEO codes."""

from __future__ import annotations

from functools import cache

from detente.ontology._data import read_table


@cache
def _countries() -> tuple[dict[str, str], dict[str, str]]:
    rows = read_table("icews_countries.tsv", ("icews_name", "cameo_code"))
    exact = {name: code for name, code in rows}
    folded = {name.casefold(): code for name, code in rows}
    return exact, folded


@cache
def _sectors() -> tuple[dict[str, tuple[str, int]], dict[str, tuple[str, int]]]:
    rows = read_table("icews_sectors.tsv", ("sector", "role", "priority"))
    exact = {sector: (role, int(priority)) for sector, role, priority in rows}
    folded = {sector.casefold(): value for sector, value in exact.items()}
    return exact, folded


def icews_country_code(name: str) -> str | None:
    """Return the CAMEO country code for a country name as ICEWS writes it.

    Args:
        name: An ICEWS country name, e.g. ``"Russian Federation"``; surrounding
            whitespace and letter case are ignored.

    Returns:
        The CAMEO code (e.g. ``"RUS"``), or None for unknown names and for
        ICEWS's missing-value markers such as ``"NA"`` or ``""``.
    """
    exact, folded = _countries()
    text = name.strip()
    return exact.get(text) or folded.get(text.casefold())


def icews_country_table() -> list[tuple[str, str]]:
    """Return the whole ICEWS country table.

    Returns:
        ``(icews_name, cameo_code)`` pairs; several names may share a code.
    """
    return list(_countries()[0].items())


def icews_role(sectors: str) -> str | None:
    """Resolve an ICEWS sector list to the single best CAMEO role code.

    Each sector in the comma-separated list is looked up; the role with the
    lowest priority number wins, the earlier sector breaking ties. So
    ``"Military,Government"`` gives ``"MIL"`` and ``"Executive,Government"``
    gives ``"GOV"``.

    Args:
        sectors: The ``Source Sectors`` or ``Target Sectors`` cell of an ICEWS
            event file.

    Returns:
        A CAMEO actor type code, or None if no sector in the list is known
        (including empty cells, ``"NA"`` and ``"Unspecified"``).
    """
    exact, folded = _sectors()
    best: tuple[int, str] | None = None
    for part in sectors.split(","):
        text = part.strip()
        found = exact.get(text) or folded.get(text.casefold())
        if found is not None and (best is None or found[1] < best[0]):
            best = (found[1], found[0])
    return None if best is None else best[1]


def icews_sector_table() -> list[tuple[str, str, int]]:
    """Return the whole ICEWS sector table.

    Returns:
        ``(sector, role, priority)`` triples; a lower priority wins.
    """
    return [(sector, role, priority) for sector, (role, priority) in _sectors()[0].items()]


@cache
def _fips() -> dict[str, str]:
    return {fips: code for fips, _, code in read_table("fips_countries.tsv",
                                                       ("fips", "name", "cameo_code"))}


def fips_country_code(code: str) -> str | None:
    """Return the CAMEO country code for a FIPS 10-4 country code (as GDELT's geography
    fields give it): ``"RS"`` -> ``"RUS"``; None for codes with no CAMEO country (such as
    Kosovo, Antarctica or the oceans) and for empty values."""
    return _fips().get(code.strip().upper())


def fips_country_table() -> list[tuple[str, str]]:
    """Return the whole FIPS 10-4 -> CAMEO country table as ``(fips, cameo_code)`` pairs."""
    return list(_fips().items())
