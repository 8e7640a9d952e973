"""Write Arrow tables as a terminal table, CSV, JSON or JSON lines."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import sys
from collections.abc import Iterable
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # loaded when rows are rendered, not when the CLI starts
    import pyarrow as pa
    from rich.console import Console

__all__ = ["OutputFormat", "render", "stderr"]


@functools.cache
def stderr() -> Console:
    """Return the console of the CLI's messages (standard error), made on first use."""
    from rich.console import Console

    return Console(stderr=True)


class OutputFormat(StrEnum):
    """How a command prints rows."""

    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


_SHORT = {"source_actor": "source", "target_actor": "target", "event_code": "code",
          "quad_class": "quad", "goldstein": "gold", "issue_areas": "issues"}
_WIDE = {"issue_areas", "text", "raw", "reason", "name", "url", "citation_title"}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(_plain(value))


def _csv_cell(value: Any) -> str:
    """A cell as CSV writes it: every digit of a number kept (``repr`` is the shortest text
    that reads back as the same float)."""
    if isinstance(value, float):
        return repr(value)
    return _cell(value)


def render(
    batches: Iterable[pa.RecordBatch] | pa.Table,
    fmt: OutputFormat,
    *,
    columns: list[str] | None = None,
    title: str | None = None,
    out: IO[str] | None = None,
    console: Console | None = None,
) -> int:
    """Write rows in ``fmt``; return how many were written."""
    import pyarrow as pa

    stream = out or sys.stdout
    items = batches.to_batches() if isinstance(batches, pa.Table) else batches
    rows = 0
    if fmt is OutputFormat.table:
        from rich import box
        from rich.console import Console
        from rich.table import Table

        cols: list[str] | None = columns
        cells: list[list[str]] = []
        for batch in items:
            cols = cols or batch.schema.names
            cells.extend([_cell(rec[c]) for c in cols] for rec in batch.select(cols).to_pylist())
        if cols is None:
            (console or Console(file=stream)).print("(no rows)")
            return 0
        table = Table(title=title, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False,
                      expand=True)
        for i, c in enumerate(cols):
            label = _SHORT.get(c, c)
            if c in _WIDE:
                table.add_column(label, overflow="ellipsis", no_wrap=True, ratio=1, min_width=8)
            else:
                width = max([len(label), *(len(r[i]) for r in cells)])
                table.add_column(label, overflow="ellipsis", no_wrap=True, width=min(width, 30))
        for r in cells:
            table.add_row(*r)
        (console or Console(file=stream)).print(table)
        return len(cells)
    if fmt is OutputFormat.csv:
        writer: Any = None
        for batch in items:
            cols = columns or batch.schema.names
            if writer is None:
                writer = csv.writer(stream, lineterminator="\n")
                writer.writerow(cols)
            for rec in batch.select(cols).to_pylist():
                writer.writerow([_csv_cell(rec[c]) for c in cols])
                rows += 1
        return rows
    if fmt is OutputFormat.json:
        stream.write("[")
        for batch in items:
            for rec in batch.select(columns or batch.schema.names).to_pylist():
                stream.write(("," if rows else "") + "\n" + json.dumps(rec, default=_plain))
                rows += 1
        stream.write("\n]\n")
        return rows
    for batch in items:
        for rec in batch.select(columns or batch.schema.names).to_pylist():
            stream.write(json.dumps(rec, default=_plain) + "\n")
            rows += 1
    return rows
