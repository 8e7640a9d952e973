"""Reading the ontology's tab-separated package data files."""

from __future__ import annotations

from importlib import resources

_PACKAGE = "detente.ontology"


def read_table(name: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Read one tab-separated table shipped in ``detente/ontology/data``.

    The files are UTF-8, have a header on line 1 and hold no quoting: a tab
    always separates cells.

    Args:
        name: File name inside the ``data`` directory, e.g. ``"plover_types.tsv"``.
        columns: The header the file must have, in order.

    Returns:
        The data rows, each a tuple with one string per column.

    Raises:
        ValueError: If the header differs from ``columns`` or a row has the
            wrong number of cells.
    """
    resource = resources.files(_PACKAGE) / "data" / name
    lines = resource.read_text(encoding="utf-8").splitlines()
    header = tuple(lines[0].split("\t")) if lines else ()
    if header != columns:
        msg = f"{name}: header {header!r} is not {columns!r}"
        raise ValueError(msg)
    rows: list[tuple[str, ...]] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = tuple(line.split("\t"))
        if len(cells) != len(columns):
            msg = f"{name}:{number}: expected {len(columns)} cells, got {len(cells)}"
            raise ValueError(msg)
        rows.append(cells)
    return rows
