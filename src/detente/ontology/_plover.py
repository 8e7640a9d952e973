"""PLOVER event types and the CAMEO-to-PLOVER mapping."""

from __future__ import annotations

from functools import cache

from detente.ontology._cameo import normalize_event_code
from detente.ontology._data import read_table


@cache
def _plover_types() -> dict[str, int]:
    rows = read_table("plover_types.tsv", ("type", "quad_class", "description"))
    return {ptype: int(quad) for ptype, quad, _ in rows}


@cache
def _cameo_to_plover() -> dict[str, str]:
    rows = read_table("cameo_to_plover.tsv", ("cameo_code", "plover_type"))
    return {code: ptype for code, ptype in rows}


def plover_types() -> dict[str, int]:
    """Return the PLOVER event types with the project's quad class for each.

    Returns:
        A new dict from type (e.g. ``"ASSAULT"``) to quad class 1-4.
    """
    return dict(_plover_types())


def plover_type_for_cameo(code: str) -> str | None:
    """Map a CAMEO event code to its PLOVER event type (CAMEO2PLOVER, 2021).

    The code is first passed through
    :func:`~detente.ontology.normalize_event_code`, so a lost leading zero is
    repaired.

    Args:
        code: A CAMEO event code, e.g. ``"0874"``.

    Returns:
        The PLOVER type, or None for unknown codes and for roots 01 and 02,
        which PLOVER does not code.
    """
    normal = normalize_event_code(code)
    if normal is None:
        return None
    return _cameo_to_plover().get(normal)
