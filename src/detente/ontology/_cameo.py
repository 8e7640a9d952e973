"""CAMEO event codes, Goldstein weights, quad classes and actor code tables."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from detente.ontology._data import read_table


@dataclass(frozen=True, slots=True)
class EventCode:
    """One CAMEO event code with GDELT's quad class and Goldstein weight.

    Attributes:
        code: The code as a string with its leading zero, e.g. ``"040"``.
        name: The code's label (CAMEO 1.1b3 wording where GDELT's table is wrong).
        root: The two-digit root code, e.g. ``"04"``.
        quad_class: GDELT's quad class of the root: 1 verbal cooperation,
            2 material cooperation, 3 verbal conflict, 4 material conflict.
        goldstein: GDELT's Goldstein weight, from -10.0 to 10.0.
    """

    code: str
    name: str
    root: str
    quad_class: int
    goldstein: float


@cache
def _event_codes() -> dict[str, EventCode]:
    columns = ("code", "name", "root", "quad_class", "goldstein")
    rows = read_table("cameo_event_codes.tsv", columns)
    return {
        code: EventCode(code, name, root, int(quad), float(weight))
        for code, name, root, quad, weight in rows
    }


@cache
def _pairs(name: str) -> dict[str, str]:
    return {code: label for code, label in read_table(name, ("code", "name"))}


def event_codes() -> dict[str, EventCode]:
    """Return every CAMEO event code (roots, 3- and 4-digit codes).

    Returns:
        A new dict from code (e.g. ``"0211"``) to its :class:`EventCode`.
    """
    return dict(_event_codes())


def event_code(code: str) -> EventCode | None:
    """Look up one CAMEO event code exactly as written.

    Args:
        code: A code such as ``"190"``; no leading-zero repair is done here
            (see :func:`normalize_event_code`).

    Returns:
        The :class:`EventCode`, or None if ``code`` is not a CAMEO event code.
    """
    return _event_codes().get(code)


def event_label(code: str | None) -> str | None:
    """Return the code's label as a reader sees it beside the code: ``"163"`` ->
    ``"Impose embargo, boycott, or sanctions"``; the roots, which the table writes in
    capitals, in sentence case (``"19"`` -> ``"Fight"``). None for an unknown code."""
    ec = _event_codes().get(code or "")
    if ec is None:
        return None
    name = ec.name
    if name.isupper():
        name = name[:1] + name[1:].lower()
    return name


def normalize_event_code(code: str) -> str | None:
    """Return a valid CAMEO event code for ``code``, restoring a lost leading zero.

    A code that is valid as written is returned unchanged (so ``"10"`` stays the
    root ``10``); otherwise ``"0" + code`` is tried, which repairs codes read as
    numbers, e.g. ``"40"`` -> ``"040"`` and ``"411"`` -> ``"0411"``.

    Args:
        code: A CAMEO code as found in a source file; whitespace is ignored.

    Returns:
        The valid code, or None if neither form is a CAMEO event code.
    """
    code = code.strip()
    if not code:
        return None
    codes = _event_codes()
    if code in codes:
        return code
    padded = "0" + code
    return padded if padded in codes else None


def quad_class_for_root(root: str) -> int:
    """Return GDELT's quad class for a CAMEO root code.

    Roots 01-05 are 1 (verbal cooperation), 06-09 are 2 (material
    cooperation), 10-14 are 3 (verbal conflict) and 15-20 are 4 (material
    conflict).

    Args:
        root: A root code, ``"01"`` to ``"20"`` (``"1"`` to ``"9"`` accepted).

    Returns:
        The quad class, 1 to 4.

    Raises:
        ValueError: If ``root`` is not a CAMEO root code.
    """
    text = root.strip()
    if not (text.isdigit() and 1 <= len(text) <= 2 and 1 <= int(text) <= 20):
        msg = f"not a CAMEO root code: {root!r}"
        raise ValueError(msg)
    number = int(text)
    if number <= 5:
        return 1
    if number <= 9:
        return 2
    if number <= 14:
        return 3
    return 4


def countries() -> dict[str, str]:
    """Return CAMEO country and region codes with their names.

    Returns:
        A new dict from code (e.g. ``"ROM"``) to name (``"Romania"``).
    """
    return dict(_pairs("cameo_countries.tsv"))


def known_groups() -> dict[str, str]:
    """Return CAMEO known-group codes with their names.

    Returns:
        A new dict from code (e.g. ``"NAT"``) to name.
    """
    return dict(_pairs("cameo_known_groups.tsv"))


def actor_types() -> dict[str, str]:
    """Return CAMEO actor type (role) codes with their names.

    Returns:
        A new dict from code (e.g. ``"GOV"``) to name (``"Government"``).
    """
    return dict(_pairs("cameo_actor_types.tsv"))
