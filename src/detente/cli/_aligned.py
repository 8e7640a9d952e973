"""A plain aligned table for long terminal listings.

Rich's ``Table`` measures every cell of every row to lay out its columns, about
half a millisecond a row: a 1,000-row indicator table took longer to print than to
compute. Here the columns are measured once, in Python, and the rows are written as
plain aligned lines; only the title, header and caption are styled.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import IO

__all__ = ["print_aligned"]


def print_aligned(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]],
                  caption: str = "", out: IO[str] | None = None) -> None:
    """Write ``rows`` under ``columns`` (``(label, "left" | "right")``), aligned.

    Args:
        title: the line above the table.
        columns: each column's label and how its cells are justified.
        rows: the cells, already formatted as text.
        caption: the line below the table.
        out: where to write; standard output by default (styled when it is a terminal).
    """
    stream = out if out is not None else sys.stdout
    widths = [len(label) for label, _ in columns]
    for row in rows:
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                widths[i] = len(cell)

    def line(cells: Sequence[str]) -> str:
        parts = [c.ljust(w) if how == "left" else c.rjust(w)
                 for c, w, (_, how) in zip(cells, widths, columns, strict=True)]
        return " ".join(parts).rstrip()

    header = line([label for label, _ in columns])
    rule = " ".join("─" * w for w in widths)
    styled = out is None and stream.isatty()
    bold, dim, reset = ("\x1b[1m", "\x1b[2m", "\x1b[0m") if styled else ("", "", "")
    body = "\n".join(line(r) for r in rows)
    stream.write(f"{bold}{title}{reset}\n{bold}{header}{reset}\n{rule}\n")
    if body:
        stream.write(body + "\n")
    if caption:
        stream.write(f"{dim}{caption}{reset}\n")
    stream.flush()
